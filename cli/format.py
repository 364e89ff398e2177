"""Plain-text formatting of core results for a terminal. Pure functions: data in, text out."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from typing import Any

from lumbar.engine.consult import DISCLAIMER, Derived, Result, Support
from lumbar.engine.kb import KnowledgeBase

WIDTH = 100
QUOTE_CHARS = 160


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + " …"


def cite(s: Support) -> str:
    c = s.citation
    who = f"{c.who}, " if c.who else ""
    return f"[{s.rule}] “{shorten(c.quote)}” — {who}{c.article} ({c.source}:{c.line})"


def wrap(text: str, indent: str, width: int = WIDTH) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
    ) or [indent]


def _item(d: Derived, bullet: str, indent: str = "  ") -> list[str]:
    lines = wrap(f"{bullet} {d.label}", indent)
    for s in d.supported_by:
        lines += wrap(cite(s), indent + "    ")
    return lines


def value_text(value: Any) -> str:
    return json.dumps(value).strip('"')


def consultation(result: Result, kb: KnowledgeBase) -> str:
    case, t = result.case, result.triage
    out = [f"lumbar consultation: {case.id}"]
    if case.description:
        out += wrap(case.description, "  ")
    out.append("")
    out.append(f"TRIAGE: {t.level.upper().replace('_', ' ')} — {t.label}")
    if t.raised_by:
        raised = ", ".join(f"{n} = {value_text(case.findings[n])}" for n in t.raised_by)
        out += wrap(f"raised by: {raised}", "  ")
    elif t.conclusion is None:
        out += wrap(
            "No triage rule fired: the case gives too few findings. `lumbar kb vocab` "
            "lists the questions; start with the warning signs.",
            "  ",
        )
    if t.conclusion:
        for s in result.get(t.conclusion).supported_by:  # type: ignore[union-attr]
            out += wrap(cite(s), "    ")

    sections: list[tuple[str, list[str]]] = []
    flags = result.of_kind("red_flag")
    if flags:
        sections.append(("Warning signs", [ln for d in flags for ln in _item(d, "!")]))
    causes = result.of_kind("cause")
    if causes:
        lines = []
        for i, d in enumerate(causes, 1):
            evidence = (
                f"{len(d.findings)} finding{'s' * (len(d.findings) != 1)}, "
                f"{len(d.articles)} article{'s' * (len(d.articles) != 1)}"
            )
            lines += _item_with_evidence(d, f"{i}.", evidence)
        sections.append(("Likely causes (ranked by supporting findings, then articles)", lines))
    recs = result.of_kind("recommendation")
    if recs:
        sections.append(("What to do", _grouped(recs, causes)))
    for kind, title, bullet in (("caution", "Cautions", "x"), ("reassurance", "Reassurance", "~")):
        items = result.of_kind(kind)
        if items:
            sections.append((title, [ln for d in items for ln in _item(d, bullet)]))
    for title, lines in sections:
        out += ["", title, *lines]
    out += [
        "",
        f"{result.firings} rule firings. `lumbar explain CASE CONCLUSION` shows how any "
        "conclusion was reached.",
    ]
    out += ["", *wrap("Disclaimer: " + DISCLAIMER, "")]
    return "\n".join(out) + "\n"


def _item_with_evidence(d: Derived, bullet: str, evidence: str) -> list[str]:
    lines = wrap(f"{bullet} {d.label}  ({evidence})", "  ")
    for s in d.supported_by:
        lines += wrap(cite(s), "      ")
    return lines


def _grouped(recs: Iterable[Derived], causes: list[Derived]) -> list[str]:
    """Recommendations under each cause they rest on; the rest under 'In general'."""
    lines: list[str] = []
    recs = list(recs)
    for cause in causes:
        mine = [r for r in recs if cause.id in r.causes]
        if mine:
            lines.append(f"  For: {cause.label}")
            for r in mine:
                lines += _item(r, "-", "    ")
    general = [r for r in recs if not r.causes]
    if general:
        lines.append("  In general")
        for r in general:
            lines += _item(r, "-", "    ")
    return lines


def vocabulary(kb: KnowledgeBase) -> str:
    out = []
    for f in kb.findings.values():
        out.append(f"{f.name}  ({f.describe_allowed()})")
        out += wrap(f.question, "    ")
        out += wrap(f.help, "    ")
    return "\n".join(out) + "\n"


def vocabulary_json(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "type": f.type,
            "values": list(f.values) if f.values else None,
            "unit": f.unit,
            "min": f.min,
            "max": f.max,
            "question": f.question,
            "help": f.help,
        }
        for f in kb.findings.values()
    ]
