"""`lumbar test`: reports, JSON, JUnit, coverage gate, parallel = serial, bad expect blocks."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from lumbar.cli.main import app
from lumbar.engine.regress import suite as suite_module
from lumbar.engine.regress.suite import discover, run_suite
from lumbar.engine.regress.workers import worker_count
from tests.helpers import ROOT, published_schema

SUITE = ROOT / "tests/suite"


def copy_cases(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "suite"
    folder.mkdir()
    for name in names:
        shutil.copy(SUITE / f"{name}.yaml", folder)
    return folder


def test_parallel_results_equal_serial_results(kb) -> None:
    files = discover([SUITE])
    assert run_suite(files, kb, jobs=2) == run_suite(files, kb, jobs=1)


def test_json_and_junit_reports(runner, tmp_path) -> None:
    folder = copy_cases(
        tmp_path, "triage_urgent_sudden_leg_weakness", "triage_normal_soreness_doms_day_after"
    )
    bad = folder / "wrong.yaml"
    bad.write_text(
        "case: wrong\nfindings: {leg_weakness: sudden}\nexpect: {triage: self_care}\n",
        encoding="utf-8",
    )
    junit = tmp_path / "report.xml"
    result = runner.invoke(app, ["test", str(folder), "--json", "--junit", str(junit), "-j", "1"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    jsonschema.validate(data, published_schema("suite-report"))
    assert (data["passed"], data["failed"]) == (2, 1)
    failed = next(c for c in data["cases"] if not c["passed"])
    assert failed["failures"] == ["triage: expected self_care, got urgent"]
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    assert suite.find("testcase[@name='wrong']/failure") is not None


def test_a_failing_case_shows_the_how_of_the_offending_conclusion(runner, tmp_path) -> None:
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "c.yaml").write_text(
        "case: c\nfindings: {pain_quality: sharp_or_stabbing}\n"
        "expect: {absent: [red_flag_sharp_pain]}\n",
        encoding="utf-8",
    )
    short = runner.invoke(app, ["test", str(folder), "-j", "1", "--no-examples"]).stdout
    assert "conclusion red_flag_sharp_pain was reached but must be absent" in short
    assert "red_flag_sharp_pain [red_flag]" not in short and "--explain)" in short
    out = runner.invoke(app, ["test", str(folder), "-j", "1", "--explain", "--no-examples"]).stdout
    assert "red_flag_sharp_pain [red_flag]" in out and "because: pain_quality = sharp" in out
    assert out.rstrip().endswith("0 passed, 1 failed")


def test_coverage_gate(runner, tmp_path) -> None:
    folder = copy_cases(tmp_path, "triage_urgent_sudden_leg_weakness")
    result = runner.invoke(app, ["test", str(folder), "--coverage", "--fail-under", "50"])
    assert result.exit_code == 1
    assert "Rule coverage:" in result.stdout and "under --fail-under 50%" in result.stderr
    data = json.loads(runner.invoke(app, ["test", str(folder), "--json", "--coverage"]).stdout)
    jsonschema.validate(data, published_schema("suite-report"))
    assert data["coverage"]["rules_percent"] < 50
    full = runner.invoke(app, ["test", "--coverage", "--fail-under", "100"])
    assert full.exit_code == 0 and "Rules never fired: none" in full.stdout


def test_bad_expect_blocks_are_exit_2(runner, tmp_path) -> None:
    folder = tmp_path / "suite"
    folder.mkdir()
    case = folder / "c.yaml"
    case.write_text(
        "case: c\nfindings: {butt_wink: true}\nexpect:\n  conclusions: [cause_butwink]\n"
        "  triage: soon\n  rule: [x]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["test", str(folder)])
    assert result.exit_code == 2 and "expect.rule: unknown key" in result.stderr
    case.write_text(
        "case: c\nfindings: {butt_wink: true}\nexpect:\n  conclusions: [cause_butwink]\n"
        "  triage: soon\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["test", str(folder)])
    assert result.exit_code == 2
    assert (
        f"{case}:4:17: expect.conclusions[0]: unknown conclusion 'cause_butwink'" in result.stderr
    )
    assert "Did you mean cause_butt_wink" in result.stderr
    assert "expect.triage: 'soon' is not a triage level" in result.stderr


def test_no_cases_is_exit_2(runner, tmp_path) -> None:
    result = runner.invoke(app, ["test", str(tmp_path)])
    assert result.exit_code == 2 and "no case files" in result.stderr


def test_update_rewrites_only_the_expect_block(runner, tmp_path) -> None:
    folder = tmp_path / "suite"
    folder.mkdir()
    case = folder / "c.yaml"
    case.write_text(
        '# a comment that must survive\ncase: c\ndescription: "quoted"   # trailing\n'
        "findings:\n  pain_quality: sharp_or_stabbing   # keep me\n"
        "expect:\n  triage: self_care\n  conclusions: [red_flag_sharp_pain, cause_butt_wink]\n"
        "  absent: [red_flag_sharp_pain, triage_urgent]\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["test", str(folder), "-j", "1"]).exit_code == 1
    result = runner.invoke(app, ["test", str(folder), "--update", "-j", "1"])
    assert result.exit_code == 0 and "updated 1 case file(s)" in result.stdout
    text = case.read_text(encoding="utf-8")
    assert text.startswith(
        "# a comment that must survive\ncase: c\n"
        'description: "quoted"   # trailing\n'
        "findings:\n  pain_quality: sharp_or_stabbing   # keep me\n"
    )
    assert "  triage: see_professional\n" in text
    assert "  conclusions: [red_flag_sharp_pain]\n  absent: [triage_urgent]\n" in text
    assert runner.invoke(app, ["test", str(folder), "-j", "1"]).exit_code == 0


def test_update_keeps_a_json_case_json_and_crlf_line_endings(runner, tmp_path) -> None:
    folder = tmp_path / "suite"
    folder.mkdir()
    as_json = folder / "j.json"
    as_json.write_text(
        '{"case": "j", "findings": {"pain_quality": "sharp_or_stabbing"},\n'
        ' "expect": {"triage": "self_care"}}\n',
        encoding="utf-8",
    )
    crlf = folder / "c.yaml"
    crlf.write_bytes(
        b"case: c  # a comment\r\nfindings:\r\n  pain_quality: sharp_or_stabbing\r\n"
        b"expect:\r\n  triage: self_care\r\n"
    )
    result = runner.invoke(app, ["test", str(folder), "--update", "-j", "1"])
    assert result.exit_code == 0, result.stdout
    assert json.loads(as_json.read_text(encoding="utf-8"))["expect"]["triage"] == "see_professional"
    data = crlf.read_bytes()
    assert b"triage: see_professional\r\n" in data and b"# a comment\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert f"{crlf}:5: expect.triage: self_care -> see_professional" in result.stdout


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_fewer_than_one_worker_is_refused(runner, tmp_path, jobs) -> None:
    folder = copy_cases(tmp_path, "triage_urgent_sudden_leg_weakness")
    result = runner.invoke(app, ["test", str(folder), "--no-examples", "-j", jobs])
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr == (
        f"Error: -j/--jobs: {jobs} worker processes: give 1 or more (the default is every core).\n"
    )


def test_workers_are_capped_at_the_cores(kb, monkeypatch) -> None:
    started: list[int] = []

    class Pool:  # records how many workers were asked for, and runs the work here
        def __init__(self, max_workers: int) -> None:
            started.append(max_workers)

        def __enter__(self) -> Pool:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def map(self, function, *iterables, chunksize: int = 1):
            return map(function, *iterables)

    monkeypatch.setattr(suite_module, "ProcessPoolExecutor", Pool)
    files = discover([SUITE])[:8]
    assert run_suite(files, kb, jobs=1000) == run_suite(files, kb, jobs=1)
    cores = os.cpu_count() or 1
    assert all(n <= cores for n in started)
    assert worker_count(1000) == worker_count(None) <= cores
