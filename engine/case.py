"""Case files: ``{case: ID, description: TEXT, findings: {NAME: VALUE, ...}}`` in YAML or JSON.

``load_case`` reads one (``-`` is standard input) and checks every finding against the
vocabulary: unknown names get the closest valid names, wrong values get what is allowed. A
finding given as ``null`` is unknown, exactly as if it were left out. Callers: the CLI, tests.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .documents import Document, parse_text, read_document, validation_problems
from .errors import CaseError, Problem
from .kb import Finding, KnowledgeBase, closest


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case: str = Field(min_length=1)
    description: str | None = None
    findings: dict[str, bool | str | int | float | None]


@dataclass(frozen=True)
class Case:
    id: str
    description: str | None
    findings: dict[str, Any]  # in vocabulary order; unknown findings are absent
    source: str


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
        if finding is None:
            near = closest(key, list(kb.findings))
            hint = f" Did you mean {' or '.join(near)}?" if near else ""
            problems.append(
                Problem(
                    name,
                    line,
                    col,
                    f"findings.{key}: unknown finding.{hint} "
                    "`lumbar kb vocab` lists every finding.",
                )
            )
            continue
        if value is not None and not fits(finding, value):
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
    return Case(spec.case, spec.description, findings, name)


def fits(finding: Finding, value: Any) -> bool:
    if finding.type == "boolean":
        return isinstance(value, bool)
    if finding.type == "enum":
        return isinstance(value, str) and value in (finding.values or ())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    assert finding.min is not None and finding.max is not None
    return finding.min <= value <= finding.max
