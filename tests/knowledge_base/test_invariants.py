"""Safety invariants over random valid cases (hypothesis), each also shown to FAIL on a knowledge
base deliberately broken for it, so that none of them can pass vacuously.

The red-flag and urgent values are declared in knowledge_base/vocabulary.yaml (`red_flag`,
`urgent`). A bounded number of examples runs in the normal test command; for a longer run:
`python3 -m uv run pytest tests/knowledge_base/test_invariants.py --hypothesis-profile=long`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumbar.engine.conditions import FindingTest, walk
from lumbar.engine.consult import consult
from lumbar.engine.errors import InferenceError
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.case import case_from_data
from lumbar.engine.model.knowledge import Finding, KnowledgeBase
from lumbar.engine.model.quotes import find_quote
from lumbar.engine.run import backend
from lumbar.engine.run.backend import DEFAULT_MAX_FIRINGS, CompiledRules
from lumbar.engine.run.trace import to_node_link
from lumbar.engine.serialize import to_data

KB = kb_module.load()
SAFE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def thresholds(kb: KnowledgeBase, name: str) -> list[float]:
    """Numbers the rules compare a finding with, and their neighbours (boundary cases)."""
    found = {
        leaf.operand
        for r in kb.rules
        for leaf, _ in walk(r.when)
        if isinstance(leaf, FindingTest)
        and leaf.finding == name
        and isinstance(leaf.operand, float)
    }
    return sorted({x + d for x in found for d in (-1, 0, 1)})


def value_of(kb: KnowledgeBase, f: Finding) -> st.SearchStrategy[Any]:
    if f.type == "boolean":
        return st.booleans()
    if f.type == "enum":
        return st.sampled_from(f.values or ())
    low, high = f.min or 0, f.max or 0
    edges = [x for x in thresholds(kb, f.name) if low <= x <= high]
    return st.one_of(st.sampled_from(edges or [low]), st.integers(int(low), int(high)))


def cases(kb: KnowledgeBase = KB) -> st.SearchStrategy[dict[str, Any]]:
    """Valid findings: each finding absent (unknown) or given a valid value."""
    return st.fixed_dictionaries(
        {}, optional={name: value_of(kb, f) for name, f in kb.findings.items()}
    )


def red_flag_values(kb: KnowledgeBase) -> list[tuple[str, Any]]:
    return [(f.name, v) for f in kb.findings.values() for v in f.red_flag]


def urgent_values(kb: KnowledgeBase) -> list[tuple[str, Any]]:
    return [(f.name, v) for f in kb.findings.values() for v in f.urgent]


def run(kb: KnowledgeBase, findings: dict[str, Any], compiled: CompiledRules | None = None):
    return consult(case_from_data({"case": "random", "findings": findings}, kb), kb, compiled)


def rank(kb: KnowledgeBase, level: str) -> int:
    """0 = most urgent; undetermined ranks below every level."""
    return kb.level_rank(level) if level in kb.triage_levels else len(kb.triage_levels)


# ---- the invariants, as checks that return a violation or None -----------------------------


def red_flag_is_never_reassured(kb: KnowledgeBase, findings: dict[str, Any]) -> str | None:
    flags = [
        (n, v)
        for n, v in red_flag_values(kb)
        if findings.get(n, object()) == v and type(findings[n]) is type(v)
    ]
    if not flags:
        return None
    level = run(kb, findings).triage.level
    if level in ("normal_soreness", "self_care", "undetermined"):
        return f"red flag {flags[0]} ended at {level}"
    return None


def unscreened_is_never_settled(kb: KnowledgeBase, findings: dict[str, Any]) -> str | None:
    """A case that leaves a warning sign unanswered is never answered final at a reassuring
    level, and a reassurance it shows is never settled (the result keeps what it waits for)."""
    # the warning signs as the real knowledge base names them (a broken one may name none)
    open_signs = [n for n, f in KB.findings.items() if f.warning_values and n not in findings]
    if not open_signs:
        return None
    result = run(kb, findings)
    t = result.triage
    # the levels that reassure, as the real knowledge base declares them (a broken one may not)
    if t.level in KB.reassuring_levels and (t.firmness == "final" or not t.unscreened):
        return f"{t.level} answered {t.firmness} with {open_signs[0]} unanswered"
    if result.of_kind("reassurance") and not result.assumed:
        return f"a reassurance shown as settled with {open_signs[0]} unanswered"
    return None


def urgent_findings_are_urgent(kb: KnowledgeBase, findings: dict[str, Any]) -> str | None:
    hits = [
        (n, v)
        for n, v in urgent_values(kb)
        if findings.get(n, object()) == v and type(findings[n]) is type(v)
    ]
    if hits and (level := run(kb, findings).triage.level) != "urgent":
        return f"{hits[0]} gave {level}, not urgent"
    return None


def every_conclusion_is_cited_verbatim(kb: KnowledgeBase, findings: dict[str, Any]) -> str | None:
    for derived in run(kb, findings).conclusions:
        if not derived.supported_by:
            return f"{derived.id} has no citation"
        for support in derived.supported_by:
            text = kb.articles[support.citation.article].text
            if find_quote(support.citation.quote, text) is None:
                return f"{support.rule}: quote not verbatim in {support.citation.source}"
    return None


@cache
def loaded_again(root: Path) -> KnowledgeBase:
    """A second knowledge base read from the same files: a separate object, compiled into its
    own engine. Read once, not once per example: loading is not what varies between examples."""
    return kb_module.load(root)


def deterministic(kb: KnowledgeBase, findings: dict[str, Any]) -> str | None:
    """The same case through two separately loaded and compiled knowledge bases (the second
    compiled here: the cache would hand back the first's, the files being the same)."""
    again = loaded_again(kb.root)
    outputs = {
        json.dumps([to_data(r), to_node_link(r.trace)], sort_keys=True)
        for r in (run(kb, findings), run(again, findings, backend.DEFAULT.compile(again)))
    }
    return None if len(outputs) == 1 else "two runs gave different JSON"


def terminates(
    kb: KnowledgeBase, findings: dict[str, Any], max_firings: int = DEFAULT_MAX_FIRINGS
) -> str | None:
    try:
        backend.compiled(kb).run(findings, (), max_firings)
    except InferenceError as exc:
        return f"did not terminate: {exc}"
    return None


def red_flags_never_lower_triage(
    kb: KnowledgeBase, findings: dict[str, Any], flag: tuple[str, Any]
) -> str | None:
    before = run(kb, findings).triage.level
    after = run(kb, {**findings, flag[0]: flag[1]}).triage.level
    if rank(kb, after) > rank(kb, before):
        return f"adding {flag} lowered triage from {before} to {after}"
    return None


# ---- property tests on the real knowledge base ---------------------------------------------


@SAFE
@given(findings=cases(), flag=st.sampled_from(red_flag_values(KB)))
def test_a_red_flag_never_ends_at_soreness_or_self_care(findings, flag) -> None:
    assert red_flag_is_never_reassured(KB, {**findings, flag[0]: flag[1]}) is None


@SAFE
@given(findings=cases())
def test_no_reassurance_without_screening(findings) -> None:
    assert unscreened_is_never_settled(KB, findings) is None


@given(findings=cases(), flag=st.sampled_from(urgent_values(KB)))
def test_sudden_leg_weakness_or_one_leg_weight_bearing_is_always_urgent(findings, flag) -> None:
    assert urgent_findings_are_urgent(KB, {**findings, flag[0]: flag[1]}) is None


@SAFE
@given(findings=cases())
def test_every_conclusion_carries_a_verbatim_citation(findings) -> None:
    assert every_conclusion_is_cited_verbatim(KB, findings) is None


@SAFE
@given(findings=cases())
def test_same_case_same_json_and_every_run_terminates(findings) -> None:
    assert terminates(KB, findings) is None
    assert deterministic(KB, findings) is None


@SAFE
@given(findings=cases(), flag=st.sampled_from(red_flag_values(KB)))
def test_adding_a_red_flag_never_lowers_triage(findings, flag) -> None:
    # "Adding": the finding was unknown before (replacing an urgent value is not adding).
    findings = {k: v for k, v in findings.items() if k != flag[0]}
    assert red_flags_never_lower_triage(KB, findings, flag) is None


def test_the_vocabulary_declares_red_flags_and_urgent_values() -> None:
    assert ("leg_weakness", "sudden") in urgent_values(KB)
    assert ("difficulty_bearing_weight_on_one_leg", True) in urgent_values(KB)
    assert len(red_flag_values(KB)) >= 10


# ---- each invariant fails on a knowledge base broken for it ---------------------------------


def without_rules(kb: KnowledgeBase, *rule_ids: str) -> KnowledgeBase:
    return replace(kb, rules=tuple(r for r in kb.rules if r.id not in rule_ids))


def with_level(kb: KnowledgeBase, conclusion: str, level: str) -> KnowledgeBase:
    conclusions = {**kb.conclusions, conclusion: replace(kb.conclusions[conclusion], level=level)}
    return replace(kb, conclusions=conclusions)


SHARP = {"pain_quality": "sharp_or_stabbing"}


def test_broken_red_flag_triage_is_caught() -> None:
    broken = with_level(KB, "triage_see_professional", "self_care")
    assert red_flag_is_never_reassured(KB, SHARP) is None
    assert "ended at self_care" in red_flag_is_never_reassured(broken, SHARP)


def test_broken_urgent_rule_is_caught() -> None:
    broken = without_rules(KB, "nerve_root_issue_see_someone_very_urgently")
    assert urgent_findings_are_urgent(KB, {"leg_weakness": "sudden"}) is None
    assert "not urgent" in urgent_findings_are_urgent(broken, {"leg_weakness": "sudden"})


def test_broken_citation_is_caught() -> None:
    rule = KB.rule("sharp_pain_after_workout_is_not_normal")
    bad = replace(rule, citation=replace(rule.citation, quote="Sharp pain is always fine."))
    broken = replace(KB, rules=tuple(bad if r is rule else r for r in KB.rules))
    assert every_conclusion_is_cited_verbatim(KB, SHARP) is None
    assert "quote not verbatim" in every_conclusion_is_cited_verbatim(broken, SHARP)


def test_a_runaway_rule_set_is_caught() -> None:
    """Our rules only add facts, so they cannot loop; a firing limit below what a case needs
    stands in for a runaway rule set. (A nondeterministic agenda is shown failing in
    tests/engine/run/test_agenda.py, with experta's stock strategy.)"""
    assert terminates(KB, SHARP) is None
    assert "did not terminate" in terminates(KB, SHARP, max_firings=2)


def test_broken_monotonicity_is_caught() -> None:
    # Warning signs that triage as "expected soreness" would make a red flag lower the answer.
    broken = with_level(KB, "triage_see_professional", "normal_soreness")
    case = {"warmed_up": False, "hours_since_workout": 30}
    assert red_flags_never_lower_triage(KB, case, ("pain_quality", "sharp_or_stabbing")) is None
    found = red_flags_never_lower_triage(broken, case, ("pain_quality", "sharp_or_stabbing"))
    assert found is not None and "lowered triage from self_care" in found


def test_broken_screening_is_caught() -> None:
    """A knowledge base that reaches normal soreness from one finding, with no guard, and does
    not declare its reassuring levels, answers an unscreened case final: the invariant says so."""
    from lumbar.engine.conditions import FindingTest

    rule = KB.rule("doms_is_nothing_to_be_concerned_about")
    unguarded = replace(rule, when=FindingTest(finding="pain_quality", **{"is": "tightness"}))
    rules = tuple(unguarded if r is rule else r for r in KB.rules)
    unflagged = {n: replace(f, red_flag=(), urgent=(), screen=()) for n, f in KB.findings.items()}
    broken = replace(KB, findings=unflagged, rules=rules, reassuring_levels=())
    phone = {"hours_since_workout": 20, "pain_quality": "tightness"}
    assert unscreened_is_never_settled(KB, phone) is None
    assert "answered final" in (unscreened_is_never_settled(broken, phone) or "")
