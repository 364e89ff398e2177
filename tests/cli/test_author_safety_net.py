"""A knowledge author's three realistic edits, each committed in a scratch repository, and what
catches them: `lumbar verify`, `kb check`, `lumbar test`, `diff --fail-on triage-down`, the
diagrams, and `test --update` refusing to weaken a case. Every report names the YAML file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lumbar.cli.main import app
from scripts.update_readme import URGENT_RULE, commit, edit_rule, scratch_repo
from scripts.update_readme import URGENT_RULES as RULES

pytestmark = pytest.mark.slow


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    """A git repository like the project's: knowledge base, suite, examples, diagrams, schemas."""
    monkeypatch.chdir(tmp_path)
    return scratch_repo(tmp_path)


def run(runner, *args: str):
    return runner.invoke(app, [*args, "--kb", "knowledge_base"])


def test_any_to_all_on_the_urgent_rule_is_caught_everywhere_with_file_and_line(runner, repo):
    edit_rule(repo, URGENT_RULE, "any:", "all:")
    commit(repo, "any -> all")

    check = run(runner, "kb", "check")
    assert check.exit_code == 1
    failing = re.findall(rf"^({RULES}:\d+): example: fires example (\w+)", check.stderr, re.M)
    assert failing, check.stderr  # the rule's own examples fail, each at its line
    where, example = failing[0]
    line = int(where.rsplit(":", 1)[1])
    assert f"name: {example}" in (repo / RULES).read_text(encoding="utf-8").split("\n")[line - 1]

    tested = run(runner, "test", "tests/suite", "-j", "1")
    assert tested.exit_code == 1
    assert f"FAIL {RULES}:" in tested.stdout and f"rule {URGENT_RULE}: fires example" in (
        tested.stdout
    )
    assert len(tested.stdout.splitlines()) < 120  # not 524 lines: --explain shows the trees

    verified = run(runner, "verify", "--base", "HEAD~1", "--fail-on", "triage-down")
    assert verified.exit_code == 1
    assert f"{RULES}:" in verified.stdout and "when: any -> all" in verified.stdout
    assert "triage DOWN: urgent ->" in verified.stdout
    assert "FAIL  gate --fail-on triage-down" in verified.stdout

    gated = run(runner, "diff", "--base", "HEAD~1", "--fail-on", "triage-down")
    assert gated.exit_code == 1 and "gate failed: --fail-on triage-down" in gated.stderr
    assert "Rules: 0 added, 0 removed, 1 changed" in gated.stdout
    assert "when: any -> all" in gated.stdout
    lost = run(runner, "diff", "--base", "HEAD~1", "--fail-on", "conclusion-lost")
    assert lost.exit_code == 1
    same = run(runner, "diff", "--base", "HEAD", "--fail-on", "triage-down", "--fail-on", "any")
    assert same.exit_code == 0


def test_a_moved_threshold_shows_in_diff_and_makes_its_diagrams_stale(runner, repo) -> None:
    nasm = "knowledge_base/rules/004_nasm_trainer.yaml"  # "a few days": more than 72 h
    text = (repo / nasm).read_text(encoding="utf-8")
    rule = re.search(r"- id: (\w+)\n(?:(?!  - id:).*\n)*?.*more_than: 72\b", text)
    assert rule is not None
    edit_rule(repo, rule.group(1), "more_than: 72", "more_than: 96", nasm)
    commit(repo, "72 -> 96")
    changed = run(runner, "diff", "--base", "HEAD~1")
    assert "hours_since_workout more_than: 72 -> 96" in changed.stdout
    stale = runner.invoke(app, ["diagrams", "--check", "--kb", "knowledge_base"])
    assert stale.exit_code == 1 and ".svg" in stale.stderr + stale.stdout


def test_a_rule_without_examples_fails_kb_check(runner, repo) -> None:
    path = repo / RULES
    path.write_text(
        path.read_text(encoding="utf-8") + "\n  - id: new_rule_without_examples\n"
        "    when: {finding: wakes_at_night, is: true}\n"
        "    then: [red_flag_present]\n"
        "    citation:\n"
        "      quote: Your post-workout lower back pain is affecting the way you move\n",
        encoding="utf-8",
    )
    check = run(runner, "kb", "check")
    assert check.exit_code == 1
    assert re.search(
        rf"^{RULES}:\d+: examples: rule new_rule_without_examples has no fires and no "
        "does_not_fire example",
        check.stderr,
        re.M,
    )
    diff = run(runner, "diff", "--base", "HEAD")
    assert "Rules: 1 added, 0 removed, 0 changed" in diff.stdout


def test_update_refuses_to_weaken_a_case_unless_allowed(runner, repo) -> None:
    edit_rule(repo, URGENT_RULE, "any:", "all:")
    case = repo / "tests/suite/triage_urgent_sudden_leg_weakness.yaml"
    before = case.read_text(encoding="utf-8")
    refused = run(runner, "test", str(case), "--update", "-j", "1")
    assert refused.exit_code == 1
    assert re.search(
        r"refused: .*triage_urgent_sudden_leg_weakness\.yaml:\d+: expect\.triage: "
        r"urgent -> \w+ \(weaker\)",
        refused.stdout,
    )
    assert "--allow-weaker" in refused.stdout
    assert case.read_text(encoding="utf-8") == before
    allowed = run(runner, "test", str(case), "--update", "--allow-weaker", "-j", "1")
    assert allowed.exit_code == 0 and "updated: " in allowed.stdout
    assert case.read_text(encoding="utf-8") != before


def test_a_relabelled_conclusion_and_a_vocabulary_change_are_seen_by_diff(runner, repo) -> None:
    conclusions = repo / "knowledge_base/conclusions.yaml"
    text = conclusions.read_text(encoding="utf-8")
    label = re.search(r"triage_see_professional:\n(?:.*\n)*?\s+label: (.*)\n", text)
    assert label is not None
    conclusions.write_text(
        text.replace(label.group(1), "Nothing to worry about, skip the doctor", 1),
        encoding="utf-8",
    )
    vocabulary = repo / "knowledge_base/vocabulary.yaml"
    vocabulary.write_text(
        vocabulary.read_text(encoding="utf-8").replace("max: 2000", "max: 3000", 1),
        encoding="utf-8",
    )
    changed = run(runner, "diff", "--base", "HEAD", "--fail-on", "any")
    assert changed.exit_code == 1 and "No change" not in changed.stdout
    assert "changed  conclusion triage_see_professional" in changed.stdout
    assert "label: “" in changed.stdout and "skip the doctor”" in changed.stdout
    assert "changed  finding hours_since_workout" in changed.stdout
    assert "max: 2000.0 -> 3000.0" in changed.stdout or "max: 2000 -> 3000" in changed.stdout


def test_a_case_with_a_finding_the_base_lacks_is_listed_apart(runner, repo) -> None:
    vocabulary = repo / "knowledge_base/vocabulary.yaml"
    vocabulary.write_text(
        vocabulary.read_text(encoding="utf-8").replace(
            "findings:\n",
            "findings:\n  brand_new_finding:\n    type: boolean\n"
            "    question: Is this new here?\n    help: Only in the working tree.\n",
            1,
        ),
        encoding="utf-8",
    )
    case = repo / "new_case.yaml"
    case.write_text("case: n\nfindings: {brand_new_finding: true}\n", encoding="utf-8")
    changed = run(runner, "diff", "--base", "HEAD", str(case))
    assert changed.exit_code == 0, changed.stderr
    assert "Cases that cannot run on the base" in changed.stdout
    flat = " ".join(changed.stdout.split())
    assert "new_case.yaml: at HEAD: findings.brand_new_finding: unknown finding" in flat
    assert "added    finding brand_new_finding" in changed.stdout
