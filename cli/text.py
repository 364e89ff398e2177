"""Plain-text formatting of core results for a terminal. Pure functions: data in, text out."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from typing import Any

from ..engine.conditions import condition_text
from ..engine.consult import DISCLAIMER, Contested, Derived, Result, Support
from ..engine.explain import Check, How, WhyNot
from ..engine.model import catalog
from ..engine.model.knowledge import Citation, KnowledgeBase, Rule
from ..engine.regress.diff import Diff
from ..engine.regress.suite import CaseOutcome, Coverage
from ..engine.text import value_text

WIDTH = 100
QUOTE_CHARS = 160
CITATIONS_SHOWN = 2  # per line of the answer; the rest are named, and shown with --all-citations


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + " …"


def cite(rule: str, c: Citation) -> str:
    who = f"{c.who}, " if c.who else ""
    return f"[{rule}] “{shorten(c.quote)}” — {who}{c.article} ({c.source}:{c.line})"


def wrap(text: str, indent: str, width: int = WIDTH) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
    ) or [indent]


def citations(supports: tuple[Support, ...], indent: str, limit: int | None) -> list[str]:
    shown = supports if limit is None else supports[:limit]
    lines = [ln for s in shown for ln in wrap(cite(s.rule, s.citation), indent)]
    rest = supports[len(shown) :]
    if rest:
        names = ", ".join(s.rule for s in rest)
        lines += wrap(f"(+{len(rest)} more: {names})", indent)
    return lines


def _item(
    d: Derived, bullet: str, limit: int | None, indent: str = "  ", extra: str = ""
) -> list[str]:
    disputed = f"  {DISPUTED} disputed: {', '.join(d.disputes)}" if d.disputes else ""
    return wrap(f"{bullet} {d.label}{extra}{disputed}", indent) + citations(
        d.supported_by, indent + "    ", limit
    )


DISPUTED = "⚑"


def contested(items: tuple[Contested, ...], labels: dict[str, str], limit: int | None) -> list[str]:
    """Each disagreement between the articles that the case touches, with every side cited;
    the side(s) this case's rules took are marked."""
    lines: list[str] = []
    for c in items:
        lines += wrap(f"{DISPUTED} {c.id}: {c.topic} ({c.kind})", "  ")
        if c.conclusions:
            lines += wrap(
                "rests on it here: " + "; ".join(labels[x] for x in c.conclusions), "    "
            )
        lines += _sides(c, "    ", limit, marked=True)
    return lines


def _sides(c: Contested, indent: str, limit: int | None, marked: bool) -> list[str]:
    """Each side of a dispute (A., B., ...) and up to ``limit`` of its rules' citations (the
    rules that fired first); ``marked`` says whether each side fired for the case."""
    lines: list[str] = []
    taken = c.taken()
    for i, (position, voices) in enumerate(c.sides):
        mark = ""
        if marked:
            mark = "  (fired for this case)" if i in taken else "  (did not fire for this case)"
        lines += wrap(f"{chr(ord('A') + i)}. {position}{mark}", indent)
        ordered = sorted(voices, key=lambda v: not v.fired)
        shown = ordered if limit is None else ordered[:limit]
        for v in shown:
            lines += wrap(cite(v.rule, v.citation), indent + "   ")
        if len(shown) < len(ordered):
            rest = ", ".join(v.rule for v in ordered[len(shown) :])
            lines += wrap(f"(+{len(ordered) - len(shown)} more: {rest})", indent + "   ")
    return lines


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
        sections.append((title, contested(result.disputes, labels, per_side)))
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


# ---- explanations ---------------------------------------------------------------------------

BRANCH, LAST, PIPE, SPACE = "├─ ", "└─ ", "│  ", "   "


def how_tree(
    node: How, disputes: tuple[Contested, ...] = (), labels: dict[str, str] | None = None
) -> str:
    """A HOW tree for a terminal: conclusion, each supporting rule, its quote and premises;
    then every dispute between the articles that a step of it stands in, all sides cited."""
    lines = _how_lines(node, "", "")
    if disputes:
        lines += ["", "Disputed steps (the articles disagree; every side shown):"]
        lines += contested(disputes, labels or {}, None)
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


def why_not_report(report: WhyNot, disputes: tuple[Contested, ...] = ()) -> str:
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
        lines += contested(disputes, {}, None)
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


# ---- suites ---------------------------------------------------------------------------------


def suite_report(outcomes: list[CaseOutcome]) -> str:
    """Failing cases with what was expected, what came out, and the HOW / WHY NOT behind it."""
    lines: list[str] = []
    for o in outcomes:
        if o.passed:
            continue
        lines.append(f"FAIL {o.path} (case {o.case})")
        lines += [f"  - {failure}" for failure in o.failures]
        lines.append(f"  expected: {json.dumps(o.expected, ensure_ascii=False)}")
        lines.append(f"  got: triage {o.triage}; {len(o.conclusions)} conclusions")
        for item in o.explanations:
            text = how_tree(item) if isinstance(item, How) else why_not_report(item)
            lines += ["    " + ln if ln else "" for ln in text.rstrip("\n").split("\n")]
        lines.append("")
    passed = sum(o.passed for o in outcomes)
    lines.append(f"{passed} passed, {len(outcomes) - passed} failed")
    return "\n".join(lines) + "\n"


def coverage_report(cov: Coverage) -> str:
    lines = [
        f"Rule coverage: {cov.rules_fired}/{cov.rules_total} rules fired ({cov.percent:.1f}%)",
        "",
        f"  {'article':<22}{'fired':>7}{'total':>7}{'share':>9}",
    ]
    for key, (fired, total) in cov.per_article.items():
        share = 100.0 * fired / total if total else 100.0
        lines.append(f"  {key:<22}{fired:>7}{total:>7}{share:>8.1f}%")
    for title, items in (
        ("Rules never fired", cov.never_fired),
        ("Conclusions never reached", cov.never_reached),
        ("Findings never used", cov.findings_never_used),
    ):
        lines.append("")
        lines.append(f"{title}: {len(items) or 'none'}")
        lines += wrap(", ".join(items), "  ") if items else []
    return "\n".join(lines) + "\n"


# ---- diff -----------------------------------------------------------------------------------


def diff_report(diff: Diff, kb: KnowledgeBase) -> str:
    if diff.empty:
        return f"No change since {diff.base}: no rule changed and no case's answer changed.\n"
    lines = [f"Knowledge base: working tree vs {diff.base}", ""]
    lines.append(f"Rules: {len(diff.rules) or 'none'} changed")
    for r in diff.rules:
        fields = f" ({', '.join(r.fields)})" if r.fields else ""
        lines.append(f"  {r.change:8} {r.rule}{fields}")
    lines += ["", f"Cases whose answer changed: {len(diff.cases) or 'none'}"]
    for c in diff.cases:
        old, new = c.triage
        if old == new:
            triage = f"triage {new} (unchanged)"
        else:
            ranks = [
                kb.level_rank(x) if x in kb.triage_levels else len(kb.triage_levels)
                for x in (old, new)
            ]
            triage = f"triage {'UP' if ranks[1] < ranks[0] else 'DOWN'}: {old} -> {new}"
        lines.append(f"  {c.case} ({c.path}): {triage}")
        if c.gained:
            lines += wrap(f"gained: {', '.join(c.gained)}", "    ")
        if c.lost:
            lines += wrap(f"lost: {', '.join(c.lost)}", "    ")
        if c.responsible:
            lines += wrap(f"rules responsible: {', '.join(c.responsible)}", "    ")
    return "\n".join(lines) + "\n"


def kb_summary(kb: KnowledgeBase, kinds: list[str]) -> str:
    """The last line of ``lumbar kb check``: what was checked, and problems by kind."""
    by_article = Counter(r.citation.article for r in kb.rules)
    counts = ", ".join(f"{k} {n}" for k, n in by_article.items())
    checked = (
        f"{len(kb.rules)} rules ({counts}), {len(kb.findings)} findings, "
        f"{len(kb.conclusions)} conclusions, {len(kb.disputes)} disputes"
    )
    if not kinds:
        return f"ok: {checked}"
    tally = ", ".join(f"{k} {n}" for k, n in sorted(Counter(kinds).items()))
    return f"problems: {len(kinds)} ({tally}) in {checked}"


# ---- the knowledge base as a catalogue (kb list / show / disputes) ---------------------------


def rule_json(kb: KnowledgeBase, r: Rule) -> dict[str, Any]:
    c = r.citation
    return {
        "id": r.id,
        "article": c.article,
        "location": str(r.location),
        "when": condition_text(r.when),
        "then": list(r.then),
        "kinds": catalog.kinds(kb, r),
        "stratum": r.stratum,
        "salience": r.salience,
        "citation": {"source": c.source, "line": c.line, "who": c.who, "quote": c.quote},
        "note": r.note,
        "corroborates": list(r.corroborates),
        "feeds_from": [p.id for p in catalog.feeders(kb, r)],
        "feeds": [q.id for q in catalog.fed(kb, r)],
        "disputes": [d.id for d, _ in kb.disputes_of(r.id)],
    }


def rule_list(kb: KnowledgeBase, rules: list[Rule]) -> str:
    out = []
    for r in rules:
        flag = f"  {DISPUTED}" if kb.disputes_of(r.id) else ""
        out.append(f"{r.id}  [{r.citation.article}:{r.citation.line}]{flag}")
        out += wrap(f"IF {condition_text(r.when)}", "    ")
        out += wrap(f"THEN {', '.join(r.then)}", "    ")
    out.append(f"{len(rules)} of {len(kb.rules)} rules")
    return "\n".join(out) + "\n"


def rule_card(kb: KnowledgeBase, r: Rule, compiled: str) -> str:
    """Everything about one rule, for an author or a student."""
    c = r.citation
    article = kb.articles[c.article]
    out = [f"{r.id}  ({r.location})", ""]
    out += wrap(f"IF   {condition_text(r.when)}", "  ")
    for cid in r.then:
        spec = kb.conclusions[cid]
        out += wrap(f"THEN {cid} [{spec.kind}] — {spec.label}", "  ")
    out += ["", f"Cited: {article.title}"]
    out += wrap(
        f"{c.who or article.author or 'unattributed'}; {c.article}, {c.source}:{c.line}", "  "
    )
    out += wrap(f"“{' '.join(c.quote.split())}”", "  ")
    out += ["", "In context (» marks the quoted lines):"]
    for n, text, quoted in catalog.context(kb, r).numbered():
        lead = f"{'»' if quoted else ' '} {n:>4}  "
        lines = textwrap.wrap(text, WIDTH - len(lead), break_on_hyphens=False) or [""]
        out += [lead + lines[0], *(" " * len(lead) + ln for ln in lines[1:])]
    if r.note:
        out += ["", "Note:", *wrap(" ".join(r.note.split()), "  ")]
    if r.corroborates:
        out += [
            "",
            "Corroborates (restates, with more conditions):",
            *[f"  {x}" for x in r.corroborates],
        ]
    feeders, fed = catalog.feeders(kb, r), catalog.fed(kb, r)
    out += ["", f"Fed by {len(feeders)} rule(s) (conclude what it tests):"]
    out += [f"  {p.id}  [{p.citation.article}:{p.citation.line}]" for p in feeders] or [
        "  (none: it tests findings only)"
    ]
    out += [f"Feeds {len(fed)} rule(s) (test what it concludes):"]
    out += [f"  {q.id}  [{q.citation.article}:{q.citation.line}]" for q in fed] or [
        "  (none: its conclusions are answers)"
    ]
    for d, side in kb.disputes_of(r.id):
        out += ["", f"{DISPUTED} Disputed ({d.kind}): {d.id} — {d.topic}"]
        out += wrap(f"this rule's side: {d.sides[side].position}", "  ")
        for i, other in enumerate(d.sides):
            if i != side:
                out += wrap(f"other side: {other.position} ({', '.join(other.rules)})", "  ")
    out += [
        "",
        f"Compiled to experta (stratum {r.stratum}):",
        *("  " + ln for ln in compiled.splitlines()),
    ]
    return "\n".join(out) + "\n"


def dispute_list(items: tuple[Contested, ...]) -> str:
    """`lumbar kb disputes`: every dispute, its summary, each side with all its citations."""
    out = []
    for c in items:
        out += wrap(f"{DISPUTED} {c.id}: {c.topic} ({c.kind})", "")
        out += wrap(" ".join(c.summary.split()), "    ")
        out += _sides(c, "  ", None, marked=False)
        out.append("")
    out.append(f"{len(items)} disputes between the articles")
    return "\n".join(out) + "\n"
