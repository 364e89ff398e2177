"""The loaded knowledge base as typed objects, each knowing where it was written.

``load`` builds these from the files; everything else reads them. ``KnowledgeBase`` also
answers the questions many callers ask: which rules conclude or test a conclusion, which
disputes a rule stands in, how urgent a triage level is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic.dataclasses import dataclass as pydantic_dataclass

from ..conditions import ConclusionTest, FindingTest, walk
from ..errors import Location
from ..serialize import RESULT
from ..text import value_text
from .shapes import ExamplesSpec


@dataclass(frozen=True)
class Finding:
    name: str
    type: str
    question: str
    help: str
    values: tuple[str, ...] | None
    unit: str | None
    min: float | None
    max: float | None
    red_flag: tuple[bool | str, ...]
    urgent: tuple[bool | str, ...]
    location: Location
    screen: tuple[bool | str, ...] = ()

    @property
    def warning_values(self) -> tuple[bool | str, ...]:
        """The values a reassurance waits to see ruled out: red_flag, then screen values."""
        return (*self.red_flag, *self.screen)

    def allows(self, value: Any) -> bool:
        """Whether ``value`` is a valid value of this finding."""
        if self.type == "boolean":
            return isinstance(value, bool)
        if self.type == "enum":
            return isinstance(value, str) and value in (self.values or ())
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return (self.min or 0) <= value <= (self.max or 0)

    def describe_allowed(self) -> str:
        if self.type == "boolean":
            return "true or false"
        if self.type == "enum":
            return "one of " + ", ".join(self.values or ())
        return f"a number of {self.unit} from {value_text(self.min)} to {value_text(self.max)}"


@dataclass(frozen=True)
class Retired:
    """A retired finding (or retired values of a finding still in use), with what replaced each
    value: the vocabulary's ``retired:``. Cases and rules that give one are refused with
    ``message``, which says what to give instead."""

    name: str
    retired_in: str
    why: str
    values: dict[str, dict[str, Any]]  # retired value -> {finding: value} that says the same
    location: Location

    def covers(self, value: Any, current: Finding | None) -> bool:
        """Whether giving ``value`` for this name is giving something retired."""
        return current is None or (isinstance(value, str) and value in self.values)

    def message(self, value: Any = None) -> str:
        """What to give instead of ``name: value`` (every replacement if ``value`` is not one
        of the retired values)."""

        def use(v: str) -> str:
            return " and ".join(f"{k}: {value_text(x)}" for k, x in self.values[v].items())

        head = f"{self.name} was retired in {self.retired_in} ({self.why})"
        if isinstance(value, str) and value in self.values:
            return f"{head}: for {self.name}: {value} give {use(value)}."
        ways = "; ".join(f"for {v}, {use(v)}" for v in self.values)
        return f"{head}: give {ways}."


@dataclass(frozen=True)
class Conclusion:
    id: str
    kind: str
    label: str
    description: str
    level: str | None
    location: Location
    contradicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    key: str
    source: str
    title: str
    author: str | None
    date: str | None
    experts: tuple[str, ...]
    text: str = field(repr=False)


@pydantic_dataclass(frozen=True, config=RESULT)  # a part of results (``serialize``)
class Citation:
    article: str
    source: str  # file under knowledge_base/sources/
    line: int  # where the quote starts
    who: str | None
    quote: str


@dataclass(frozen=True, eq=False)  # identity: each rule is one object, usable as a cache key
class Rule:
    id: str
    index: int
    when: Any
    then: tuple[str, ...]
    salience: int
    stratum: int
    citation: Citation
    note: str | None
    location: Location
    examples: ExamplesSpec
    corroborates: tuple[str, ...] = ()
    also: tuple[Citation, ...] = ()  # further sentences it cites (``also_cites:``)
    # Where each example is written: (group, name) -> file:line of its name.
    example_at: dict[tuple[str, str], Location] = field(default_factory=dict)

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every sentence the rule cites: its own article's first, then ``also_cites``."""
        return (self.citation, *self.also)

    @property
    def articles(self) -> tuple[str, ...]:
        """The articles it cites, its own first."""
        return tuple(dict.fromkeys(c.article for c in self.citations))


@dataclass(frozen=True)
class Side:
    position: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Dispute:
    """Where the articles disagree (or one qualifies another): each side names its rules."""

    id: str
    topic: str
    kind: str
    summary: str
    sides: tuple[Side, ...]
    location: Location
    editors_note: str | None = None  # the editors' synthesis, never the articles' words

    def side_of(self, rule_id: str) -> int | None:
        return next((i for i, s in enumerate(self.sides) if rule_id in s.rules), None)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class KnowledgeBase:
    root: Path
    findings: dict[str, Finding]
    conclusions: dict[str, Conclusion]
    triage_levels: tuple[str, ...]
    articles: dict[str, Article]
    rules: tuple[Rule, ...]
    disputes: tuple[Dispute, ...] = ()
    reassuring_levels: tuple[str, ...] = ()  # final only once every warning sign is answered
    retired: dict[str, Retired] = field(default_factory=dict)  # names cases may no longer give
    level_locations: dict[str, Location] = field(default_factory=dict)  # in triage_levels
    # sha256 of the files it was loaded from, set by ``load``; the key of the compiled-rules
    # cache. Not an __init__ argument, so ``dataclasses.replace`` never copies it: a changed
    # copy (a mutant, a test's broken knowledge base) must not pass for the files.
    digest: str = field(default="", init=False)

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def producers(self) -> dict[str, list[Rule]]:
        """conclusion id -> the rules that conclude it, in KB order."""
        out: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for cid in rule.then:
                out.setdefault(cid, []).append(rule)
        return out

    @cached_property
    def testers(self) -> dict[str, list[Rule]]:
        """conclusion id -> the rules that test it (present or absent), in KB order."""
        out: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for cid in dict.fromkeys(
                leaf.conclusion for leaf, _ in walk(rule.when) if isinstance(leaf, ConclusionTest)
            ):
                out.setdefault(cid, []).append(rule)
        return out

    @cached_property
    def finding_testers(self) -> dict[str, list[Rule]]:
        """finding name -> the rules that test it, in KB order."""
        out: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for name in dict.fromkeys(
                leaf.finding for leaf, _ in walk(rule.when) if isinstance(leaf, FindingTest)
            ):
                out.setdefault(name, []).append(rule)
        return out

    def disputes_of(self, rule_id: str) -> list[tuple[Dispute, int]]:
        """The disputes a rule stands in, each with the index of its side."""
        found = ((d, d.side_of(rule_id)) for d in self.disputes)
        return [(d, i) for d, i in found if i is not None]

    def contradictory(self, a: str, b: str) -> bool:
        return b in self.conclusions[a].contradicts or a in self.conclusions[b].contradicts

    def rule(self, rule_id: str) -> Rule:
        return self.rules_by_id[rule_id]

    def level_rank(self, level: str) -> int:
        """0 for the most urgent level; larger is less urgent."""
        return self.triage_levels.index(level)


def default_root() -> Path:
    return Path(str(files("lumbar.knowledge_base")))
