"""`lumbar kb check` on a small hand-made knowledge base: examples are required beside rules
that decide triage; a knowledge base that does not load is bad input (exit 2, as everywhere)."""

from __future__ import annotations

from lumbar.cli.main import app
from tests.helpers import make_kb


def test_a_triage_rule_without_examples_fails_kb_check(runner, tmp_path) -> None:
    root = make_kb(tmp_path)
    result = runner.invoke(app, ["kb", "check", "--kb", str(root)])
    assert result.exit_code == 1
    assert (
        "rules/a.yaml:13: examples: rule cause_gives_self_care decides triage or a red flag but "
        "has no fires and no does_not_fire example"
    ) in result.stderr
    assert "rule butt_wink_is_a_cause" not in result.stderr  # a cause needs no examples
    assert result.stdout.startswith("problems: ")


def test_a_knowledge_base_that_does_not_load_is_reported_with_exit_2(runner, tmp_path) -> None:
    root = make_kb(tmp_path)
    (root / "vocabulary.yaml").write_text("findings: [\n", encoding="utf-8")
    result = runner.invoke(app, ["kb", "check", "--kb", str(root)])
    assert result.exit_code == 2 and "vocabulary.yaml:2:" in result.stderr
    assert "does not load: 1 problem" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
