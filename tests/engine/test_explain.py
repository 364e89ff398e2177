"""HOW and WHY NOT: specific chains, and agreement between the explainer and the engine."""

from __future__ import annotations

import pytest

from lumbar.engine.consult import consult
from lumbar.engine.errors import QueryError
from lumbar.engine.explain import evaluate, how, how_all, why_not
from lumbar.engine.model.case import case_from_data, load_case
from lumbar.engine.model.quotes import find_quote
from tests.helpers import EXAMPLES, ROOT


def example(kb, name: str):
    return consult(load_case(ROOT / "examples" / f"{name}.yaml", kb), kb)


def leaves(tree) -> set[str]:
    """Every finding a HOW tree rests on."""
    found = set()
    for step in tree.steps:
        found |= {name for name, _ in step.findings}
        for premise in step.premises:
            found |= leaves(premise)
    return found


def test_how_shows_every_rule_behind_a_conclusion_and_recurses_to_findings(kb) -> None:
    result = example(kb, "strained_muscle")
    tree = how(result, kb, "triage_see_professional")
    rules = [s.rule for s in tree.steps]
    assert {
        "real_pain_talk_to_provider",
        "warning_signs_book_an_appointment",
        "strain_or_injury_needs_appointment",
    } <= set(rules)
    real_pain = next(s for s in tree.steps if s.rule == "real_pain_talk_to_provider")
    (flag,) = real_pain.premises
    assert flag.conclusion == "red_flag_real_pain_not_soreness"
    (step,) = flag.steps
    assert step.rule == "tender_or_afraid_to_bend_is_real_pain"
    assert dict(step.findings) == {"sore_to_touch": True, "afraid_to_bend": True}
    assert step.citation.who == "Milica McDowell" and step.citation.article == "klein-2024"


def test_how_of_doms_goes_timeline_then_cause_then_triage(kb) -> None:
    tree = how(example(kb, "doms_day_after"), kb, "triage_normal_soreness")
    cause = tree.steps[0].premises[0]
    assert cause.conclusion == "cause_delayed_onset_muscle_soreness"
    premises = {p.conclusion for s in cause.steps for p in s.premises}
    assert {"doms_timeline_matches", "soreness_pattern_matches"} <= premises
    assert "red_flag_present" in tree.steps[0].absent + cause.steps[0].absent


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_how_tree_rests_on_given_findings_with_verbatim_quotes(kb, path) -> None:
    result = consult(load_case(path, kb), kb)
    for tree in how_all(result, kb):
        # a step rests on what the case gave, or on a warning sign assumed absent (never as
        # evidence for anything: only where a test needs it known false)
        assert leaves(tree) <= set(result.case.findings) | set(result.assumed)
        for step in tree.steps:
            text = kb.articles[step.citation.article].text
            assert find_quote(step.citation.quote, text) == step.citation.line


def test_how_of_a_conclusion_not_reached_points_to_why_not(kb) -> None:
    with pytest.raises(QueryError, match="'triage_urgent' was not reached") as info:
        how(example(kb, "doms_day_after"), kb, "triage_urgent")
    assert info.value.problems[0].hint == "why_not"


def test_an_unknown_conclusion_lists_the_closest_ids(kb) -> None:
    with pytest.raises(QueryError, match="Did you mean triage_urgent"):
        why_not(example(kb, "doms_day_after"), kb, "triage_urgnt")


def test_why_not_urgent_says_what_to_ask_and_what_would_have_to_change(kb) -> None:
    report = why_not(example(kb, "doms_day_after"), kb, "triage_urgent")
    assert not report.reached
    (rule,) = report.rules
    assert rule.rule == "nerve_root_issue_see_someone_very_urgently"
    assert rule.condition.status == "failed"
    assert "difficulty_bearing_weight_on_one_leg (not asked; needs = true)" in report.to_supply
    assert "leg_weakness is none; needs leg_weakness = sudden" in report.to_change


def test_following_why_not_advice_reaches_the_conclusion(kb) -> None:
    base = load_case(ROOT / "examples/doms_day_after.yaml", kb)
    findings = {**base.findings, "difficulty_bearing_weight_on_one_leg": True}
    result = consult(case_from_data({"case": "x", "findings": findings}, kb), kb)
    assert result.triage.level == "urgent"


def test_why_not_a_reached_conclusion_says_so(kb) -> None:
    report = why_not(example(kb, "doms_day_after"), kb, "triage_normal_soreness")
    assert report.reached and report.rules == ()


def test_why_not_reports_the_case_value_of_a_failed_test(kb) -> None:
    report = why_not(example(kb, "doms_day_after"), kb, "red_flag_sharp_pain")
    checks = [c for r in report.rules for c in _leaves(r.condition)]
    sharp = [c for c in checks if c.test == "pain_quality = sharp_or_stabbing"]
    assert sharp and all(c.status == "failed" and c.actual == "dull_ache" for c in sharp)


def _leaves(check):
    if not check.children:
        yield check
    for child in check.children:
        yield from _leaves(child)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_explainer_agrees_with_the_engine(kb, path) -> None:
    """Evaluated after the run, a rule's condition holds exactly when the engine fired it."""
    result = consult(load_case(path, kb), kb)
    fired = {d["rule"] for _, d in result.trace.nodes(data=True) if d["kind"] == "firing"}
    for cid in kb.conclusions:
        report = why_not(result, kb, cid)
        if report.reached:
            continue
        for rule_check in report.rules:
            assert rule_check.condition.status != "held", (cid, rule_check.rule)
    for rule in kb.rules:
        status = evaluate(result, kb, rule.id).status
        assert (status == "held") == (rule.id in fired), rule.id
