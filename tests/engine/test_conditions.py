"""The condition language: what each operator means, conditions in words, three-valued
evaluation against a case, and the normal form the knowledge-base checks compare."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from lumbar.engine.conditions import (
    FAILED,
    HELD,
    OPERATORS,
    UNKNOWN,
    Condition,
    FindingTest,
    Interval,
    admitted,
    condition_text,
    describe_test,
    dnf,
    evaluate,
    implies,
    rebuild,
    satisfiable,
)
from lumbar.engine.errors import Location
from lumbar.engine.model.knowledge import Finding


def cond(data: dict[str, Any]) -> Any:
    """A condition as a rule file would give it."""
    return TypeAdapter(Condition).validate_python(data)


def _finding(name: str, type_: str, values: tuple[str, ...] | None = None) -> Finding:
    lo, hi = (0.0, 2000.0) if type_ == "number" else (None, None)
    return Finding(name, type_, "?", "?", values, None, lo, hi, (), (), Location("v", 1, 1))


FINDINGS = {
    "butt_wink": _finding("butt_wink", "boolean"),
    "hours": _finding("hours", "number"),
    "pain": _finding("pain", "enum", ("dull_ache", "sharp", "burning")),
    "a": _finding("a", "boolean"),
    "b": _finding("b", "boolean"),
}
A, B = {"finding": "a", "is": True}, {"finding": "b", "is": True}

# ---- operators -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "operand", "value", "holds"),
    [
        ("is", "dull_ache", "dull_ache", True),
        ("is", "dull_ache", "sharp", False),
        ("is", True, True, True),
        ("is", True, False, False),
        ("is", True, 1, False),  # True == 1 in Python, but a boolean is not a number
        ("is", 1.0, True, False),
        ("is", 30.0, 30, True),
        ("in", ("dull_ache", "sharp"), "sharp", True),
        ("in", ("dull_ache", "sharp"), "burning", False),
        ("at_least", 72.0, 72, True),
        ("at_least", 72.0, 71.5, False),
        ("at_least", 1.0, True, False),  # True >= 1 in Python, but it is not a number
        ("at_least", 1.0, "80", False),
        ("more_than", 72.0, 72, False),
        ("more_than", 72.0, 72.5, True),
        ("less_than", 24.0, 23, True),
        ("less_than", 24.0, 24, False),
        ("less_than", 1.0, False, False),
        ("at_most", 24.0, 24, True),
        ("at_most", 24.0, 24.5, False),
    ],
)
def test_each_operator_tests_a_value(operator, operand, value, holds) -> None:
    test = FindingTest(finding="x", **{operator: operand})
    assert test.holds(value) is holds


def test_the_table_names_every_operator_a_rule_file_can_use() -> None:
    assert list(OPERATORS) == ["is", "in", "at_least", "more_than", "less_than", "at_most"]
    for name in OPERATORS:
        operand = ("a",) if name == "in" else 3.0
        assert FindingTest(finding="x", **{name: operand}).operator == name


@pytest.mark.parametrize("name", ["at_least", "more_than", "less_than", "at_most"])
def test_a_comparison_flips_to_its_opposite(name) -> None:
    op = OPERATORS[name]
    assert op.flip is not None and OPERATORS[op.flip].flip == name
    for value in (71, 72, 73):
        assert op.test(value, 72.0) != OPERATORS[op.flip].test(value, 72.0)


@pytest.mark.parametrize("name", ["in", "at_least", "more_than", "less_than", "at_most"])
def test_the_printed_expression_agrees_with_the_test(name) -> None:
    operand = ("a", "b") if name == "in" else 72.0
    source = OPERATORS[name].expression.format(operand)
    for value in ("a", "c") if name == "in" else (71, 72, 72.5, 73):
        assert eval(source, {"value": value}) == OPERATORS[name].test(value, operand), value


def test_equality_and_membership_do_not_flip() -> None:
    assert OPERATORS["is"].flip is None and OPERATORS["in"].flip is None


@pytest.mark.parametrize(
    ("test", "values"),
    [
        ({"at_least": 72}, Interval(72, True, 2000, True)),
        ({"more_than": 72}, Interval(72, False, 2000, True)),
        ({"less_than": 24}, Interval(0, True, 24, False)),
        ({"at_most": 24}, Interval(0, True, 24, True)),
        ({"is": 30}, Interval(30, True, 30, True)),
        ({"at_least": 3000}, Interval(3000, True, 2000, True)),  # outside the range: empty
    ],
)
def test_a_number_test_admits_an_interval_within_the_findings_range(test, values) -> None:
    assert admitted(FindingTest(finding="hours", **test), FINDINGS["hours"]) == values


def test_an_enum_or_boolean_test_admits_the_values_it_holds_for() -> None:
    pain = FindingTest(finding="pain", **{"in": ("sharp", "burning")})
    assert admitted(pain, FINDINGS["pain"]) == {"sharp", "burning"}
    wink = FindingTest(finding="butt_wink", **{"is": False})
    assert admitted(wink, FINDINGS["butt_wink"]) == {False}


# ---- in words --------------------------------------------------------------------------------


def test_a_test_in_words_uses_the_operators_symbol() -> None:
    assert describe_test(FindingTest(finding="hours", less_than=72)) == "hours < 72"
    assert describe_test(FindingTest(finding="hours", more_than=1.5)) == "hours > 1.5"
    assert describe_test(FindingTest(finding="butt_wink", **{"is": True})) == "butt_wink = true"
    assert describe_test(FindingTest(finding="p", **{"in": ("a", "b")})) == "p in [a, b]"


def test_a_condition_in_one_line_brackets_nested_groups() -> None:
    condition = cond(
        {
            "all": [
                {"finding": "pain", "is": "dull_ache"},
                {"any": [{"finding": "hours", "at_least": 3}, {"conclusion": "c"}]},
                {"none": [{"finding": "butt_wink", "is": True}, {"conclusion": "d"}]},
            ]
        }
    )
    assert condition_text(condition) == (
        "pain = dull_ache and (hours >= 3 or c) and (not butt_wink = true and not d)"
    )


def test_rebuild_keeps_the_kind_of_group() -> None:
    condition = cond({"any": [{"conclusion": "a"}, {"conclusion": "b"}]})
    assert condition_text(rebuild(condition, condition.any[1:])) == "b"
    assert type(rebuild(condition, condition.any[1:])) is type(condition)


# ---- three-valued evaluation -----------------------------------------------------------------


def test_a_finding_test_holds_fails_or_is_unknown_with_the_value_seen() -> None:
    test = cond({"finding": "hours", "at_least": 72})
    held = evaluate(test, {"hours": 80}, set())
    assert (held.status, held.value, held.known) == (HELD, 80, True)
    failed = evaluate(test, {"hours": 30}, set())
    assert (failed.status, failed.value, failed.known) == (FAILED, 30, True)
    unknown = evaluate(test, {}, set())
    assert (unknown.status, unknown.known) == (UNKNOWN, False)


def test_a_conclusion_not_reached_is_unknown_until_ruled_out() -> None:
    test = cond({"conclusion": "c"})
    assert evaluate(test, {}, {"c"}).status == HELD
    assert evaluate(test, {}, set()).status == UNKNOWN
    assert evaluate(test, {}, set(), {"c"}).status == FAILED
    absent = cond({"none": [{"conclusion": "c"}]})
    assert evaluate(absent, {}, set()).status == UNKNOWN  # never "no" for "not known"
    assert evaluate(absent, {}, set(), {"c"}).status == HELD


@pytest.mark.parametrize(
    ("group", "findings", "status"),
    [
        ("all", {"a": True, "b": True}, HELD),
        ("all", {"a": True}, UNKNOWN),
        ("all", {"b": False}, FAILED),  # one failure decides, whatever is unknown
        ("any", {"b": True}, HELD),  # one success decides, whatever is unknown
        ("any", {"a": False}, UNKNOWN),
        ("any", {"a": False, "b": False}, FAILED),
        ("none", {"a": False, "b": False}, HELD),
        ("none", {"a": False, "b": True}, FAILED),
        ("none", {}, UNKNOWN),  # like the engine: an unknown finding is never read as absent
    ],
)
def test_groups_combine_their_tests_three_valued(group, findings, status) -> None:
    evaluation = evaluate(cond({group: [A, B]}), findings, set())
    assert evaluation.node == group and evaluation.status == status
    assert len(evaluation.children) == 2


def test_a_test_under_none_is_negated_and_keeps_the_value_that_broke_it() -> None:
    evaluation = evaluate(cond({"none": [A, {"conclusion": "c"}]}), {"a": True}, {"c"})
    first, second = evaluation.children
    assert first.negated and (first.status, first.value) == (FAILED, True)
    assert second.negated and second.status == FAILED


# ---- normal form -----------------------------------------------------------------------------


def terms(data: dict[str, Any]) -> list[frozenset]:
    return dnf(cond(data), FINDINGS)


def test_the_normal_form_distributes_all_over_any() -> None:
    found = terms(
        {
            "all": [
                {"finding": "butt_wink", "is": True},
                {"any": [{"finding": "hours", "at_least": 72}, {"conclusion": "c"}]},
            ]
        }
    )
    assert sorted(sorted(lit.name for lit in t) for t in found) == [
        ["butt_wink", "c"],
        ["butt_wink", "hours"],
    ]


def hours(operator: str, x: float) -> dict[str, Any]:
    return {"finding": "hours", operator: x}


@pytest.mark.parametrize(
    ("data", "possible"),
    [
        ({"all": [hours("at_least", 72), hours("less_than", 24)]}, False),
        ({"all": [hours("at_least", 24), hours("at_most", 24)]}, True),
        ({"all": [hours("more_than", 24), hours("at_most", 24)]}, False),
        ({"all": [hours("more_than", 10), {"none": [hours("at_least", 5)]}]}, False),
        (
            {"all": [{"finding": "pain", "is": "sharp"}, {"finding": "pain", "is": "burning"}]},
            False,
        ),
        ({"all": [A, {"none": [A]}]}, False),
        ({"none": [A]}, True),  # a may be unknown: then the 'none' holds
        ({"all": [{"conclusion": "c"}, {"none": [{"conclusion": "c"}]}]}, False),
    ],
)
def test_satisfiable_finds_tests_that_exclude_each_other(data, possible) -> None:
    (term,) = terms(data)
    assert satisfiable(term) is possible


def test_a_narrower_term_implies_a_wider_one_and_not_back() -> None:
    (narrow,) = terms({"all": [{"finding": "butt_wink", "is": True}, hours("at_least", 80)]})
    (wide,) = terms(hours("more_than", 72))
    assert implies(narrow, wide)
    assert not implies(wide, narrow)


def test_excluding_a_value_follows_from_requiring_another() -> None:
    (sharp,) = terms({"finding": "pain", "is": "sharp"})
    (not_dull,) = terms({"none": [{"finding": "pain", "is": "dull_ache"}]})
    assert implies(sharp, not_dull)
    assert not implies(not_dull, sharp)
