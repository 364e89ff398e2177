"""What a run tells its observers, whatever engine runs it, and the trace node ids of its facts.

A backend (``backend.py``) calls ``Observer.fired`` once per rule firing with a ``Firing``: its
order, the knowledge-base rule, and typed references to the facts it matched. The trace node ids
(``finding:NAME``, ``conclusion:ID``, ``ruled_out:ID``, ``firing:N``) are written and read here
and nowhere else:
``FindingRef(name).node``, ``ConclusionRef(id).node`` (or ``conclusion_node(id)``),
``firing_node(n)`` and back, ``ref_of(node)``.
Callers: the backends, the trace recorder, and the readers of a trace (consult, explain, the
suite checker, the consultation diagrams).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..model.knowledge import Rule


@dataclass(frozen=True)
class FindingRef:
    """A finding of the case."""

    name: str

    @property
    def node(self) -> str:
        return f"finding:{self.name}"


@dataclass(frozen=True)
class ConclusionRef:
    """A conclusion a rule reached."""

    id: str

    @property
    def node(self) -> str:
        return f"conclusion:{self.id}"


@dataclass(frozen=True)
class RuledOutRef:
    """A conclusion known not to hold: every rule that could conclude it failed."""

    id: str

    @property
    def node(self) -> str:
        return f"ruled_out:{self.id}"


FactRef = FindingRef | ConclusionRef | RuledOutRef


def conclusion_node(cid: str) -> str:
    """``ConclusionRef(cid).node``, for readers asking whether a conclusion was reached."""
    return ConclusionRef(cid).node


def firing_node(order: int) -> str:
    return f"firing:{order}"


def ref_of(node: str) -> FactRef:
    """The fact a finding or conclusion node stands for (a firing node is not a fact)."""
    kind, _, key = node.partition(":")
    if kind == "finding":
        return FindingRef(key)
    if kind == "conclusion":
        return ConclusionRef(key)
    if kind == "ruled_out":
        return RuledOutRef(key)
    raise ValueError(f"not the node of a fact: {node!r}")


@dataclass(frozen=True)
class Firing:
    """One rule firing, as the observers see it."""

    order: int  # 1 for the first firing of the run
    rule: Rule
    matched: tuple[FactRef, ...]  # the facts it matched, in the order they were declared

    @property
    def node(self) -> str:
        return firing_node(self.order)


class Observer(Protocol):
    def fired(self, firing: Firing) -> None:
        """A knowledge-base rule fired."""

    def ruled_out(self, conclusion: str, because: tuple[FactRef, ...]) -> None:
        """``conclusion`` is known not to hold, ``because`` of these facts (what the rules
        that could conclude it failed on)."""
