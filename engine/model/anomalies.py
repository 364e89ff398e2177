"""Rule-base anomalies that a loadable knowledge base can still have (``lumbar kb check``).

Loading (``kb.load``) already rejects what makes a knowledge base unusable: bad shapes, unknown
names, values outside the vocabulary, quotes that are not verbatim, duplicate ids, and cycles
through negation. This module looks for what makes it *wrong* while still running, after Preece
and Shinghal's checklist of rule-base anomalies:

- ``impossible``: a rule whose conditions can never hold together (``x is a`` and ``x is b``;
  ``hours at_least 72`` and ``hours less_than 24``; a conclusion no rule can reach);
- ``unproducible``: a conclusion that no rule concludes, or a triage level no conclusion has;
- ``unused``: a rule whose conclusions are all intermediate judgements that no rule tests, and
  ``unasked``: a finding that no rule tests;
- ``cycle``: conclusions that depend on themselves through rules;
- ``subsumed``: a rule whose conclusions another rule reaches with fewer conditions (whenever it
  fires, the other fires too), and ``duplicate``: two rules with the same conditions and
  conclusions. A rule that *restates another article's rule* is kept for its citation when it
  says so (``corroborates: [that rule]``); ``corroboration`` reports such a declaration that is
  not true (same article, or the rule is not subsumed by the one it names);
- ``contradiction``: two rules that can fire on the same case and conclude conclusions declared
  ``contradicts`` in conclusions.yaml, unless the two rules stand on different sides of a
  recorded dispute between articles (then the contradiction is the point, and it is shown).

Conditions are compared in disjunctive normal form (``conditions.dnf``) over *literals*: a test
on a finding (the set or interval of values it admits), or on a conclusion. A finding absent from
a case is unknown, so ``none: [x is a]`` holds when x is unknown or not a. For "can hold
together", a tested conclusion is also replaced by the conditions of the rules that conclude it
(``expanded``), so two rules that reach findings through intermediate judgements are still
compared on findings.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from ..conditions import ConclusionTest, FindingTest, Term, dnf, implies, satisfiable, walk
from ..errors import Problem
from .dependencies import conclusion_graph, cycles
from .knowledge import KnowledgeBase, Rule

MAX_TERMS = 512  # beyond this many conjunctions a tested conclusion is kept as an atom


class Analysis:
    """The knowledge base's rules as normal forms, and the anomaly checks over them."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.producers = kb.producers
        self._expanding: set[str] = set()
        self._expanded: dict[str, list[Term]] = {}

    @cached_property
    def terms(self) -> dict[str, list[Term]]:
        return {r.id: dnf(r.when, self.kb.findings) for r in self.kb.rules}

    def expanded(self, rule: Rule) -> list[Term]:
        """The rule's terms with each tested conclusion also replaced by the conditions of the
        rules that conclude it (kept as an atom in a cycle or past ``MAX_TERMS``)."""
        out: list[Term] = []
        for term in self.terms[rule.id]:
            parts: list[list[Term]] = [[frozenset({lit})] for lit in term]
            for i, lit in enumerate(term):
                if not lit.is_finding and not lit.negated:
                    ways = self._ways(lit.name)
                    if ways is not None:
                        parts[i] = [t | {lit} for t in ways]
            if math.prod(map(len, parts)) > MAX_TERMS:
                parts = [[frozenset({lit})] for lit in term]
            out.extend(frozenset().union(*combo) for combo in itertools.product(*parts))
        return [t for t in out if satisfiable(t)]

    def _ways(self, cid: str) -> list[Term] | None:
        """Every way (finding-level where possible) that ``cid`` can be concluded."""
        if cid in self._expanded:
            return self._expanded[cid]
        if cid in self._expanding:
            return None
        self._expanding.add(cid)
        ways = [t for r in self.producers.get(cid, []) for t in self.expanded(r)]
        self._expanding.discard(cid)
        if len(ways) > MAX_TERMS:
            return None
        self._expanded[cid] = ways
        return ways

    @cached_property
    def reachable(self) -> dict[str, list[Term]]:
        return {r.id: self.expanded(r) for r in self.kb.rules}

    def together(self, a: Rule, b: Rule) -> bool:
        """Whether some case fires both rules (as far as the normal forms can tell)."""
        return any(
            satisfiable(x | y)
            for x, y in itertools.product(self.reachable[a.id], self.reachable[b.id])
        )

    # ---- the checks ------------------------------------------------------------------------

    def problems(self) -> list[tuple[str, Problem]]:
        found = [
            *self.impossible(),
            *self.unproducible(),
            *self.unused(),
            *self.unasked(),
            *self.cycles(),
            *self.subsumed(),
            *self.corroborations(),
            *self.contradictions(),
        ]
        return sorted(found, key=lambda kp: (kp[1].file, kp[1].line or 0, kp[0], kp[1].message))

    def impossible(self) -> Iterator[tuple[str, Problem]]:
        for rule in self.kb.rules:
            if self.reachable[rule.id]:
                continue
            missing = sorted(
                leaf.conclusion
                for leaf, neg in walk(rule.when)
                if isinstance(leaf, ConclusionTest) and not neg and not self._can_reach(leaf)
            )
            why = (
                f"it tests {', '.join(missing)}, which no rule can conclude"
                if missing
                else "no case meets all its conditions (two tests exclude each other)"
            )
            yield "impossible", _at(rule, f"rule {rule.id} can never fire: {why}.")

    def _can_reach(self, leaf: ConclusionTest) -> bool:
        return any(self.reachable[r.id] for r in self.producers.get(leaf.conclusion, []))

    def unproducible(self) -> Iterator[tuple[str, Problem]]:
        for c in self.kb.conclusions.values():
            if c.id not in self.producers:
                yield (
                    "unproducible",
                    _where(
                        c.location,
                        f"conclusion {c.id} is never concluded: no rule has it in 'then'. "
                        "Add the rule that reaches it, or delete it.",
                    ),
                )
        levels = {c.level for c in self.kb.conclusions.values() if c.kind == "triage"}
        for level in self.kb.triage_levels:
            if level not in levels:
                message = (
                    f"triage level {level} has no triage conclusion (none has 'level: {level}'), "
                    "so no case can reach it. Add the conclusion, or delete the level."
                )
                yield "unproducible", _where(self.kb.level_locations[level], message)

    def unused(self) -> Iterator[tuple[str, Problem]]:
        for rule in self.kb.rules:
            idle = [c for c in rule.then if c not in self.kb.testers]
            if len(idle) == len(rule.then) and all(
                self.kb.conclusions[c].kind == "judgement" for c in idle
            ):
                yield (
                    "unused",
                    _at(
                        rule,
                        f"rule {rule.id} concludes only {', '.join(idle)}: intermediate "
                        "judgements that no rule tests and that are not shown as answers. "
                        "Test them in a rule, give them a final kind, or delete the rule.",
                    ),
                )

    def unasked(self) -> Iterator[tuple[str, Problem]]:
        tested = {
            leaf.finding
            for r in self.kb.rules
            for leaf, _ in walk(r.when)
            if isinstance(leaf, FindingTest)
        }
        for f in self.kb.findings.values():
            if f.name not in tested:
                yield (
                    "unasked",
                    _where(
                        f.location,
                        f"finding {f.name} is in the vocabulary but no rule tests it, so "
                        "asking for it changes nothing. Test it in a rule or delete it.",
                    ),
                )

    def cycles(self) -> Iterator[tuple[str, Problem]]:
        for cycle in cycles(conclusion_graph(self.kb.rules)):
            yield (
                "cycle",
                _at(
                    self.kb.rule(cycle.rules[0]),
                    f"conclusions {', '.join(cycle.conclusions)} depend on themselves through "
                    f"rules {', '.join(cycle.rules)}; a conclusion cannot be evidence for itself. "
                    "Break the loop by testing findings instead.",
                ),
            )

    def subsumed(self) -> Iterator[tuple[str, Problem]]:
        rules = self.kb.rules
        for a, b in itertools.permutations(rules, 2):
            if not set(a.then) <= set(b.then) or not self._implies(a, b):
                continue
            if self._corroborates(a, b) or (self._corroborates(b, a) and self._implies(b, a)):
                continue
            if self._implies(b, a):
                if set(a.then) == set(b.then) and a.index < b.index:
                    yield (
                        "duplicate",
                        _at(
                            b,
                            f"rule {b.id} has the same conditions and conclusions as "
                            f"{a.id} ({a.location}); keep one (a rule may only cite one "
                            "sentence, so record the other article's agreement in its note).",
                        ),
                    )
                continue
            yield (
                "subsumed",
                _at(
                    a,
                    f"rule {a.id} is subsumed by {b.id} ({b.location}): {b.id} reaches "
                    f"{', '.join(a.then)} with fewer conditions, so {a.id} never adds a "
                    f"conclusion. Delete it, or make its conditions or conclusions differ.",
                ),
            )

    def _corroborates(self, a: Rule, b: Rule) -> bool:
        return b.id in a.corroborates and a.citation.article != b.citation.article

    def corroborations(self) -> Iterator[tuple[str, Problem]]:
        for a in self.kb.rules:
            for b in map(self.kb.rule, a.corroborates):
                if a.citation.article == b.citation.article:
                    why = "both come from the same article, so one of them is redundant"
                elif not (set(a.then) <= set(b.then) and self._implies(a, b)):
                    why = f"{b.id} does not reach all of {', '.join(a.then)} whenever {a.id} fires"
                else:
                    continue
                yield (
                    "corroboration",
                    _at(a, f"rule {a.id} corroborates {b.id}, but {why}. Remove the declaration."),
                )

    def _implies(self, a: Rule, b: Rule) -> bool:
        return all(any(implies(x, y) for y in self.terms[b.id]) for x in self.terms[a.id])

    def contradictions(self) -> Iterator[tuple[str, Problem]]:
        pairs = [
            (x, y)
            for x, y in itertools.combinations(sorted(self.kb.conclusions), 2)
            if self.kb.contradictory(x, y)
        ]
        for x, y in pairs:
            for a, b in itertools.product(self.producers.get(x, []), self.producers.get(y, [])):
                if self._disputed(a, b) or not self.together(a, b):
                    continue
                yield (
                    "contradiction",
                    _at(
                        a,
                        f"rules {a.id} ({a.citation.article}) and {b.id} "
                        f"({b.citation.article}, {b.location}) can fire on the same case but "
                        f"conclude {x} and {y}, which conclusions.yaml declares contradictory. "
                        "If the articles disagree, record it in disputes.yaml with the two "
                        "rules on different sides; otherwise make their conditions exclusive.",
                    ),
                )

    def _disputed(self, a: Rule, b: Rule) -> bool:
        return any(d.side_of(b.id) not in (None, side) for d, side in self.kb.disputes_of(a.id))


def find_anomalies(kb: KnowledgeBase) -> list[tuple[str, Problem]]:
    """Every anomaly in ``kb``, as (kind, located problem), in file and line order."""
    return Analysis(kb).problems()


def _at(rule: Rule, message: str) -> Problem:
    return _where(rule.location, message)


def _where(location: Any, message: str) -> Problem:
    return Problem(location.file, location.line, None, message)
