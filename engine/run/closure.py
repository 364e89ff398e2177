"""What a case reaches under the engine's three-valued semantics, computed without experta, for
what-if questions.

The open questions of a consultation and the guided interview try every answer to every open
finding: hundreds of what-ifs per question, too many for a full experta run each (about 15 ms).
Here the same semantics (``conditions.evaluate``: a rule fires when its condition holds, fails
when it is known false; a conclusion is ruled out when every rule that could reach it failed)
are run to a fixpoint directly. Adding an answer to a finding that was unknown only ever adds
to what is reached, failed and ruled out, so a what-if starts from the case's settled state and
re-evaluates only the rules the answer touches (a fraction of a millisecond). Answering a
warning sign that was only assumed absent can take things back, so that what-if settles again
from scratch.

experta stays the engine of record (the answer, its trace and explanations come from it); the
tests compare this with experta on every example and suite case and on every answer tried
(tests/engine/test_closure.py). Callers: ``questions``, ``interview``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..conditions import FAILED, HELD, Assumed, evaluate
from ..model.knowledge import KnowledgeBase, Rule


@dataclass(frozen=True)
class Settled:
    """A case run to its fixpoint: what it reached, which rules fired or failed, and what is
    ruled out."""

    kb: KnowledgeBase
    findings: Mapping[str, Any]  # what the rules ran on (assumed warning signs included)
    reached: frozenset[str]
    fired: frozenset[str]
    failed: frozenset[str]
    ruled_out: frozenset[str]

    @property
    def level(self) -> str:
        """The most urgent triage level reached, or "undetermined"."""
        levels = [self.kb.conclusions[c].level for c in self.reached]
        ranked = [lv for lv in levels if lv]
        return min(ranked, key=self.kb.level_rank) if ranked else "undetermined"

    @property
    def causes(self) -> frozenset[str]:
        return frozenset(c for c in self.reached if self.kb.conclusions[c].kind == "cause")

    def live(self, rule: Rule) -> bool:
        """Neither fired nor failed: it may still fire when more is known."""
        return rule.id not in self.fired and rule.id not in self.failed


def settle(kb: KnowledgeBase, findings: Mapping[str, Any]) -> Settled:
    """Run ``findings`` (assumptions included) to the fixpoint."""
    return _settle(kb, tuple(sorted(findings.items(), key=lambda kv: kv[0])))


@lru_cache(maxsize=4096)  # the same what-ifs come back: an interview asks again after each answer
def _settle(kb: KnowledgeBase, items: tuple[tuple[str, Any], ...]) -> Settled:
    findings = dict(items)
    no_producer = frozenset(c for c in kb.conclusions if c not in kb.producers)
    empty: frozenset[str] = frozenset()
    start = Settled(kb, findings, empty, empty, empty, no_producer)
    return _propagate(start, findings, kb.rules)


def with_answer(settled: Settled, name: str, value: Any) -> Settled:
    """``settled`` with ``name`` answered ``value``."""
    findings = {**settled.findings, name: value}
    before = settled.findings.get(name)
    if name in settled.findings and not _narrows(before, value):
        return settle(settled.kb, findings)  # a changed answer, or an assumption contradicted
    return _propagate(settled, findings, settled.kb.finding_testers.get(name, ()))


def _narrows(before: Any, value: Any) -> bool:
    """Whether ``value`` only narrows an assumed warning sign to one of the values it already
    allowed (then nothing is taken back)."""
    return isinstance(before, Assumed) and value in before.values


def _propagate(start: Settled, findings: Mapping[str, Any], rules: Iterable[Rule]) -> Settled:
    kb = start.kb
    reached, fired = set(start.reached), set(start.fired)
    failed, ruled_out = set(start.failed), set(start.ruled_out)
    todo = sorted({r.index: r for r in rules if start.live(r)}.items(), reverse=True)
    pending = [r for _, r in todo]
    while pending:
        rule = pending.pop()
        if rule.id in fired or rule.id in failed:
            continue
        status = evaluate(rule.when, findings, reached, ruled_out).status
        if status == HELD:
            fired.add(rule.id)
            for c in rule.then:
                if c not in reached:
                    reached.add(c)
                    pending.extend(kb.testers.get(c, ()))
        elif status == FAILED:
            failed.add(rule.id)
            for c in rule.then:
                if c in reached or c in ruled_out:
                    continue
                if all(p.id in failed for p in kb.producers[c]):
                    ruled_out.add(c)
                    pending.extend(kb.testers.get(c, ()))
    return Settled(
        kb,
        findings,
        frozenset(reached),
        frozenset(fired),
        frozenset(failed),
        frozenset(ruled_out),
    )
