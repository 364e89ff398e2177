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
from ..engine.output_schemas import all_schemas
from ..engine.regress import diff as diff_module
from ..engine.regress import examples as examples_module
from ..engine.regress import mutate as mutate_module
from ..engine.regress import suite as suite_module
from ..engine.regress import verify as verify_module
from ..engine.serialize import to_data
from . import regress_text as fmt
from .app import DiagramOption, EngineOption, JsonOption, KbOption, app, emit_json, reports_errors
from .outputs import diagram_format, write_all
from .text import echo


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
        int | None,
        typer.Option("-j", "--jobs", help="Worker processes (default and most: all cores)."),
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
    allow_weaker: Annotated[
        bool,
        typer.Option(
            "--allow-weaker",
            help="Let --update lower a case's triage or drop an expected red flag.",
        ),
    ] = False,
    no_examples: Annotated[
        bool,
        typer.Option("--no-examples", help="Skip the examples written beside each rule."),
    ] = False,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Show the HOW / WHY NOT behind each failing case."),
    ] = False,
    kb: KbOption = None,
) -> None:
    """Run the rules' own examples and case suites (case files with an `expect:` block). Exit 0
    only when all pass."""
    knowledge = kb_module.load(kb)
    if mutate:
        run_mutation(
            knowledge, suite_module.discover(paths or [Path("tests/suite")]), jobs, json_out
        )
        return
    files = suite_module.discover(paths or [Path("tests/suite")], [junit] if junit else [])
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
    examples = [] if no_examples or update else examples_module.run_examples(knowledge, jobs=jobs)
    if update:
        updates = [
            suite_module.update_expectations(Path(o.path), o, knowledge, allow_weaker)
            for o in outcomes
            if not o.passed
        ]
        write_all([(Path(u.path), u.text.encode("utf-8")) for u in updates if u.text is not None])
        echo(fmt.update_report(updates), nl=False)
        if any(u.refused for u in updates):
            raise typer.Exit(code=1)
        return
    cov = suite_module.coverage(outcomes, knowledge)
    if junit is not None:
        write_all([(junit, suite_module.junit_xml(outcomes))])
    if json_out:
        reported = cov if show_coverage or fail_under is not None else None
        emit_json(to_data(suite_module.SuiteReport(tuple(outcomes), reported, tuple(examples))))
    else:
        echo(fmt.examples_report(examples), nl=False)
        echo(fmt.suite_report(outcomes, explain), nl=False)
        if show_coverage:
            echo("\n" + fmt.coverage_report(cov), nl=False)
    failed = any(not o.passed for o in outcomes) or any(e.status == "failed" for e in examples)
    if fail_under is not None and cov.percent < fail_under:
        echo(f"rule coverage {cov.percent:.1f}% is under --fail-under {fail_under:g}%", err=True)
        failed = True
    if failed:
        raise typer.Exit(code=1)


GATES = ("triage-down", "conclusion-lost", "any")


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
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a case's triage goes down (triage-down: less urgent), a case "
            "loses a conclusion (conclusion-lost), or anything changes (any). Repeatable.",
            metavar="GATE",
        ),
    ] = None,
    fail_on_change: Annotated[
        bool, typer.Option("--fail-on-change", help="The same as --fail-on any.")
    ] = False,
    diagram: DiagramOption = None,
    engine: EngineOption = "auto",
    kb: KbOption = None,
) -> None:
    """What a knowledge-base change does: rules added, removed and changed since REF, and every
    case whose answer changes, with the rules responsible."""
    gates = _gates([*(fail_on or []), *(["any"] if fail_on_change else [])])
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
        write_all([(diagram, data)])
    if json_out:
        emit_json(to_data(result))
    else:
        echo(fmt.diff_report(result, knowledge), nl=False)
    tripped = [g for g in gates if result.fails(g)]
    if tripped:
        echo(f"gate failed: --fail-on {', '.join(tripped)}", err=True)
        raise typer.Exit(code=1)


@app.command("verify")
@reports_errors
def verify_command(
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Also show the impact of the change since this git revision (as lumbar diff).",
            metavar="REF",
        ),
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="With --base: also fail when a case's triage goes down (triage-down), a case "
            "loses a conclusion (conclusion-lost), or anything changes (any).",
            metavar="GATE",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("-j", "--jobs", help="Worker processes (default: 1; at most all cores)."),
    ] = 1,
    kb: KbOption = None,
) -> None:
    """After an edit of the knowledge base: kb check, every rule example, every suite (tests/suite
    and examples), the committed diagrams and schemas, and with --base the impact of the change.
    Every problem at the YAML file:line responsible. Exit 0 when all is well, 1 if anything
    fails, 2 if the knowledge base does not load."""
    gates = _gates(fail_on or [], bool(fail_on) and base is None)
    knowledge = kb_module.load(kb)
    suites = [p for p in (Path("tests/suite"), Path("examples")) if p.is_dir()]
    generated = {
        "diagrams": (Path("diagrams"), lambda: diagrams_module.files(knowledge)),
        "schemas": (Path("schemas"), lambda: all_schemas(knowledge)),
    }
    report = verify_module.verify(knowledge, suites, generated, base, jobs)
    tripped = [g for g in gates if report.impact is not None and report.impact.fails(g)]
    echo(fmt.verify_report(report, knowledge, tripped), nl=False)
    if report.problems or tripped:
        raise typer.Exit(code=1)


def _gates(gates: list[str], without_base: bool = False) -> list[str]:
    for gate in gates:
        if gate not in GATES:
            raise LumbarError(
                Problem.about("fail_on", f"{gate!r} is not a gate; use one of {', '.join(GATES)}.")
            )
    if without_base:
        raise LumbarError(Problem.about("fail_on", "--fail-on needs --base REF to compare with."))
    return gates


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
            echo(f"survived: {m.rule}: {m.operator}: {m.description}")
        echo(f"kill rate: {killed}/{len(verdicts)} mutants killed ({rate:.1f}%)")
