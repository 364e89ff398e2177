"""What the process itself meets (issue 14): standard streams that are closed, full, not UTF-8 or
not able to encode what lumbar prints, and Ctrl-C. Each ends in one message and an exit code
(2, or 130 for Ctrl-C), never a traceback. Most run the real `lumbar` in a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

import lumbar.cli
from lumbar.cli.main import app
from tests.helpers import ROOT

LUMBAR = str(Path(sys.executable).parent / "lumbar")
DOMS = "examples/doms_day_after.yaml"


def lumbar_process(*args: str, **options) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [LUMBAR, *args], cwd=ROOT, capture_output="stdout" not in options, check=False, **options
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_output_to_a_full_device_is_one_message_and_exit_2() -> None:
    with open("/dev/full", "w") as full:
        done = lumbar_process("consult", DOMS, "--json", stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr == b"Error: standard output: No space left on device.\n"


def test_an_encoding_without_curly_quotes_writes_question_marks_and_exact_json() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    text = lumbar_process("consult", DOMS, env=env)
    assert text.returncode == 0 and b"Traceback" not in text.stderr, text.stderr
    assert "?A little soreness or tightness" in text.stdout.decode("latin-1")
    data = lumbar_process("consult", DOMS, "--json", env={**env, "PYTHONIOENCODING": "ascii"})
    assert data.returncode == 0 and b"Traceback" not in data.stderr, data.stderr
    quotes = [c["quote"] for d in json.loads(data.stdout)["conclusions"] for c in d["citations"]]
    assert "Ice or heat? Ice if it\u2019s sharp/inflamed (first 48 hours), heat if it\u2019s " in (
        " ".join(quotes)
    )


def test_a_closed_standard_input_is_one_message_and_exit_2() -> None:
    done = lumbar_process("consult", "-", preexec_fn=lambda: os.close(0))
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr == (
        b"Error: <stdin>: standard input is closed; give a case file, or pipe one into `-`.\n"
    )


def test_a_byte_on_standard_input_that_is_not_utf8_is_located(runner) -> None:
    result = runner.invoke(app, ["consult", "-"], input=b"case: c\nfindings: {}\n\xff\n")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "Error: <stdin>:3:1: byte 0xff is not UTF-8; save the file as UTF-8.\n"


def test_ctrl_c_during_start_up_is_one_line_and_exit_130(monkeypatch, capsys) -> None:
    class Importing:  # what `from .main import main` meets when Ctrl-C comes during imports
        def __getattr__(self, name: str) -> None:
            raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "lumbar.cli.main", Importing())
    with pytest.raises(SystemExit) as exit_:
        lumbar.cli.run()
    assert exit_.value.code == 130
    assert capsys.readouterr() == ("", "Interrupted.\n")


def test_ctrl_c_at_a_question_is_one_line_and_exit_130() -> None:
    child = pexpect.spawn(
        LUMBAR,
        ["consult", "--ask"],
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
    )
    child.expect_exact("\r\n> ")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert child.before.strip().removeprefix("^C") == "Interrupted."  # ^C: the terminal's echo
