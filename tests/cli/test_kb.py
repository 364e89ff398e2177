"""`lumbar kb check` on a small hand-made knowledge base: every rule needs both kinds of example
(or a known gap), and examples must pass; a knowledge base that does not load is bad input (exit
2, as everywhere). A triage level no conclusion has, and rules that fire in a loop, are reported,
never a traceback."""

from __future__ import annotations

from lumbar.cli.main import app
from tests.helpers import RULES, make_kb


def test_a_rule_without_examples_fails_kb_check_unless_a_known_gap_says_why(
    runner, tmp_path
) -> None:
    rules = RULES.replace(
        "      who: Ann Expert\n",
        "      who: Ann Expert\n    examples:\n      known_gap: this tiny base has no near miss\n",
        1,
    )
    root = make_kb(tmp_path, rules)
    result = runner.invoke(app, ["kb", "check", "--kb", str(root)])
    assert result.exit_code == 1
    assert (
        "rules/a.yaml:15: examples: rule cause_gives_self_care has no fires and no "
        "does_not_fire example"
    ) in result.stderr
    assert "rule butt_wink_is_a_cause" not in result.stderr  # its known gap says why
    assert result.stdout.startswith("problems: ")


def test_a_failing_example_fails_kb_check_at_its_line(runner, tmp_path) -> None:
    rules = RULES.replace(
        "      who: Ann Expert\n",
        "      who: Ann Expert\n    examples:\n      fires:\n        - name: no_wink\n"
        "          findings: {butt_wink: false}\n      does_not_fire:\n"
        "        - name: wink\n          findings: {butt_wink: true}\n",
        1,
    )
    result = runner.invoke(app, ["kb", "check", "--kb", str(make_kb(tmp_path, rules))])
    assert result.exit_code == 1
    assert (
        "rules/a.yaml:15: example: fires example no_wink: butt_wink_is_a_cause did not fire on "
        "butt_wink = false."
    ) in result.stderr
    assert "rules/a.yaml:18: example: does_not_fire example wink: butt_wink_is_a_cause fired" in (
        result.stderr
    )


def test_a_knowledge_base_that_does_not_load_is_reported_with_exit_2(runner, tmp_path) -> None:
    root = make_kb(tmp_path)
    (root / "vocabulary.yaml").write_text("findings: [\n", encoding="utf-8")
    result = runner.invoke(app, ["kb", "check", "--kb", str(root)])
    assert result.exit_code == 2 and "vocabulary.yaml:2:" in result.stderr
    assert "does not load: 1 problem" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_triage_level_without_a_triage_conclusion_is_reported_and_a_suite_still_runs(
    runner, tmp_path
) -> None:
    root = make_kb(tmp_path)  # triage_levels: [urgent, self_care]; only triage_self_care exists
    check = runner.invoke(app, ["kb", "check", "--kb", str(root)])
    assert check.exit_code == 1
    assert (
        "conclusions.yaml:1: unproducible: triage level urgent has no triage conclusion (none "
        "has 'level: urgent'), so no case can reach it."
    ) in check.stderr
    case = tmp_path / "expects_urgent.yaml"
    case.write_text(
        "case: c\nfindings: {butt_wink: true}\nexpect: {triage: urgent}\n", encoding="utf-8"
    )
    suite = runner.invoke(app, ["test", str(case), "--kb", str(root), "-j", "1"])
    assert suite.exit_code == 1, suite.output  # before: a StopIteration traceback
    assert "triage: expected urgent, got self_care" in suite.stdout


def test_rules_that_fire_in_a_loop_are_a_located_error_not_a_traceback(runner, tmp_path) -> None:
    loop = (
        "  - id: self_care_means_butt_wink\n    when: {conclusion: triage_self_care}\n"
        "    then: [cause_butt_wink]\n    citation:\n"
        "      quote: The quick brown fox jumps over the lazy dog.\n"
    )
    root = make_kb(tmp_path, RULES + loop)
    case = tmp_path / "c.yaml"
    case.write_text(
        "case: c\nfindings: {butt_wink: true}\nexpect: {triage: self_care}\n", encoding="utf-8"
    )
    for command in (["consult"], ["explain"], ["test", "-j", "1", "--no-examples"]):
        result = runner.invoke(app, [*command, str(case), "--kb", str(root)])
        assert result.exit_code == 2, (command, result.output)
        assert result.stdout == "" and "Traceback" not in result.output
        assert result.stderr == (
            f"Error: {root.name}/rules/a.yaml:13:5: rules cause_gives_self_care, "
            "self_care_means_butt_wink fired in a loop for this case: each needs what another "
            "concludes (cause_butt_wink, triage_self_care), so a conclusion would be evidence for "
            "itself; break the loop. `lumbar kb check` reports every loop between rules.\n"
        )
