"""The README's transcript is the program's real output, and its first commands are real."""

from __future__ import annotations

import re

import pytest

from lumbar.cli.main import app
from lumbar.engine.consult import consult
from lumbar.engine.draw.consultation import diagram
from lumbar.engine.model.case import load_case
from scripts.update_readme import TIMES, VERIFY, invocation, verify_transcript
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


TRANSCRIPTS = re.findall(r"```console\n\$ lumbar (.+?)\n(.*?)```", README, re.S)


def test_readme_has_consult_how_and_why_not_transcripts() -> None:
    commands = [c.split()[0] for c, _ in TRANSCRIPTS]
    assert commands.count("consult") >= 1 and commands.count("explain") >= 2


@pytest.mark.parametrize(("command", "shown"), TRANSCRIPTS, ids=[c for c, _ in TRANSCRIPTS])
def test_readme_transcript_matches_the_program(runner, command, shown) -> None:
    args, stdin = invocation(command)
    result = runner.invoke(app, args, input=stdin)
    assert result.exit_code == 0
    assert result.stdout == shown


def test_committed_readme_diagram_is_current(kb) -> None:
    committed = ROOT / "diagrams/explain_doms_day_after.svg"
    result = consult(load_case(ROOT / "examples/doms_day_after.yaml", kb), kb)
    fresh = diagram(result, kb, "svg", "pure", focus="triage_normal_soreness")
    assert committed.read_bytes() == fresh, "regenerate it with the command in the README"


def test_readme_opens_with_the_demo_and_the_test_command_that_ci_runs() -> None:
    commands = re.search(r"```sh\n(.*?)\n(.*?)\n```", README, re.S)
    assert commands
    demo, test = commands.groups()
    assert "lumbar consult examples/" in demo
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert test.split("&& ")[-1] in ci
    make = (ROOT / "Makefile").read_text(encoding="utf-8")  # `make test` runs the same
    assert f"\t$(UV) {test.split('python3 -m uv ')[-1]}\n" in make
    example = demo.split("lumbar consult ")[-1]
    assert (ROOT / example).is_file()


@pytest.mark.slow
def test_readme_verify_transcript_matches_the_program() -> None:
    shown = VERIFY.search(README)
    assert shown is not None, "the README shows lumbar verify catching a broken rule"
    assert TIMES.sub(" #.# s", shown.group(2)) == TIMES.sub(" #.# s", verify_transcript())
