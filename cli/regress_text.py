"""Terminal text of `lumbar test` (cases, coverage) and `lumbar diff`."""

from __future__ import annotations

import json

from ..engine.explain import How
from ..engine.model.knowledge import KnowledgeBase
from ..engine.regress.diff import Diff
from ..engine.regress.suite import CaseOutcome, Coverage
from .consult_text import how_tree, why_not_report
from .text import wrap


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
