"""The guided interview's core: what it asks, in which order, when it stops, and WHY."""

from __future__ import annotations

from typing import Any

import pytest

from lumbar.engine.consult import consult
from lumbar.engine.interview import (
    UNKNOWN,
    Interview,
    next_question,
    read_answer,
    replay,
    saved_case,
    why,
)
from lumbar.engine.model.case import case_from_data, load_case
from lumbar.engine.questions import questions_for
from lumbar.engine.serialize import to_data
from tests.helpers import EXAMPLES, ROOT

CASES = EXAMPLES + sorted((ROOT / "tests" / "suite").glob("*.yaml"))


def outcome(result) -> tuple[str, set[str]]:
    return result.triage.level, {d.id for d in result.of_kind("cause")}


def finish(kb, answers: dict[str, Any]) -> Interview:
    interview = Interview.begin(kb)
    while (q := next_question(interview)) is not None:
        interview = interview.answer(q.finding.name, answers.get(q.finding.name))
    return interview


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_answering_from_a_case_reaches_its_triage_and_causes_with_fewer_questions(kb, path):
    case = load_case(path, kb)
    finished = finish(kb, case.findings)
    assert outcome(finished.result) == outcome(consult(case, kb))
    assert len(finished.answers) < len(kb.findings)
    # Nothing left that could change the triage or the causes.
    assert questions_for(kb, finished.findings, finished.declined) == ()


def test_warning_signs_are_asked_first_and_every_question_is_one_a_rule_still_needs(kb) -> None:
    case = load_case(ROOT / "examples/doms_day_after.yaml", kb)
    asked = list(replay(kb, case.findings))
    warning = [bool(q.finding.warning_values) for q in asked]
    first_other = warning.index(False)
    assert all(warning[:first_other]) and first_other >= 10
    assert [q.number for q in asked] == list(range(1, len(asked) + 1))
    assert all(q.rules for q in asked)
    assert len({q.finding.name for q in asked}) == len(asked)  # nothing asked twice


def test_the_same_answers_give_the_same_questions(kb) -> None:
    case = load_case(ROOT / "examples/strained_muscle.yaml", kb)
    first = [q.finding.name for q in replay(kb, case.findings)]
    assert first == [q.finding.name for q in replay(kb, case.findings)]


def test_a_question_no_live_rule_needs_is_skipped(kb) -> None:
    # deloaded_after_break matters only for someone returning after a break.
    answers = {"returning_after_break": False}
    asked = [q.finding.name for q in replay(kb, answers)]
    assert "returning_after_break" in asked
    assert "deloaded_after_break" not in asked
    asked_unknown = [q.finding.name for q in replay(kb, {})]
    assert "deloaded_after_break" not in asked_unknown  # its gate was answered unknown


def test_unknown_stays_unknown_is_not_asked_again_and_keeps_the_answer_provisional(kb) -> None:
    interview = Interview.begin(kb)
    q = next_question(interview)
    assert q is not None and q.reason == "warning_sign"
    after = interview.answer(q.finding.name, UNKNOWN)
    assert q.finding.name not in after.findings and q.finding.name in after.declined
    names = [x.finding.name for x in replay(kb, {})]
    assert names.count(q.finding.name) == 1  # answered unknown: not asked again
    soreness = load_case(ROOT / "examples/doms_day_after.yaml", kb).findings
    finished = finish(kb, {k: v for k, v in soreness.items() if k != q.finding.name})
    assert finished.result.triage.level == "normal_soreness"
    assert finished.result.triage.firmness == "provisional"
    assert q.finding.name in finished.result.triage.unscreened


def test_back_returns_to_the_previous_question(kb) -> None:
    interview = Interview.begin(kb)
    first = next_question(interview)
    assert first is not None
    answered = interview.answer(first.finding.name, UNKNOWN)
    second = next_question(answered)
    assert second is not None and second.finding.name != first.finding.name
    again = next_question(answered.back())
    assert again is not None and again.finding.name == first.finding.name
    assert Interview.begin(kb).back().answers == ()


def test_it_stops_once_nothing_can_change_the_answer(kb) -> None:
    urgent = {"leg_weakness": "sudden"}
    finished = finish(kb, urgent)
    assert finished.result.triage.level == "urgent"
    assert next_question(finished) is None
    # Fewer questions than when nothing is known: the triage is settled at once.
    assert len(finished.answers) < len(finish(kb, {}).answers)


def test_starting_from_a_case_asks_only_what_is_still_open(kb) -> None:
    case = load_case(ROOT / "examples/sudden_leg_weakness.yaml", kb)
    asked = [q.finding.name for q in replay(kb, case.findings, start=case)]
    assert not set(asked) & set(case.findings)


def test_why_lists_the_rules_that_use_the_answer_with_citations_and_climbs_to_the_top(kb):
    interview = Interview.begin(kb)
    level1 = why(interview, "leg_weakness")
    assert level1.level == 1 and not level1.top
    rules = {u.rule for u in level1.uses}
    assert "sudden_leg_weakness_or_cannot_bear_weight_nerve_root" in rules
    use = next(u for u in level1.uses if u.rule.startswith("sudden_leg_weakness"))
    assert use.tests == ("leg_weakness = sudden",)
    assert use.citation.quote and use.citation.line > 0
    level2 = why(interview, "leg_weakness", 2)
    assert level2.level == 2
    assert any(c == "triage_urgent" for u in level2.uses for c, _ in u.concludes)
    top = why(interview, "leg_weakness", 50)
    assert top.top and top.level < 50
    assert why(interview, "leg_weakness", top.level + 1) == top


@pytest.mark.parametrize(
    ("finding", "typed", "value"),
    [
        ("pain_radiates_to_legs", "Yes", True),
        ("pain_radiates_to_legs", "n", False),
        ("pain_quality", "2", "tightness"),
        ("leg_weakness", "no", "none"),
        ("pain_quality", "sharp or stabbing", "sharp_or_stabbing"),
        ("hours_since_workout", "30", 30),
        ("hours_since_workout", "1.5", 1.5),
        ("hours_since_workout", "30 hours", 30),
    ],
)
def test_answers_are_read_by_name_number_or_word(kb, finding, typed, value) -> None:
    assert read_answer(kb.findings[finding], typed) == value


@pytest.mark.parametrize(
    ("finding", "typed", "says"),
    [
        ("pain_radiates_to_legs", "maybe", "type yes or no"),
        ("pain_quality", "4", "number from 1 to 3"),
        ("pain_quality", "sharp!", "1 dull_ache, 2 tightness, 3 sharp_or_stabbing"),
        ("hours_since_workout", "1:30", "plain number, e.g. 30 or 1.5"),
        ("hours_since_workout", "3000", "from 0 to 2000"),
        ("hours_since_workout", "-1", "plain number"),
    ],
)
def test_a_bad_answer_says_what_to_type(kb, finding, typed, says) -> None:
    with pytest.raises(ValueError, match=says.replace(".", r"\.")):
        read_answer(kb.findings[finding], typed)


def test_the_saved_case_gives_the_same_result(kb) -> None:
    case = load_case(ROOT / "examples/doms_day_after.yaml", kb)
    finished = finish(kb, case.findings)
    data = saved_case(finished)
    assert None in data["findings"].values()  # the unknowns, kept as asked
    again = consult(case_from_data(data, kb), kb)
    assert to_data(again) == to_data(finished.result)
