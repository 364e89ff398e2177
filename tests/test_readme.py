"""The README's transcript is the program's real output, and its first commands are real."""

from __future__ import annotations

import re

from lumbar.cli.main import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_consultation_transcript_matches_the_program(runner) -> None:
    match = re.search(r"```console\n\$ lumbar consult (\S+)\n(.*?)```", README, re.S)
    assert match, "README lost its consultation transcript"
    example, shown = match.groups()
    result = runner.invoke(app, ["consult", str(ROOT / example)])
    assert result.exit_code == 0
    assert result.stdout == shown


def test_readme_opens_with_the_demo_and_the_test_command_that_ci_runs() -> None:
    commands = re.search(r"```sh\n(.*?)\n(.*?)\n```", README, re.S)
    assert commands
    demo, test = commands.groups()
    assert "lumbar consult examples/" in demo
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert test.split("&& ")[-1] in ci
    example = demo.split("lumbar consult ")[-1]
    assert (ROOT / example).is_file()
