"""Impact of a knowledge-base change: the knowledge base at a git revision vs the working tree.

``load_at(ref, kb)`` extracts the knowledge base folder as it was at ``ref`` (``git archive``)
into a temporary folder and loads it; ``compare(base, head, case_paths)`` lists rules added,
removed and changed (condition, conclusion, citation) and, for every case, how its answer
changed (triage up or down, conclusions gained or lost) with the changed rules responsible.
Callers: the CLI's ``diff`` command and tests.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, computed_field, field_serializer
from pydantic.dataclasses import dataclass

from ..conditions import FindingTest, children, condition_text
from ..consult import Result, consult
from ..errors import CaseError, KnowledgeBaseError, Problem, RevisionError
from ..model import load as kb_module
from ..model.case import load_case
from ..model.knowledge import KnowledgeBase, Rule
from ..serialize import RESULT, keys_first
from ..text import value_text


def load_at(ref: str, kb: KnowledgeBase, workdir: Path) -> KnowledgeBase:
    """The knowledge base folder of ``kb`` as committed at ``ref``, loaded from ``workdir``."""
    root = kb.root.resolve()

    def git(*args: str, cwd: Path = root) -> bytes:
        try:
            done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
        except OSError as exc:
            raise RevisionError(
                Problem.about("base", f"git cannot be started ({exc}); install git to compare.")
            ) from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = message[-1] if message else "not a revision of this repository"
            raise RevisionError(
                Problem.about(
                    "base",
                    f"git cannot read {ref!r} ({reason}). Give a commit, branch or tag.",
                )
            )
        return done.stdout

    top = Path(git("rev-parse", "--show-toplevel").decode().strip())
    git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    inside = root.relative_to(top).as_posix()
    listed = git("ls-tree", "-d", "--name-only", ref, inside, cwd=top).decode().split()
    if inside not in listed:
        raise RevisionError(
            Problem.about(
                "base",
                f"{ref} has no {inside}/ folder (the knowledge base was added later, or moved): "
                "compare with a revision that has one.",
            )
        )
    archive = git("archive", "--format=tar", ref, inside, cwd=top)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(workdir, filter="data")
    try:
        return kb_module.load(workdir / inside)
    except KnowledgeBaseError as exc:
        problems = [Problem(f"{ref}:{p.file}", p.line, p.column, p.message) for p in exc.problems]
        head = Problem.about("base", f"the knowledge base at {ref} does not load:")
        raise KnowledgeBaseError([head, *problems]) from None


@dataclass(frozen=True, config=RESULT)
class RuleChange:
    rule: str
    change: Literal["added", "removed", "changed"]
    fields: tuple[str, ...] = ()  # for changed: when, then, citation, salience
    details: Annotated[
        tuple[str, ...],
        Field(description="What changed, readably: 'when: any -> all', 'more_than: 72 -> 96'."),
    ] = ()


@dataclass(frozen=True, config=RESULT)
class KnowledgeChange:
    """A change to the knowledge outside the rules: a conclusion, a finding of the vocabulary,
    a dispute, the triage levels."""

    kind: Literal["conclusion", "finding", "dispute", "levels"]
    id: str
    change: Literal["added", "removed", "changed"]
    details: tuple[str, ...] = ()


@dataclass(frozen=True, config=RESULT)
class CaseChange:
    case: str
    path: str
    triage: tuple[str, str]  # (base, head)
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    responsible: tuple[str, ...]  # added, removed or changed rules that fired in either run
    triage_change: Literal["up", "down", "none"] = "none"  # up: more urgent

    @field_serializer("triage")
    def _base_head(self, triage: tuple[str, str]) -> dict[str, str]:
        return {"base": triage[0], "head": triage[1]}


@dataclass(frozen=True, config=RESULT | ConfigDict(arbitrary_types_allowed=True))
class Diff:
    _json_order = keys_first("base", "changed")
    base: str
    rules: tuple[RuleChange, ...]
    cases: tuple[CaseChange, ...]
    knowledge: tuple[KnowledgeChange, ...]
    # Cases that cannot run on the base (they give a finding or value it does not have).
    not_comparable: tuple[str, ...]
    # Changed rules as they are now (removed: as they were), each with its mark, for the
    # rule-graph diagram.
    marked_rules: Annotated[list[tuple[Rule, str | None]], Field(exclude=True)]

    @property
    def empty(self) -> bool:
        return not self.rules and not self.cases and not self.knowledge

    @computed_field
    @property
    def counts(self) -> dict[str, int]:
        return {k: sum(r.change == k for r in self.rules) for k in ("added", "removed", "changed")}

    def fails(self, gate: str) -> bool:
        """Whether the change trips ``gate``: a case's triage went down (less urgent), a case
        lost a conclusion, or anything changed."""
        if gate == "triage-down":
            return any(c.triage_change == "down" for c in self.cases)
        if gate == "conclusion-lost":
            return any(c.lost for c in self.cases)
        return not self.empty

    @computed_field
    @property
    def changed(self) -> bool:
        return not self.empty


def _fields(a: Rule, b: Rule) -> tuple[str, ...]:
    out = []
    if a.when.model_dump() != b.when.model_dump():
        out.append("when")
    if a.then != b.then:
        out.append("then")
    if [(c.quote, c.who, c.article) for c in a.citations] != [
        (c.quote, c.who, c.article) for c in b.citations
    ]:
        out.append("citation")
    if a.salience != b.salience:
        out.append("salience")
    return tuple(out)


def compare(ref: str, base: KnowledgeBase, head: KnowledgeBase, case_paths: list[Path]) -> Diff:
    old, new = base.rules_by_id, head.rules_by_id
    rules = [RuleChange(r, "removed") for r in old if r not in new]
    rules += [RuleChange(r, "added") for r in new if r not in old]
    rules += [
        RuleChange(r, "changed", f, _details(old[r], new[r]))
        for r in new
        if r in old
        if (f := _fields(old[r], new[r]))
    ]
    touched = {r.rule for r in rules}
    cases = []
    not_comparable = []
    for path in case_paths:
        after = _run(path, head)
        try:
            before = _run(path, base)
        except CaseError as exc:
            reason = exc.problems[0].message if exc.problems else "does not load"
            not_comparable.append(f"{path}: at {ref}: {reason}")
            continue
        got_before = {d.id for d in before.conclusions}
        got_after = {d.id for d in after.conclusions}
        if before.triage.level == after.triage.level and got_before == got_after:
            continue
        involved = before.fired_rules() | after.fired_rules()
        was, now = (_rank(head, before.triage.level), _rank(head, after.triage.level))
        cases.append(
            CaseChange(
                after.case.id,
                str(path),
                (before.triage.level, after.triage.level),
                tuple(sorted(got_after - got_before)),
                tuple(sorted(got_before - got_after)),
                tuple(sorted(involved & touched)),
                "up" if now < was else "down" if now > was else "none",
            )
        )
    marked = [(old[r.rule] if r.change == "removed" else new[r.rule], r.change) for r in rules]
    knowledge = tuple(knowledge_changes(base, head))
    return Diff(ref, tuple(rules), tuple(cases), knowledge, tuple(not_comparable), marked)


FIELDS = {
    "conclusion": ("kind", "label", "description", "level", "contradicts"),
    "finding": (
        "type",
        "values",
        "unit",
        "min",
        "max",
        "red_flag",
        "urgent",
        "screen",
        "question",
        "help",
    ),
    "dispute": ("topic", "kind", "summary", "sides", "editors_note"),
}


def knowledge_changes(base: KnowledgeBase, head: KnowledgeBase) -> list[KnowledgeChange]:
    """Conclusions, findings and disputes added, removed or changed (each field in words), and
    the triage levels."""
    out = []
    pairs = {
        "conclusion": (base.conclusions, head.conclusions),
        "finding": (base.findings, head.findings),
        "dispute": ({d.id: d for d in base.disputes}, {d.id: d for d in head.disputes}),
    }
    for kind, (old, new) in pairs.items():
        out += [KnowledgeChange(kind, k, "removed") for k in old if k not in new]
        out += [KnowledgeChange(kind, k, "added") for k in new if k not in old]
        for key in (k for k in new if k in old):
            details = tuple(
                f"{name}: {_said(getattr(old[key], name))} -> {_said(getattr(new[key], name))}"
                for name in FIELDS[kind]
                if getattr(old[key], name) != getattr(new[key], name)
            )
            if details:
                out.append(KnowledgeChange(kind, key, "changed", details))
    for name in ("triage_levels", "reassuring_levels"):
        if getattr(base, name) != getattr(head, name):
            said = f"{name}: {_said(getattr(base, name))} -> {_said(getattr(head, name))}"
            out.append(KnowledgeChange("levels", name, "changed", (said,)))
    return out


def _said(value: Any) -> str:
    if isinstance(value, str):
        return f"“{_short(value)}”"
    if isinstance(value, tuple) and value and hasattr(value[0], "position"):  # dispute sides
        return "; ".join(f"{s.position[:40]}: {', '.join(s.rules)}" for s in value)
    return value_text(value) if isinstance(value, tuple | list) else str(value)


def _rank(kb: KnowledgeBase, level: str) -> int:
    """0 for the most urgent level; "undetermined" (or a level the head does not know) last."""
    return kb.level_rank(level) if level in kb.triage_levels else len(kb.triage_levels)


def _details(a: Rule, b: Rule) -> tuple[str, ...]:
    """A changed rule's changes in words."""
    out = condition_changes(a.when, b.when)
    out += [f"then: + {c}" for c in b.then if c not in a.then]
    out += [f"then: - {c}" for c in a.then if c not in b.then]
    for before, after in zip(a.citations, b.citations, strict=False):
        if before.quote != after.quote:
            out.append(f"quote: “{_short(before.quote)}” -> “{_short(after.quote)}”")
        if before.who != after.who:
            out.append(f"who: {before.who} -> {after.who}")
    if len(a.citations) != len(b.citations):
        out.append(f"citations: {len(a.citations)} -> {len(b.citations)}")
    if a.salience != b.salience:
        out.append(f"salience: {a.salience} -> {b.salience}")
    return tuple(out)


def condition_changes(a: Any, b: Any, where: str = "when") -> list[str]:
    """Where two conditions differ, each difference in words: a group's key (``when: any ->
    all``), a threshold (``when.all[1]: hours_since_workout more_than: 72 -> 96``), a test
    replaced, tests added or removed."""
    if a == b:
        return []
    ca, cb = children(a), children(b)
    if ca is None or cb is None:
        if (
            isinstance(a, FindingTest)
            and isinstance(b, FindingTest)
            and (a.finding, a.operator) == (b.finding, b.operator)
        ):
            was, now = value_text(a.operand), value_text(b.operand)
            return [f"{where}: {a.finding} {a.operator}: {was} -> {now}"]
        return [f"{where}: {condition_text(a)} -> {condition_text(b)}"]
    (key_a, parts_a), (key_b, parts_b) = ca, cb
    out = [f"{where}: {key_a} -> {key_b}"] if key_a != key_b else []
    if len(parts_a) == len(parts_b):
        for i, (x, y) in enumerate(zip(parts_a, parts_b, strict=True)):
            out += condition_changes(x, y, f"{where}.{key_b}[{i}]")
        return out
    out += [f"{where}.{key_b}: - {condition_text(x)}" for x in parts_a if x not in parts_b]
    out += [f"{where}.{key_b}: + {condition_text(y)}" for y in parts_b if y not in parts_a]
    return out


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _run(path: Path, kb: KnowledgeBase) -> Result:
    return consult(load_case(path, kb), kb)


def diff(ref: str, head: KnowledgeBase, case_paths: list[Path]) -> Diff:
    with tempfile.TemporaryDirectory() as tmp:
        base = load_at(ref, head, Path(tmp))
        return compare(ref, base, head, case_paths)
