"""HOW and WHY NOT: pure readers of a consultation's ``Result``.

``how(result, kb, id)`` walks the trace back from a conclusion to the findings it rests on:
every rule that concluded it (the evidence adds up), what each matched, and, for premises that
are themselves conclusions, how those were reached in turn.

``why_not(result, kb, id)`` looks at every rule that could have concluded it and evaluates its
condition against the case, three-valued (``conditions.evaluate``): a test *held*, *failed* (with
the case's value) or is *unknown* (the case did not give the finding). A failed premise that is
itself a conclusion is explained the same way, a few levels deep. It ends with the findings that
would have to be supplied or changed: what a clinician should ask next.

Callers: the CLI's ``explain`` command and the diagram renderer (to highlight a chain).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_serializer
from pydantic.dataclasses import dataclass

from .conditions import (
    FAILED,
    HELD,
    UNKNOWN,
    ConclusionTest,
    Evaluation,
    FindingTest,
    describe_test,
)
from .conditions import evaluate as evaluate_when
from .consult import DisputeInCase, Result, disputes_about
from .errors import Problem, QueryError
from .model.knowledge import Citation, KnowledgeBase
from .run.events import ConclusionRef, FindingRef, conclusion_node
from .serialize import RESULT, keys_first
from .text import did_you_mean, value_text

WHY_NOT_DEPTH = 2  # how many levels of "and that premise was not reached because..."


# ---- HOW -------------------------------------------------------------------------------------


@dataclass(frozen=True, config=RESULT)
class Step:
    """One rule that concluded something, with what it matched."""

    _json_order = keys_first("rule", "firings", "citation", "findings", "absent")
    rule: str
    citation: Citation
    firings: tuple[int, ...]
    findings: tuple[tuple[str, Any], ...]  # (name, value) of every finding it matched
    premises: tuple[How, ...]  # the conclusions it matched, each explained in turn
    absent: tuple[str, ...]  # conditions that held because something was absent
    also_cites: tuple[Citation, ...] = ()  # further sentences the rule cites

    @field_serializer("findings")
    def _named(self, findings: tuple[tuple[str, Any], ...]) -> list[dict[str, Any]]:
        return [{"name": name, "value": value} for name, value in findings]


@dataclass(frozen=True, config=RESULT)
class How:
    conclusion: str
    kind: str
    label: str
    # Explained earlier in the same tree; not expanded again.
    repeated: bool = Field(False, kw_only=True)
    steps: tuple[Step, ...] = ()


def rules_in(tree: How) -> set[str]:
    """Every rule of a HOW tree, at any depth."""
    return {r for s in tree.steps for r in (s.rule, *(x for p in s.premises for x in rules_in(p)))}


def disputes_in(result: Result, tree: How) -> tuple[DisputeInCase, ...]:
    """The disputes between articles that a step of the tree stands in."""
    rules = rules_in(tree)
    return tuple(
        d for d in result.disputes if rules & {r.rule for side in d.sides for r in side.rules}
    )


def disputes_of_candidates(
    result: Result, kb: KnowledgeBase, report: WhyNot
) -> tuple[DisputeInCase, ...]:
    """The disputes that a rule able to conclude the missing conclusion stands in."""
    return disputes_about(kb, {r.rule for r in report.rules}, result.fired_rules())


def check_conclusion(kb: KnowledgeBase, cid: str, parameter: str = "conclusion") -> None:
    """Raise ``QueryError`` (with the closest valid ids) if ``cid`` is not a conclusion."""
    if cid not in kb.conclusions:
        hint = did_you_mean(cid, list(kb.conclusions), n=5)
        raise QueryError(
            Problem.about(
                parameter,
                f"{cid!r} is not a conclusion of the knowledge base.{hint}",
                hint="conclusions",
            )
        )


def how(result: Result, kb: KnowledgeBase, cid: str) -> How:
    """The reasoning tree behind a conclusion the consultation reached."""
    check_conclusion(kb, cid)
    if conclusion_node(cid) not in result.trace:
        raise QueryError(
            Problem.about(
                "conclusion",
                f"{cid!r} was not reached for case {result.case.id!r}.",
                hint="why_not",
            )
        )
    return _how(result, kb, cid, set())


def how_all(result: Result, kb: KnowledgeBase) -> list[How]:
    """HOW for every conclusion of the consultation, in the result's order."""
    return [_how(result, kb, d.id, set()) for d in result.conclusions]


def _how(result: Result, kb: KnowledgeBase, cid: str, seen: set[str]) -> How:
    spec = kb.conclusions[cid]
    if cid in seen:
        return How(cid, spec.kind, spec.label, repeated=True)
    seen.add(cid)
    derived = result.get(cid)
    assert derived is not None
    steps = []
    for support in derived.supported_by:
        findings = tuple(
            (fact.name, result.run_findings[fact.name])
            for fact in support.matched
            if isinstance(fact, FindingRef)
        )
        premises = tuple(
            _how(result, kb, fact.id, seen)
            for fact in support.matched
            if isinstance(fact, ConclusionRef)
        )
        steps.append(
            Step(
                support.rule,
                support.citation,
                support.firings,
                findings,
                premises,
                support.absent,
                support.also_cites,
            )
        )
    return How(cid, spec.kind, spec.label, tuple(steps))


# ---- WHY NOT ---------------------------------------------------------------------------------


@dataclass(frozen=True, config=RESULT)
class Check:
    """One condition of a rule, evaluated against the case. Groups have ``children``."""

    test: str  # "all", "any", "none", or the test in words ("pain_quality = dull_ache")
    status: str  # held | failed | unknown
    # The case's value, for a finding test whose finding is known (a known value is never None).
    actual: Annotated[Any, Field(exclude_if=lambda v: v is None)] = None
    known: Annotated[bool, Field(exclude=True)] = False  # whether the case gave that finding
    children: Annotated[tuple[Check, ...], Field(exclude_if=lambda c: not c)] = ()
    # For a conclusion that was not reached.
    because: Annotated[WhyNot | None, Field(exclude_if=lambda b: b is None)] = None


@dataclass(frozen=True, config=RESULT)
class RuleCheck:
    rule: str
    citation: Citation
    condition: Check


@dataclass(frozen=True, config=RESULT)
class WhyNot:
    conclusion: str
    label: str
    reached: bool
    # Deeper reasons not expanded (depth limit or already shown).
    truncated: bool = Field(False, kw_only=True)
    rules: tuple[RuleCheck, ...] = ()
    to_supply: tuple[str, ...] = ()  # "pain_quality (needs = sharp_or_stabbing)"
    to_change: tuple[str, ...] = ()  # "hours_since_workout is 30, needs >= 168"


def why_not(result: Result, kb: KnowledgeBase, cid: str) -> WhyNot:
    """Why the consultation did not reach ``cid`` (or that it did)."""
    check_conclusion(kb, cid, parameter="why_not")
    return _why_not(result, kb, cid, WHY_NOT_DEPTH, set())


def _why_not(result: Result, kb: KnowledgeBase, cid: str, depth: int, seen: set[str]) -> WhyNot:
    spec = kb.conclusions[cid]
    if conclusion_node(cid) in result.trace:
        return WhyNot(cid, spec.label, reached=True)
    if depth < 0 or cid in seen:
        return WhyNot(cid, spec.label, reached=False, truncated=True)
    seen = seen | {cid}
    rules = []
    supply: dict[str, None] = {}
    change: dict[str, None] = {}
    reached = _reached(result)
    for rule in kb.rules:
        if cid not in rule.then:
            continue
        evaluation = evaluate_when(rule.when, result.run_findings, reached, result.ruled_out)
        condition = _check(evaluation, result, kb, depth - 1, seen, supply, change)
        rules.append(RuleCheck(rule.id, rule.citation, condition))
    return WhyNot(cid, spec.label, False, tuple(rules), tuple(supply), tuple(change))


def evaluate(result: Result, kb: KnowledgeBase, rule_id: str) -> Check:
    """A rule's condition evaluated against the finished consultation."""
    evaluation = evaluate_when(
        kb.rule(rule_id).when, result.run_findings, _reached(result), result.ruled_out
    )
    return _check(evaluation, result, kb, WHY_NOT_DEPTH, set(), {}, {})


def evaluate_condition(condition: Any, result: Result, kb: KnowledgeBase) -> bool:
    """Whether a condition holds on the finished consultation (no explanation is built)."""
    return (
        evaluate_when(condition, result.run_findings, _reached(result), result.ruled_out).status
        == HELD
    )


def _reached(result: Result) -> frozenset[str]:
    return frozenset(d.id for d in result.conclusions)


def _check(
    ev: Evaluation,
    result: Result,
    kb: KnowledgeBase,
    depth: int,
    seen: set[str],
    supply: dict[str, None],
    change: dict[str, None],
) -> Check:
    """An evaluation as a report, noting what to supply or change; a premise conclusion that
    was not reached is explained in turn (``depth`` levels more)."""
    if isinstance(ev.node, str):
        parts = tuple(_check(c, result, kb, depth, seen, supply, change) for c in ev.children)
        return Check(ev.node, ev.status, children=parts)
    if isinstance(ev.node, ConclusionTest):
        cid = ev.node.conclusion
        if ev.negated:
            if ev.status == FAILED:
                change[f"{cid} was reached; it must not be"] = None
            elif ev.status == UNKNOWN:
                for name in _unanswered_for(result, kb, cid):
                    supply[f"{name} (to rule out {cid})"] = None
            return Check(f"no {cid}", ev.status)
        if ev.status == HELD:
            return Check(cid, HELD)
        because = _why_not(result, kb, cid, depth, seen)
        supply.update(dict.fromkeys(because.to_supply))
        change.update(dict.fromkeys(because.to_change))
        return Check(cid, ev.status, because=because)
    finding, text = ev.node.finding, describe_test(ev.node)
    text = f"not {text}" if ev.negated else text
    assumed = finding in result.assumed
    if ev.status == UNKNOWN or (assumed and ev.status == FAILED):
        asked = "not asked; " if assumed else ""
        supply[f"{finding} ({asked}needs {text.removeprefix(finding + ' ')})"] = None
    elif ev.status == FAILED:
        change[f"{finding} is {value_text(ev.value)}; needs {text}"] = None
    return Check(text, ev.status, ev.value, ev.known)


def _unanswered_for(result: Result, kb: KnowledgeBase, cid: str) -> list[str]:
    """The findings not given that rules able to conclude ``cid`` still wait for: answering
    them is what would rule ``cid`` out."""
    reached = _reached(result)
    out: dict[str, None] = {}
    for rule in kb.producers.get(cid, []):
        ev = evaluate_when(rule.when, result.run_findings, reached, result.ruled_out)
        if ev.status == UNKNOWN:
            out.update(dict.fromkeys(_unknown_findings(ev)))
    return list(out)


def _unknown_findings(ev: Evaluation) -> list[str]:
    if isinstance(ev.node, str):
        return [n for c in ev.children for n in _unknown_findings(c)]
    if isinstance(ev.node, FindingTest) and ev.status == UNKNOWN:
        return [ev.node.finding]
    return []
