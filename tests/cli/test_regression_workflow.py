"""A knowledge author breaks one rule in a scratch copy: `lumbar test` fails on the cases that
depend on it, and `lumbar diff` names the rule and those cases."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from lumbar.cli.main import app
from tests.helpers import ROOT, published_schema

BROKEN_RULE = "nerve_root_issue_see_someone_very_urgently"


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A git repository holding a copy of the knowledge base and the suite, committed."""
    shutil.copytree(
        ROOT / "knowledge_base", tmp_path / "knowledge_base", ignore=shutil.ignore_patterns("__*")
    )
    shutil.copytree(ROOT / "tests/suite", tmp_path / "suite")
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"],
    ):
        subprocess.run(["git", *args], cwd=tmp_path, check=True)
    return tmp_path


def break_rule(root: Path) -> None:
    rules = root / "knowledge_base/rules/002_malek_patterson.yaml"
    text = rules.read_text(encoding="utf-8")
    start = text.index(f"- id: {BROKEN_RULE}")
    broken = text[start:].replace("then: [triage_urgent,", "then: [triage_see_professional,", 1)
    rules.write_text(text[:start] + broken, encoding="utf-8")


@pytest.mark.slow
def test_breaking_a_rule_fails_the_suite_and_diff_names_rule_and_cases(runner, scratch) -> None:
    kb, suite = str(scratch / "knowledge_base"), str(scratch / "suite")
    assert runner.invoke(app, ["test", suite, "--kb", kb, "-j", "1"]).exit_code == 0
    same = runner.invoke(app, ["diff", "--base", "HEAD", suite, "--kb", kb])
    assert same.exit_code == 0 and same.stdout.startswith("No change since HEAD")

    break_rule(scratch)
    result = runner.invoke(app, ["test", suite, "--kb", kb, "-j", "1"])
    assert result.exit_code == 1
    assert "triage: expected urgent, got see_professional" in result.stdout
    failing = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("FAIL ")}
    urgent = {
        str(p)
        for p in Path(suite).glob("*.yaml")
        if "triage: urgent" in p.read_text(encoding="utf-8")
    }
    assert urgent and urgent <= failing

    picture = scratch / "change.svg"
    changed = runner.invoke(
        app,
        [
            "diff",
            "--base",
            "HEAD",
            suite,
            "--kb",
            kb,
            "--json",
            "--fail-on-change",
            "--diagram",
            str(picture),
            "--engine",
            "pure",
        ],
    )
    assert changed.exit_code == 1
    data = json.loads(changed.stdout)
    jsonschema.validate(data, published_schema("diff"))
    assert data["rules"] == [
        {
            "rule": BROKEN_RULE,
            "change": "changed",
            "fields": ["then"],
            "details": ["then: + triage_see_professional", "then: - triage_urgent"],
        }
    ]
    assert data["counts"] == {"added": 0, "removed": 0, "changed": 1}
    cases = {c["path"]: c for c in data["cases"]}
    assert urgent <= set(cases)
    for path in urgent:
        assert cases[path]["triage"]["head"] == "see_professional"
        assert cases[path]["responsible"] == [BROKEN_RULE]
        assert "triage_urgent" in cases[path]["lost"]
    svg = picture.read_text(encoding="utf-8")
    assert BROKEN_RULE in svg and "[changed]" in svg and "triage_see_professional" in svg


def test_a_bad_revision_and_an_unloadable_base_are_exit_2(runner, scratch) -> None:
    kb, suite = str(scratch / "knowledge_base"), str(scratch / "suite")
    bad = runner.invoke(app, ["diff", "--base", "no-such-ref", suite, "--kb", kb])
    assert bad.exit_code == 2 and "--base: git cannot read 'no-such-ref'" in bad.stderr
    vocab = scratch / "knowledge_base/vocabulary.yaml"
    vocab.write_text("findings: [\n", encoding="utf-8")
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "x"],
        cwd=scratch,
        check=True,
    )
    subprocess.run(
        ["git", "checkout", "-q", "HEAD~1", "--", "knowledge_base"], cwd=scratch, check=True
    )
    result = runner.invoke(app, ["diff", "--base", "HEAD", suite, "--kb", kb])
    assert result.exit_code == 2
    assert "--base: the knowledge base at HEAD does not load:" in result.stderr
    assert "HEAD:knowledge_base/vocabulary.yaml:2:" in result.stderr
