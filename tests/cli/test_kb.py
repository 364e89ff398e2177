"""`lumbar kb check` on a small hand-made knowledge base: every rule needs both kinds of example
(or a known gap), and examples must pass; a knowledge base that does not load is bad input (exit
2, as everywhere)."""

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
