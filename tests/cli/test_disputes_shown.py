"""A conclusion that rests on a disputed claim is shown with the other side and its citation,
in `consult` (text and JSON) and in `explain` (HOW and WHY NOT)."""

from __future__ import annotations

import json

import yaml

from lumbar.cli.main import app

CORE = {"core_weak": True, "hours_since_workout": 24, "pain_quality": "dull_ache"}


def case_file(tmp_path, findings: dict) -> str:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump({"case": "disputed", "findings": findings}), encoding="utf-8")
    return str(path)


def dispute(kb, dispute_id: str):
    return next(d for d in kb.disputes if d.id == dispute_id)


def test_consult_marks_the_disputed_conclusion_and_cites_every_side(runner, kb, tmp_path) -> None:
    compact = runner.invoke(app, ["consult", case_file(tmp_path, CORE)]).stdout
    assert "⚑ disputed: core_weakness_cause" in compact
    d = dispute(kb, "core_weakness_cause")
    # by default, once and compactly: the topic, what rests on it here, each side's position
    short = " ".join(compact[compact.index("Where the articles disagree") :].split())
    assert d.topic in short and all(side.position in short for side in d.sides)
    result = runner.invoke(app, ["consult", case_file(tmp_path, CORE), "--disputes"])
    assert result.exit_code == 0
    out = result.stdout
    section = out[out.index("Where the articles disagree") :]
    flat = " ".join(section.split())
    d = dispute(kb, "core_weakness_cause")
    assert d.topic in flat
    for side in d.sides:
        assert side.position in flat
        # one quote per side by default: at least one rule of each side is cited
        assert any(f"[{r}]" in flat for r in side.rules), side.position
    everything = " ".join(
        runner.invoke(app, ["consult", case_file(tmp_path, CORE), "--all-citations"]).stdout.split()
    )
    for side in d.sides:
        for r in side.rules:
            assert f"[{r}]" in everything
            assert " ".join(kb.rule(r).citation.quote.split())[:60] in everything


def test_consult_json_lists_the_disputes_with_fired_flags(runner, kb, tmp_path) -> None:
    result = runner.invoke(app, ["consult", case_file(tmp_path, CORE), "--json"])
    data = json.loads(result.stdout)
    fired = {r for c in data["conclusions"] for r in c["rules"]}
    core = next(d for d in data["disputes"] if d["id"] == "core_weakness_cause")
    for side in core["sides"]:
        for voice in side["rules"]:
            assert voice["fired"] == (voice["rule"] in fired)
            assert voice["quote"] == kb.rule(voice["rule"]).citation.quote
    cause = next(c for c in data["conclusions"] if c["id"] == "cause_core_weakness")
    assert "core_weakness_cause" in cause["disputes"]
    assert "cause_core_weakness" in core["conclusions"]
    # a case that fires no rule of a dispute does not show it
    quiet = runner.invoke(
        app,
        ["consult", case_file(tmp_path, {"leg_weakness": "sudden"}), "--json"],
    )
    assert "core_weakness_cause" not in {d["id"] for d in json.loads(quiet.stdout)["disputes"]}


def test_explain_how_shows_the_other_side_of_a_disputed_step(runner, kb, tmp_path) -> None:
    result = runner.invoke(
        app, ["explain", case_file(tmp_path, CORE), "rec_core_stability_training"]
    )
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    assert "Disputed steps" in flat
    other = dispute(kb, "core_weakness_cause").sides[1]
    for r in other.rules:
        assert " ".join(kb.rule(r).citation.quote.split())[:60] in flat
    data = json.loads(
        runner.invoke(
            app, ["explain", case_file(tmp_path, CORE), "rec_core_stability_training", "--json"]
        ).stdout
    )
    ids = [d["id"] for d in data[0]["disputes"]]
    assert "core_weakness_cause" in ids
    assert "hamstring_stretching" not in ids  # only disputes of the tree's own steps


def test_why_not_names_the_dispute_a_candidate_rule_stands_in(runner, kb, tmp_path) -> None:
    result = runner.invoke(
        app,
        [
            "explain",
            case_file(tmp_path, {"hours_since_workout": 24}),
            "--why-not",
            "caution_hamstring_stretching_unneeded",
        ],
    )
    assert result.exit_code == 0
    assert "hamstring_stretching" in result.stdout
    assert "a rule that could conclude it stands in a disagreement" in result.stdout


def test_kb_disputes_shows_the_editors_note_apart_and_labelled(runner, kb) -> None:
    noted = [d for d in kb.disputes if d.editors_note]
    assert noted, "the knowledge base keeps its editors' synthesis in editors_note"
    out = runner.invoke(app, ["kb", "disputes"]).stdout
    blocks = {b.split(":", 1)[0].removeprefix("⚑ "): " ".join(b.split()) for b in out.split("\n\n")}
    for d in noted:
        block, summary = blocks[d.id], " ".join(d.summary.split())
        note = "Editors' note (not from the articles): " + " ".join(d.editors_note.split())
        # summary, then the labelled note, then the sides: never inside the summary or a side
        assert block.index(summary) + len(summary) < block.index(note) < block.index(" A. ")
    data = json.loads(runner.invoke(app, ["kb", "disputes", "--json"]).stdout)
    assert {x["id"]: (x["summary"], x["editors_note"]) for x in data} == {
        d.id: (d.summary, d.editors_note) for d in kb.disputes
    }
