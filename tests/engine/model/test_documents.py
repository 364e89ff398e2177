"""Reading YAML and JSON: YAML 1.2 numbers, JSON read as JSON, and input that must not be
misread, hang or blow up (issue 14). Every test names the file, line and column it expects."""

from __future__ import annotations

import time

import pytest

from lumbar.engine.errors import CaseError
from lumbar.engine.model.documents import parse_bytes, parse_text


def parsed(text: str, name: str = "c.yaml"):
    return parse_text(text, name, CaseError)


def refused(text: str, name: str = "c.yaml") -> str:
    with pytest.raises(CaseError) as caught:
        parsed(text, name)
    (problem,) = caught.value.problems
    return str(problem)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("1:30", "1:30"),  # YAML 1.1: 90 (base 60)
        ("30:00", "30:00"),  # YAML 1.1: 1800
        ("0x1e", "0x1e"),  # YAML 1.1 and 1.2 core: 30
        ("0o17", "0o17"),  # YAML 1.2 core: 15
        ("1_000", "1_000"),  # YAML 1.1: 1000
        ("yes", "yes"),  # YAML 1.1: true
        ("off", "off"),  # YAML 1.1: false
        ("2024-05-01", "2024-05-01"),  # YAML 1.1: a date
        ("017", 17),  # YAML 1.1: 15 (octal)
        ("30", 30),
        ("-1.5", -1.5),
        ("1e3", 1000.0),  # YAML 1.1: text (no dot)
        ("true", True),
        ("null", None),
        ("~", None),
        ("", None),
    ],
)
def test_plain_scalars_are_read_as_yaml_1_2_with_decimal_numbers(written, read) -> None:
    value = parsed(f"x: {written}\n").data["x"]
    assert value == read and type(value) is type(read)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1e400", "the number 1e400 is out of range"),
        ("1" * 5000, "the number 111111111111... (5,000 characters) is out of range"),
        (".inf", ".inf is not a number lumbar can use"),
        (".NaN", ".NaN is not a number lumbar can use"),
    ],
)
def test_a_number_that_is_not_finite_is_refused_at_its_place(number, message) -> None:
    assert refused(f"case: c\nfindings:\n  hours_since_workout: {number}\n").startswith(
        f"c.yaml:3:24: {message}"
    )


def test_an_alias_bomb_is_refused_at_once() -> None:
    bomb = (
        "a: &a ["
        + ",".join(['"lol"'] * 9)
        + "]\n"
        + "".join(
            f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n"
            for a, b in zip("abcdefg", "bcdefgh", strict=True)
        )
    )
    started = time.perf_counter()
    message = refused(bomb)
    assert time.perf_counter() - started < 1.0
    assert message.startswith("c.yaml:1:4: this value is anchored (&name) and repeated")


def test_a_scalar_alias_is_refused_too() -> None:
    assert "repeated through an alias" in refused("a: &x true\nb: *x\n")


def test_a_key_that_is_not_text_is_refused() -> None:
    assert refused("? [a, b]\n: 1\n").startswith("c.yaml:1:3: a key must be written out as text")


def test_json_is_read_as_json_so_surrogate_pairs_work() -> None:
    text = '{"case": "c", "description": "smile \\ud83d\\ude00"}'
    assert parsed(text, "c.json").data["description"] == "smile \U0001f600"
    assert parsed(text, "<stdin>").data["description"] == "smile \U0001f600"  # starts with {


def test_json_positions_are_those_yaml_gave() -> None:
    text = '{"case": "c",\n "findings": {"butt_wink": true,\n   "x": [1, {"y": 2}]}}\n'
    assert (
        parsed(text, "c.json").positions
        == parsed(text, "c.yaml").positions
        == {
            ("case",): (1, 2),
            ("findings",): (2, 2),
            ("findings", "butt_wink"): (2, 15),
            ("findings", "x"): (3, 4),
            ("findings", "x", 0): (3, 10),
            ("findings", "x", 1): (3, 13),
            ("findings", "x", 1, "y"): (3, 14),
        }
    )


def test_text_starting_with_a_brace_that_is_not_json_is_a_yaml_flow_mapping() -> None:
    assert parsed("{case: c, findings: {}}", "<stdin>").data == {"case": "c", "findings": {}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1,\n "a": 2}', "c.json:2:2: duplicate key 'a' (first at line 1)"),
        ('{"a":\n NaN}', "c.json:2:2: NaN is not a number lumbar can use"),
        ('{"a": -Infinity}', "c.json:1:7: -Infinity is not a number lumbar can use"),
        ('{"a": 1e400}', "c.json:1:7: the number 1e400 is out of range"),
        ('{"a": ' + "9" * 5000 + "}", "c.json:1:7: the number 999999999999..."),
    ],
)
def test_json_duplicate_keys_and_unusable_numbers_are_located(text, message) -> None:
    assert refused(text, "c.json").startswith(message)


def test_json_nested_100000_deep_is_refused_with_a_message() -> None:
    assert "nested too deeply" in refused("[" * 100_000 + "]" * 100_000, "c.json")


def test_yaml_nested_100000_deep_is_refused_with_a_message() -> None:
    assert "nesting depth" in refused("x: " + "[" * 100_000 + "]" * 100_000)


def test_a_byte_that_is_not_utf8_is_located() -> None:
    with pytest.raises(CaseError) as caught:
        parse_bytes(b"case: c\nfindings: {}\n  \xe9t\xe9\n", "c.yaml", CaseError)
    assert str(caught.value) == "c.yaml:3:3: byte 0xe9 is not UTF-8; save the file as UTF-8."


def test_more_than_the_limit_is_refused_before_parsing() -> None:
    with pytest.raises(CaseError, match="is over 10 bytes, the limit"):
        parse_bytes(b"x" * 11, "c.yaml", CaseError, max_bytes=10)


@pytest.mark.parametrize(
    ("tagged", "message"),
    [
        ("!!int 0x1e", "c.yaml:1:4: this value is tagged !!int but is not written as one"),
        ("!!float abc", "c.yaml:1:4: this value is tagged !!float but is not written as one"),
        ("!!bool maybe", "c.yaml:1:4: this value is tagged !!bool but is not written as one"),
        ("!!int [1]", "c.yaml:1:4: this value is tagged !!int but is not written as one"),
        ("!!timestamp x", "c.yaml:1:4: this is not valid YAML: could not determine a constructor"),
        ("!!set {a: 1}", "c.yaml:1:4: this is not valid YAML: could not determine a constructor"),
    ],
)
def test_only_the_core_schema_tags_are_read_and_only_on_what_they_fit(tagged, message) -> None:
    assert refused(f"x: {tagged}\n").startswith(message)


def test_core_schema_tags_read_what_they_fit() -> None:
    assert parsed("a: !!float 5\nb: !!str 5\nc: !!bool TRUE\nd: !!int -017\n").data == {
        "a": 5.0,
        "b": "5",
        "c": True,
        "d": -17,
    }
