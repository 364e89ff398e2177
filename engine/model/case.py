"""Case files: ``{case: ID, description: TEXT, findings: {NAME: VALUE, ...}}`` in YAML or JSON.

``load_case`` reads one (``-`` is standard input) and checks every finding against the
vocabulary: unknown names get the closest valid names, wrong values get what is allowed. A
finding given as ``null`` is unknown, exactly as if it were left out. Callers: the CLI, tests.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import CaseError, Problem
from ..text import did_you_mean
from .documents import Document, parse_text, read_document, validation_problems
from .knowledge import KnowledgeBase


class Expect(BaseModel):
    """What a suite case must come out as (see ``lumbar test``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    triage: str | None = None  # a triage level, or "undetermined"
    firmness: Literal["final", "provisional"] | None = None  # how firm the triage must be
    conclusions: tuple[str, ...] = ()  # must be reached
    absent: tuple[str, ...] = ()  # must not be reached
    rules: tuple[str, ...] = ()  # must fire
    sources: tuple[str, ...] = ()  # article keys that must be cited


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case: str = Field(min_length=1)
    description: str | None = None
    findings: dict[str, bool | str | int | float | None]
    expect: Expect | None = None


@dataclass(frozen=True)
class Case:
    id: str
    description: str | None
    findings: dict[str, Any]  # in vocabulary order; unknown findings are absent
    source: str
    expect: Expect | None = None


def load_case(path: str | Path, kb: KnowledgeBase) -> Case:
    """Read and validate a case file; raise ``CaseError`` listing every problem."""
    if str(path) == "-":
        doc = parse_text(sys.stdin.read(), "<stdin>", CaseError)
    else:
        doc = read_document(Path(path), CaseError)
    return case_from_document(doc, kb)


def case_from_data(data: dict[str, Any], kb: KnowledgeBase, name: str = "<case>") -> Case:
    """Validate case data built in Python (no file positions)."""
    return case_from_document(Document(name, data), kb)


def case_from_document(doc: Document, kb: KnowledgeBase) -> Case:
    """Validate a parsed case file; problems point at their line in it."""
    name = doc.name
    if not isinstance(doc.data, dict):
        message = "a case file is a mapping with keys case, description (optional) and findings."
        raise CaseError(Problem(name, 1, 1, message))
    try:
        spec = CaseFile.model_validate(doc.data)
    except ValidationError as exc:
        raise CaseError(validation_problems(exc, doc)) from None
    problems = []
    for key, value in spec.findings.items():
        line, col = doc.position(["findings", key])
        finding = kb.findings.get(key)
        retired = kb.retired.get(key)
        if retired is not None and retired.covers(value, finding):
            problems.append(Problem(name, line, col, f"findings.{key}: {retired.message(value)}"))
            continue
        if finding is None:
            hint = did_you_mean(key, list(kb.findings))
            problems.append(
                Problem(
                    name,
                    line,
                    col,
                    f"findings.{key}: unknown finding.{hint}",
                    hint="vocabulary",
                )
            )
            continue
        if value is not None and not finding.allows(value):
            problems.append(
                Problem(
                    name,
                    line,
                    col,
                    f"findings.{key}: {value!r} is not allowed; give {finding.describe_allowed()}.",
                )
            )
    if problems:
        raise CaseError(problems)
    order = list(kb.findings)
    findings = {
        k: spec.findings[k]
        for k in sorted(spec.findings, key=order.index)
        if spec.findings[k] is not None
    }
    if spec.expect is not None:
        if spec.expect == Expect():
            line, col = doc.position(["expect"])
            message = (
                "expect: is empty, so the case could never fail; say what it must come out as "
                "(triage, conclusions, absent, rules or sources)."
            )
            raise CaseError(Problem(name, line, col, message))
        _check_expect(spec.expect, kb, doc)
    return Case(spec.case, spec.description, findings, name, spec.expect)


def _check_expect(expect: Expect, kb: KnowledgeBase, doc: Document) -> None:
    """Every name in an ``expect:`` block must exist, or the expectation could never fail."""
    known = {
        "conclusions": kb.conclusions,
        "absent": kb.conclusions,
        "rules": kb.rules_by_id,
        "sources": kb.articles,
    }
    problems = []
    levels = (*kb.triage_levels, "undetermined")
    if expect.triage is not None and expect.triage not in levels:
        line, col = doc.position(["expect", "triage"])
        problems.append(
            Problem(
                doc.name,
                line,
                col,
                f"expect.triage: {expect.triage!r} is not a "
                f"triage level; use one of {', '.join(levels)}.",
            )
        )
    for key, valid in known.items():
        for i, name in enumerate(getattr(expect, key)):
            if name not in valid:
                hint = did_you_mean(name, list(valid))
                line, col = doc.position(["expect", key, i])
                problems.append(
                    Problem(
                        doc.name,
                        line,
                        col,
                        f"expect.{key}[{i}]: unknown {key.rstrip('s')} {name!r}.{hint}",
                    )
                )
    if problems:
        raise CaseError(problems)
