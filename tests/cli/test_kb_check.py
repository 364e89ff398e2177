"""`lumbar kb check`: the project passes; each kind of problem is reported, at file:line, on a
deliberately broken copy of the real knowledge base, and makes the check exit 1."""

from __future__ import annotations

import re
from pathlib import Path

from lumbar.cli.main import app

QUOTE = "Foam roll your glutes and hamstrings."  # verbatim in 003's source
NIELEN = "rules/003_nielen.yaml"


def check(runner, root: Path):
    return runner.invoke(app, ["kb", "check", "--kb", str(root)])


def append_rules(root: Path, text: str) -> dict[str, int]:
    """Append rule items to 003's file; return the line of each new rule id (its first use)."""
    path = root / NIELEN
    before = path.read_text(encoding="utf-8")
    path.write_text(before.rstrip("\n") + "\n" + text, encoding="utf-8")
    first = before.rstrip("\n").count("\n") + 2
    lines: dict[str, int] = {}  # the first rule of each id
    for m in re.finditer(r"^  - id: (\w+)$", text, re.M):
        lines.setdefault(m.group(1), first + text[: m.start()].count("\n"))
    return lines


def rule(rule_id: str, when: str, then: str, extra: str = "") -> str:
    return (
        f"  - id: {rule_id}\n    when: {when}\n    then: [{then}]\n"
        f"    citation: {{quote: {QUOTE}, who: Alex Nielen}}\n{extra}"
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_project_knowledge_base_passes(runner) -> None:
    result = runner.invoke(app, ["kb", "check"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("ok: ") and " disputes" in result.stdout


def test_problems_that_stop_loading_are_all_reported_with_file_and_line(runner, kb_copy) -> None:
    lines = append_rules(
        kb_copy,
        rule("misquoted", "{finding: butt_wink, is: true}", "cause_butt_wink")
        + rule("unknown_names", "{finding: butt_winks, is: true}", "cause_butt_wnk")
        + rule("misquoted", "{finding: hours_since_workout, at_least: 99999}", "rec_foam_roll")
        + rule("no_such_value", "{finding: pain_quality, is: throbbing}", "rec_foam_roll"),
    )
    edit(
        kb_copy / NIELEN,
        "    then: [cause_butt_wink]\n    citation: {quote: " + QUOTE,
        "    then: [cause_butt_wink]\n    citation: {quote: Foam-roll glutes and hamstrings.",
    )
    result = check(runner, kb_copy)
    assert result.exit_code == 2 and result.stdout == ""
    err = result.stderr
    at = f"knowledge_base/{NIELEN}"
    assert re.search(
        rf"{at}:{lines['misquoted'] + 3}:\d+: .*not verbatim in .*Closest passage, "
        rf"line \d+: 'Foam roll your glutes and hamstrings",
        err,
    ), err
    assert "unknown finding 'butt_winks'. Did you mean butt_wink?" in err
    assert "unknown conclusion 'cause_butt_wnk'. Did you mean cause_butt_wink" in err
    assert re.search(
        r"'misquoted' is already the id of the rule at .*003_nielen\.yaml:"
        rf"{lines['misquoted']}",
        err,
    )
    assert "99999 lies outside its range" in err
    assert "'throbbing' is not a value of it" in err
    assert "the knowledge base does not load" in result.stderr


def test_schema_errors_and_meaning_errors_are_reported_together(runner, kb_copy) -> None:
    """A rule whose shape is wrong does not hide what is wrong with the rules beside it."""
    lines = append_rules(
        kb_copy,
        rule("schema_error", "{finding: butt_wink, is: true}", "rec_foam_roll", "    colour: red\n")
        + rule("no_then", "{finding: butt_wink, is: true}", "rec_foam_roll").replace(
            "    then: [rec_foam_roll]\n", ""
        )
        + rule("well_shaped_but_unknown", "{finding: butt_winks, is: true}", "rec_foam_roll"),
    )
    result = check(runner, kb_copy)
    assert result.exit_code == 2
    at = f"knowledge_base/{NIELEN}"
    assert f"{at}:{lines['schema_error'] + 4}:5: rules[" in result.stderr
    assert "colour: unknown key; remove it or check its spelling" in result.stderr
    assert re.search(rf"{at}:{lines['no_then']}:\d+: rules\[\d+\]\.then: .*required", result.stderr)
    assert re.search(
        rf"{at}:{lines['well_shaped_but_unknown'] + 1}:\d+: .*unknown finding 'butt_winks'",
        result.stderr,
    )


def test_each_rule_base_anomaly_is_reported_at_its_rule(runner, kb_copy) -> None:
    edit(
        kb_copy / "conclusions.yaml",
        "conclusions:\n",
        "conclusions:\n"
        "  never_concluded: {kind: cause, label: Nothing, description: No rule reaches this.}\n"
        "  idle_judgement: {kind: judgement, label: Idle, description: Concluded but never used.}\n"
        "  loop_a: {kind: judgement, label: Loop A, description: Half of a loop of rules.}\n"
        "  loop_b: {kind: judgement, label: Loop B, description: The other half of the loop.}\n"
        "  contra_a: {kind: recommendation, label: Do A, description: Advice A here.,"
        " contradicts: [contra_b]}\n"
        "  contra_b: {kind: recommendation, label: Do B, description: Not with A.}\n",
    )
    lines = append_rules(
        kb_copy,
        rule(
            "cannot_hold",
            "{all: [{finding: butt_wink, is: true}, {finding: butt_wink, is: false}]}",
            "rec_foam_roll",
        )
        + rule(
            "range_excludes",
            "{all: [{finding: hours_since_workout, at_least: 72}, "
            "{finding: hours_since_workout, less_than: 24}]}",
            "rec_foam_roll",
        )
        + rule("concludes_idle", "{finding: butt_wink, is: true}", "idle_judgement")
        + rule(
            "loop_one", "{all: [{finding: butt_wink, is: true}, {conclusion: loop_b}]}", "loop_a"
        )
        + rule("loop_two", "{conclusion: loop_a}", "loop_b")
        + rule("general", "{finding: hips_tight, is: true}", "rec_foam_roll")
        + rule(
            "specific",
            "{all: [{finding: hips_tight, is: true}, {finding: core_weak, is: true}]}",
            "rec_foam_roll",
        )
        + rule("twin", "{finding: hips_tight, is: true}", "rec_foam_roll")
        + rule("advise_a", "{finding: hamstrings_tight, is: true}", "contra_a")
        + rule("advise_b", "{finding: sits_for_long_hours, is: true}", "contra_b")
        + rule("exclusive_b", "{finding: hamstrings_tight, is: false}", "contra_b"),
    )
    edit(
        kb_copy / "vocabulary.yaml",
        "findings:\n",
        "findings:\n  never_tested:\n"
        "    type: boolean\n    question: Is this ever asked?\n    help: No rule tests it.\n",
    )
    result = check(runner, kb_copy)
    assert result.exit_code == 1
    at = f"knowledge_base/{NIELEN}"
    reported = {
        (m.group(1), m.group(2)) for m in re.finditer(r"^(\S+:\d+): (\w+): ", result.stderr, re.M)
    }

    def expect(rule_id: str, kind: str) -> None:
        assert (f"{at}:{lines[rule_id]}", kind) in reported, (rule_id, kind, result.stderr)

    expect("cannot_hold", "impossible")
    expect("range_excludes", "impossible")
    expect("concludes_idle", "unused")
    expect("loop_one", "cycle")
    expect("specific", "subsumed")
    expect("twin", "duplicate")
    expect("advise_a", "contradiction")
    assert "rules advise_a (nielen) and advise_b" in result.stderr
    assert "advise_a (nielen) and exclusive_b" not in result.stderr  # can't fire together
    kinds = {kind for _, kind in reported}
    assert {"unproducible", "unasked"} <= kinds
    assert re.search(
        r"conclusions\.yaml:\d+: unproducible: conclusion never_concluded", result.stderr
    )
    assert re.search(r"vocabulary\.yaml:\d+: unasked: finding never_tested", result.stderr)
    assert result.stdout.startswith("problems: ")


def test_a_contradiction_recorded_as_a_dispute_is_not_a_problem(runner, kb_copy) -> None:
    edit(
        kb_copy / "conclusions.yaml",
        "conclusions:\n",
        "conclusions:\n"
        "  contra_a: {kind: recommendation, label: Do A, description: Advice A here.,"
        " contradicts: [contra_b]}\n"
        "  contra_b: {kind: recommendation, label: Do B, description: Not with A.}\n",
    )
    append_rules(
        kb_copy,
        rule("advise_a", "{finding: hamstrings_tight, is: true}", "contra_a")
        + rule("advise_b", "{finding: hamstrings_tight, is: true}", "contra_b"),
    )
    assert "contradiction:" in check(runner, kb_copy).stderr
    disputes = kb_copy / "disputes.yaml"
    text = disputes.read_text(encoding="utf-8") if disputes.exists() else "disputes:\n"
    # a dispute needs two articles: side B names a rule of another article too
    other = next(
        m.group(1)
        for m in re.finditer(
            r"^  - id: (\w+)$", (kb_copy / "rules/001_forsythe.yaml").read_text(), re.M
        )
    )
    disputes.write_text(
        text.rstrip("\n") + "\n  - id: a_or_b\n    topic: Do A or do B?\n    kind: disagree\n"
        "    summary: Made up for the test; both sides cannot be followed at once.\n"
        "    sides:\n      - {position: Do A, rules: [advise_a]}\n"
        f"      - {{position: Do B, rules: [advise_b, {other}]}}\n",
        encoding="utf-8",
    )
    result = check(runner, kb_copy)
    assert "contradiction:" not in result.stderr, result.stderr


def test_disputes_corroborations_and_contradictions_are_validated(runner, kb_copy) -> None:
    """Names in disputes.yaml, `corroborates:` and `contradicts:` must exist; a dispute is
    between articles; a rule stands on one side; a corroboration must be true."""
    edit(
        kb_copy / "disputes.yaml",
        "disputes:\n",
        "disputes:\n"
        "  - id: made_up\n    topic: Is this a real dispute?\n    kind: disagree\n"
        "    summary: Names a rule that does not exist and one rule twice.\n"
        "    sides:\n      - {position: One side, rules: [no_such_rul, general]}\n"
        "      - {position: Other side, rules: [general]}\n"
        "  - id: one_article\n    topic: Nielen against Nielen?\n    kind: qualify\n"
        "    summary: Both sides come from the same article, so it is no dispute.\n"
        "    sides:\n      - {position: One side, rules: [general]}\n"
        "      - {position: Other side, rules: [twin]}\n",
    )
    edit(
        kb_copy / "conclusions.yaml",
        "conclusions:\n",
        "conclusions:\n"
        "  contra_x: {kind: caution, label: Do X, description: Contradicts nothing real.,"
        " contradicts: [no_such_conclusio]}\n",
    )
    lines = append_rules(
        kb_copy,
        rule("general", "{finding: hips_tight, is: true}", "rec_foam_roll")
        + rule(
            "twin",
            "{finding: hips_tight, is: false}",
            "rec_foam_roll",
            "    corroborates: [no_such_rul]\n",
        )
        + rule("concludes_x", "{finding: hips_tight, is: true}", "contra_x"),
    )
    result = check(runner, kb_copy)
    assert result.exit_code == 2
    err = result.stderr
    assert "dispute made_up: unknown rule 'no_such_rul'" in err
    assert "dispute made_up: general stands on more than one side" in err
    assert "dispute one_article: all its rules come from nielen" in err
    assert "contradicts: 'no_such_conclusio' is not a conclusion" in err
    assert re.search(
        rf"003_nielen\.yaml:{lines['twin']}:\d+: rule twin: corroborates 'no_such_rul', "
        "which is not a rule",
        err,
    )


def test_a_false_corroboration_is_reported(runner, kb_copy) -> None:
    lines = append_rules(
        kb_copy,
        rule("general", "{finding: hips_tight, is: true}", "rec_foam_roll")
        + rule(
            "same_article",
            "{all: [{finding: hips_tight, is: true}, {finding: core_weak, is: true}]}",
            "rec_foam_roll",
            "    corroborates: [general]\n",
        )
        + rule(
            "not_subsumed",
            "{finding: core_weak, is: true}",
            "rec_foam_roll",
            "    corroborates: [inability_to_brace_causes_squat_pain]\n",
        ),
    )
    result = check(runner, kb_copy)
    assert result.exit_code == 1
    at = f"knowledge_base/{NIELEN}"
    assert (
        f"{at}:{lines['same_article']}: corroboration: rule same_article corroborates general, "
        "but both come from the same article"
    ) in result.stderr
    assert (
        f"{at}:{lines['not_subsumed']}: corroboration: rule not_subsumed corroborates "
        "inability_to_brace_causes_squat_pain, but inability_to_brace_causes_squat_pain does not "
        "reach all of rec_foam_roll"
    ) in result.stderr
    # the same-article pair is still a subsumption: a declaration does not excuse it
    assert f"{at}:{lines['same_article']}: subsumed: rule same_article is subsumed by general" in (
        result.stderr
    )


def test_control_and_invisible_characters_stop_loading_named_at_their_place(
    runner, kb_copy
) -> None:
    edit(
        kb_copy / "conclusions.yaml",
        "label: Urgent - see someone very urgently",
        'label: "Urgent \\u202e see someone"',
    )
    osc52 = "\\e]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\a"  # a terminal's clipboard write
    edit(
        kb_copy / "vocabulary.yaml",
        "question: How many hours ago was the squat session after which the pain began? "
        "(If the pain\n      has already gone, how many hours after the session did it go?)",
        f'question: "How many hours ago{osc52}?"',
    )
    result = check(runner, kb_copy)
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\u202e" not in result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "Error: knowledge_base/conclusions.yaml:21:5: conclusions.triage_urgent.label: "
        "U+202E RIGHT-TO-LEFT OVERRIDE at character 8 is not allowed"
    )
    assert lines[1].startswith(
        "Error: knowledge_base/vocabulary.yaml:17:5: findings.hours_since_workout.question: "
        "U+001B (a control character) at character 19 is not allowed"
    )
    assert lines[-1] == "the knowledge base does not load: 2 problem(s)"


def test_a_bad_vocabulary_maximum_is_reported_once_at_the_vocabulary(runner, kb_copy) -> None:
    vocabulary = kb_copy / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    vocabulary.write_text(text.replace("    max: 2000", "    max: -5", 1), encoding="utf-8")
    result = check(runner, kb_copy)
    assert result.exit_code == 2
    assert result.stderr.count("Error:") == 1
    assert "findings.hours_since_workout: Value error, 'max' (-5) must be greater" in result.stderr
