"""Case files that must not be misread, nor drown the user in messages (issue 14)."""

from __future__ import annotations

import io
import sys

import pytest

from lumbar.engine.errors import CaseError
from lumbar.engine.model.case import MAX_BYTES, MAX_PROBLEMS, load_case


def problems(tmp_path, text: str, kb) -> list[str]:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseError) as caught:
        load_case(path, kb)
    return [str(p).replace(f"{path}", "c.yaml") for p in caught.value.problems]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("1:30", "'1:30' is a time, not a number; give hours as a number, e.g. 1.5."),
        ("30:00", "'30:00' is a time, not a number; give hours as a number, e.g. 30."),
        ("0x1e", "'0x1e' is not a number; give a number of hours from 0 to 2000, written in"),
        ("0o17", "'0o17' is not a number"),
        ("1_000", "'1_000' is not a number"),
    ],
)
def test_hours_written_as_a_time_or_not_in_decimal_are_an_error_at_their_line(
    tmp_path, kb, written, message
) -> None:
    # YAML 1.1 read 1:30 as 90 hours, which triages SEE PROFESSIONAL without a word.
    onset = "pain_timing: hours_later"
    text = f"case: c\nfindings:\n  {onset}\n  hours_since_workout: {written}\n"
    (problem,) = problems(tmp_path, text, kb)
    assert problem.startswith(f"c.yaml:4:3: findings.hours_since_workout: {message}")


def test_yes_for_a_boolean_is_text_and_says_so(tmp_path, kb) -> None:
    (problem,) = problems(tmp_path, "case: c\nfindings:\n  butt_wink: yes\n", kb)
    assert problem == (
        "c.yaml:3:3: findings.butt_wink: 'yes' is text in a case file (YAML 1.2); "
        "give true or false."
    )


def test_at_most_twenty_problems_then_how_many_more(tmp_path, kb) -> None:
    keys = "".join(f"  not_a_finding_{i}: true\n" for i in range(10_000))
    found = problems(tmp_path, f"case: c\nfindings:\n{keys}", kb)
    assert len(found) == MAX_PROBLEMS + 1 == 21
    assert found[0].startswith("c.yaml:3:3: findings.not_a_finding_0: unknown finding")
    assert found[-1] == "c.yaml: ... and 9,980 more problem(s); fix these first."


def test_at_most_twenty_unknown_keys_then_how_many_more(tmp_path, kb) -> None:
    keys = "".join(f"extra_{i}: 1\n" for i in range(50))
    found = problems(tmp_path, f"case: c\nfindings: {{}}\n{keys}", kb)
    assert len(found) == 21 and found[-1].endswith("... and 30 more problem(s); fix these first.")


def test_a_case_file_over_a_megabyte_is_refused(tmp_path, kb) -> None:
    padding = "#" * MAX_BYTES
    (problem,) = problems(tmp_path, f"case: c\nfindings: {{}}\n{padding}\n", kb)
    assert (
        problem == "c.yaml: is over 1,000,000 bytes, the limit for this file; is it the right file?"
    )


def test_a_folder_given_as_a_case_is_refused(tmp_path, kb) -> None:
    with pytest.raises(CaseError, match="is a folder, not a file; name a file"):
        load_case(tmp_path, kb)


def test_a_closed_standard_input_is_an_error(monkeypatch, kb) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(CaseError, match="<stdin>: standard input is closed"):
        load_case("-", kb)


def test_a_byte_on_standard_input_that_is_not_utf8_is_located(monkeypatch, kb) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"case: c\nfindings:\n  butt_wink: tr\xffue\n"))
    monkeypatch.setattr(sys, "stdin", stdin)
    with pytest.raises(CaseError) as caught:
        load_case("-", kb)
    assert str(caught.value) == "<stdin>:3:16: byte 0xff is not UTF-8; save the file as UTF-8."


def test_a_long_value_is_cut_in_its_message(tmp_path, kb) -> None:
    (problem,) = problems(tmp_path, f"case: c\nfindings:\n  pain_quality: {'x' * 500_000}\n", kb)
    assert problem == (
        f"c.yaml:3:3: findings.pain_quality: '{'x' * 39}... (cut) is not allowed; give one of "
        "dull_ache, tightness, sharp_or_stabbing."
    )
