"""Terminal text of a consultation, of HOW trees and of WHY NOT reports."""

from __future__ import annotations

from ..engine.conditions import Assumed
from ..engine.consult import DISCLAIMER, Derived, DisputeInCase, Result
from ..engine.explain import Check, How, WhyNot
from ..engine.text import value_text
from .text import (
    CITATIONS_SHOWN,
    DISPUTED,
    WIDTH,
    also_cited,
    citations,
    dispute_lines,
    shorten,
    wrap,
)

BRANCH, LAST, PIPE, SPACE = "├─ ", "└─ ", "│  ", "   "


def _item(
    d: Derived, bullet: str, limit: int | None, indent: str = "  ", extra: str = ""
) -> list[str]:
    disputed = f"  {DISPUTED} disputed: {', '.join(d.disputes)}" if d.disputes else ""
    return wrap(f"{bullet} {d.label}{extra}{disputed}", indent) + citations(
        d.supported_by, indent + "    ", limit
    )


QUESTIONS_SHOWN = 8  # open questions in the full report; --json lists them all
# A case's description, on the terminal: nine lines at most (a 4 MB one took seconds to wrap).
DESCRIPTION_CHARS = 800
BRIEF_CAUSES, BRIEF_ACTIONS, BRIEF_QUESTIONS = 3, 5, 4


def headline(result: Result) -> str:
    """The triage line: the level and how firm it is. A provisional answer never says its
    reassuring label ("nothing to worry about"); it says what it is waiting for."""
    t = result.triage
    level = t.level.upper().replace("_", " ")
    if t.firmness == "final":
        return f"TRIAGE: {level} — {t.label}"
    if not t.unscreened:
        return f"TRIAGE (provisional): {level} — {t.label}"
    waiting = ", ".join(_words(n) for n in t.unscreened)
    label = "" if t.reassuring else f"{t.label}; "
    return (
        f"TRIAGE (provisional): {level} — {label}not yet screened: {waiting} (answer these; "
        'any "yes" raises the level)'
    )


def _words(finding: str) -> str:
    return finding.replace("_", " ")


def _answer(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value_text(value)


def question_lines(result: Result, limit: int | None, indent: str = "  ") -> list[str]:
    """The open questions, most impact first: the question, then each answer that changes the
    result and what it changes."""
    shown = result.open_questions if limit is None else result.open_questions[:limit]
    lines: list[str] = []
    for q in shown:
        effects = []
        for c in q.changes:
            if c.level != result.triage.level:
                what = c.level.upper().replace("_", " ")
            else:
                what = "causes: " + ", ".join(
                    [f"+{x}" for x in c.causes_gained] + [f"-{x}" for x in c.causes_lost]
                )
            effects.append(f"{_answer(c.answer)} → {what}")
        mark = "! " if q.warning_sign else "- "
        lines += wrap(f"{mark}{q.question} ({q.finding}: {'; '.join(effects)})", indent)
    rest = len(result.open_questions) - len(shown)
    if rest > 0:
        lines += wrap(f"(+{rest} more that decide between causes; --json lists all)", indent)
    return lines


def threshold_lines(result: Result, indent: str = "  ") -> list[str]:
    lines: list[str] = []
    for n in result.near_thresholds:
        lines += wrap(
            f"{n.finding} = {value_text(n.value)} is near the threshold of `{n.test}`: at "
            f"{value_text(n.other_side)} the triage would be {n.level.upper().replace('_', ' ')}.",
            indent,
        )
    return lines


def _description(text: str) -> str:
    if len(text) <= DESCRIPTION_CHARS:
        return text
    rest = f"({len(text):,} characters in all: --json has the whole text)"
    return f"{shorten(text, DESCRIPTION_CHARS)} {rest}"


def consultation(result: Result, all_citations: bool = False, all_disputes: bool = False) -> str:
    """The answer for a person: triage and how firm it is, what would change it, causes, what
    to do, cautions, each with citations; the disputes the answer rests on."""
    limit = None if all_citations else CITATIONS_SHOWN
    case, t = result.case, result.triage
    out = [f"lumbar consultation: {case.id}"]
    if case.description:
        out += wrap(_description(case.description), "  ")
    out += ["", *wrap(headline(result), "")]
    if t.raised_by:
        raised = ", ".join(
            f"{n} = {value_text(case.findings[n])}" for n in t.raised_by if n in case.findings
        )
        out += wrap(f"raised by: {raised}", "  ")
    if t.conclusion is None:
        out += wrap(
            "No triage rule fired: nothing the case gives points to a level yet. Answer the "
            "questions below, warning signs first.",
            "  ",
        )
    else:
        out += citations(result.get(t.conclusion).supported_by, "    ", limit)  # type: ignore[union-attr]
    if result.open_questions:
        out += ["", "What would change the answer (most important first; ! = warning sign)"]
        out += question_lines(result, None if all_citations else QUESTIONS_SHOWN)
    if result.near_thresholds:
        out += ["", "Near a threshold", *threshold_lines(result)]

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
    cautions = result.of_kind("caution")
    if cautions:
        sections.append(("Cautions", [ln for d in cautions for ln in _item(d, "x", limit)]))
    reassurance = result.of_kind("reassurance")
    if reassurance:
        title = "Reassurance"
        if result.assumed:
            waiting = ", ".join(_words(n) for n in result.assumed)
            title += f" (provisional: waiting for the warning signs not yet asked: {waiting})"
        sections.append((title, [ln for d in reassurance for ln in _item(d, "~", limit)]))
    labels = {d.id: d.label for d in result.conclusions}
    if all_disputes or all_citations:
        if result.disputes:
            title = "Where the articles disagree (every side" + (
                "; one quote each, all with --all-citations)" if limit is not None else ")"
            )
            per_side = None if limit is None else 1
            sections.append((title, dispute_lines(result.disputes, labels, per_side)))
    else:
        resting = [d for d in result.disputes if d.conclusions]
        if resting:
            title = "Where the articles disagree on this answer (--disputes: every side, cited)"
            sections.append((title, [ln for d in resting for ln in _compact(d, labels)]))
    for title, lines in sections:
        out += ["", *wrap(title, ""), *lines]
    footer = (
        f"{result.firings} rule firings. `lumbar explain CASE CONCLUSION` shows how any "
        "conclusion was reached, `--why-not CONCLUSION` why another was not."
    )
    out += ["", *wrap(footer, "")]
    out += ["", *wrap("Disclaimer: " + DISCLAIMER, "")]
    return "\n".join(out) + "\n"


def _compact(d: DisputeInCase, labels: dict[str, str]) -> list[str]:
    """A dispute in a few lines: its topic, what of this answer rests on it, each side."""
    taken = d.taken()
    lines = wrap(f"{DISPUTED} {d.topic} ({d.id})", "  ")
    lines += wrap("rests on it: " + "; ".join(labels[x] for x in d.conclusions), "    ")
    for i, side in enumerate(d.sides):
        mark = " (this answer)" if i in taken else ""
        lines += wrap(f"{chr(ord('A') + i)}. {side.position}{mark}", "    ")
    return lines


def brief(result: Result) -> str:
    """One screen for a clinician (at most 25 lines of 100 columns): triage and its firmness,
    the open warning-sign questions, the top causes and actions with one citation each, and
    the disclaimer."""
    out = [f"lumbar (brief): {result.case.id}", *wrap(headline(result), "")[:3]]
    t = result.triage
    if t.conclusion is not None:
        out.append(_cited("  because", result.get(t.conclusion)))  # type: ignore[arg-type]
    flags = [q for q in result.open_questions if q.warning_sign and q.impact == "raises"]
    if flags:
        out.append("Ask first:")
        for q in flags[:BRIEF_QUESTIONS]:
            worst = q.changes[0]
            level = worst.level.upper().replace("_", " ")
            out.append(_fit(f"  ! {q.question} {_answer(worst.answer)} → {level}"))
    causes = result.of_kind("cause")[:BRIEF_CAUSES]
    if causes:
        out.append("Likely causes:")
        out += [_cited(f"  {i}. {d.label}", d) for i, d in enumerate(causes, 1)]
    actions = result.of_kind("recommendation")[:BRIEF_ACTIONS]
    if actions:
        out.append("What to do:")
        out += [_cited(f"  - {d.label}", d) for d in actions]
    out += wrap("Disclaimer: " + DISCLAIMER, "")
    return "\n".join(out) + "\n"


def _cited(text: str, d: Derived) -> str:
    """``text — “quote” (article:line)`` in one line, the quote shortened to fit."""
    c = d.supported_by[0].citation
    tail = f"” ({c.article}:{c.line})"
    room = WIDTH - len(text) - len(" — “") - len(tail)
    if room < 12:
        return _fit(f"{text} ({c.article}:{c.line})")
    return f"{text} — “{shorten(c.quote, room)}{tail}"


def _fit(line: str) -> str:
    return line if len(line) <= WIDTH else line[: WIDTH - 2] + " …"


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
        lines += also_cited(step.also_cites, pad + "   ", full=True)
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
    if isinstance(check.actual, Assumed):  # a warning sign nobody was asked: not known
        mark, actual = MARK["unknown"], f"  (not asked; assumed {check.actual})"
    lines = [f"{indent}{mark} {check.test}{actual}"]
    if check.because is not None:
        because = check.because
        if because.truncated:
            lines.append(f"{indent}    (not reached; ask `--why-not {check.test}` for why)")
        else:
            lines.append(f"{indent}    not reached, because:")
            lines += _rule_checks(because, indent + "      ")
    return lines
