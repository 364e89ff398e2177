"""The ``lumbar`` command: parse arguments, make one call into the core, format, exit.

Exit codes: 0 ok; 1 checks or expectations failed; 2 bad input or an invalid knowledge base.
Only this package catches ``LumbarError``; it becomes one message on stderr and exit code 2.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from lumbar.engine import kb as kb_module
from lumbar.engine.case import load_case
from lumbar.engine.consult import consult as run_consult
from lumbar.engine.errors import LumbarError

from . import format as fmt

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


@app.command()
@reports_errors
def consult(
    case: CaseArg,
    json_out: JsonOption = False,
    all_citations: Annotated[
        bool, typer.Option("--all-citations", help="Show every supporting citation, not two.")
    ] = False,
    kb: KbOption = None,
) -> None:
    """Triage, likely causes and what to do for CASE, each line with its citations."""
    knowledge = kb_module.load(kb)
    result = run_consult(load_case(case, knowledge), knowledge)
    if json_out:
        emit_json(result.to_json())
    else:
        typer.echo(fmt.consultation(result, all_citations), nl=False)


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
    """Validate the knowledge base; every problem is reported with file and line (exit 2)."""
    knowledge = kb_module.load(kb)
    by_article: dict[str, int] = {}
    for rule in knowledge.rules:
        by_article[rule.citation.article] = by_article.get(rule.citation.article, 0) + 1
    counts = ", ".join(f"{k} {n}" for k, n in by_article.items())
    typer.echo(
        f"ok: {len(knowledge.rules)} rules ({counts}), {len(knowledge.findings)} findings, "
        f"{len(knowledge.conclusions)} conclusions"
    )
