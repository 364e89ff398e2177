"""Unknown is never "no": three-valued reasoning, screening before reassurance, and the open
questions and thresholds that say what would change a provisional answer."""

from __future__ import annotations

from lumbar.cli.consult_text import brief, consultation, headline
from lumbar.engine.consult import consult
from lumbar.engine.model.case import case_from_data
from lumbar.engine.questions import ask

PHONE = {"hours_since_workout": 20, "pain_quality": "tightness"}
SEVEN = {
    "hours_since_workout": 48,
    "pain_trend": "improving",
    "pain_quality": "dull_ache",
    "eases_with_movement": True,
    "pain_radiates_to_legs": False,
    "numbness_or_tingling": False,
    "wakes_at_night": False,
}


def run(kb, findings):
    return consult(case_from_data({"case": "c", "findings": findings}, kb), kb)


def test_the_phone_triage_case_is_provisional_and_says_what_it_waits_for(kb) -> None:
    result = ask(run(kb, PHONE), kb)
    assert (result.triage.level, result.triage.firmness) == ("normal_soreness", "provisional")
    assert {"leg_weakness", "numbness_or_tingling", "wakes_at_night"} <= set(
        result.triage.unscreened
    )
    text = consultation(result)
    assert "nothing to worry about" not in text.lower()
    assert "TRIAGE (provisional): NORMAL SORENESS — not yet screened: pain abruptness" in text
    assert "Reassurance (provisional: waiting for the warning signs not yet asked" in text
    # the first questions are warning signs, the one that makes it urgent first
    first = result.open_questions[0]
    assert first.warning_sign and first.impact == "raises" and first.changes[0].level == "urgent"


def test_seven_clear_findings_give_provisional_soreness_with_open_questions(kb) -> None:
    result = ask(run(kb, SEVEN), kb)
    assert (result.triage.level, result.triage.firmness) == ("normal_soreness", "provisional")
    asked = {q.finding for q in result.open_questions}
    assert {"pain_abruptness", "pain_location"} <= asked
    onset = next(q for q in result.open_questions if q.finding == "pain_abruptness")
    assert ("abrupt", "see_professional") in {(c.answer, c.level) for c in onset.changes}


def test_an_unknown_finding_under_none_does_not_let_a_rule_fire(kb) -> None:
    """`adjust_stance_width_for_butt_wink` needs the stance known not to be comfortable."""
    unknown = run(kb, {"butt_wink": True, "hours_since_workout": 30})
    known = run(kb, {"butt_wink": True, "hours_since_workout": 30, "stance_width": "narrow"})
    assert "adjust_stance_width_for_butt_wink" not in unknown.fired_rules()
    assert "adjust_stance_width_for_butt_wink" in known.fired_rules()


def test_an_unanswered_warning_sign_is_assumed_absent_never_present(kb) -> None:
    result = run(kb, PHONE)
    assert "numbness_or_tingling" in result.assumed
    assert "red_flag_nerve_symptoms" in result.ruled_out
    assert all(f not in d.findings for d in result.conclusions for f in result.assumed)
    node = result.trace.nodes["finding:numbness_or_tingling"]
    assert node["assumed"] and "not asked" in node["label"]


def test_every_warning_sign_answered_no_makes_the_answer_final(kb) -> None:
    answered = {
        name: next(
            v
            for v in ((True, False) if f.type == "boolean" else f.values)
            if v not in f.warning_values
        )
        for name, f in kb.findings.items()
        if f.warning_values
    }
    result = run(kb, {**SEVEN, **answered, "pain_location": "general_soreness"})
    assert result.triage.level == "normal_soreness"
    assert result.triage.firmness == "final" and not result.assumed
    assert "nothing to worry about" in headline(result)


def test_a_number_near_a_deciding_threshold_is_told(kb) -> None:
    result = ask(run(kb, {**SEVEN, "hours_since_workout": 70}), kb)
    near = [n for n in result.near_thresholds if n.finding == "hours_since_workout"]
    assert near and all(n.threshold == 72 for n in near)
    assert any(n.level != result.triage.level for n in near)
    assert "is near the threshold of" in consultation(result)


def test_brief_fits_one_screen(kb) -> None:
    for findings in (PHONE, SEVEN, {"leg_weakness": "sudden"}):
        text = brief(ask(run(kb, findings), kb))
        lines = text.splitlines()
        assert len(lines) <= 25 and max(map(len, lines)) <= 100, text
        assert "Disclaimer:" in text
