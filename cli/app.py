"""The typer application, the options commands share, and how core errors reach the user.

Exit codes: 0 ok; 1 checks or expectations failed; 2 bad input or an invalid knowledge base;
130 interrupted (Ctrl-C). Only this package catches ``LumbarError``; ``reports_errors`` turns it
into one message per problem on stderr and exit code 2."""

from __future__ import annotations

import codecs
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ..engine.errors import LumbarError, Problem
from .text import echo, json_text

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


# The core names what a problem is about in its own terms; these are the CLI's words for them.
PARAMETERS = {
    "engine": "--engine",
    "diagram": "--diagram",
    "base": "--base",
    "why_not": "--why-not",
    "case": "CASE",
    "save": "--save",
    "fail_on": "--fail-on",
    "conclusion": "CONCLUSION",
    "rule": "RULE",
    "article": "--article",
    "kind": "--kind",
    "finding": "--finding",
    "jobs": "-j/--jobs",
}


# What to try next, for problems that carry a hint.
HINTS = {
    "vocabulary": "`lumbar kb vocab` lists every finding.",
    "conclusions": "`lumbar consult CASE --json` lists the ids a case reaches.",
    "why_not": "`lumbar explain CASE --why-not ID` shows what it would need.",
    "kb_check": "`lumbar kb check` reports every loop between rules.",
}


def error_text(problem: Problem) -> str:
    """One problem as the paragraph the user sees: where, what, and what to try."""
    where = problem.where
    if problem.file is None and problem.parameter is not None:
        where = PARAMETERS.get(problem.parameter, problem.parameter)
    hint = f" {HINTS[problem.hint]}" if problem.hint in HINTS else ""
    return f"{where}: {problem.message}{hint}"


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the core's LumbarError into a clear message and exit code 2, with no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LumbarError as exc:
            for problem in exc.problems:
                echo(f"Error: {error_text(problem)}", err=True)
            raise typer.Exit(code=2) from None
        except KeyboardInterrupt:
            echo("Interrupted.", err=True)
            raise typer.Exit(code=130) from None

    return wrapper


def emit_json(data: Any) -> None:
    # Escaped (\u2019) where standard output cannot carry every character: the JSON stays exact.
    echo(json_text(data, ascii_only=not writes_utf8(sys.stdout)), nl=False)


def writes_utf8(stream: Any) -> bool:
    """Whether ``stream`` encodes text as UTF-8 (every character lumbar prints)."""
    try:
        return codecs.lookup(stream.encoding or "ascii").name == "utf-8"
    except (AttributeError, LookupError):
        return False
