"""Mutation testing of the knowledge base: how much of it do the suites and rule examples catch?

``mutants(kb)`` makes single-rule mutations in memory (a scratch copy of the knowledge base:
the loaded files are never touched): drop one condition, flip one comparison, move one numeric
threshold across its boundary (one unit each way), change a conclusion to another of the same
kind, delete the rule. ``run(...)`` runs every suite case and every rule example against each
mutant on the real experta engine and reports the share killed and the survivors.

To stay fast it first runs every probe once on the unmutated knowledge base. A mutant of rule R
can only change a probe's outcome if R's mutated condition, evaluated on that probe's final
working memory, differs from the original (or, for a deleted rule or changed conclusion, if R
fired there): with stratified negation the final state is otherwise unchanged. Only those
probes are re-run, each on the mutant's own compiled rules (a mutant has no digest, so the
compiled-rules cache never holds it). tests/engine/regress/test_mutate.py checks the shortcut
against full re-runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from ..conditions import OPERATORS, FindingTest, children, rebuild
from ..consult import Result, consult
from ..explain import evaluate_condition
from ..model import load as kb_module
from ..model.case import Case, case_from_data, load_case
from ..model.knowledge import KnowledgeBase, Rule
from ..model.load import stratify
from ..run import backend
from ..run.backend import CompiledRules
from .suite import judge_case
from .workers import worker_count


@dataclass(frozen=True)
class Mutant:
    rule: str
    operator: str  # drop_condition | flip_comparison | move_threshold | change_conclusion | delete
    description: str
    when: Any = None  # the mutated condition (condition mutants)
    then: tuple[str, ...] | None = None  # the mutated conclusions (change_conclusion)


@dataclass(frozen=True)
class Probe:
    """One thing a mutant can break: a suite case, or a rule example."""

    name: str
    case: Case
    rule: str | None = None  # for a rule example: the rule, and whether it must fire
    must_fire: bool = True
    concludes: tuple[str, ...] = ()  # a firing example also needs the rule's conclusions

    def passes(self, result: Result, kb: KnowledgeBase) -> bool:
        if self.rule is None:
            return judge_case(self.case, result, kb).passed
        if (self.rule in result.fired_rules()) != self.must_fire:
            return False
        return all(concluded_by(result, cid, self.rule) for cid in self.concludes)


def concluded_by(result: Result, cid: str, rule: str) -> bool:
    """Whether ``rule`` is among the rules that concluded ``cid`` in this consultation."""
    derived = result.get(cid)
    return derived is not None and any(s.rule == rule for s in derived.supported_by)


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    killed_by: str | None  # the first probe that failed, or None: a survivor
    valid: bool = True  # False when the mutation makes negation cyclic (not counted)


# ---- mutants ----------------------------------------------------------------------------------


def mutants(kb: KnowledgeBase, rules: Sequence[str] | None = None) -> Iterator[Mutant]:
    by_kind: dict[str, list[str]] = {}
    for cid, c in kb.conclusions.items():
        by_kind.setdefault(c.kind, []).append(cid)
    for rule in kb.rules:
        if rules is not None and rule.id not in rules:
            continue
        for when, operator, description in _condition_mutants(rule.when):
            yield Mutant(rule.id, operator, description, when=when)
        first = rule.then[0]
        kind = kb.conclusions[first].kind
        others = [c for c in by_kind[kind] if c not in rule.then]
        if others:
            other = others[(by_kind[kind].index(first)) % len(others)]
            yield Mutant(
                rule.id,
                "change_conclusion",
                f"concludes {other} instead of {first}",
                then=(other, *rule.then[1:]),
            )
        yield Mutant(rule.id, "delete", "rule deleted")


def _condition_mutants(cond: Any) -> Iterator[tuple[Any, str, str]]:
    """Every single-point mutation of a condition tree, as (new condition, operator, text)."""
    found = children(cond)
    if found is None:
        if isinstance(cond, FindingTest):
            yield from _leaf_mutants(cond)
        return
    key, parts = found
    for i, child in enumerate(parts):
        if len(parts) > 1:
            yield rebuild(cond, parts[:i] + parts[i + 1 :]), "drop_condition", f"drops {key}[{i}]"
        for new, op, text in _condition_mutants(child):
            yield rebuild(cond, (*parts[:i], new, *parts[i + 1 :])), op, f"{key}[{i}]: {text}"


def _leaf_mutants(leaf: FindingTest) -> Iterator[tuple[Any, str, str]]:
    op, x = leaf.operator, leaf.operand
    base = {"finding": leaf.finding}
    flip = OPERATORS[op].flip
    if flip is not None:
        yield FindingTest(**base, **{flip: x}), "flip_comparison", f"{op} -> {flip}"
        for delta in (-1, 1):
            yield (
                FindingTest(**base, **{op: x + delta}),
                "move_threshold",
                f"{op} {x:g} -> {x + delta:g}",
            )
    elif op == "is" and isinstance(x, bool):
        yield FindingTest(**base, **{"is": not x}), "flip_comparison", f"is {x} -> {not x}"


def apply(kb: KnowledgeBase, mutant: Mutant) -> KnowledgeBase | None:
    """The knowledge base with ``mutant`` applied, or None if negation becomes cyclic."""
    rules: list[Rule] = []
    for rule in kb.rules:
        if rule.id != mutant.rule:
            rules.append(rule)
        elif mutant.operator == "change_conclusion":
            rules.append(replace(rule, then=mutant.then))
        elif mutant.operator != "delete":
            rules.append(replace(rule, when=mutant.when))
    rules, problems = stratify(rules)
    if problems:
        return None
    kept = {r.id for r in rules}  # a deleted rule leaves the disputes it stood in
    disputes = tuple(
        replace(
            d,
            sides=tuple(replace(s, rules=tuple(r for r in s.rules if r in kept)) for s in d.sides),
        )
        for d in kb.disputes
    )
    return replace(kb, rules=tuple(rules), disputes=disputes)


# ---- probes -----------------------------------------------------------------------------------


def probes(kb: KnowledgeBase, suite_paths: Sequence[Path], examples: bool = True) -> list[Probe]:
    found = [Probe(str(p), load_case(p, kb)) for p in suite_paths]
    for rule in kb.rules if examples else ():
        for group in ("fires", "does_not_fire"):
            for ex in getattr(rule.examples, group):
                if ex.known_gap:
                    continue
                case = case_from_data({"case": ex.name, "findings": dict(ex.findings)}, kb)
                fires = group == "fires"
                name = f"{rule.id}::{group}::{ex.name}"
                found.append(Probe(name, case, rule.id, fires, rule.then if fires else ()))
    return found


@cache
def _baseline(
    root: str, suite: tuple[str, ...], examples: bool = True
) -> tuple[KnowledgeBase, list[tuple[Probe, Result]]]:
    kb = kb_module.load(Path(root))
    found = probes(kb, [Path(s) for s in suite], examples)
    return kb, [(p, consult(p.case, kb)) for p in found]


def judge(
    mutant: Mutant, root: str, suite: tuple[str, ...], shortcut: bool = True, examples: bool = True
) -> Verdict:
    """Killed (by the first probe whose outcome the mutant changes) or survived."""
    kb, baseline = _baseline(root, suite, examples)
    mutated = apply(kb, mutant)
    if mutated is None:
        return Verdict(mutant, None, valid=False)
    rule = kb.rule(mutant.rule)
    compiled: CompiledRules | None = None
    for probe, original in baseline:
        if not probe.passes(original, kb):
            continue  # already failing before the mutation: cannot kill
        if shortcut and not _may_change(rule, mutant, original, kb):
            continue
        compiled = compiled or backend.compiled(mutated)
        if not probe.passes(consult(probe.case, mutated, compiled), mutated):
            return Verdict(mutant, probe.name)
    return Verdict(mutant, None)


def _may_change(rule: Rule, mutant: Mutant, original: Result, kb: KnowledgeBase) -> bool:
    fired = rule.id in original.fired_rules()
    if mutant.operator in ("delete", "change_conclusion"):
        return fired
    return evaluate_condition(mutant.when, original, kb) != fired


def _judge_many(args: tuple[list[Mutant], str, tuple[str, ...]]) -> list[Verdict]:
    batch, root, suite = args
    return [judge(m, root, suite) for m in batch]


def run(
    kb_root: Path,
    suite_paths: Sequence[Path],
    jobs: int | None = None,
    rules: Sequence[str] | None = None,
) -> list[Verdict]:
    """Judge every mutant; ``jobs`` worker processes (default: all cores)."""
    workers = worker_count(jobs)  # a bad -j before the baseline's runs
    root, suite = str(kb_root), tuple(str(p) for p in suite_paths)
    kb, _ = _baseline(root, suite)
    todo = list(mutants(kb, rules))
    jobs = min(workers, len(todo))
    if jobs <= 1:
        return [judge(m, root, suite) for m in todo]
    batches = [todo[i::jobs] for i in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        done = list(pool.map(_judge_many, [(b, root, suite) for b in batches]))
    verdicts: list[Verdict | None] = [None] * len(todo)
    for i, batch in enumerate(done):  # batch i holds mutants i, i + jobs, i + 2 * jobs, ...
        for k, verdict in enumerate(batch):
            verdicts[i + k * jobs] = verdict
    return [v for v in verdicts if v is not None]
