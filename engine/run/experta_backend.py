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

from experta import AND, NOT, OR, Fact, InitialFact, KnowledgeEngine, P, Rule
from experta.abstract import Strategy

from ..conditions import OPERATORS, ConclusionTest, FindingTest, fold, walk
from ..errors import InferenceError, Problem
from ..model.knowledge import KnowledgeBase
from ..model.knowledge import Rule as KbRule
from .events import ConclusionRef, FactRef, FindingRef, Firing, Observer, RuledOutRef

# Salience = -STRATUM_WEIGHT * stratum + rule salience: a rule that tests for the absence of a
# conclusion always waits until every rule that could conclude it has had its turn.
STRATUM_WEIGHT = 1000


class Finding(Fact):
    """A finding of the case: ``Finding(name=..., value=...)``."""


class Concluded(Fact):
    """A conclusion reached by a rule: ``Concluded(id=...)``."""


class RuledOut(Fact):
    """A conclusion known not to hold: every rule that could conclude it is known to fail on
    what the case says. ``RuledOut(id=...)``."""


class Failed(Fact):
    """A rule known not to fire on what the case says (a step towards ``RuledOut``)."""


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

    # Poll only the conflict-set nodes that received a token since the last poll (experta asks
    # every one after every firing); tests/engine/run/test_backend.py checks that the firings
    # are the same either way.
    incremental = True

    def __init__(self) -> None:
        super().__init__()
        # experta keeps the conflict-set nodes in one lru_cache(maxsize=1) shared by all
        # matchers, so engines used in turn (the pool, threads) would walk their whole network
        # again at every step. A network does not change once built: each engine keeps its own.
        nodes = self.matcher._get_conflict_set_nodes()
        if not self.incremental:
            self.matcher._get_conflict_set_nodes = lambda: nodes
            return
        # A node's pending activations come only from tokens it received, so the nodes that
        # received one are exactly those with something to report; polled in network order.
        order = {node: i for i, node in enumerate(nodes)}
        touched: dict[Any, None] = {}
        for node in nodes:
            node._activate = _noting(node, node._activate, touched)

        def pending() -> tuple[Any, ...]:
            found = tuple(sorted(touched, key=order.__getitem__))
            touched.clear()
            return found

        self.matcher._get_conflict_set_nodes = pending

    def declare_case(self, findings: Mapping[str, Any]) -> None:
        """Reset working memory and declare the findings, in the given (vocabulary) order."""
        self.reset()
        self.declare(*(Finding(name=name, value=value) for name, value in findings.items()))

    def infer(self, observers: Iterable[Observer], max_firings: int) -> int:
        """experta's ``run`` loop, telling each observer about every firing. Returns the count."""
        observers = tuple(observers)
        self.running = True
        self.failed_on: dict[str, tuple[FactRef, ...]] = {}  # rule id -> facts it failed on
        fired = steps = 0
        try:
            while self.running:
                added, removed = self.get_activations()
                self.strategy.update_agenda(self.agenda, added, removed)
                activation = self.agenda.get_next()
                if activation is None:
                    break
                if steps >= max_firings:
                    raise InferenceError(
                        Problem(
                            "rules",
                            None,
                            None,
                            f"more than {max_firings} rule firings without "
                            f"reaching a fixed point (last: {activation.rule.__name__}); the "
                            "rules loop. Check rules that conclude what they test.",
                        )
                    )
                steps += 1
                facts = sorted(activation.facts, key=lambda f: f["__factid__"])
                # the initial fact (id 0) and Failed notes are not facts of the case
                matched = tuple(
                    _ref(f) for f in facts if f["__factid__"] > 0 and not isinstance(f, Failed)
                )
                kb_rule = activation.rule.kb_rule
                if kb_rule is not None:
                    fired += 1
                    firing = Firing(fired, kb_rule, matched)
                    for obs in observers:
                        obs.fired(firing)
                elif activation.rule.failed is not None:
                    self.failed_on.setdefault(activation.rule.failed, matched)
                else:
                    cid, producers = activation.rule.ruled_out
                    because = tuple(dict.fromkeys(r for p in producers for r in self.failed_on[p]))
                    for obs in observers:
                        obs.ruled_out(cid, because)
                activation.rule(self)
        finally:
            self.running = False
        return fired


def _noting(node: Any, activate: Any, touched: dict[Any, None]) -> Any:
    def noted(token: Any) -> Any:
        touched[node] = None
        return activate(token)

    return noted


def _ref(fact: Any) -> FactRef:
    if isinstance(fact, Finding):
        return FindingRef(fact["name"])
    if isinstance(fact, RuledOut):
        return RuledOutRef(fact["id"])
    return ConclusionRef(fact["id"])


# Three-valued reasoning with positive facts only: a test under `none` needs what it tests to be
# known false (a finding known with another value; a conclusion ``RuledOut``), never merely
# absent from working memory, so an unknown finding is never read as "no". ``failure`` is the
# dual of ``pattern``: when a rule is known not to fire.


def pattern(condition: Any) -> Any:
    """When a knowledge-base condition holds, in experta's pattern language."""

    def leaf(test: Any, negated: bool) -> Any:
        return _known_false(test) if negated else _true(test)

    def group(key: str, parts: list[Any]) -> Any:
        return OR(*parts) if key == "any" else AND(*parts)

    return fold(condition, leaf, group)


def failure(condition: Any) -> Any:
    """When a knowledge-base condition is known not to hold, in experta's pattern language."""

    def leaf(test: Any, negated: bool) -> Any:
        return _true(test) if negated else _known_false(test)

    def group(key: str, parts: list[Any]) -> Any:
        return AND(*parts) if key == "any" else OR(*parts)

    return fold(condition, leaf, group)


def _true(test: Any) -> Any:
    if isinstance(test, ConclusionTest):
        return Concluded(id=test.conclusion)
    return Finding(name=test.finding, value=_value_constraint(test))


def _known_false(test: Any) -> Any:
    if isinstance(test, ConclusionTest):
        return RuledOut(id=test.conclusion)

    def fails(value: Any) -> bool:
        return test.fails(value)

    expression = OPERATORS[test.operator].expression.format(test.operand)
    fails.expression = f"not ({expression})"  # type: ignore[attr-defined]
    return Finding(name=test.finding, value=P(fails))


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
    conclude.failed = conclude.ruled_out = None  # type: ignore[attr-defined]
    conclude.__name__ = rule.id
    lhs = pattern(rule.when)
    salience = -STRATUM_WEIGHT * rule.stratum + rule.salience
    return Rule(lhs, salience=salience)(conclude)


def _bookkeeping(kb: KnowledgeBase) -> dict[str, Rule]:
    """The rules that find conclusions known not to hold: for every conclusion some test needs
    to be false (under ``none``, or inside the failure of such a conclusion's producers), one
    rule per producer that notes when it is known to fail (``Failed``), and one that rules the
    conclusion out once all its producers failed (``RuledOut``). Not knowledge-base rules: they
    are not cited, and they tell observers ``ruled_out`` rather than ``fired``."""
    needed = {t.conclusion for r in kb.rules for t, neg in walk(r.when) if neg and _concl(t)}
    todo = list(needed)
    while todo:
        for producer in kb.producers.get(todo.pop(), []):
            for t, neg in walk(producer.when):
                if not neg and _concl(t) and t.conclusion not in needed:
                    needed.add(t.conclusion)
                    todo.append(t.conclusion)
    index = len(kb.rules)  # after every knowledge-base rule, for the agenda's tie-break
    out: dict[str, Rule] = {}
    failing = sorted({p.index: p for c in needed for p in kb.producers.get(c, [])}.items())
    for _, producer in failing:
        out[f"f{index:04d}_{producer.id}"] = _helper(
            failure(producer.when), Failed(rule=producer.id), index, failed=producer.id
        )
        index += 1
    for cid in sorted(needed, key=list(kb.conclusions).index):
        producers = tuple(p.id for p in kb.producers.get(cid, []))
        lhs = AND(*(Failed(rule=p) for p in producers)) if producers else InitialFact()
        out[f"o{index:04d}_{cid}"] = _helper(
            lhs, RuledOut(id=cid), index, ruled_out=(cid, producers)
        )
        index += 1
    return out


def _concl(test: Any) -> bool:
    return isinstance(test, ConclusionTest)


def _helper(
    lhs: Any, fact: Fact, index: int, failed: str | None = None, ruled_out: Any = None
) -> Rule:
    def note(engine: KnowledgeEngine) -> None:
        engine.declare(fact.copy())

    note.kb_rule = None  # type: ignore[attr-defined]
    note.kb_index = index  # type: ignore[attr-defined]
    note.failed = failed  # type: ignore[attr-defined]
    note.ruled_out = ruled_out  # type: ignore[attr-defined]
    note.__name__ = f"rules out {ruled_out[0]}" if ruled_out else f"{failed} fails"
    # Before any knowledge-base rule: what is known to be false is known as early as possible.
    return Rule(lhs, salience=STRATUM_WEIGHT)(note)


def compile_rules(kb: KnowledgeBase) -> type[CompiledEngine]:
    """One engine class holding one experta Rule per knowledge-base rule, and the rules that
    find conclusions known not to hold (``_bookkeeping``)."""
    # experta collects rules with inspect.getmembers, i.e. by attribute name: keep them in
    # knowledge-base order with a zero-padded index.
    attrs = {f"r{rule.index:04d}_{rule.id}": _experta_rule(rule) for rule in kb.rules}
    attrs.update(_bookkeeping(kb))
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
