"""`lumbar kb ...` (vocabulary, check, coverage, list, show, disputes, schema) and `lumbar
diagrams`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..engine.consult import disputes_about
from ..engine.draw import explorer as explorer_module
from ..engine.draw import rules as diagrams_module
from ..engine.errors import KnowledgeBaseError
from ..engine.model import anomalies, catalog, ledger
from ..engine.model import load as kb_module
from ..engine.output_schemas import all_schemas
from ..engine.regress import examples as examples_module
from ..engine.run import backend
from ..engine.serialize import to_data
from . import kb_text as fmt
from .app import JsonOption, KbOption, app, emit_json, error_text, kb_app, reports_errors
from .outputs import sync_files
from .text import echo

ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Write into a folder that holds files lumbar did not write (replacing those that "
        "have the names of generated files).",
    ),
]


@kb_app.command("vocab")
@reports_errors
def kb_vocab(json_out: JsonOption = False, kb: KbOption = None) -> None:
    """List every finding a case may give: type, allowed values, the question to ask."""
    knowledge = kb_module.load(kb)
    if json_out:
        emit_json(fmt.vocabulary_json(knowledge))
    else:
        echo(fmt.vocabulary(knowledge), nl=False)


@kb_app.command("check")
@reports_errors
def kb_check(kb: KbOption = None) -> None:
    """Check the knowledge base and report every problem with file and line: what stops it
    loading (shapes, unknown names, impossible values, quotes not verbatim, duplicate ids,
    negation cycles), rule-base anomalies (impossible, unproducible, unused, cycles, subsumed,
    duplicate, contradictory conclusions not recorded as a dispute), rules without both kinds
    of example, examples that fail, and the sentence ledger (a sentence of an article that no
    rule cites and uncited.yaml does not list; an entry of uncited.yaml that is wrong or
    stale). Exit 1 if there is any problem; exit 2 if the knowledge base does not load at all."""
    try:
        knowledge = kb_module.load(kb)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            echo(f"Error: {error_text(problem)}", err=True)
        echo(f"the knowledge base does not load: {len(exc.problems)} problem(s)", err=True)
        raise typer.Exit(code=2) from None
    uncited = ledger.read_ledger(knowledge)
    found = [
        *anomalies.find_anomalies(knowledge),
        *kb_module.example_problems(knowledge),
        *examples_module.failing(knowledge),
        *ledger.problems(knowledge, uncited),
    ]
    for kind, problem in found:
        where = f"{problem.file}:{problem.line}" if problem.line else problem.file
        echo(f"{where}: {kind}: {problem.message}", err=True)
    figures = ledger.total(ledger.account(knowledge, uncited))
    echo(fmt.kb_summary(knowledge, [kind for kind, _ in found], figures))
    if found:
        raise typer.Exit(code=1)


@kb_app.command("coverage")
@reports_errors
def kb_coverage(json_out: JsonOption = False, kb: KbOption = None) -> None:
    """The sentence ledger: for each article, how many sentences the rules cite, how many
    uncited.yaml lists and for what reason, and how many are unaccounted for; then the totals
    and the sentences still to encode (a consultation could act on them; no rule cites them
    yet). Exit 0: `lumbar kb check` is what fails on an unaccounted sentence."""
    knowledge = kb_module.load(kb)
    uncited = ledger.read_ledger(knowledge)
    ledgers = ledger.account(knowledge, uncited)
    if json_out:
        emit_json(fmt.coverage_json(uncited, ledgers))
    else:
        echo(fmt.coverage(uncited, ledgers), nl=False)


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
        echo(fmt.rule_list(knowledge, rules), nl=False)


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
        echo(fmt.rule_card(knowledge, found, source), nl=False)


@kb_app.command("disputes")
@reports_errors
def kb_disputes(json_out: JsonOption = False, kb: KbOption = None) -> None:
    """Every recorded disagreement between the articles, each side with its rules' citations."""
    knowledge = kb_module.load(kb)
    rules = {r.id for r in knowledge.rules}
    disputes = disputes_about(knowledge, rules, fired=set())
    if json_out:
        emit_json(to_data(disputes))
    else:
        echo(fmt.dispute_list(disputes), nl=False)


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
    force: ForceOption = False,
    kb: KbOption = None,
) -> None:
    """Write JSON Schemas for the knowledge-base files (vocabulary, conclusions, rules,
    disputes) and for case files, for editors (see .vscode/settings.json and the
    `# yaml-language-server: $schema=` line at the top of each YAML file), and for the JSON
    that `lumbar consult`, `lumbar test` and `lumbar diff` print with --json."""
    stale, leftovers = sync_files(out, all_schemas(kb_module.load(kb)), check, force)
    stale += leftovers
    for path in stale:
        echo(f"{path}: {'out of date' if check else 'written'}", err=check)
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
    force: ForceOption = False,
    kb: KbOption = None,
) -> None:
    """(Re)generate the rule diagrams: the whole rule graph, one per article, per triage level
    and per cause, and their README, rendered with the bundled engine so that the bytes are
    the same on every machine. With --html, write the explorer instead."""
    knowledge = kb_module.load(kb)
    if html is not None:
        pages = explorer_module.pages(knowledge)
        sync_files(html, pages, force=force)
        echo(f"wrote {len(pages)} files to {html}; open {html / 'index.html'}")
        return
    generated = diagrams_module.files(knowledge)
    stale, extra = sync_files(out, generated, check, force)
    if check:
        for path in [*stale, *extra]:
            echo(f"{path}: out of date; run `lumbar diagrams`", err=True)
        if stale or extra:
            raise typer.Exit(code=1)
        echo(f"ok: the diagrams in {out} are current")
        return
    for path in extra:
        echo(f"removed {path}")
    echo(f"{len(generated)} files in {out}, {len(stale)} changed")
