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
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, computed_field, field_serializer
from pydantic.dataclasses import dataclass

from ..consult import Result, consult
from ..errors import KnowledgeBaseError, Problem, RevisionError
from ..model import load as kb_module
from ..model.case import load_case
from ..model.knowledge import KnowledgeBase, Rule
from ..serialize import RESULT, keys_first


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


@dataclass(frozen=True, config=RESULT)
class CaseChange:
    case: str
    path: str
    triage: tuple[str, str]  # (base, head)
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    responsible: tuple[str, ...]  # added, removed or changed rules that fired in either run

    @field_serializer("triage")
    def _base_head(self, triage: tuple[str, str]) -> dict[str, str]:
        return {"base": triage[0], "head": triage[1]}


@dataclass(frozen=True, config=RESULT | ConfigDict(arbitrary_types_allowed=True))
class Diff:
    _json_order = keys_first("base", "changed")
    base: str
    rules: tuple[RuleChange, ...]
    cases: tuple[CaseChange, ...]
    # Changed rules as they are now (removed: as they were), each with its mark, for the
    # rule-graph diagram.
    marked_rules: Annotated[list[tuple[Rule, str | None]], Field(exclude=True)]

    @property
    def empty(self) -> bool:
        return not self.rules and not self.cases

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
        RuleChange(r, "changed", f) for r in new if r in old if (f := _fields(old[r], new[r]))
    ]
    touched = {r.rule for r in rules}
    cases = []
    for path in case_paths:
        before, after = _run(path, base), _run(path, head)
        got_before = {d.id for d in before.conclusions}
        got_after = {d.id for d in after.conclusions}
        if before.triage.level == after.triage.level and got_before == got_after:
            continue
        involved = before.fired_rules() | after.fired_rules()
        cases.append(
            CaseChange(
                after.case.id,
                str(path),
                (before.triage.level, after.triage.level),
                tuple(sorted(got_after - got_before)),
                tuple(sorted(got_before - got_after)),
                tuple(sorted(involved & touched)),
            )
        )
    marked = [(old[r.rule] if r.change == "removed" else new[r.rule], r.change) for r in rules]
    return Diff(ref, tuple(rules), tuple(cases), marked)


def _run(path: Path, kb: KnowledgeBase) -> Result:
    return consult(load_case(path, kb), kb)


def diff(ref: str, head: KnowledgeBase, case_paths: list[Path]) -> Diff:
    with tempfile.TemporaryDirectory() as tmp:
        base = load_at(ref, head, Path(tmp))
        return compare(ref, base, head, case_paths)
