"""Issue 14's unclear or silent cases, each now a clear message (exit 2) or the right behaviour."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lumbar.cli.main import app
from tests.helpers import ROOT

CASE = str(ROOT / "examples/doms_day_after.yaml")
URGENT = ROOT / "tests/suite/triage_urgent_sudden_leg_weakness.yaml"


def test_an_empty_expect_block_is_refused(runner, tmp_path) -> None:
    case = tmp_path / "c.yaml"
    case.write_text("case: c\nfindings: {butt_wink: true}\nexpect: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["test", str(case), "--no-examples", "-j", "1"])
    assert result.exit_code == 2
    assert f"{case}:3:" in result.stderr and "could never fail" in result.stderr


def test_a_folder_of_cases_leaves_out_hidden_folders_and_its_own_report(runner, tmp_path) -> None:
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "junk.yaml").write_text("not: a case\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_bytes(URGENT.read_bytes())
    report = tmp_path / "report.json"
    report.write_text("{}", encoding="utf-8")  # a previous run's output, named like a case
    args = ["test", str(tmp_path), "--no-examples", "-j", "1", "--junit", str(report)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "cases: 1 passed, 0 failed" in result.stdout


def test_a_broken_symlink_in_a_suite_is_an_error(runner, tmp_path) -> None:
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    result = runner.invoke(app, ["test", str(tmp_path), "--no-examples"])
    assert result.exit_code == 2 and "broken symlink" in result.stderr


def test_explain_refuses_a_conclusion_with_why_not_and_a_diagram_with_why_not(
    runner, tmp_path
) -> None:
    both = runner.invoke(app, ["explain", CASE, "triage_normal_soreness", "--why-not", "x"])
    assert both.exit_code == 2 and "not both" in both.stderr
    picture = tmp_path / "y.svg"
    drawn = runner.invoke(
        app, ["explain", CASE, "--why-not", "triage_urgent", "--diagram", str(picture)]
    )
    assert drawn.exit_code == 2 and "--diagram" in drawn.stderr and not picture.exists()


def test_columns_zero_keeps_help_readable() -> None:
    lumbar = str(Path(sys.executable).parent / "lumbar")
    env = {**os.environ, "COLUMNS": "0"}
    done = subprocess.run([lumbar, "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and "consult" in done.stdout and "diagrams" in done.stdout


def test_diff_names_a_base_without_a_knowledge_base(runner, tmp_path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a"],
        cwd=tmp_path,
        check=True,
    )
    subprocess.run(["cp", "-r", str(ROOT / "knowledge_base"), str(tmp_path)], check=True)
    result = runner.invoke(
        app, ["diff", "--base", "HEAD", CASE, "--kb", str(tmp_path / "knowledge_base")]
    )
    assert result.exit_code == 2 and "HEAD has no knowledge_base/ folder" in result.stderr


def test_a_closed_standard_output_is_exit_2_not_a_silent_success() -> None:
    lumbar = str(Path(sys.executable).parent / "lumbar")
    done = subprocess.run(
        ["bash", "-c", f"'{lumbar}' consult '{CASE}' >&-"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "standard output is closed" in done.stderr


def test_an_interview_answer_that_is_not_utf8_is_an_error() -> None:
    lumbar = str(Path(sys.executable).parent / "lumbar")
    done = subprocess.run([lumbar, "consult", "--ask"], input=b"ab\xff\n", capture_output=True)
    assert done.returncode == 2 and b"not UTF-8" in done.stderr and b"Traceback" not in done.stderr


def test_sigterm_during_a_write_leaves_no_temporary_file(tmp_path, monkeypatch) -> None:
    from lumbar.cli import main as main_module
    from lumbar.cli import outputs

    def killed(*args: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the outputs are staged

    previous = signal.signal(signal.SIGTERM, main_module._terminated)
    monkeypatch.setattr(outputs.os, "replace", killed)
    try:
        with pytest.raises(SystemExit) as stopped:
            outputs.write_all([(tmp_path / "a.svg", b"a"), (tmp_path / "b.json", b"b")])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert stopped.value.code == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
