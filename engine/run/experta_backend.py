"""The experta backend (see ``backend.py``): typed rules -> one experta ``KnowledgeEngine`` class.
The only module that imports experta.

Each knowledge-base rule becomes one experta ``Rule`` written in experta's own pattern language
(``Fact`` patterns, ``P`` predicates, ``AND``/``OR``/``NOT``, salience), so experta's Rete network
does all the matching. Around it this module supplies what experta 1.9.4 lacks:

- ``StableStrategy``: an agenda that removes exactly the activation it is told to remove and
  breaks ties by the rule's position in the knowledge base (experta's ``DepthStrategy`` can leave
  a stale activation behind and orders ties by hash; see tests/engine/run/test_agenda.py);
- ``CompiledEngine.infer``: experta's firing loop with observers (``events``: the trace) and a
  firing limit;
- ``ExpertaRules``: the compiled engine class with a pool of its instances, so that concurrent
  runs never share working memory.

Callers: ``backend.py`` (``ExpertaBackend`` is the default backend); tests of the agenda and of
the printed experta form.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from experta import AND, NOT, OR, Fact, KnowledgeEngine, P, Rule
from experta.abstract import Strategy

from ..conditions import OPERATORS, ConclusionTest, FindingTest, fold
from ..errors import InferenceError, Problem
from ..model.knowledge import KnowledgeBase
from ..model.knowledge import Rule as KbRule
from .events import ConclusionRef, FactRef, FindingRef, Firing, Observer

# Salience = -STRATUM_WEIGHT * stratum + rule salience: a rule that tests for the absence of a
# conclusion always waits until every rule that could conclude it has had its turn.
STRATUM_WEIGHT = 1000


class Finding(Fact):
    """A finding of the case: ``Finding(name=..., value=...)``."""


class Concluded(Fact):
    """A conclusion reached by a rule: ``Concluded(id=...)``."""


class StableStrategy(Strategy):
    """Agenda order: higher salience first, then earlier rule in the knowledge base, then the
    most recent facts. Keys are unique per activation, so removal finds exactly the one."""

    @staticmethod
    def key(activation: Any) -> tuple:
        rule = activation.rule
        fact_ids = tuple(sorted((f["__factid__"] for f in activation.facts), reverse=True))
        # The agenda pops from the right, so the next activation must sort last.
        return (rule.salience, -getattr(rule, "kb_index", 0), fact_ids)

    def _update_agenda(self, agenda: Any, added: Iterable[Any], removed: Iterable[Any]) -> None:
        queue = agenda.activations
        for act in removed:
            act.key = self.key(act)
            lo = bisect.bisect_left(queue, act)
            hi = bisect.bisect_right(queue, act)
            for i in range(lo, hi):
                if queue[i] == act:
                    del queue[i]
                    break
        for act in added:
            act.key = self.key(act)
            bisect.insort(queue, act)


class CompiledEngine(KnowledgeEngine):
    """Base of every compiled engine class; the rules are added as class attributes."""

    __strategy__ = StableStrategy

    def __init__(self) -> None:
        super().__init__()
        # experta keeps the conflict-set nodes in one lru_cache(maxsize=1) shared by all
        # matchers, so engines used in turn (the pool, threads) would walk their whole network
        # again at every step. A network does not change once built: each engine keeps its own.
        nodes = self.matcher._get_conflict_set_nodes()
        self.matcher._get_conflict_set_nodes = lambda: nodes

    def declare_case(self, findings: Mapping[str, Any]) -> None:
        """Reset working memory and declare the findings, in the given (vocabulary) order."""
        self.reset()
        self.declare(*(Finding(name=name, value=value) for name, value in findings.items()))

    def infer(self, observers: Iterable[Observer], max_firings: int) -> int:
        """experta's ``run`` loop, telling each observer about every firing. Returns the count."""
        observers = tuple(observers)
        self.running = True
        fired = 0
        try:
            while self.running:
                added, removed = self.get_activations()
                self.strategy.update_agenda(self.agenda, added, removed)
                activation = self.agenda.get_next()
                if activation is None:
                    break
                if fired >= max_firings:
                    raise InferenceError(
                        Problem(
                            "rules",
                            None,
                            None,
                            f"more than {max_firings} rule firings without "
                            f"reaching a fixed point (last: {activation.rule.kb_rule.id}); the "
                            "rules loop. Check rules that conclude what they test.",
                        )
                    )
                fired += 1
                if observers:
                    facts = sorted(activation.facts, key=lambda f: f["__factid__"])
                    firing = Firing(
                        fired,
                        activation.rule.kb_rule,
                        tuple(_ref(f) for f in facts if f["__factid__"] > 0),
                    )
                    for obs in observers:
                        obs.fired(firing)
                activation.rule(self)
        finally:
            self.running = False
        return fired


def _ref(fact: Any) -> FactRef:
    if isinstance(fact, Finding):
        return FindingRef(fact["name"])
    return ConclusionRef(fact["id"])


def pattern(condition: Any) -> Any:
    """A knowledge-base condition in experta's pattern language."""

    def group(key: str, parts: list[Any]) -> Any:
        if key == "none":
            parts = [NOT(p) for p in parts]
        return OR(*parts) if key == "any" else AND(*parts)

    return fold(condition, _leaf_pattern, group)


def _leaf_pattern(test: Any, _negated: bool) -> Any:
    if isinstance(test, ConclusionTest):
        return Concluded(id=test.conclusion)
    return Finding(name=test.finding, value=_value_constraint(test))


def _value_constraint(test: FindingTest) -> Any:
    # Equality stays a literal so experta's alpha network can index it.
    if test.operator == "is":
        return test.operand

    def holds(value: Any) -> bool:
        return test.holds(value)

    holds.expression = OPERATORS[test.operator].expression.format(test.operand)  # type: ignore[attr-defined]
    return P(holds)


def experta_source(rule: KbRule) -> str:
    """The experta rule compiled from ``rule``, written out as Python (for ``kb show``): the
    same pattern objects the engine runs, printed, with each predicate's test spelled out."""
    compiled = _experta_rule(rule)
    lhs = "".join(_source(p, 1) for p in compiled)  # a Rule is the tuple of its patterns
    then = ", ".join(f"Concluded(id={cid!r})" for cid in rule.then)
    return (
        f"@Rule(\n{lhs}    salience={compiled.salience},\n)\n"
        f"def {rule.id}(self):\n    self.declare({then})\n"
    )


def _source(node: Any, depth: int) -> str:
    pad = "    " * depth
    if isinstance(node, AND | OR | NOT):
        inner = "".join(_source(child, depth + 1) for child in node)
        return f"{pad}{type(node).__name__}(\n{inner}{pad}),\n"
    if isinstance(node, Fact):
        fields = ", ".join(f"{k}={_constraint(v)}" for k, v in node.items() if k != "__factid__")
        return f"{pad}{type(node).__name__}({fields}),\n"
    raise TypeError(f"not a pattern: {node!r}")


def _constraint(value: Any) -> str:
    if isinstance(value, P):
        return f"P(lambda value: {value[0].expression})"
    return repr(value)


def _experta_rule(rule: KbRule) -> Rule:
    then = tuple(Concluded(id=cid) for cid in rule.then)

    def conclude(engine: KnowledgeEngine) -> None:
        engine.declare(*(Concluded(id=c["id"]) for c in then))

    # experta copies the function's attributes onto every Rule it derives (DNF branches), so
    # the strategy and the observers can always get back to the knowledge-base rule.
    conclude.kb_rule = rule  # type: ignore[attr-defined]
    conclude.kb_index = rule.index  # type: ignore[attr-defined]
    conclude.__name__ = rule.id
    lhs = pattern(rule.when)
    salience = -STRATUM_WEIGHT * rule.stratum + rule.salience
    return Rule(lhs, salience=salience)(conclude)


def compile_rules(kb: KnowledgeBase) -> type[CompiledEngine]:
    """One engine class holding one experta Rule per knowledge-base rule."""
    # experta collects rules with inspect.getmembers, i.e. by attribute name: keep them in
    # knowledge-base order with a zero-padded index.
    attrs = {f"r{rule.index:04d}_{rule.id}": _experta_rule(rule) for rule in kb.rules}
    return type("LumbarEngine", (CompiledEngine,), attrs)


class ExpertaRules:
    """A knowledge base compiled for experta: one engine class and a pool of its instances.

    experta builds the Rete network when an engine is made (the costly part) and keeps a case's
    working memory in the engine, so an engine serves one run at a time: ``run`` takes an idle
    one, or makes one when all are busy, and gives it back when the run ends."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._engine_class = compile_rules(kb)
        self._idle: list[CompiledEngine] = []
        self._lock = threading.Lock()

    def run(
        self, findings: Mapping[str, Any], observers: Iterable[Observer], max_firings: int
    ) -> int:
        with self._lock:
            engine = self._idle.pop() if self._idle else None
        if engine is None:
            engine = self._engine_class()
        engine.declare_case(findings)
        fired = engine.infer(observers, max_firings)
        # Given back only after a clean run: an engine a run failed in is simply dropped.
        with self._lock:
            self._idle.append(engine)
        return fired

    def source(self, rule: KbRule) -> str:
        return experta_source(rule)


class ExpertaBackend:
    def compile(self, kb: KnowledgeBase) -> ExpertaRules:
        return ExpertaRules(kb)
