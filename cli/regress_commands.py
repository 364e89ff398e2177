"""`lumbar test` (suites, coverage, mutation testing) and `lumbar diff` (impact of a change)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..engine.draw import consultation as render
from ..engine.draw import rules as diagrams_module
from ..engine.errors import LumbarError, Problem, RenderError
from ..engine.model import load as kb_module
from ..engine.model.case import load_case
from ..engine.model.knowledge import KnowledgeBase
from ..engine.regress import diff as diff_module
from ..engine.regress import mutate as mutate_module
from ..engine.regress import suite as suite_module
from ..engine.serialize import to_data
from . import regress_text as fmt
from .app import DiagramOption, EngineOption, JsonOption, KbOption, app, emit_json, reports_errors
from .outputs import diagram_format, write_atomically


@app.command("test")
@reports_errors
def test_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Case files or folders of them (default: tests/suite).", metavar="PATH..."
        ),
    ] = None,
    json_out: JsonOption = False,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Also write JUnit XML to FILE.", metavar="FILE")
    ] = None,
    show_coverage: Annotated[
        bool,
        typer.Option(
            "--coverage",
            help="Report rules never fired, conclusions never "
            "reached, findings never used, and each article's share.",
        ),
    ] = False,
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", help="Fail (exit 1) below N% rule coverage.", metavar="N"),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("-j", "--jobs", help="Worker processes (default: all cores).")
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Rewrite the expect: blocks from the current "
            "results (after a reviewed, intentional change), touching nothing "
            "else in the files.",
        ),
    ] = False,
    mutate: Annotated[
        bool,
        typer.Option(
            "--mutate",
            help="Mutation testing: make single-rule mutations of "
            "the knowledge base and report the share the suites and rule "
            "examples catch (kill rate) and the survivors.",
        ),
    ] = False,
    kb: KbOption = None,
) -> None:
    """Run case suites (case files with an `expect:` block). Exit 0 only when all pass."""
    knowledge = kb_module.load(kb)
    if mutate:
        run_mutation(
            knowledge, suite_module.discover(paths or [Path("tests/suite")]), jobs, json_out
        )
        return
    files = suite_module.discover(paths or [Path("tests/suite")])
    if not files:
        raise LumbarError(
            Problem(
                " ".join(map(str, paths or ["tests/suite"])),
                None,
                None,
                "no case files (.yaml, .yml, .json) found.",
            )
        )
    for path in files:  # bad input is exit 2, before any case runs
        load_case(path, knowledge)
    outcomes = suite_module.run_suite(files, knowledge, jobs)
    if update:
        changed = [
            o.path
            for o in outcomes
            if not o.passed and suite_module.update_expectations(Path(o.path), o)
        ]
        typer.echo(f"updated {len(changed)} case file(s)" + "".join(f"\n  {p}" for p in changed))
        return
    cov = suite_module.coverage(outcomes, knowledge)
    if junit is not None:
        write_atomically(junit, suite_module.junit_xml(outcomes))
    if json_out:
        reported = cov if show_coverage or fail_under is not None else None
        emit_json(to_data(suite_module.SuiteReport(tuple(outcomes), reported)))
    else:
        typer.echo(fmt.suite_report(outcomes), nl=False)
        if show_coverage:
            typer.echo("\n" + fmt.coverage_report(cov), nl=False)
    failed = any(not o.passed for o in outcomes)
    if fail_under is not None and cov.percent < fail_under:
        typer.echo(
            f"rule coverage {cov.percent:.1f}% is under --fail-under {fail_under:g}%", err=True
        )
        failed = True
    if failed:
        raise typer.Exit(code=1)


@app.command("diff")
@reports_errors
def diff_command(
    base: Annotated[
        str,
        typer.Option(
            "--base",
            help="Git revision to compare the working tree's knowledge base with.",
            metavar="REF",
        ),
    ],
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Case files or folders (default: tests/suite and examples).", metavar="PATH..."
        ),
    ] = None,
    json_out: JsonOption = False,
    fail_on_change: Annotated[
        bool, typer.Option("--fail-on-change", help="Exit 1 when anything changed (for CI).")
    ] = False,
    diagram: DiagramOption = None,
    engine: EngineOption = "auto",
    kb: KbOption = None,
) -> None:
    """What a knowledge-base change does: rules added, removed and changed since REF, and every
    case whose answer changes, with the rules responsible."""
    knowledge = kb_module.load(kb)
    default = [p for p in (Path("tests/suite"), Path("examples")) if p.is_dir()]
    files = suite_module.discover(paths or default)
    fmt_diagram = diagram_format(diagram)
    result = diff_module.diff(base, knowledge, files)
    if diagram is not None and fmt_diagram is not None:
        if fmt_diagram == "html":
            raise RenderError(
                Problem(
                    str(diagram),
                    None,
                    None,
                    "the change diagram is written as .svg, .png, .pdf or .dot.",
                )
            )
        source = diagrams_module.rule_graph_dot(
            result.marked_rules, knowledge, f"knowledge base: working tree vs {base}"
        )
        data = source.encode("utf-8")
        if fmt_diagram != "dot":
            data = render.render(source, fmt_diagram, render.choose_engine(engine, fmt_diagram))
        write_atomically(diagram, data)
    if json_out:
        emit_json(to_data(result))
    else:
        typer.echo(fmt.diff_report(result, knowledge), nl=False)
    if fail_on_change and not result.empty:
        raise typer.Exit(code=1)


def run_mutation(
    knowledge: KnowledgeBase, files: list[Path], jobs: int | None, json_out: bool
) -> None:
    verdicts = [v for v in mutate_module.run(knowledge.root, files, jobs) if v.valid]
    killed = sum(v.killed_by is not None for v in verdicts)
    rate = 100.0 * killed / len(verdicts) if verdicts else 100.0
    survivors = [v.mutant for v in verdicts if v.killed_by is None]
    if json_out:
        emit_json(
            {
                "mutants": len(verdicts),
                "killed": killed,
                "kill_rate": round(rate, 2),
                "survivors": [
                    {"rule": m.rule, "operator": m.operator, "mutation": m.description}
                    for m in survivors
                ],
            }
        )
    else:
        for m in survivors:
            typer.echo(f"survived: {m.rule}: {m.operator}: {m.description}")
        typer.echo(f"kill rate: {killed}/{len(verdicts)} mutants killed ({rate:.1f}%)")
