"""Case files: ``{case: ID, description: TEXT, findings: {NAME: VALUE, ...}}`` in YAML or JSON.

``load_case`` reads one (``-`` is standard input; at most ``MAX_BYTES``) and checks every finding
against the vocabulary: unknown names get the closest valid names, wrong values get what is
allowed, a time or a hexadecimal number given for a number is text and says how to write it. A
finding given as ``null`` is unknown, exactly as if it were left out. At most ``MAX_PROBLEMS``
problems are listed, then how many more. Callers: the CLI, tests.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import CaseError, Problem
from ..text import did_you_mean, value_text
from .documents import Document, parse_bytes, read_document, validation_problems
from .knowledge import Finding, KnowledgeBase

MAX_BYTES = 1_000_000  # a case is a few dozen lines; anything this large is the wrong file
MAX_PROBLEMS = 20  # listed for one case file; then how many more


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
        doc = parse_bytes(_read_stdin(), "<stdin>", CaseError, MAX_BYTES)
    else:
        doc = read_document(Path(path), CaseError, max_bytes=MAX_BYTES)
    return case_from_document(doc, kb)


def _read_stdin() -> bytes:
    """Up to one byte over ``MAX_BYTES`` of standard input, as bytes (decoded strictly later)."""
    if sys.stdin is None:  # closed (`<&-`)
        message = "standard input is closed; give a case file, or pipe one into `-`."
        raise CaseError(Problem("<stdin>", None, None, message))
    try:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is not None:
            return stream.read(MAX_BYTES + 1)
        return sys.stdin.read(MAX_BYTES + 1).encode("utf-8", "surrogateescape")
    except (OSError, ValueError) as exc:  # a closed descriptor
        message = f"standard input cannot be read ({exc}); give a case file instead."
        raise CaseError(Problem("<stdin>", None, None, message)) from None


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
        raise _refused(validation_problems(exc, doc), name) from None
    wrong = [
        (key, value, kb.findings.get(key))
        for key, value in spec.findings.items()
        if key not in kb.findings or (value is not None and not kb.findings[key].allows(value))
    ]
    problems = []
    for key, value, finding in wrong[:MAX_PROBLEMS]:  # "did you mean" only for those shown
        line, col = doc.position(["findings", key])
        retired = kb.retired.get(key)
        if retired is not None and retired.covers(value, finding):
            problems.append(Problem(name, line, col, f"findings.{key}: {retired.message(value)}"))
            continue
        if finding is None:
            hint = did_you_mean(key, list(kb.findings))
            message = f"findings.{key}: unknown finding.{hint}"
            problems.append(Problem(name, line, col, message, hint="vocabulary"))
        else:
            problems.append(
                Problem(name, line, col, f"findings.{key}: {_not_allowed(value, finding)}")
            )
    if wrong:
        raise _refused(problems, name, len(wrong))
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
        raise _refused(problems, doc.name)


def _not_allowed(value: Any, finding: Finding) -> str:
    """What is wrong with a value of ``finding`` and what to write instead."""
    allowed = finding.describe_allowed()
    shown = repr(value) if len(repr(value)) <= 60 else f"{repr(value)[:40]}... (cut)"
    if finding.type == "number" and isinstance(value, str):
        time = re.fullmatch(r"(\d+):([0-5]\d)", value.strip())
        if time and finding.unit == "hours":
            hours = value_text(int(time[1]) + int(time[2]) / 60)
            return f"{shown} is a time, not a number; give hours as a number, e.g. {hours}."
        return f"{shown} is not a number; give {allowed}, written in decimal (e.g. 1.5)."
    if finding.type == "boolean" and str(value).lower() in ("yes", "no", "on", "off", "y", "n"):
        return f"{shown} is text in a case file (YAML 1.2); give {allowed}."
    return f"{shown} is not allowed; give {allowed}."


def _refused(problems: list[Problem], name: str, total: int = 0) -> CaseError:
    """The error for a case file's problems (``total`` of them, if more were found than
    made): the first ``MAX_PROBLEMS``, then how many more."""
    shown = problems[:MAX_PROBLEMS]
    more = max(total, len(problems)) - len(shown)
    if more:
        message = f"... and {more:,} more problem(s); fix these first."
        shown.append(Problem(name, None, None, message))
    return CaseError(shown)
