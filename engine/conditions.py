"""The condition language of rules: every reader of a `when:` goes through this module.

A condition is ``{all: [...]}``, ``{any: [...]}``, ``{none: [tests]}`` or a test: on a finding
(``{finding: F, is|in|at_least|more_than|less_than|at_most: V}``) or on a conclusion
(``{conclusion: C}``). Here are the pydantic shapes of conditions, the one table of what each
operator means (``OPERATORS``), walking a condition tree, and describing it in words.
Callers: the knowledge model, the engine backends, explanations, regression and drawing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from .text import value_text


class FileShape(BaseModel):
    """Base of every file shape: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Scalar = bool | str | float

OPERATORS = ("is", "in", "at_least", "more_than", "less_than", "at_most")


class FindingTest(FileShape):
    """A test on one finding. An absent finding is unknown: the test does not hold."""

    finding: str
    is_: Scalar | None = Field(None, alias="is")
    in_: tuple[str, ...] | None = Field(None, alias="in", min_length=1)
    at_least: float | None = None
    more_than: float | None = None
    less_than: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> FindingTest:
        if len(self.operators()) != 1:
            raise ValueError(f"give exactly one of: {', '.join(OPERATORS)}")
        return self

    def operators(self) -> list[tuple[str, Any]]:
        values = (self.is_, self.in_, self.at_least, self.more_than, self.less_than, self.at_most)
        return [(op, v) for op, v in zip(OPERATORS, values, strict=True) if v is not None]

    def holds(self, value: Any) -> bool:
        """Whether a known finding value passes this test (the engine's own semantics)."""
        op, x = self.operator, self.operand
        if op == "is":
            return type(value) is type(x) and value == x if isinstance(x, bool) else value == x
        if op == "in":
            return value in x
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return {
            "at_least": value >= x,
            "more_than": value > x,
            "less_than": value < x,
            "at_most": value <= x,
        }[op]

    @property
    def operator(self) -> str:
        return self.operators()[0][0]

    @property
    def operand(self) -> Any:
        return self.operators()[0][1]


class ConclusionTest(FileShape):
    """Holds when an earlier rule has concluded this id."""

    conclusion: str


Leaf = Annotated[
    Annotated[FindingTest, Tag("<finding>")] | Annotated[ConclusionTest, Tag("<conclusion>")],
    Discriminator(
        lambda v: _tag(v, ("finding", "conclusion")),
        custom_error_type="leaf",
        custom_error_message="inside 'none' give tests of the form {finding: ...} or "
        "{conclusion: ...}",
    ),
]


class AllOf(FileShape):
    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(FileShape):
    any: tuple[Condition, ...] = Field(min_length=1)


class NoneOf(FileShape):
    none: tuple[Leaf, ...] = Field(min_length=1)


def _tag(value: Any, keys: tuple[str, ...]) -> str | None:
    """The union member a condition is, by the key that names it (tags read "<key>")."""
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True)
    if isinstance(value, dict):
        for key in keys:
            if key in value:
                return f"<{key}>"
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("<all>")]
    | Annotated[AnyOf, Tag("<any>")]
    | Annotated[NoneOf, Tag("<none>")]
    | Annotated[FindingTest, Tag("<finding>")]
    | Annotated[ConclusionTest, Tag("<conclusion>")],
    Discriminator(
        lambda v: _tag(v, ("all", "any", "none", "finding", "conclusion")),
        custom_error_type="condition",
        custom_error_message="a condition is one of {all: [...]}, {any: [...]}, {none: [...]}, "
        "{finding: NAME, is|in|at_least|more_than|less_than|at_most: VALUE}, {conclusion: ID}",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()


def walk(condition: Any) -> Iterator[tuple[Any, bool]]:
    """Every leaf test of a condition, with whether it sits under ``none``."""
    for leaf, negated, _path in walk_paths(condition):
        yield leaf, negated


def walk_paths(
    condition: Any, path: tuple[str | int, ...] = (), negated: bool = False
) -> Iterator[tuple[Any, bool, tuple[str | int, ...]]]:
    """Like ``walk``, with each leaf's key path inside the condition (for locating it)."""
    for key in ("all", "any", "none"):
        children = getattr(condition, key, None)
        if isinstance(children, tuple):
            for i, child in enumerate(children):
                yield from walk_paths(child, (*path, key, i), negated or key == "none")
            return
    yield condition, negated, path


def describe_test(leaf: Any) -> str:
    """A leaf condition in words, e.g. ``hours_since_workout < 72``."""
    if isinstance(leaf, ConclusionTest):
        return leaf.conclusion
    assert isinstance(leaf, FindingTest)
    symbol = {
        "is": "=",
        "in": "in",
        "at_least": ">=",
        "more_than": ">",
        "less_than": "<",
        "at_most": "<=",
    }[leaf.operator]
    return f"{leaf.finding} {symbol} {value_text(leaf.operand)}"


def condition_text(condition: Any) -> str:
    """A rule condition in one line: ``a = x and (b >= 3 or c) and not d``."""
    for key, joiner in (("all", " and "), ("any", " or ")):
        children = getattr(condition, key, None)
        if isinstance(children, tuple):
            parts = [condition_text(c) for c in children]
            wrapped = [f"({p})" if " or " in p or " and " in p else p for p in parts]
            return joiner.join(wrapped) if len(parts) > 1 else parts[0]
    children = getattr(condition, "none", None)
    if isinstance(children, tuple):
        return " and ".join(f"not {describe_test(c)}" for c in children)
    return describe_test(condition)
