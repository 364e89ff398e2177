"""HOW and WHY NOT: pure readers of a consultation's ``Result``.

``how(result, kb, id)`` walks the trace back from a conclusion to the findings it rests on:
every rule that concluded it (the evidence adds up), what each matched, and, for premises that
are themselves conclusions, how those were reached in turn.

``why_not(result, kb, id)`` looks at every rule that could have concluded it and evaluates its
condition against the case, three-valued: a test *held*, *failed* (with the case's value) or is
*unknown* (the case did not give the finding). A failed premise that is itself a conclusion is
explained the same way, a few levels deep. It ends with the findings that would have to be
supplied or changed: what a clinician should ask next.

Callers: the CLI's ``explain`` command and the diagram renderer (to highlight a chain).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .conditions import AllOf, AnyOf, ConclusionTest, FindingTest, NoneOf, describe_test
from .consult import Contested, Result, disputes_about
from .errors import LumbarError, Problem
from .model.knowledge import Citation, KnowledgeBase
from .run.events import ConclusionRef, FindingRef, conclusion_node
from .text import did_you_mean, value_text

WHY_NOT_DEPTH = 2  # how many levels of "and that premise was not reached because..."


class ExplainError(LumbarError):
    """An explanation was asked for a conclusion that does not exist or was not reached."""


# ---- HOW -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One rule that concluded something, with what it matched."""

    rule: str
    citation: Citation
    firings: tuple[int, ...]
    findings: tuple[tuple[str, Any], ...]  # (name, value) of every finding it matched
    premises: tuple[How, ...]  # the conclusions it matched, each explained in turn
    absent: tuple[str, ...]  # conditions that held because something was absent


@dataclass(frozen=True)
class How:
    conclusion: str
    kind: str
    label: str
    steps: tuple[Step, ...] = ()
    repeated: bool = False  # explained earlier in the same tree; not expanded again

    def to_json(self) -> dict[str, Any]:
        return {
            "conclusion": self.conclusion,
            "kind": self.kind,
            "label": self.label,
            "repeated": self.repeated,
            "steps": [
                {
                    "rule": s.rule,
                    "firings": list(s.firings),
                    "citation": s.citation.to_json(),
                    "findings": [{"name": n, "value": v} for n, v in s.findings],
                    "absent": list(s.absent),
                    "premises": [p.to_json() for p in s.premises],
                }
                for s in self.steps
            ],
        }


def rules_in(tree: How) -> set[str]:
    """Every rule of a HOW tree, at any depth."""
    return {r for s in tree.steps for r in (s.rule, *(x for p in s.premises for x in rules_in(p)))}


def disputes_in(result: Result, tree: How) -> tuple[Contested, ...]:
    """The disputes between articles that a step of the tree stands in."""
    rules = rules_in(tree)
    return tuple(c for c in result.disputes if rules & {v.rule for _, vs in c.sides for v in vs})


def disputes_of_candidates(
    result: Result, kb: KnowledgeBase, report: WhyNot
) -> tuple[Contested, ...]:
    """The disputes that a rule able to conclude the missing conclusion stands in."""
    return disputes_about(kb, {r.rule for r in report.rules}, result.fired_rules())


def check_conclusion(kb: KnowledgeBase, cid: str) -> None:
    """Raise ``ExplainError`` (with the closest valid ids) if ``cid`` is not a conclusion."""
    if cid not in kb.conclusions:
        hint = did_you_mean(cid, list(kb.conclusions), n=5)
        raise ExplainError(
            Problem(
                "conclusion",
                None,
                None,
                f"{cid!r} is not a conclusion of the knowledge "
                f"base.{hint} `lumbar consult --json` lists the ids a case reaches.",
            )
        )


def how(result: Result, kb: KnowledgeBase, cid: str) -> How:
    """The reasoning tree behind a conclusion the consultation reached."""
    check_conclusion(kb, cid)
    if conclusion_node(cid) not in result.trace:
        raise ExplainError(
            Problem(
                "conclusion",
                None,
                None,
                f"{cid!r} was not reached for case "
                f"{result.case.id!r}; ask `--why-not {cid}` to see what it would need.",
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
            (fact.name, result.case.findings[fact.name])
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
                support.rule, support.citation, support.firings, findings, premises, support.absent
            )
        )
    return How(cid, spec.kind, spec.label, tuple(steps))


# ---- WHY NOT ---------------------------------------------------------------------------------

HELD, FAILED, UNKNOWN = "held", "failed", "unknown"


@dataclass(frozen=True)
class Check:
    """One condition of a rule, evaluated against the case. Groups have ``children``."""

    test: str  # "all", "any", "none", or the test in words ("pain_quality = dull_ache")
    status: str  # held | failed | unknown
    actual: Any = None  # the case's value, for a finding test whose finding is known
    known: bool = False  # whether the case gave that finding
    children: tuple[Check, ...] = ()
    because: WhyNot | None = None  # for a conclusion that was not reached

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"test": self.test, "status": self.status}
        if self.known:
            out["actual"] = self.actual
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        if self.because is not None:
            out["because"] = self.because.to_json()
        return out


@dataclass(frozen=True)
class RuleCheck:
    rule: str
    citation: Citation
    condition: Check


@dataclass(frozen=True)
class WhyNot:
    conclusion: str
    label: str
    reached: bool
    rules: tuple[RuleCheck, ...] = ()
    to_supply: tuple[str, ...] = ()  # "pain_quality (needs = sharp_or_stabbing)"
    to_change: tuple[str, ...] = ()  # "hours_since_workout is 30, needs >= 168"
    truncated: bool = False  # deeper reasons not expanded (depth limit or already shown)

    def to_json(self) -> dict[str, Any]:
        return {
            "conclusion": self.conclusion,
            "label": self.label,
            "reached": self.reached,
            "truncated": self.truncated,
            "rules": [
                {
                    "rule": r.rule,
                    "citation": r.citation.to_json(),
                    "condition": r.condition.to_json(),
                }
                for r in self.rules
            ],
            "to_supply": list(self.to_supply),
            "to_change": list(self.to_change),
        }


def why_not(result: Result, kb: KnowledgeBase, cid: str) -> WhyNot:
    """Why the consultation did not reach ``cid`` (or that it did)."""
    check_conclusion(kb, cid)
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
    for rule in kb.rules:
        if cid not in rule.then:
            continue
        condition = _evaluate(rule.when, result, kb, depth - 1, seen, supply, change)
        rules.append(RuleCheck(rule.id, rule.citation, condition))
    return WhyNot(cid, spec.label, False, tuple(rules), tuple(supply), tuple(change))


def evaluate(result: Result, kb: KnowledgeBase, rule_id: str) -> Check:
    """A rule's condition evaluated against the finished consultation."""
    return _evaluate(kb.rule(rule_id).when, result, kb, WHY_NOT_DEPTH, set(), {}, {})


def evaluate_condition(condition: Any, result: Result, kb: KnowledgeBase) -> bool:
    """Whether a condition holds on the finished consultation (no explanation is built)."""
    return _evaluate(condition, result, kb, -1, set(), {}, {}).status == HELD


def _evaluate(
    cond: Any,
    result: Result,
    kb: KnowledgeBase,
    depth: int,
    seen: set[str],
    supply: dict[str, None],
    change: dict[str, None],
    negated: bool = False,
) -> Check:
    if isinstance(cond, AllOf | AnyOf):
        kind = "all" if isinstance(cond, AllOf) else "any"
        children = tuple(
            _evaluate(c, result, kb, depth, seen, supply, change) for c in getattr(cond, kind)
        )
        statuses = {c.status for c in children}
        if kind == "all":
            status = FAILED if FAILED in statuses else UNKNOWN if UNKNOWN in statuses else HELD
        else:
            status = HELD if HELD in statuses else UNKNOWN if UNKNOWN in statuses else FAILED
        return Check(kind, status, children=children)
    if isinstance(cond, NoneOf):
        children = tuple(
            _evaluate(c, result, kb, depth, seen, supply, change, negated=True) for c in cond.none
        )
        # Like the engine: 'none' holds unless one of its tests is true of a present fact.
        status = FAILED if any(c.status == FAILED for c in children) else HELD
        return Check("none", status, children=children)
    if isinstance(cond, ConclusionTest):
        reached = conclusion_node(cond.conclusion) in result.trace
        if negated:
            if reached:
                change[f"{cond.conclusion} was reached; it must not be"] = None
            return Check(f"no {cond.conclusion}", FAILED if reached else HELD)
        if reached:
            return Check(cond.conclusion, HELD)
        because = _why_not(result, kb, cond.conclusion, depth, seen)
        for item in because.to_supply:
            supply[item] = None
        for item in because.to_change:
            change[item] = None
        return Check(cond.conclusion, FAILED, because=because)
    assert isinstance(cond, FindingTest)
    text = describe_test(cond)
    findings = result.case.findings
    if cond.finding not in findings:
        if negated:
            return Check(f"not {text}", HELD)
        supply[f"{cond.finding} (needs {text.removeprefix(cond.finding + ' ')})"] = None
        return Check(text, UNKNOWN)
    value = findings[cond.finding]
    holds = cond.holds(value)
    if negated:
        if holds:
            change[f"{cond.finding} is {value_text(value)}; needs not {text}"] = None
        return Check(f"not {text}", FAILED if holds else HELD, value, known=True)
    if not holds:
        change[f"{cond.finding} is {value_text(value)}; needs {text}"] = None
    return Check(text, HELD if holds else FAILED, value, known=True)
