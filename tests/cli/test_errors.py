"""Bad input: one clear message naming file, line and fix; exit code 2; no traceback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lumbar.cli.main import app
from lumbar.engine.draw.consultation import render
from lumbar.engine.errors import RenderError


def consult(runner: CliRunner, *args: str, input: str | None = None):
    return runner.invoke(app, ["consult", *args], input=input)


def assert_clean_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""  # nothing half-written
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_unknown_finding_names_the_closest_valid_names(runner, tmp_path) -> None:
    case = write(tmp_path, "c.yaml", "case: c\nfindings:\n  pain_radiates_to_leg: true\n")
    result = consult(runner, case)
    assert_clean_error(
        result, f"{case}:3:3", "unknown finding", "pain_radiates_to_legs", "lumbar kb vocab"
    )


def test_wrong_enum_value_lists_what_is_allowed(runner, tmp_path) -> None:
    case = write(tmp_path, "c.yaml", "case: c\nfindings:\n  pain_quality: burning\n")
    assert_clean_error(
        consult(runner, case),
        f"{case}:3:3",
        "'burning' is not allowed",
        "dull_ache, tightness, sharp_or_stabbing",
    )


def test_wrong_type_says_what_is_allowed(runner, tmp_path) -> None:
    case = write(tmp_path, "c.yaml", "case: c\nfindings:\n  hours_since_workout: yesterday\n")
    assert_clean_error(
        consult(runner, case), "hours_since_workout", "a number of hours from 0 to 2000"
    )


def test_number_out_of_range_is_rejected(runner, tmp_path) -> None:
    case = write(tmp_path, "c.yaml", "case: c\nfindings:\n  rest_days_per_week: 9\n")
    assert_clean_error(consult(runner, case), "rest_days_per_week", "from 0 to 7")


def test_malformed_yaml_names_line_and_column(runner, tmp_path) -> None:
    case = write(tmp_path, "c.yaml", "case: c\nfindings:\n  butt_wink: true\n   bad: [\n")
    assert_clean_error(consult(runner, case), f"{case}:4:", "not valid YAML")


def test_malformed_json_names_line_and_column(runner, tmp_path) -> None:
    case = write(tmp_path, "c.json", '{"case": "c",\n "findings": {"butt_wink": true,}}\n')
    assert_clean_error(consult(runner, case), f"{case}:2:", "not valid JSON")


def test_duplicate_key_is_rejected(runner, tmp_path) -> None:
    case = write(tmp_path, "c.yaml", "case: c\nfindings:\n  butt_wink: true\n  butt_wink: false\n")
    assert_clean_error(consult(runner, case), f"{case}:4:", "each key may appear once")


def test_missing_keys_and_unknown_top_level_keys_are_located(runner, tmp_path) -> None:
    case = write(tmp_path, "c.yaml", "case: c\nfinding:\n  butt_wink: true\n")
    result = consult(runner, case)
    assert_clean_error(result, "findings: required key is missing", f"{case}:2:1: finding:")


def test_missing_file(runner, tmp_path) -> None:
    missing = str(tmp_path / "nope.yaml")
    assert_clean_error(consult(runner, missing), missing, "no such file")


def test_case_from_standard_input(runner) -> None:
    result = consult(runner, "-", "--json", input='{"case": "s", "findings": {"butt_wink": true}}')
    assert result.exit_code == 0, result.output
    assert '"case": "s"' in result.stdout


def test_invalid_knowledge_base_is_exit_2_with_file_and_line(runner, kb_copy, tmp_path) -> None:
    rules = sorted((kb_copy / "rules").glob("*.yaml"))[0]
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("finding: ", "finding: no_such_", 1), encoding="utf-8")
    case = write(tmp_path, "c.yaml", "case: c\nfindings:\n  butt_wink: true\n")
    result = consult(runner, case, "--kb", str(kb_copy))
    assert_clean_error(result, f"knowledge_base/rules/{rules.name}:", "unknown finding 'no_such_")


@pytest.mark.parametrize("command", [["consult", "--help"], ["kb", "vocab", "--help"]])
def test_every_command_has_help(runner, command) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_a_failing_graphviz_dot_is_exit_2_with_what_it_said(runner, tmp_path, monkeypatch) -> None:
    """The system `dot` installed but failing (here a `dot` on PATH that exits 1, as a broken
    Graphviz install does) is a clear error, not a traceback, and writes no diagram."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: <stdin>: syntax error in line 1' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    svg = tmp_path / "out.svg"
    result = consult(
        runner, "examples/doms_day_after.yaml", "--diagram", str(svg), "--engine", "dot"
    )
    assert_clean_error(
        result, "--engine: dot failed to render the diagram", "syntax error in line 1"
    )
    assert not svg.exists()


def test_real_dot_rejecting_its_input_is_a_render_error() -> None:
    if shutil.which("dot") is None:
        pytest.skip("the system Graphviz is not installed")
    with pytest.raises(RenderError, match="dot failed to render the diagram"):
        render("digraph { a -> }", "svg", "dot")


def test_diff_without_git_installed_is_exit_2(runner, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no git on PATH
    result = runner.invoke(app, ["diff", "--base", "HEAD", "examples"])
    assert_clean_error(result, "--base: git cannot be started", "install git")


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["kb", "list", "--article", "nielsen"], "--article: no article 'nielsen'"),
        (["kb", "list", "--kind", "causes"], "--kind: no conclusion kind 'causes'"),
        (["kb", "show", "no_such_rule"], "RULE: no rule 'no_such_rule'"),
        (
            ["consult", "examples/doms_day_after.yaml", "--diagram", "x.svg", "--engine", "gv"],
            "--engine: unknown engine 'gv'",
        ),
    ],
)
def test_a_problem_about_an_option_names_the_option(runner, args, where) -> None:
    assert_clean_error(runner.invoke(app, args), where)


def test_a_retired_finding_says_what_replaced_it(runner, tmp_path) -> None:
    case = write(tmp_path, "c.yaml", "case: c\nfindings:\n  pain_onset: during_or_right_after\n")
    assert_clean_error(
        consult(runner, case),
        f"{case}:3:3",
        "pain_onset was retired in issue 12",
        "for pain_onset: during_or_right_after give pain_timing: during_or_right_after and "
        "pain_abruptness: abrupt",
    )
