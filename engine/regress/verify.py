"""``lumbar verify``: everything an author runs after editing the knowledge base, in one pass.

Stages, in order: the rule-base checks of ``kb check`` (anomalies, rules without both kinds of
example, the sentence ledger), every rule example, every suite case, the committed diagrams and
JSON Schemas (are they current?), and with a base revision the impact of the change (rules
changed, cases whose answer changed). The knowledge base is loaded once and its rules compiled
once; each problem points at the YAML ``file:line`` of the rule, example or case responsible.
Loading errors are raised (``KnowledgeBaseError``, exit 2) before any stage runs. Callers: the
CLI's ``verify``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CaseError, Problem
from ..model import anomalies, ledger
from ..model import load as kb_module
from ..model.documents import read_document
from ..model.knowledge import KnowledgeBase
from . import diff as diff_module
from . import examples as examples_module
from . import suite as suite_module


@dataclass
class Stage:
    """One stage: what it checked, what it found, how long it took."""

    name: str
    summary: str = ""
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (kind, problem)
    seconds: float = 0.0
    skipped: bool = False


@dataclass
class Report:
    stages: list[Stage]
    impact: diff_module.Diff | None = None

    @property
    def problems(self) -> list[tuple[str, Problem]]:
        return [p for s in self.stages for p in s.problems]

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.stages)


def verify(
    kb: KnowledgeBase,
    suites: list[Path],
    generated: dict[str, tuple[Path, Callable[[], dict[str, bytes]]]],
    base: str | None = None,
    jobs: int | None = 1,
) -> Report:
    """Run every stage on ``kb``. ``generated``: committed output folders to check, by name
    (``diagrams``, ``schemas``): the folder and how to make its files."""
    stages = [
        _timed("kb check", lambda s: _check(kb, s)),
        _timed("rule examples", lambda s: _examples(kb, s, jobs)),
        _timed("suites", lambda s: _suites(kb, suites, s, jobs)),
    ]
    for name, (folder, make) in generated.items():
        stages.append(_timed(name, lambda s, folder=folder, make=make: _current(folder, make, s)))
    report = Report(stages)
    if base is not None:
        holder: list[diff_module.Diff] = []
        stages.append(_timed(f"impact vs {base}", lambda s: _impact(kb, base, suites, s, holder)))
        report.impact = holder[0] if holder else None
    return report


def _timed(name: str, run: Callable[[Stage], None]) -> Stage:
    stage = Stage(name)
    start = time.perf_counter()
    run(stage)
    stage.seconds = time.perf_counter() - start
    return stage


def _check(kb: KnowledgeBase, stage: Stage) -> None:
    stage.problems = [
        *anomalies.find_anomalies(kb),
        *kb_module.example_problems(kb),
        *ledger.problems(kb, ledger.read_ledger(kb)),
    ]
    stage.summary = f"{len(kb.rules)} rules, {len(stage.problems)} problem(s)"


def _examples(kb: KnowledgeBase, stage: Stage, jobs: int | None) -> None:
    outcomes = examples_module.run_examples(kb, jobs=jobs)
    failed = [o for o in outcomes if o.status == "failed"]
    stage.problems = [
        ("example", Problem(o.file, o.line, None, f"{o.group} example {o.example}: {o.message}."))
        for o in failed
    ]
    skipped = sum(o.status == "skipped" for o in outcomes)
    stage.summary = f"{len(outcomes) - len(failed) - skipped} passed, {len(failed)} failed" + (
        f", {skipped} known gaps" if skipped else ""
    )


def _suites(kb: KnowledgeBase, suites: list[Path], stage: Stage, jobs: int | None) -> None:
    files = suite_module.discover(suites)
    if not files:
        stage.skipped, stage.summary = True, "no case files"
        return
    outcomes = suite_module.run_suite(files, kb, jobs)
    for o in outcomes:
        if not o.passed:
            line = _expect_line(Path(o.path))
            stage.problems.append(("case", Problem(o.path, line, None, "; ".join(o.failures))))
    failed = sum(not o.passed for o in outcomes)
    stage.summary = f"{len(outcomes) - failed} passed, {failed} failed"


def _expect_line(path: Path) -> int | None:
    try:
        return read_document(path, CaseError).position(["expect"])[0]
    except CaseError:
        return None


def _current(folder: Path, make: Callable[[], dict[str, bytes]], stage: Stage) -> None:
    if not folder.is_dir():
        stage.skipped, stage.summary = True, f"no {folder}/ folder"
        return
    files = make()
    stale = outdated(folder, files)
    if stale:
        names = ", ".join(p.name for p in stale)
        message = f"{len(stale)} file(s) out of date ({names}): regenerate and commit them."
        stage.problems = [("stale", Problem(str(folder), None, None, message))]
    stage.summary = f"{len(files) - len(stale)} current, {len(stale)} out of date"


def outdated(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """The files of ``folder`` that are missing or differ from ``files`` (name -> bytes)."""
    return [
        folder / name
        for name, data in files.items()
        if not (folder / name).is_file() or (folder / name).read_bytes() != data
    ]


def _impact(
    kb: KnowledgeBase, base: str, suites: list[Path], stage: Stage, out: list[diff_module.Diff]
) -> None:
    change = diff_module.diff(base, kb, suite_module.discover(suites))
    out.append(change)
    n = change.counts
    stage.summary = (
        f"{n['added']} added, {n['removed']} removed, {n['changed']} changed rules; "
        f"{len(change.cases)} case(s) answer differently"
    )
