"""What would change the answer: the open questions of a consultation, and thresholds nearby.

A consultation answers with what it has; here is what it is still waiting for. For each finding
the case did not give (or gave only by assumption: a warning sign nobody was asked about), every
answer is tried with that one answer added (by ``closure``: the engine's semantics without an
experta run per answer); an answer that changes the triage level, or the causes found, makes an
open question. They are ranked by impact: answers that raise
the level first (the most urgent first, warning signs before other findings), then those that
lower it, then those that only decide between causes; ties in vocabulary order, so the order is
always the same. ``near_thresholds`` does the same for a number the case gave that sits just
below or above a threshold a rule tests.

Only findings some rule that did not fire still tests are tried (the three-valued evaluation of
the rule against the case, assumptions counted as unknown, is not failed), so a consultation with
most findings given asks few. Callers: the CLI (``consult``), the guided interview.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from typing import Any

from .conditions import FAILED, FindingTest, describe_test, evaluate, walk
from .consult import Change, NearThreshold, OpenQuestion, Result, assumptions
from .model.knowledge import Finding, KnowledgeBase
from .run.closure import Settled, settle, with_answer

MARGIN = 0.1  # a number within 10% of a threshold (at least one unit) is "near" it


def ask(result: Result, kb: KnowledgeBase) -> Result:
    """``result`` with its open questions and the thresholds near its numbers filled in."""
    return replace(
        result,
        open_questions=open_questions(result, kb),
        near_thresholds=near_thresholds(result, kb),
    )


def open_questions(
    result: Result, kb: KnowledgeBase, skip: frozenset[str] = frozenset()
) -> tuple[OpenQuestion, ...]:
    """The open questions of ``result``, ranked by impact (see the module docstring), leaving
    out the findings in ``skip``."""
    return questions_for(kb, result.case.findings, skip)


def questions_for(
    kb: KnowledgeBase, given: dict[str, Any], skip: frozenset[str] = frozenset()
) -> tuple[OpenQuestion, ...]:
    """The open questions of a case that gave ``given``."""
    return _questions(kb, tuple(given.items()), skip)


@lru_cache(maxsize=1024)  # an interview asks again after each answer; replays share a prefix
def _questions(
    kb: KnowledgeBase, given_items: tuple[tuple[str, Any], ...], skip: frozenset[str]
) -> tuple[OpenQuestion, ...]:
    given = dict(given_items)
    base = settled(kb, given)
    now, causes = base.level, base.causes
    found = []
    for name in _candidates(kb, given, base):
        if name in skip:
            continue
        spec = kb.findings[name]
        changes = []
        for answer in _answers(spec, kb):
            other = with_answer(base, name, answer)
            other_causes = other.causes
            if other.level == now and other_causes == causes:
                continue
            changes.append(
                Change(
                    answer,
                    other.level,
                    tuple(sorted(other_causes - causes)),
                    tuple(sorted(causes - other_causes)),
                )
            )
        if not changes:
            continue
        changes.sort(key=lambda c: _rank(kb, c.level))
        impact = _impact(kb, now, changes)
        found.append(
            OpenQuestion(
                name,
                spec.question,
                bool(spec.warning_values),
                name not in given and bool(spec.warning_values),
                tuple(changes),
                impact,
            )
        )
    order = list(kb.findings)
    impacts = ("raises", "lowers", "causes")
    found.sort(
        key=lambda q: (
            impacts.index(q.impact),
            _rank(kb, q.changes[0].level) if q.impact == "raises" else 0,
            not q.warning_sign,
            order.index(q.finding),
        )
    )
    return tuple(found)


def near_thresholds(result: Result, kb: KnowledgeBase) -> tuple[NearThreshold, ...]:
    """Numbers the case gave within ``MARGIN`` of a threshold, where the other side of the
    threshold would reach another triage level."""
    base = settled(kb, result.case.findings)
    out = []
    for name, value in result.case.findings.items():
        if kb.findings[name].type != "number":
            continue
        for test, threshold in sorted(_thresholds(kb, name), key=lambda t: t[1]):
            if abs(value - threshold) > max(1.0, MARGIN * threshold):
                continue
            other_side = _across(test, value)
            if other_side is None:
                continue
            level = with_answer(base, name, other_side).level
            if level != result.triage.level:
                out.append(
                    NearThreshold(name, value, threshold, describe_test(test), other_side, level)
                )
    return tuple(dict.fromkeys(out))


def settled(kb: KnowledgeBase, given: dict[str, Any]) -> Settled:
    """A case that gave ``given``, with its assumptions, run to its fixpoint."""
    return settle(kb, {**given, **assumptions(kb, given)})


# ---- helpers ---------------------------------------------------------------------------------


def _candidates(kb: KnowledgeBase, given: dict[str, Any], base: Settled) -> list[str]:
    """Findings not given (or only assumed) that a rule which did not fire still tests with an
    outcome not yet decided."""
    open_: dict[str, None] = {}
    for rule in kb.rules:
        if rule.id in base.fired:
            continue
        if evaluate(rule.when, given, base.reached).status == FAILED:
            continue
        for test, _ in walk(rule.when):
            if isinstance(test, FindingTest) and test.finding not in given:
                open_[test.finding] = None
    return [name for name in kb.findings if name in open_]


def _answers(spec: Finding, kb: KnowledgeBase) -> Iterator[Any]:
    if spec.type == "boolean":
        yield from (True, False)
    elif spec.type == "enum":
        yield from spec.values or ()
    else:
        seen: set[float] = set()
        for threshold in sorted({t for _, t in _thresholds(kb, spec.name)}):
            for v in (threshold - 1, threshold, threshold + 1):
                v = min(max(v, spec.min or 0), spec.max or 0)
                if v not in seen:
                    seen.add(v)
                    yield v


def _thresholds(kb: KnowledgeBase, name: str) -> set[tuple[FindingTest, float]]:
    return {
        (test, float(test.operand))
        for rule in kb.rules
        for test, _ in walk(rule.when)
        if isinstance(test, FindingTest)
        and test.finding == name
        and test.operator in ("at_least", "more_than", "less_than", "at_most")
    }


def _across(test: FindingTest, value: float) -> float | None:
    """A value on the other side of ``test``'s threshold from ``value`` (whole units)."""
    holds = test.holds(value)
    x = float(test.operand)
    for candidate in (x - 1, x, x + 1, x - 0.5, x + 0.5):
        if test.holds(candidate) != holds and candidate >= 0:
            return candidate
    return None


def _rank(kb: KnowledgeBase, level: str) -> int:
    return kb.level_rank(level) if level in kb.triage_levels else len(kb.triage_levels)


def _impact(kb: KnowledgeBase, now: str, changes: list[Change]) -> str:
    if any(_rank(kb, c.level) < _rank(kb, now) for c in changes):
        return "raises"
    if any(c.level != now for c in changes):
        return "lowers"
    return "causes"
