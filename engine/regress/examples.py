"""The examples written beside each rule (``examples: {fires, does_not_fire}``), run.

A ``fires`` example must make its rule fire (and so conclude what it concludes); a
``does_not_fire`` example must not. Each outcome points at the example's ``file:line``. Runs on
the compiled rules (experta, the engine of record), one run per example with no trace.
Callers: ``lumbar test`` (with the suites), ``lumbar kb check``, ``lumbar verify`` and
tests/knowledge_base/test_rule_examples.py.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Literal

from pydantic.dataclasses import dataclass

from ..consult import assumptions
from ..errors import Problem
from ..model import load as kb_module
from ..model.knowledge import KnowledgeBase, Rule
from ..run import backend
from ..run.backend import DEFAULT_MAX_FIRINGS, CompiledRules
from ..serialize import RESULT, keys_first
from ..text import value_text
from .workers import worker_count

GROUPS = ("fires", "does_not_fire")


@dataclass(frozen=True, config=RESULT)
class ExampleOutcome:
    """One rule example: where it is written, and whether the rule behaved as it says."""

    _json_order = keys_first("rule", "group", "example", "file", "line", "status")
    rule: str
    group: Literal["fires", "does_not_fire"]
    example: str
    file: str  # where the example's name is written
    line: int | None
    status: Literal["passed", "failed", "skipped"]
    message: str = ""  # why it failed, or the known gap it is skipped for
    findings: dict[str, Any] | None = None


def examples_of(kb: KnowledgeBase) -> Iterator[tuple[Rule, str, Any]]:
    for rule in kb.rules:
        for group in GROUPS:
            for example in getattr(rule.examples, group):
                yield rule, group, example


def run_examples(
    kb: KnowledgeBase, rules: Collection[str] | None = None, jobs: int | None = 1
) -> list[ExampleOutcome]:
    """Every example of every rule (or of ``rules``), in knowledge-base order; with ``jobs`` > 1
    (None: every core), in that many worker processes, each loading the knowledge base from
    ``kb.root`` (so only for a knowledge base loaded from its files)."""
    wanted = [r.id for r in kb.rules if rules is None or r.id in rules]
    jobs = min(worker_count(jobs), len(wanted))
    if jobs <= 1 or not kb.digest:
        return _run(kb, set(wanted))
    chunks = [set(wanted[i::jobs]) for i in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        parts = list(pool.map(_run_in_worker, [str(kb.root)] * jobs, chunks))
    order = {r: i for i, r in enumerate(wanted)}
    return sorted((o for part in parts for o in part), key=lambda o: order[o.rule])


def _run_in_worker(root: str, rules: set[str]) -> list[ExampleOutcome]:
    return _run(kb_module.load(Path(root)), rules)


def _run(kb: KnowledgeBase, rules: set[str]) -> list[ExampleOutcome]:
    compiled = backend.compiled(kb)
    out = []
    runs: dict[tuple[tuple[str, Any], ...], set[str]] = {}  # many examples share their findings
    for rule, group, example in examples_of(kb):
        if rule.id not in rules:
            continue
        at = rule.example_at.get((group, example.name), rule.location)
        where = (at.file, at.line)
        if example.known_gap:
            out.append(
                ExampleOutcome(rule.id, group, example.name, *where, "skipped", example.known_gap)
            )
            continue
        key = tuple(sorted(example.findings.items()))
        if key not in runs:
            runs[key] = fired_rules(kb, compiled, dict(example.findings))
        fired = rule.id in runs[key]
        ok = fired == (group == "fires")
        message = "" if ok else ("did not fire" if group == "fires" else "fired")
        findings = dict(example.findings)
        given = ", ".join(f"{k} = {value_text(v)}" for k, v in findings.items())
        out.append(
            ExampleOutcome(
                rule.id,
                group,
                example.name,
                *where,
                "passed" if ok else "failed",
                f"{rule.id} {message} on {given}" if message else "",
                findings,
            )
        )
    return out


def failing(kb: KnowledgeBase, jobs: int | None = 1) -> list[tuple[str, Problem]]:
    """The examples that fail, as ``kb check`` reports problems (kind ``example``)."""
    return [
        ("example", Problem(o.file, o.line, None, f"{o.group} example {o.example}: {o.message}."))
        for o in run_examples(kb, jobs=jobs)
        if o.status == "failed"
    ]


def fired_rules(kb: KnowledgeBase, compiled: CompiledRules, findings: dict[str, Any]) -> set[str]:
    """The rules that fire on ``findings`` (assumptions added, as a consultation does)."""
    given = {**findings, **assumptions(kb, findings)}
    seen = _Fired()
    compiled.run({k: given[k] for k in kb.findings if k in given}, [seen], DEFAULT_MAX_FIRINGS)
    return seen.rules


class _Fired:
    def __init__(self) -> None:
        self.rules: set[str] = set()

    def fired(self, firing: Any) -> None:
        self.rules.add(firing.rule.id)

    def ruled_out(self, conclusion: str, because: Any) -> None:
        pass
