"""`lumbar kb check`: examples beside rules are required where a rule decides triage."""

from __future__ import annotations

from lumbar.cli.main import app

from ..engine.test_kb_errors import make_kb


def test_a_triage_rule_without_examples_fails_kb_check(runner, tmp_path) -> None:
    root = make_kb(tmp_path)
    result = runner.invoke(app, ["kb", "check", "--kb", str(root)])
    assert result.exit_code == 1
    assert (
        "rules/a.yaml:13: error: rule cause_gives_self_care has no fires and no "
        "does_not_fire example"
    ) in result.stderr
    assert "warning: rule butt_wink_is_a_cause has no fires" in result.stderr
    assert result.stdout.startswith("problems: 2 rules")


def test_an_invalid_knowledge_base_is_exit_2(runner, tmp_path) -> None:
    root = make_kb(tmp_path)
    (root / "vocabulary.yaml").write_text("findings: [\n", encoding="utf-8")
    result = runner.invoke(app, ["kb", "check", "--kb", str(root)])
    assert result.exit_code == 2 and "vocabulary.yaml:2:" in result.stderr
