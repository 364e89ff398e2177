"""Terminal text of a consultation, of HOW trees and of WHY NOT reports."""

from __future__ import annotations

from ..engine.consult import DISCLAIMER, Derived, DisputeInCase, Result
from ..engine.explain import Check, How, WhyNot
from ..engine.text import value_text
from .text import CITATIONS_SHOWN, DISPUTED, WIDTH, citations, dispute_lines, shorten, wrap

BRANCH, LAST, PIPE, SPACE = "├─ ", "└─ ", "│  ", "   "


def _item(
    d: Derived, bullet: str, limit: int | None, indent: str = "  ", extra: str = ""
) -> list[str]:
    disputed = f"  {DISPUTED} disputed: {', '.join(d.disputes)}" if d.disputes else ""
    return wrap(f"{bullet} {d.label}{extra}{disputed}", indent) + citations(
        d.supported_by, indent + "    ", limit
    )


def consultation(result: Result, all_citations: bool = False) -> str:
    """The answer for a person: triage, causes, what to do, cautions, each with citations."""
    limit = None if all_citations else CITATIONS_SHOWN
    case, t = result.case, result.triage
    out = [f"lumbar consultation: {case.id}"]
    if case.description:
        out += wrap(case.description, "  ")
    out += ["", f"TRIAGE: {t.level.upper().replace('_', ' ')} — {t.label}"]
    if t.raised_by:
        raised = ", ".join(f"{n} = {value_text(case.findings[n])}" for n in t.raised_by)
        out += wrap(f"raised by: {raised}", "  ")
    if t.conclusion is None:
        out += wrap(
            "No triage rule fired: the case gives too few findings. `lumbar kb vocab` "
            "lists the questions to ask; start with the warning signs.",
            "  ",
        )
    else:
        out += citations(result.get(t.conclusion).supported_by, "    ", limit)  # type: ignore[union-attr]

    sections: list[tuple[str, list[str]]] = []
    flags = result.of_kind("red_flag")
    if flags:
        sections.append(("Warning signs", [ln for d in flags for ln in _item(d, "!", limit)]))
    causes = result.of_kind("cause")
    if causes:
        lines = []
        for i, d in enumerate(causes, 1):
            evidence = f"{_count(d.findings, 'finding')}, {_count(d.articles, 'article')}"
            lines += _item(d, f"{i}.", limit, extra=f"  ({evidence})")
        sections.append(("Likely causes (ranked by supporting findings, then articles)", lines))
    recs = result.of_kind("recommendation")
    if recs:
        sections.append(("What to do", _grouped(recs, causes, limit)))
    for kind, title, bullet in (("caution", "Cautions", "x"), ("reassurance", "Reassurance", "~")):
        items = result.of_kind(kind)
        if items:
            sections.append((title, [ln for d in items for ln in _item(d, bullet, limit)]))
    if result.disputes:
        labels = {d.id: d.label for d in result.conclusions}
        title = "Where the articles disagree (every side" + (
            "; one quote each, all with --all-citations)" if limit is not None else ")"
        )
        per_side = None if limit is None else 1
        sections.append((title, dispute_lines(result.disputes, labels, per_side)))
    for title, lines in sections:
        out += ["", title, *lines]
    footer = (
        f"{result.firings} rule firings. `lumbar explain CASE CONCLUSION` shows how any "
        "conclusion was reached, `--why-not CONCLUSION` why another was not."
    )
    out += ["", *wrap(footer, "")]
    out += ["", *wrap("Disclaimer: " + DISCLAIMER, "")]
    return "\n".join(out) + "\n"


def _count(items: tuple[str, ...], noun: str) -> str:
    return f"{len(items)} {noun}{'s' * (len(items) != 1)}"


def _grouped(recs: list[Derived], causes: list[Derived], limit: int | None) -> list[str]:
    """Advice under each cause a supporting rule tested directly; the rest under 'In general'."""
    lines: list[str] = []
    for cause in causes:
        mine = [r for r in recs if cause.id in r.causes]
        if mine:
            lines.append(f"  For: {cause.label}")
            lines += [ln for r in mine for ln in _item(r, "-", limit, indent="    ")]
    general = [r for r in recs if not r.causes]
    if general:
        lines.append("  In general")
        lines += [ln for r in general for ln in _item(r, "-", limit, indent="    ")]
    return lines


def how_tree(
    node: How, disputes: tuple[DisputeInCase, ...] = (), labels: dict[str, str] | None = None
) -> str:
    """A HOW tree for a terminal: conclusion, each supporting rule, its quote and premises;
    then every dispute between the articles that a step of it stands in, all sides cited."""
    lines = _how_lines(node, "", "")
    if disputes:
        lines += ["", "Disputed steps (the articles disagree; every side shown):"]
        lines += dispute_lines(disputes, labels or {}, None)
    return "\n".join(lines) + "\n"


def _how_lines(node: How, first: str, rest: str) -> list[str]:
    head = f"{first}{node.conclusion} [{node.kind}] — {node.label}"
    if node.repeated:
        return [head + "  (explained above)"]
    lines = [head]
    for i, step in enumerate(node.steps):
        last = i == len(node.steps) - 1
        pad = rest + (SPACE if last else PIPE)
        firings = ", ".join(map(str, step.firings))
        lines.append(f"{rest}{LAST if last else BRANCH}rule {step.rule} (firing {firings})")
        c = step.citation
        lines += wrap(f"“{c.quote}”", pad + "   ", WIDTH)
        who = f"{c.who}, " if c.who else ""
        lines.append(f"{pad}   — {who}{c.article}, {c.source} line {c.line}")
        if step.findings:
            facts = ", ".join(f"{n} = {value_text(v)}" for n, v in step.findings)
            lines += wrap(f"because: {facts}", pad + "   ")
        if step.absent:
            lines += wrap(f"and not: {', '.join(step.absent)}", pad + "   ")
        for j, premise in enumerate(step.premises):
            end = j == len(step.premises) - 1
            lines += _how_lines(
                premise, pad + (LAST if end else BRANCH), pad + (SPACE if end else PIPE)
            )
    return lines


MARK = {"held": "✓", "failed": "✗", "unknown": "?"}


def why_not_report(report: WhyNot, disputes: tuple[DisputeInCase, ...] = ()) -> str:
    """WHY NOT for a terminal: each candidate rule's conditions, then what to ask or change."""
    if report.reached:
        return (
            f"{report.conclusion} WAS reached in this consultation; "
            f"`lumbar explain CASE {report.conclusion}` shows how.\n"
        )
    lines = [
        f"WHY NOT {report.conclusion} — {report.label}",
        f"{len(report.rules)} rule(s) could conclude it; none fired.  "
        "(✓ held, ✗ failed, ? unknown: the case did not say)",
    ]
    lines += _rule_checks(report, "")
    lines.append("")
    if report.to_supply:
        lines.append("To ask (findings the case did not give):")
        lines += [f"  - {item}" for item in report.to_supply]
    if report.to_change:
        lines.append("Would have to be different:")
        lines += [f"  - {item}" for item in report.to_change]
    if disputes:
        lines += ["", "Disputed: a rule that could conclude it stands in a disagreement:"]
        lines += dispute_lines(disputes, {}, None)
    return "\n".join(lines) + "\n"


def _rule_checks(report: WhyNot, indent: str) -> list[str]:
    lines = []
    for rc in report.rules:
        c = rc.citation
        who = f"{c.who}, " if c.who else ""
        lines.append("")
        lines.append(f"{indent}rule {rc.rule}: {rc.condition.status}")
        lines += wrap(
            f"“{shorten(c.quote)}” — {who}{c.article} ({c.source}:{c.line})", indent + "  "
        )
        lines += _check_lines(rc.condition, indent + "  ")
    return lines


def _check_lines(check: Check, indent: str) -> list[str]:
    mark = MARK[check.status]
    if check.children:
        lines = [f"{indent}{mark} {check.test} of:"]
        for child in check.children:
            lines += _check_lines(child, indent + "    ")
        return lines
    actual = f"  (case: {value_text(check.actual)})" if check.known else ""
    lines = [f"{indent}{mark} {check.test}{actual}"]
    if check.because is not None:
        because = check.because
        if because.truncated:
            lines.append(f"{indent}    (not reached; ask `--why-not {check.test}` for why)")
        else:
            lines.append(f"{indent}    not reached, because:")
            lines += _rule_checks(because, indent + "      ")
    return lines
