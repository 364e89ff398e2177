"""Terminal text shared by every command: wrapping, shortened quotes, citations, dispute sides,
and the one way text reaches the terminal.

Pure functions (data in, text out), but ``echo`` and ``write``: every printer of ``cli/`` prints
through them, so that no character of ``REFUSED`` (engine/text.py: controls, bidirectional and
invisible characters), which a case's text may hold, is ever printed raw: it is shown escaped
(``\\x1b``, ``\\u202e``). Any other text is printed exactly as it is."""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any, TextIO

import typer

from ..engine.consult import DisputeInCase, Support
from ..engine.model.knowledge import Citation
from ..engine.text import REFUSED, escaped, printable

WIDTH = 100


QUOTE_CHARS = 160


CITATIONS_SHOWN = 2  # per line of the answer; the rest are named, and shown with --all-citations


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print to standard output (or error), every refused character escaped."""
    typer.echo(escaped(message), err=err, nl=nl)


def write(stream: TextIO, message: str) -> None:
    """Write to ``stream`` at once (a prompt, a dialogue), every refused character escaped."""
    stream.write(escaped(message))
    stream.flush()


def json_text(data: Any, ascii_only: bool = False) -> str:
    """``data`` as indented JSON, non-ASCII kept (escaped with ``ascii_only``, for a stream that
    cannot carry it), and every refused character written as a JSON escape: the same data,
    nothing raw."""
    text = json.dumps(data, indent=2, ensure_ascii=ascii_only) + "\n"
    return text if printable(text) else REFUSED.sub(_json_escape, text)


def _json_escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON writes characters beyond the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + " …"


def cite(rule: str, c: Citation) -> str:
    return f"[{rule}] {cite_sentence(c)}"


def cite_sentence(c: Citation) -> str:
    who = f"{c.who}, " if c.who else ""
    return f"“{shorten(c.quote)}” — {who}{c.article} ({c.source}:{c.line})"


def wrap(text: str, indent: str, width: int = WIDTH) -> list[str]:
    return textwrap.wrap(
        escaped(text),  # measured as it will be shown
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
    ) or [indent]


def also_cited(also: tuple[Citation, ...], indent: str, full: bool) -> list[str]:
    """The further sentences a rule cites: each in full, or one line naming where they are."""
    if not also:
        return []
    if full:
        return [ln for c in also for ln in wrap("also " + cite_sentence(c), indent)]
    where = ", ".join(f"{c.article} ({c.source}:{c.line})" for c in also)
    return wrap(f"also cited: {where}", indent)


def citations(supports: tuple[Support, ...], indent: str, limit: int | None) -> list[str]:
    shown = supports if limit is None else supports[:limit]
    lines = [
        ln
        for s in shown
        for ln in (
            wrap(cite(s.rule, s.citation), indent)
            + also_cited(s.also_cites, indent + "  ", limit is None)
        )
    ]
    rest = supports[len(shown) :]
    if rest:
        names = ", ".join(s.rule for s in rest)
        lines += wrap(f"(+{len(rest)} more: {names})", indent)
    return lines


DISPUTED = "⚑"
# Heads the editors' own synthesis of a dispute, so that it is never read as an article's words.
EDITORS_NOTE = "Editors' note (not from the articles):"


def dispute_lines(
    items: tuple[DisputeInCase, ...], labels: dict[str, str], limit: int | None
) -> list[str]:
    """Each disagreement between the articles that the case touches, with every side cited;
    the side(s) this case's rules took are marked."""
    lines: list[str] = []
    for d in items:
        lines += wrap(f"{DISPUTED} {d.id}: {d.topic} ({d.kind})", "  ")
        if d.conclusions:
            lines += wrap(
                "rests on it here: " + "; ".join(labels[x] for x in d.conclusions), "    "
            )
        lines += _sides(d, "    ", limit, marked=True)
    return lines


def _sides(d: DisputeInCase, indent: str, limit: int | None, marked: bool) -> list[str]:
    """Each side of a dispute (A., B., ...) and up to ``limit`` of its rules' citations (the
    rules that fired first); ``marked`` says whether each side fired for the case."""
    lines: list[str] = []
    taken = d.taken()
    for i, side in enumerate(d.sides):
        mark = ""
        if marked:
            mark = "  (fired for this case)" if i in taken else "  (did not fire for this case)"
        lines += wrap(f"{chr(ord('A') + i)}. {side.position}{mark}", indent)
        ordered = sorted(side.rules, key=lambda r: not r.fired)
        shown = ordered if limit is None else ordered[:limit]
        for r in shown:
            lines += wrap(cite(r.rule, r.citation), indent + "   ")
        if len(shown) < len(ordered):
            rest = ", ".join(r.rule for r in ordered[len(shown) :])
            lines += wrap(f"(+{len(ordered) - len(shown)} more: {rest})", indent + "   ")
    return lines
