"""Terminal text of `lumbar test` (cases, coverage) and `lumbar diff`."""

from __future__ import annotations

import json

from ..engine.explain import How
from ..engine.model.knowledge import KnowledgeBase
from ..engine.regress.diff import Diff
from ..engine.regress.examples import ExampleOutcome
from ..engine.regress.suite import CaseOutcome, Coverage, Update
from ..engine.regress.verify import Report
from .consult_text import how_tree, why_not_report
from .text import wrap


def verify_report(report: Report, kb: KnowledgeBase, tripped: list[str]) -> str:
    """Every problem at its file:line, the impact of the change, then one line per stage."""
    lines = [
        ln for kind, p in report.problems for ln in wrap(f"{p.where}: {kind}: {p.message}", "")
    ]
    if report.impact is not None and not report.impact.empty:
        lines += ["", *diff_report(report.impact, kb).rstrip("\n").split("\n")]
    lines += ["", "lumbar verify:"]
    for s in report.stages:
        mark = "skip" if s.skipped else "FAIL" if s.problems else "ok"
        lines.append(f"  {mark:4}  {s.name:<18} {s.summary:<52} {s.seconds:5.1f} s")
    if tripped:
        lines.append(f"  FAIL  gate --fail-on {', '.join(tripped)}")
    n = len(report.problems) + len(tripped)
    verdict = f"{n} problem(s)" if n else "all good"
    lines.append(f"{verdict} ({report.seconds:.1f} s)")
    return "\n".join(lines) + "\n"


def update_report(updates: list[Update]) -> str:
    """Every change --update made (file:line, old -> new), and each file it refused to weaken."""
    lines: list[str] = []
    for u in updates:
        verb = "updated" if u.text is not None else "refused"
        lines += [f"{verb}: {c}" + (" (weaker)" if c in u.weaker else "") for c in u.changes]
        if u.refused:
            lines.append(
                f"  {u.path} not written: it would lower what the case protects; fix the "
                "knowledge base, or accept with --allow-weaker"
            )
    written = sum(u.text is not None for u in updates)
    lines.append(f"updated {written} case file(s)")
    return "\n".join(lines) + "\n"


def examples_report(examples: list[ExampleOutcome]) -> str:
    """Failing rule examples, each at its file:line, then a count (nothing when none ran)."""
    if not examples:
        return ""
    lines = [
        f"FAIL {e.file}:{e.line}: rule {e.rule}: {e.group} example {e.example}: {e.message}"
        for e in examples
        if e.status == "failed"
    ]
    counts = {s: sum(e.status == s for e in examples) for s in ("passed", "failed", "skipped")}
    rules = len({e.rule for e in examples})
    lines.append(
        f"rule examples: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped (known gaps), over {rules} rules"
    )
    return "\n".join(lines) + "\n\n"


def suite_report(outcomes: list[CaseOutcome], explain: bool = False) -> str:
    """Failing cases with what was expected and what came out; with ``explain``, the HOW / WHY
    NOT behind each failure."""
    lines: list[str] = []
    for o in outcomes:
        if o.passed:
            continue
        lines.append(f"FAIL {o.path} (case {o.case})")
        lines += [f"  - {failure}" for failure in o.failures]
        lines.append(f"  expected: {json.dumps(o.expected, ensure_ascii=False)}")
        lines.append(f"  got: triage {o.triage}; {len(o.conclusions)} conclusions")
        if o.explanations and not explain:
            lines.append(f"  (why: lumbar test {o.path} --explain)")
        for item in o.explanations if explain else ():
            text = how_tree(item) if isinstance(item, How) else why_not_report(item)
            lines += ["    " + ln if ln else "" for ln in text.rstrip("\n").split("\n")]
        lines.append("")
    passed = sum(o.passed for o in outcomes)
    lines.append(f"cases: {passed} passed, {len(outcomes) - passed} failed")
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
        return (
            f"No change since {diff.base}: no rule, conclusion, finding or dispute changed, "
            "and no case's answer changed.\n"
        )
    lines = [f"Knowledge base: working tree vs {diff.base}", ""]
    n = diff.counts
    lines.append(f"Rules: {n['added']} added, {n['removed']} removed, {n['changed']} changed")
    for r in diff.rules:
        where = f" ({kb.rule(r.rule).location})" if r.rule in kb.rules_by_id else ""
        lines += wrap(f"{r.change:8} {r.rule}{where}", "  ")
        lines += [ln for d in r.details for ln in wrap(d, "    ")]
    if diff.knowledge:
        lines += ["", f"Other knowledge: {len(diff.knowledge)} change(s)"]
        for k in diff.knowledge:
            lines += wrap(f"{k.change:8} {k.kind} {k.id}", "  ")
            lines += [ln for d in k.details for ln in wrap(d, "    ")]
    if diff.not_comparable:
        lines += ["", "Cases that cannot run on the base (compared on the working tree only):"]
        lines += [ln for c in diff.not_comparable for ln in wrap(c, "  ")]
    lines += ["", f"Cases whose answer changed: {len(diff.cases) or 'none'}"]
    for c in diff.cases:
        old, new = c.triage
        if c.triage_change == "none":
            triage = f"triage {new} (unchanged)"
        else:
            triage = f"triage {c.triage_change.upper()}: {old} -> {new}"
        lines += wrap(f"{c.case} ({c.path}): {triage}", "  ")
        if c.gained:
            lines += wrap(f"gained: {', '.join(c.gained)}", "    ")
        if c.lost:
            lines += wrap(f"lost: {', '.join(c.lost)}", "    ")
        if c.responsible:
            lines += wrap(f"rules responsible: {', '.join(c.responsible)}", "    ")
    return "\n".join(lines) + "\n"
