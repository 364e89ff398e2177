"""Case suites: run cases with ``expect:`` blocks, compare, and measure coverage.

``run_suite(paths, kb_root, jobs)`` finds the case files, consults each (in worker processes
when ``jobs > 1``; results are identical to a serial run and come back in path order) and
returns one ``CaseOutcome`` per case (``judge_case``): what was expected, what came out, and for
each failure the HOW of an unexpected conclusion or the WHY NOT of a missing one.
``coverage(outcomes, kb)`` reports rules never fired, conclusions never reached, findings never
used, and the share of each article's rules exercised; ``SuiteReport`` is the whole run as
``lumbar test --json`` prints it. Callers: the CLI's ``test`` command and
tests/knowledge_base/test_suite.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import field
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Annotated, Any
from xml.etree import ElementTree as ET

from pydantic import Field, computed_field, field_serializer
from pydantic.dataclasses import dataclass

from ..consult import Result, consult
from ..errors import CaseError, Problem
from ..explain import How, WhyNot, how, why_not
from ..model import load as kb_module
from ..model.case import Case, load_case
from ..model.knowledge import KnowledgeBase
from ..serialize import RESULT, keys_first
from ..text import escaped
from .examples import ExampleOutcome
from .workers import worker_count

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, config=RESULT)
class Answer:
    """What a case came out as, in the terms of its ``expect:`` block."""

    triage: str
    conclusions: tuple[str, ...]
    rules: tuple[str, ...]  # rules that fired
    sources: tuple[str, ...]  # article keys cited


@dataclass(frozen=True, config=RESULT)
class CaseOutcome:
    _json_order = keys_first("path", "case", "passed", "failures")
    path: str
    case: str
    expected: dict[str, Any]
    triage: Annotated[str, Field(exclude=True)]
    conclusions: Annotated[tuple[str, ...], Field(exclude=True)]
    fired: Annotated[tuple[str, ...], Field(exclude=True)]
    findings_used: Annotated[tuple[str, ...], Field(exclude=True)]
    cited: Annotated[tuple[str, ...], Field(exclude=True)]  # article keys
    failures: tuple[str, ...]
    explanations: Annotated[tuple[How | WhyNot, ...], Field(exclude=True)] = field(
        default=(), compare=False
    )

    @computed_field
    @property
    def passed(self) -> bool:
        return not self.failures

    @computed_field
    @property
    def actual(self) -> Answer:
        return Answer(self.triage, self.conclusions, self.fired, self.cited)


SKIPPED = {"node_modules", "__pycache__", "site-packages"}  # and hidden folders (.venv, .git)


def discover(paths: Iterable[str | Path], leave_out: Iterable[Path] = ()) -> list[Path]:
    """Case files named directly, or found (recursively, sorted) under named folders, leaving
    out hidden folders (``.venv``, ``.git``), installed packages and the files in ``leave_out``
    (a command's own outputs). A broken symlink where a case is expected is an error."""
    found: list[Path] = []
    outputs = {p.resolve() for p in leave_out}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                inside = p.relative_to(path).parts[:-1]
                if any(part.startswith(".") or part in SKIPPED for part in inside):
                    continue
                if p.suffix not in SUFFIXES or p.resolve() in outputs:
                    continue
                if p.is_symlink() and not p.exists():
                    raise CaseError(
                        Problem(str(p), None, None, "is a broken symlink; remove or fix it.")
                    )
                if p.is_file():
                    found.append(p)
        elif path.is_file():
            found.append(path)
        else:
            raise CaseError(Problem(str(path), None, None, "no such file or folder."))
    return found


def judge_case(case: Case, result: Result, kb: KnowledgeBase) -> CaseOutcome:
    """Compare a consultation with its case's expectations."""
    expect = case.expect
    reached = tuple(d.id for d in result.conclusions)
    fired = tuple(sorted(result.fired_rules()))
    cited = tuple(
        sorted({c.article for d in result.conclusions for s in d.supported_by for c in s.citations})
    )
    used = tuple(
        sorted(
            data["name"]
            for n, data in result.trace.nodes(data=True)
            if data["kind"] == "finding" and result.trace.out_degree(n) > 0
        )
    )
    failures: list[str] = []
    explanations: list[How | WhyNot] = []
    expected: dict[str, Any] = {}
    if expect is None:
        failures.append("no expect: block; add one (or run `lumbar test --update`)")
    else:
        expected = expect.model_dump(exclude_defaults=True)
        if expect.triage is not None and expect.triage != result.triage.level:
            failures.append(f"triage: expected {expect.triage}, got {result.triage.level}")
            if result.triage.conclusion:
                explanations.append(how(result, kb, result.triage.conclusion))
            levels = (c.id for c in kb.conclusions.values() if c.level == expect.triage)
            wanted = next(levels, None)  # none for undetermined, or a level no conclusion has
            if wanted is not None:
                explanations.append(why_not(result, kb, wanted))
        if expect.firmness is not None and expect.firmness != result.triage.firmness:
            waiting = ", ".join(result.triage.unscreened) or "nothing"
            failures.append(
                f"triage firmness: expected {expect.firmness}, got {result.triage.firmness} "
                f"(waiting for: {waiting})"
            )
        for cid in expect.conclusions:
            if cid not in reached:
                failures.append(f"expected conclusion {cid} was not reached")
                explanations.append(why_not(result, kb, cid))
        for cid in expect.absent:
            if cid in reached:
                failures.append(f"conclusion {cid} was reached but must be absent")
                explanations.append(how(result, kb, cid))
        failures += [f"rule {r} did not fire" for r in expect.rules if r not in fired]
        failures += [f"article {a} was not cited" for a in expect.sources if a not in cited]
    return CaseOutcome(
        str(case.source),
        case.id,
        expected,
        result.triage.level,
        reached,
        fired,
        used,
        cited,
        tuple(failures),
        tuple(explanations),
    )


@cache
def _worker_kb(root: str) -> KnowledgeBase:
    return kb_module.load(Path(root))  # once per worker process


def _run_one(path: str, kb: KnowledgeBase | str) -> CaseOutcome:
    kb = _worker_kb(kb) if isinstance(kb, str) else kb
    case = load_case(path, kb)
    return judge_case(case, consult(case, kb), kb)


def run_suite(
    paths: Sequence[Path], kb: KnowledgeBase, jobs: int | None = None
) -> list[CaseOutcome]:
    """Run every case; ``jobs`` worker processes (default: all cores, and never more), each
    loading the knowledge base from ``kb.root``; the outcomes equal a serial run's, in path
    order."""
    names = [str(p) for p in paths]
    jobs = min(worker_count(jobs), len(names))
    if jobs <= 1:
        return [_run_one(p, kb) for p in names]
    root = [str(kb.root)] * len(names)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_run_one, names, root, chunksize=4))


@dataclass(frozen=True, config=RESULT)
class Coverage:
    _json_order = keys_first("rules_percent")
    rules_fired: int
    rules_total: int
    never_fired: tuple[str, ...]
    never_reached: tuple[str, ...]
    findings_never_used: tuple[str, ...]
    per_article: dict[str, tuple[int, int]]  # article -> (fired, total)

    @property
    def percent(self) -> float:
        return 100.0 * self.rules_fired / self.rules_total if self.rules_total else 100.0

    @computed_field
    @property
    def rules_percent(self) -> float:
        return round(self.percent, 2)

    @field_serializer("per_article")
    def _per_article(self, per_article: dict[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
        return {k: {"fired": f, "total": t} for k, (f, t) in per_article.items()}


def coverage(outcomes: Iterable[CaseOutcome], kb: KnowledgeBase) -> Coverage:
    outcomes = list(outcomes)
    fired = {r for o in outcomes for r in o.fired}
    reached = {c for o in outcomes for c in o.conclusions}
    used = {f for o in outcomes for f in o.findings_used}
    per_article = {
        key: (
            sum(r.id in fired for r in kb.rules if r.citation.article == key),
            sum(r.citation.article == key for r in kb.rules),
        )
        for key in kb.articles
    }
    return Coverage(
        len(fired & set(kb.rules_by_id)),
        len(kb.rules),
        tuple(r.id for r in kb.rules if r.id not in fired),
        tuple(c for c in kb.conclusions if c not in reached),
        tuple(f for f in kb.findings if f not in used),
        per_article,
    )


@dataclass(frozen=True, config=RESULT)
class SuiteReport:
    """A whole run, as ``lumbar test --json`` prints it."""

    _json_order = keys_first("cases", "passed", "failed")
    cases: tuple[CaseOutcome, ...]
    coverage: Annotated[Coverage | None, Field(exclude_if=lambda c: c is None)] = None
    examples: Annotated[
        tuple[ExampleOutcome, ...],
        Field(description="The rules' own examples (empty with --no-examples)."),
    ] = ()

    @computed_field
    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.cases)

    @computed_field
    @property
    def failed(self) -> int:
        return len(self.cases) - self.passed


def junit_xml(outcomes: Sequence[CaseOutcome], name: str = "lumbar") -> bytes:
    """JUnit XML (one testcase per case) so CI systems show results natively."""
    failures = sum(not o.passed for o in outcomes)
    suite = ET.Element(
        "testsuite",
        name=name,
        tests=str(len(outcomes)),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    for o in outcomes:  # a case's id and path are user text: XML forbids controls in them
        case = ET.SubElement(
            suite,
            "testcase",
            classname=escaped(Path(o.path).parent.name or "suite"),
            name=escaped(o.case),
            file=escaped(o.path),
        )
        if not o.passed:
            failure = ET.SubElement(case, "failure", message=escaped(o.failures[0]))
            failure.text = escaped("\n".join(o.failures))
    ET.indent(suite)
    return ET.tostring(suite, encoding="utf-8", xml_declaration=True) + b"\n"


@dataclass(frozen=True, config=RESULT)
class Update:
    """What ``lumbar test --update`` would change in one case file: every change, those that
    lower what the case protects, and the file's new text (None: nothing to write, or refused)."""

    path: str
    changes: tuple[str, ...]  # "file:line: expect.triage: urgent -> self_care", ...
    weaker: tuple[str, ...]  # those that lower what the case protects
    text: str | None

    @property
    def refused(self) -> bool:
        return bool(self.weaker) and self.text is None


def update_expectations(
    path: Path, outcome: CaseOutcome, kb: KnowledgeBase, allow_weaker: bool = False
) -> Update:
    """A case file's ``expect:`` block rewritten from its current outcome, in the file's own
    format (YAML round trip keeping comments, order, line breaks and line endings; JSON stays
    JSON), everything else as it was. Each list keeps the author's choices that still hold;
    ``triage`` becomes the current level. A case without a block gets one (triage, red flags
    and causes). A change that lowers what the case protects (a less urgent triage, an expected
    red flag dropped) gives no new text unless ``allow_weaker``. Writes nothing."""
    raw = path.read_bytes().decode("utf-8")
    crlf = "\r\n" in raw
    text = raw.replace("\r\n", "\n")
    is_json = path.suffix == ".json"
    data = json.loads(text) if is_json else _yaml().load(text)
    reached, fired, cited = set(outcome.conclusions), set(outcome.fired), set(outcome.cited)
    expect = data.get("expect")
    changes: list[str] = []
    weaker: list[str] = []
    if expect is None:
        key = [c for c in outcome.conclusions if c.startswith(("red_flag_", "cause_"))]
        data["expect"] = {"triage": outcome.triage, "conclusions": key}
        changes.append(f"{path}: expect: added (triage {outcome.triage})")
    else:
        if "triage" in expect and expect["triage"] != outcome.triage:
            change = (
                f"{_at(path, expect, 'triage')}: expect.triage: {expect['triage']} -> "
                f"{outcome.triage}"
            )
            changes.append(change)
            if _rank(kb, outcome.triage) > _rank(kb, expect["triage"]):
                weaker.append(change)
            expect["triage"] = outcome.triage
        keep = {
            "conclusions": lambda c: c in reached,
            "absent": lambda c: c not in reached,
            "rules": lambda r: r in fired,
            "sources": lambda a: a in cited,
        }
        for field_name, holds in keep.items():
            items = expect.get(field_name)
            for i in reversed(range(len(items or ()))):
                if not holds(items[i]):
                    change = f"{_at(path, items, i)}: expect.{field_name}: - {items[i]}"
                    changes.append(change)
                    spec = kb.conclusions.get(items[i])
                    if field_name == "conclusions" and spec and spec.kind == "red_flag":
                        weaker.append(change)
                    del items[i]
    if is_json:
        new = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        out = StringIO()
        _yaml().dump(data, out)
        new = out.getvalue()
    if crlf:
        new = new.replace("\n", "\r\n")
    keep_it = new != raw and (allow_weaker or not weaker)
    return Update(str(path), tuple(changes), tuple(weaker), new if keep_it else None)


def _yaml() -> Any:
    from ruamel.yaml import YAML  # only this command needs round-trip YAML; keep start-up lean

    yaml = YAML()  # round-trip: comments and key order survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the author's lines
    return yaml


def _at(path: Path, container: Any, key: Any) -> str:
    """``path:line`` of ``key`` in a round-trip YAML container (JSON has no lines: ``path``)."""
    lc = getattr(container, "lc", None)
    if lc is None:
        return str(path)
    line = lc.key(key)[0] if isinstance(key, str) else lc.item(key)[0]
    return f"{path}:{line + 1}"


def _rank(kb: KnowledgeBase, level: str) -> int:
    return kb.level_rank(level) if level in kb.triage_levels else len(kb.triage_levels)
