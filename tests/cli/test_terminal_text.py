"""Text from a case (user input) never reaches the terminal raw: every command shows its control,
bidirectional and invisible characters escaped, through the one helper every printer uses."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from lumbar.cli.main import app
from lumbar.engine.text import REFUSED
from tests.helpers import ROOT

# A window title, a screen clear, a clipboard write (OSC 52), a C1 CSI, a bidi override and
# isolate, a zero-width space, a NUL and a byte order mark.
HOSTILE_ID = "evil\x1b]0;pwned\x07\x1b[2J\u202edi"
HOSTILE_DESCRIPTION = (
    "Ache \x1b]52;c;ZXZpbA==\x07 \x9b31m red \u2066 zero\u200bwidth \x00\ufeff end."
)
FINDINGS = {"hours_since_workout": 30, "pain_timing": "hours_later", "pain_abruptness": "gradual"}


@pytest.fixture
def hostile_case(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.json"
    data = {
        "case": HOSTILE_ID,
        "description": HOSTILE_DESCRIPTION,
        "findings": FINDINGS,
        "expect": {"triage": "urgent"},  # fails: `lumbar test` names the case
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def assert_escaped(output: str) -> None:
    assert REFUSED.search(output) is None, repr(output)


@pytest.mark.parametrize(
    "args",
    [
        ["consult"],
        ["consult", "--brief"],
        ["explain"],
        ["explain", "--why-not", "triage_urgent"],
        ["test", "--no-examples"],
    ],
    ids=" ".join,
)
def test_a_hostile_case_id_is_shown_escaped_by_every_command(runner, hostile_case, args) -> None:
    result = runner.invoke(app, [*args, str(hostile_case)])
    assert result.exit_code in (0, 1), result.output
    assert_escaped(result.output)
    if args[0] != "explain":  # explain names conclusions, not the case
        assert "evil\\x1b]0;pwned\\x07\\x1b[2J\\u202edi" in result.output


def test_the_description_is_shown_escaped(runner, hostile_case) -> None:
    out = runner.invoke(app, ["consult", str(hostile_case)]).stdout
    assert_escaped(out)
    flat = " ".join(out.split())
    assert (
        "Ache \\x1b]52;c;ZXZpbA==\\x07 \\x9b31m red \\u2066 zero\\u200bwidth \\x00\\ufeff end."
        in flat
    )


def test_json_keeps_the_text_exactly_with_every_refused_character_a_json_escape(
    runner, hostile_case
) -> None:
    result = runner.invoke(app, ["consult", "--json", str(hostile_case)])
    assert_escaped(result.stdout)
    data = json.loads(result.stdout)
    assert (data["case"], data["description"]) == (HOSTILE_ID, HOSTILE_DESCRIPTION)


def test_errors_show_a_hostile_name_escaped(runner, tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"case": "c", "findings": {"\x1b[2Jbutt_wink": True}}))
    result = runner.invoke(app, ["consult", str(path)])
    assert result.exit_code == 2
    assert_escaped(result.stderr)
    assert "findings.\\x1b[2Jbutt_wink: unknown finding" in result.stderr


def test_the_interview_echoes_and_answers_hostile_input_escaped(runner, hostile_case) -> None:
    answers = "\x1b]0;pwned\x07\nhow \u202eid\ndone\nquit\n"
    result = runner.invoke(app, ["consult", "--ask", str(hostile_case)], input=answers)
    assert result.exit_code == 0, result.output
    assert_escaped(result.output)
    assert "> \\x1b]0;pwned\\x07\n" in result.output


def test_every_printer_goes_through_the_one_helper() -> None:
    """Only cli/text.py calls typer.echo or writes to a stream, so nothing printed bypasses
    its escaping."""
    offenders = []
    for path in sorted((ROOT / "cli").glob("*.py")):
        if path.name in ("text.py", "__init__.py"):  # __init__: a fixed line, before any import
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("echo", "secho", "write"):
                offenders.append(f"{path.name}:{node.lineno}: .{node.attr}")
    assert offenders == []
