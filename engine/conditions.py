"""The condition language of rules: every reader of a `when:` goes through this module.

A condition is ``{all: [...]}``, ``{any: [...]}``, ``{none: [tests]}`` or a test: on a finding
(``{finding: F, is|in|at_least|more_than|less_than|at_most: V}``) or on a conclusion
(``{conclusion: C}``). Here are:

- the pydantic shapes of conditions, and ``OPERATORS``: the one table of what each operator
  means (its test, its symbol, its Python text, the numbers it admits, its opposite);
- the tree: ``children``/``rebuild`` of a group, ``fold`` over a condition, ``walk`` its tests;
- words: ``describe_test``, ``condition_text``;
- ``evaluate``: a condition against a case's findings and reached conclusions, three-valued;
- the normal form: a condition as a disjunction of ``Term``s, and ``satisfiable``/``implies``.

Callers: the knowledge model (load, kb checks, catalogue), the engine backend (``pattern``),
explanations (WHY NOT), mutation testing, tracing and drawing.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import ge, gt, le, lt
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from .text import value_text

if TYPE_CHECKING:
    from .model.knowledge import Finding


class FileShape(BaseModel):
    """Base of every file shape: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Scalar = bool | str | float

# ---- operators -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """The numbers between ``lo`` and ``hi``, each end included or not."""

    lo: float
    lo_closed: bool
    hi: float
    hi_closed: bool

    def meet(self, other: Interval) -> Interval:
        lo = max((self.lo, not self.lo_closed), (other.lo, not other.lo_closed))
        hi = min((self.hi, self.hi_closed), (other.hi, other.hi_closed))
        return Interval(lo[0], not lo[1], hi[0], hi[1])

    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def within(self, other: Interval) -> bool:
        return self.empty() or self.meet(other) == self


@dataclass(frozen=True)
class Operator:
    """What one operator of a finding test means, for every reader of conditions."""

    name: str  # the key in a rule file
    symbol: str  # in words: ``hours_since_workout >= 72``
    test: Callable[[Any, Any], bool]  # (a known value, the operand) -> whether the test holds
    expression: str  # ``test`` as Python on ``value``, formatted with the operand (``kb show``)
    bounds: Callable[[float], Interval] | None  # the numbers it admits; None: not for numbers
    flip: str | None = None  # the opposite comparison (mutation testing)


def _equal(value: Any, x: Any) -> bool:
    # Python has True == 1, but a boolean finding is not a number finding.
    return value == x and isinstance(value, bool) == isinstance(x, bool)


def _number(compare: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, x: Any) -> bool:
        return not isinstance(value, bool) and isinstance(value, int | float) and compare(value, x)

    return test


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("is", "=", _equal, "value == {0!r}", lambda x: Interval(x, True, x, True)),
        Operator("in", "in", lambda value, x: value in x, "value in {0!r}", None),
        Operator(
            "at_least",
            ">=",
            _number(ge),
            "value >= {0:g}",
            lambda x: Interval(x, True, math.inf, True),
            "less_than",
        ),
        Operator(
            "more_than",
            ">",
            _number(gt),
            "value > {0:g}",
            lambda x: Interval(x, False, math.inf, True),
            "at_most",
        ),
        Operator(
            "less_than",
            "<",
            _number(lt),
            "value < {0:g}",
            lambda x: Interval(-math.inf, True, x, False),
            "at_least",
        ),
        Operator(
            "at_most",
            "<=",
            _number(le),
            "value <= {0:g}",
            lambda x: Interval(-math.inf, True, x, True),
            "more_than",
        ),
    )
}


@dataclass(frozen=True)
class Assumed:
    """The value of a warning-sign finding nobody was asked about: assumed to be none of its
    ``warnings``, so one of ``values`` (its other values), not known which. It may only rule
    warnings out: a test fails of it when it fails of every one of ``values``, and never holds
    of it (an assumption is never evidence for anything)."""

    values: tuple[Any, ...]
    warnings: tuple[Any, ...]

    def __str__(self) -> str:
        return "not " + " or ".join(value_text(v) for v in self.warnings)


# ---- shapes ----------------------------------------------------------------------------------


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
        """Whether a known finding value passes this test (the engine's own semantics); an
        ``Assumed`` value never does."""
        if isinstance(value, Assumed):
            return False
        return OPERATORS[self.operator].test(value, self.operand)

    def fails(self, value: Any) -> bool:
        """Whether a known finding value is known to fail this test (for an ``Assumed`` value:
        every value it may be fails). Not the same as ``not holds`` for an ``Assumed`` value."""
        test = OPERATORS[self.operator].test
        if isinstance(value, Assumed):
            return not any(test(v, self.operand) for v in value.values)
        return not test(value, self.operand)

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

# ---- the tree --------------------------------------------------------------------------------

GROUPS = {"all": AllOf, "any": AnyOf, "none": NoneOf}
T = TypeVar("T")


def children(condition: Any) -> tuple[str, tuple[Any, ...]] | None:
    """A group's key (all, any, none) and its conditions; None for a leaf test."""
    for key, shape in GROUPS.items():
        if isinstance(condition, shape):
            return key, getattr(condition, key)
    return None


def rebuild(group: AllOf | AnyOf | NoneOf, parts: Sequence[Any]) -> AllOf | AnyOf | NoneOf:
    """``group`` with ``parts`` in place of its conditions (validated like a rule file's)."""
    key = next(k for k, shape in GROUPS.items() if isinstance(group, shape))
    return GROUPS[key](**{key: tuple(parts)})


def fold(
    condition: Any,
    leaf: Callable[[Any, bool], T],
    group: Callable[[str, list[T]], T],
    negated: bool = False,
) -> T:
    """``leaf(test, negated)`` for each test (negated under ``none``), then ``group(key,
    results)`` for each group, bottom up."""
    found = children(condition)
    if found is None:
        return leaf(condition, negated)
    key, parts = found
    return group(key, [fold(c, leaf, group, negated or key == "none") for c in parts])


def walk(condition: Any) -> Iterator[tuple[Any, bool]]:
    """Every leaf test of a condition, with whether it sits under ``none``."""
    for leaf, negated, _path in walk_paths(condition):
        yield leaf, negated


def walk_paths(
    condition: Any, path: tuple[str | int, ...] = (), negated: bool = False
) -> Iterator[tuple[Any, bool, tuple[str | int, ...]]]:
    """Like ``walk``, with each leaf's key path inside the condition (for locating it)."""
    found = children(condition)
    if found is None:
        yield condition, negated, path
        return
    key, parts = found
    for i, child in enumerate(parts):
        yield from walk_paths(child, (*path, key, i), negated or key == "none")


# ---- in words --------------------------------------------------------------------------------


def describe_test(leaf: Any) -> str:
    """A leaf condition in words, e.g. ``hours_since_workout < 72``."""
    if isinstance(leaf, ConclusionTest):
        return leaf.conclusion
    assert isinstance(leaf, FindingTest)
    return f"{leaf.finding} {OPERATORS[leaf.operator].symbol} {value_text(leaf.operand)}"


def condition_text(condition: Any) -> str:
    """A rule condition in one line: ``a = x and (b >= 3 or c) and not d``."""

    def group(key: str, parts: list[str]) -> str:
        if key == "none":
            return " and ".join(parts)
        wrapped = [f"({p})" if " or " in p or " and " in p else p for p in parts]
        return {"all": " and ", "any": " or "}[key].join(wrapped) if len(parts) > 1 else parts[0]

    def leaf(test: Any, negated: bool) -> str:
        return f"not {describe_test(test)}" if negated else describe_test(test)

    return fold(condition, leaf, group)


# ---- three-valued evaluation -----------------------------------------------------------------

HELD, FAILED, UNKNOWN = "held", "failed", "unknown"


@dataclass(frozen=True)
class Evaluation:
    """One node of a condition evaluated against a case. Groups have ``children``."""

    node: Any  # a group's key (all, any, none), or the leaf test
    status: str  # held | failed | unknown
    negated: bool = False  # a test under 'none': it holds when what it tests is not true
    value: Any = None  # the case's value, for a finding test whose finding is known
    known: bool = False  # whether the case gave that finding
    children: tuple[Evaluation, ...] = ()


def evaluate(
    condition: Any,
    findings: Mapping[str, Any],
    reached: Container[str],
    ruled_out: Container[str] = (),
    never: Container[str] = (),
) -> Evaluation:
    """``condition`` against a case's ``findings``, the conclusions ``reached`` and those
    ``ruled_out`` (known not to hold), three-valued, as the engine reasons: a test held, failed,
    or is unknown (its finding was not given, or its conclusion neither reached nor ruled out);
    a test under ``none`` holds only when what it tests is known to be false. A group combines
    its tests. A test on a finding in ``never`` (one that will stay unknown: the user said they
    do not know) fails, whether negated or not: it can never hold."""

    def leaf(test: Any, negated: bool) -> Evaluation:
        if isinstance(test, ConclusionTest):
            true = test.conclusion in reached
            if not true and test.conclusion not in ruled_out:
                return Evaluation(test, UNKNOWN, negated)
            return Evaluation(test, HELD if true != negated else FAILED, negated)
        if test.finding not in findings:
            return Evaluation(test, FAILED if test.finding in never else UNKNOWN, negated)
        value = findings[test.finding]
        if test.holds(value):
            status = FAILED if negated else HELD
        elif test.fails(value):
            status = HELD if negated else FAILED
        else:  # an Assumed value some of whose possible values pass
            status = UNKNOWN
        return Evaluation(test, status, negated, value, known=True)

    def group(key: str, parts: list[Evaluation]) -> Evaluation:
        # One held test decides 'any', one failed test 'all' (and 'none', whose tests are
        # negated); otherwise an unknown test leaves the group unknown.
        statuses = {p.status for p in parts}
        decides, otherwise = (HELD, FAILED) if key == "any" else (FAILED, HELD)
        status = decides if decides in statuses else UNKNOWN if UNKNOWN in statuses else otherwise
        return Evaluation(key, status, children=tuple(parts))

    return fold(condition, leaf, group)


# ---- normal form -----------------------------------------------------------------------------

Values = frozenset | Interval  # what a finding test admits


def _meet(a: Values, b: Values) -> Values:
    return a & b if isinstance(a, frozenset) else a.meet(b)


def _empty(a: Values) -> bool:
    return not a if isinstance(a, frozenset) else a.empty()


def _within(a: Values, b: Values) -> bool:
    return a <= b if isinstance(a, frozenset) else a.within(b)


@dataclass(frozen=True)
class Literal:
    """One test: on a finding (``values`` it admits) or on a conclusion (``values`` None)."""

    name: str
    negated: bool
    values: Values | None = None

    @property
    def is_finding(self) -> bool:
        return self.values is not None


Term = frozenset[Literal]  # a conjunction


def admitted(test: FindingTest, finding: Finding) -> Values:
    """The values of ``finding`` for which ``test`` holds."""
    if finding.type != "number":
        domain = (True, False) if finding.type == "boolean" else finding.values or ()
        return frozenset(v for v in domain if test.holds(v))
    bounds = OPERATORS[test.operator].bounds
    assert bounds is not None  # loading allows only comparisons on a number finding
    return bounds(test.operand).meet(
        Interval(float(finding.min or 0), True, float(finding.max or 0), True)
    )


def dnf(condition: Any, findings: Mapping[str, Finding]) -> list[Term]:
    """``condition`` as a disjunction of conjunctions of literals (a test under ``none`` is a
    negated literal); ``findings`` is the vocabulary, for the values a test admits."""

    def leaf(test: Any, negated: bool) -> list[Term]:
        if isinstance(test, ConclusionTest):
            return [frozenset({Literal(test.conclusion, negated)})]
        values = admitted(test, findings[test.finding])
        return [frozenset({Literal(test.finding, negated, values)})]

    def group(key: str, parts: list[list[Term]]) -> list[Term]:
        if key == "any":
            return [t for part in parts for t in part]
        return [frozenset().union(*combo) for combo in itertools.product(*parts)]

    return fold(condition, leaf, group)


def satisfiable(term: Term) -> bool:
    """Whether some case (some findings, some earlier conclusions) makes every literal hold."""
    known: dict[str, Values] = {}
    for lit in term:
        if lit.is_finding and not lit.negated:
            known[lit.name] = (
                _meet(known[lit.name], lit.values) if lit.name in known else lit.values
            )
    if any(_empty(v) for v in known.values()):
        return False
    for lit in term:
        # a 'none' fails if every value left for its finding passes the test it negates (an
        # unconstrained finding may be unknown, and then the 'none' holds)
        left = known.get(lit.name) if lit.negated and lit.is_finding else None
        if left is not None and _within(left, lit.values):
            return False
    concluded = {lit.name for lit in term if not lit.is_finding and not lit.negated}
    return not any(lit.name in concluded for lit in term if lit.negated and not lit.is_finding)


def implies(a: Term, b: Term) -> bool:
    """Whether every case satisfying ``a`` satisfies ``b`` (sound, not complete)."""
    return all(any(_entails(x, lit) for x in a) for lit in b)


def _entails(x: Literal, lit: Literal) -> bool:
    if x.name != lit.name or x.is_finding != lit.is_finding:
        return False
    if not lit.is_finding:
        return x.negated == lit.negated
    if not lit.negated:
        return not x.negated and _within(x.values, lit.values)
    # not(lit) follows from x admitting nothing lit admits, or from not(x) with lit within x
    if x.negated:
        return _within(lit.values, x.values)
    return _empty(_meet(x.values, lit.values))
