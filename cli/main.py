"""The ``lumbar`` command: parse arguments, make one call into the core, format, exit.

Exit codes: 0 ok; 1 checks or expectations failed; 2 bad input or an invalid knowledge base.
Only this package catches ``LumbarError``; it becomes one message on stderr and exit code 2.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ..engine import explain as explain_module
from ..engine.consult import Result, disputes_about
from ..engine.consult import consult as run_consult
from ..engine.draw import consultation as render
from ..engine.draw import explorer as explorer_module
from ..engine.draw import rules as diagrams_module
from ..engine.errors import KnowledgeBaseError, LumbarError, Problem
from ..engine.model import anomalies, catalog
from ..engine.model import load as kb_module
from ..engine.model import schemas as schemas_module
from ..engine.model.case import load_case
from ..engine.model.knowledge import KnowledgeBase
from ..engine.regress import diff as diff_module
from ..engine.regress import mutate as mutate_module
from ..engine.regress import suite as suite_module
from ..engine.run import backend
from ..engine.run.trace import to_graphml, to_node_link
from . import text as fmt

app = typer.Typer(
    help="lumbar: why does my lower back hurt after squats, and what should I do? "
    "An expert system over five published articles that shows its reasoning.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
kb_app = typer.Typer(help="Inspect and check the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")

CaseArg = Annotated[
    str, typer.Argument(help="Case file (YAML or JSON), or - for standard input.", metavar="CASE")
]
KbOption = Annotated[
    Path | None,
    typer.Option("--kb", help="Knowledge base folder (default: the one installed with lumbar)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
DiagramOption = Annotated[
    Path | None,
    typer.Option(
        "--diagram",
        help="Draw the reasoning to FILE: .svg, .png, .pdf, .dot or .html "
        "(a page with the SVG, hover quotes and the citation list).",
        metavar="FILE",
    ),
]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Graphviz engine: auto (system dot if installed, else the "
        "bundled graphviz-pure), dot, or pure (svg, png, html).",
    ),
]


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the core's LumbarError into a clear message and exit code 2, with no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LumbarError as exc:
            for problem in exc.problems:
                typer.echo(f"Error: {problem}", err=True)
            raise typer.Exit(code=2) from None

    return wrapper


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_atomically(path: Path, data: bytes) -> None:
    """Write all of ``data`` or nothing: a temporary file beside ``path``, then a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LumbarError(Problem(str(path), None, None, f"cannot be written: {exc}.")) from None


def sync_files(folder: Path, files: dict[str, bytes], check: bool = False) -> list[Path]:
    """Bring ``folder`` up to date with ``files`` (name -> bytes), each written atomically;
    return the files that were missing or differed. With ``check``, write nothing."""
    stale = [
        folder / name
        for name, data in files.items()
        if not (folder / name).is_file() or (folder / name).read_bytes() != data
    ]
    if not check and stale:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LumbarError(
                Problem(str(folder), None, None, f"cannot be created: {exc}.")
            ) from None
        for path in stale:
            write_atomically(path, files[path.name])
    return stale


def diagram_format(path: Path | None) -> str | None:
    """The format named by a --diagram file's extension (checked before any work is done)."""
    if path is None:
        return None
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in render.FORMATS:
        raise render.RenderError(
            Problem(
                str(path),
                None,
                None,
                f"unknown diagram format; name the file with one of .{', .'.join(render.FORMATS)}.",
            )
        )
    return fmt


def write_diagram(
    result: Result, kb: KnowledgeBase, path: Path, fmt: str, engine: str, focus: str | None = None
) -> None:
    write_atomically(path, render.diagram(result, kb, fmt, engine, focus))
    typer.echo(f"diagram written to {path}", err=True)


@app.command()
@reports_errors
def consult(
    case: CaseArg,
    json_out: JsonOption = False,
    all_citations: Annotated[
        bool, typer.Option("--all-citations", help="Show every supporting citation, not two.")
    ] = False,
    diagram: DiagramOption = None,
    trace: Annotated[
        Path | None,
        typer.Option(
            "--trace",
            help="Write the trace graph to FILE: .json (node-link) or .graphml.",
            metavar="FILE",
        ),
    ] = None,
    engine: EngineOption = "auto",
    kb: KbOption = None,
) -> None:
    """Triage, likely causes and what to do for CASE, each line with its citations."""
    fmt_diagram = diagram_format(diagram)
    if trace is not None and trace.suffix not in (".json", ".graphml"):
        raise LumbarError(
            Problem(
                str(trace), None, None, "name the trace file .json (node-link JSON) or .graphml."
            )
        )
    knowledge = kb_module.load(kb)
    result = run_consult(load_case(case, knowledge), knowledge)
    if diagram is not None and fmt_diagram is not None:
        write_diagram(result, knowledge, diagram, fmt_diagram, engine)
    if trace is not None:
        data = (
            to_graphml(result.trace)
            if trace.suffix == ".graphml"
            else (
                json.dumps(to_node_link(result.trace), indent=2, ensure_ascii=False) + "\n"
            ).encode("utf-8")
        )
        write_atomically(trace, data)
    if json_out:
        emit_json(result.to_json())
    else:
        typer.echo(fmt.consultation(result, all_citations), nl=False)


@app.command()
@reports_errors
def explain(
    case: CaseArg,
    conclusion: Annotated[
        str | None,
        typer.Argument(help="A conclusion id; without it, every conclusion is explained."),
    ] = None,
    why_not: Annotated[
        str | None,
        typer.Option(
            "--why-not",
            help="Explain why this conclusion was NOT reached: each rule "
            "that could conclude it, which conditions held, failed or were unknown, "
            "and what to ask next.",
            metavar="CONCLUSION",
        ),
    ] = None,
    json_out: JsonOption = False,
    diagram: DiagramOption = None,
    engine: EngineOption = "auto",
    kb: KbOption = None,
) -> None:
    """HOW a conclusion was reached (the chain back to the findings, every step cited), or
    WHY NOT another one."""
    fmt_diagram = diagram_format(diagram)
    knowledge = kb_module.load(kb)
    result = run_consult(load_case(case, knowledge), knowledge)
    if why_not is not None:
        report = explain_module.why_not(result, knowledge, why_not)
        disputes = explain_module.disputes_of_candidates(result, knowledge, report)
        if json_out:
            emit_json({**report.to_json(), "disputes": [d.to_json() for d in disputes]})
        else:
            typer.echo(fmt.why_not_report(report, disputes), nl=False)
        return
    trees = (
        [explain_module.how(result, knowledge, conclusion)]
        if conclusion
        else explain_module.how_all(result, knowledge)
    )
    if diagram is not None and fmt_diagram is not None:
        write_diagram(result, knowledge, diagram, fmt_diagram, engine, focus=conclusion)
    disputes = [explain_module.disputes_in(result, t) for t in trees]
    if json_out:
        emit_json(
            [
                {**t.to_json(), "disputes": [d.to_json() for d in ds]}
                for t, ds in zip(trees, disputes, strict=True)
            ]
        )
    else:
        labels = {d.id: d.label for d in result.conclusions}
        typer.echo(
            "\n".join(fmt.how_tree(t, ds, labels) for t, ds in zip(trees, disputes, strict=True)),
            nl=False,
        )


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
        data: dict[str, Any] = {
            "cases": [o.to_json() for o in outcomes],
            "passed": sum(o.passed for o in outcomes),
            "failed": sum(not o.passed for o in outcomes),
        }
        if show_coverage or fail_under is not None:
            data["coverage"] = cov.to_json()
        emit_json(data)
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
            raise render.RenderError(
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
        emit_json(result.to_json())
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


@kb_app.command("vocab")
@reports_errors
def kb_vocab(json_out: JsonOption = False, kb: KbOption = None) -> None:
    """List every finding a case may give: type, allowed values, the question to ask."""
    knowledge = kb_module.load(kb)
    if json_out:
        emit_json(fmt.vocabulary_json(knowledge))
    else:
        typer.echo(fmt.vocabulary(knowledge), nl=False)


@kb_app.command("check")
@reports_errors
def kb_check(kb: KbOption = None) -> None:
    """Check the knowledge base and report every problem with file and line: what stops it
    loading (shapes, unknown names, impossible values, quotes not verbatim, duplicate ids,
    negation cycles), rule-base anomalies (impossible, unproducible, unused, cycles, subsumed,
    duplicate, contradictory conclusions not recorded as a dispute) and missing examples.
    Exit 1 if there is any problem."""
    try:
        knowledge = kb_module.load(kb)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            typer.echo(f"{problem}", err=True)
        typer.echo(f"problems: {len(exc.problems)} (the knowledge base does not load)")
        raise typer.Exit(code=1) from None
    found = anomalies.check(knowledge) + kb_module.example_problems(knowledge)
    for kind, problem in found:
        typer.echo(f"{problem.file}:{problem.line}: {kind}: {problem.message}", err=True)
    typer.echo(fmt.kb_summary(knowledge, [kind for kind, _ in found]))
    if found:
        raise typer.Exit(code=1)


@kb_app.command("list")
@reports_errors
def kb_list(
    article: Annotated[
        str | None, typer.Option("--article", help="Only rules citing this article key.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Only rules concluding something of this kind (triage, red_flag, judgement, "
            "cause, recommendation, caution, reassurance).",
        ),
    ] = None,
    finding: Annotated[
        str | None, typer.Option("--finding", help="Only rules that test this finding.")
    ] = None,
    conclusion: Annotated[
        str | None,
        typer.Option("--conclusion", help="Only rules that conclude or test this conclusion."),
    ] = None,
    json_out: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """List rules (all filters must hold): id, article:line, IF conditions THEN conclusions."""
    knowledge = kb_module.load(kb)
    rules = catalog.select(knowledge, article, kind, finding, conclusion)
    if json_out:
        emit_json([fmt.rule_json(knowledge, r) for r in rules])
    else:
        typer.echo(fmt.rule_list(knowledge, rules), nl=False)


@kb_app.command("show")
@reports_errors
def kb_show(
    rule: Annotated[str, typer.Argument(help="A rule id (`lumbar kb list` lists them).")],
    json_out: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """One rule: its conditions and conclusions, its citation in context (the lines of the
    article around the quote), the rules that feed it and that it feeds, the disputes it stands
    in, and the experta rule it compiles to."""
    knowledge = kb_module.load(kb)
    found = catalog.rule(knowledge, rule)
    source = backend.compiled(knowledge).source(found)
    if json_out:
        emit_json({**fmt.rule_json(knowledge, found), "experta": source})
    else:
        typer.echo(fmt.rule_card(knowledge, found, source), nl=False)


@kb_app.command("disputes")
@reports_errors
def kb_disputes(json_out: JsonOption = False, kb: KbOption = None) -> None:
    """Every recorded disagreement between the articles, each side with its rules' citations."""
    knowledge = kb_module.load(kb)
    rules = {r.id for r in knowledge.rules}
    contested = disputes_about(knowledge, rules, fired=set())
    if json_out:
        emit_json([c.to_json() for c in contested])
    else:
        typer.echo(fmt.dispute_list(contested), nl=False)


@kb_app.command("schema")
@reports_errors
def kb_schema(
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder to write the JSON Schemas into.", file_okay=False),
    ] = Path("schemas"),
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if a file in --out is out of date."),
    ] = False,
    kb: KbOption = None,
) -> None:
    """Write JSON Schemas for the knowledge-base files (vocabulary, conclusions, rules,
    disputes) and for case files, for editors (see .vscode/settings.json and the
    `# yaml-language-server: $schema=` line at the top of each YAML file)."""
    stale = sync_files(out, schemas_module.schemas(kb_module.load(kb)), check)
    for path in stale:
        typer.echo(f"{path}: {'out of date' if check else 'written'}", err=check)
    if check and stale:
        raise typer.Exit(code=1)


@app.command("diagrams")
@reports_errors
def diagrams_command(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the diagrams.", file_okay=False)
    ] = Path("diagrams"),
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 and name the files that are out of date."
        ),
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Instead, write the browsable explorer (a static site: open DIR/index.html).",
            metavar="DIR",
            file_okay=False,
        ),
    ] = None,
    kb: KbOption = None,
) -> None:
    """(Re)generate the rule diagrams: the whole rule graph, one per article, per triage level
    and per cause, and their README, rendered with the bundled engine so that the bytes are
    the same on every machine. With --html, write the explorer instead."""
    knowledge = kb_module.load(kb)
    if html is not None:
        pages = explorer_module.pages(knowledge)
        sync_files(html, pages)
        typer.echo(f"wrote {len(pages)} files to {html}; open {html / 'index.html'}")
        return
    generated = diagrams_module.files(knowledge)
    stale = sync_files(out, generated, check)
    extra = diagrams_module.leftovers(out, generated)
    if check:
        for path in [*stale, *extra]:
            typer.echo(f"{path}: out of date; run `lumbar diagrams`", err=True)
        if stale or extra:
            raise typer.Exit(code=1)
        typer.echo(f"ok: the diagrams in {out} are current")
        return
    for path in extra:
        path.unlink()
        typer.echo(f"removed {path}")
    typer.echo(f"{len(generated)} files in {out}, {len(stale)} changed")


def main() -> None:
    """The `lumbar` console script."""
    # Everything imported by now lives as long as the process: keep the garbage collector from
    # re-scanning it while a command builds its many small objects (YAML, pydantic, Rete).
    # Measured: loading the knowledge base after all of lumbar's imports, median 398 -> 228 ms.
    gc.freeze()
    app()
