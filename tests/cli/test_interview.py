"""`lumbar consult --ask`: the real dialogue, driven through a pseudo-terminal (pexpect), piped
answers, and --save."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from lumbar.engine.model.case import load_case
from tests.helpers import ROOT

LUMBAR = str(Path(sys.executable).parent / "lumbar")
PROMPT = "\r\n> "


def spawn(*args: str, cwd: Path | None = None) -> pexpect.spawn:
    return pexpect.spawn(
        LUMBAR,
        list(args),
        cwd=str(cwd or ROOT),
        encoding="utf-8",
        timeout=60,
        dimensions=(60, 120),
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "LC_ALL": "C.UTF-8"},
    )


def question_asked(child: pexpect.spawn, kb) -> str:
    """Wait for the next question; the finding it asks about."""
    child.expect(r"Question (\d+) \(")
    child.expect(PROMPT)
    text = " ".join(child.before.split())
    return next(name for name, f in kb.findings.items() if " ".join(f.question.split()) in text)


def typed(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def test_a_full_session_on_a_terminal_reaches_urgent(kb) -> None:
    case = load_case(ROOT / "examples/sudden_leg_weakness.yaml", kb)
    child = spawn("consult")  # no case, on a terminal: the interview
    asked = 0
    while True:
        index = child.expect([r"Question \d+ \(", "No answer to any further question"])
        if index == 1:
            break
        child.expect(PROMPT)
        text = " ".join(child.before.split())
        name = next(n for n, f in kb.findings.items() if " ".join(f.question.split()) in text)
        child.sendline(typed(case.findings[name]) if name in case.findings else "unknown")
        asked += 1
    child.expect("TRIAGE: URGENT")
    child.expect("Ask about the answer")
    child.expect(PROMPT)
    child.sendline("how triage_urgent")
    child.expect("triage_urgent \\[triage\\]")
    child.expect("leg_weakness = sudden")
    child.expect(PROMPT)
    child.sendline("why not triage_self_care")
    child.expect("WHY NOT triage_self_care")
    child.expect(PROMPT)
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert 0 < asked < len(kb.findings)


def test_why_twice_unknown_and_back(kb) -> None:
    child = spawn("consult", "--ask")
    first = question_asked(child, kb)
    child.sendline("why")
    child.expect(r"WHY \w[\w ]*: \d+ rule\(s\) that can still fire use it")
    child.expect("“")  # a quote, with who and where
    child.expect(r"\(\d{3}_\w+\.txt:\d+\)")
    child.expect(PROMPT)
    child.sendline("why")
    child.expect(r"WHY, level 2: those conclusions are used by \d+ rule\(s\)")
    child.expect(PROMPT)
    child.sendline("unknown")
    second = question_asked(child, kb)
    assert second != first
    child.sendline("back")
    assert question_asked(child, kb) == first
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_bad_answer_is_asked_again_with_what_to_type(kb) -> None:
    child = spawn("consult", "--ask")
    first = question_asked(child, kb)
    assert kb.findings[first].type == "enum"
    child.sendline("perhaps")
    child.expect("'perhaps' is not one of the answers")
    child.expect("Type a number from 1 to")
    child.expect(PROMPT)
    child.sendline("help")
    child.expect("unknown +leave this finding unknown")
    child.expect(PROMPT)
    child.sendline("1")
    assert question_asked(child, kb) != first
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()


def test_quit_ends_without_an_answer(kb) -> None:
    child = spawn("consult", "--ask")
    question_asked(child, kb)
    child.sendline("quit")
    child.expect(pexpect.EOF)
    assert "TRIAGE" not in child.before
    child.close()
    assert child.exitstatus == 0


def run(args: list[str], stdin: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LUMBAR, *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_no_case_and_no_terminal_is_an_error_not_a_hang() -> None:
    done = run(["consult"], "")
    assert done.returncode == 2
    assert "no case given, and standard input is not a terminal" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_piped_answers_script_the_interview_and_running_out_is_an_error() -> None:
    scripted = run(["consult", "--ask"], "sudden\ndone\n")
    assert scripted.returncode == 0, scripted.stderr
    assert "> sudden\n" in scripted.stdout  # the answers are echoed: it reads as a transcript
    assert "TRIAGE: URGENT" in scripted.stdout
    cut = run(["consult", "--ask"], "sudden\n")
    assert cut.returncode == 2
    assert "standard input ended at question 2" in cut.stderr and "done" in cut.stderr
    assert "Traceback" not in cut.stderr


def test_save_then_consult_gives_the_same_json_and_save_never_overwrites(tmp_path) -> None:
    answers = "2\nno\nno\nno\nno\nunknown\ndone\n"
    saved = tmp_path / "phone_call.yaml"
    asked = run(["consult", "--ask", "--json", "--save", str(saved)], answers, cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "Question 1" in asked.stderr  # the dialogue is on stderr with --json
    data = yaml.safe_load(saved.read_text(encoding="utf-8"))
    assert data["case"] == "phone_call" and "Guided interview on" in data["description"]
    assert None in data["findings"].values()  # the unknown answer, kept as asked
    again = run(["consult", str(saved), "--json"], "")
    assert again.returncode == 0
    assert json.loads(again.stdout) == json.loads(asked.stdout)
    assert again.stdout == asked.stdout
    before = saved.read_bytes()
    refused = run(["consult", "--ask", "--save", str(saved)], answers, cwd=tmp_path)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert "Question 1" not in refused.stdout  # refused before anything was asked
    assert saved.read_bytes() == before
    forced = run(["consult", "--ask", "--save", str(saved), "--force"], "3\ndone\n", cwd=tmp_path)
    assert forced.returncode == 0 and saved.read_bytes() != before


@pytest.mark.parametrize("name", ["notes.txt"])
def test_save_names_a_case_file(tmp_path, name) -> None:
    done = run(["consult", "--ask", "--save", str(tmp_path / name)], "done\n")
    assert done.returncode == 2 and ".yaml or .json" in done.stderr
