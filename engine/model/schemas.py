"""JSON Schemas of the files authors and users write, for editors (``lumbar kb schema``, with
the schemas of the ``--json`` outputs from ``output_schemas``, which reuses the helpers here).

The shapes come from the pydantic models the loader validates with, so an editor and
``lumbar kb check`` agree on shape. On top, each schema names what the knowledge base knows:
the finding names and their values, and the conclusion ids, so that an editor completes
``finding:``, ``conclusion:``, ``then:`` and a case's findings as the author types. The schemas
are committed under ``schemas/``; a test fails when they fall behind the knowledge base.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from .case import CaseFile
from .knowledge import KnowledgeBase
from .shapes import ConclusionsFile, DisputesFile, RuleFile, UncitedFile, VocabularyFile

BASE = "https://lumbar.invalid/schemas/"  # an id, never fetched


def schemas(kb: KnowledgeBase) -> dict[str, bytes]:
    """File name -> schema bytes (stable JSON, in the models' field order)."""
    findings = list(kb.findings)
    conclusions = list(kb.conclusions)
    rules = [r.id for r in kb.rules]
    out = {
        "vocabulary.schema.json": model_schema(VocabularyFile, "lumbar vocabulary file"),
        "conclusions.schema.json": named(
            model_schema(ConclusionsFile, "lumbar conclusions file"), {"contradicts": conclusions}
        ),
        "rules.schema.json": named(
            model_schema(RuleFile, "lumbar rule file (one article)"),
            {"finding": findings, "conclusion": conclusions, "then": conclusions},
        ),
        "disputes.schema.json": named(
            model_schema(DisputesFile, "lumbar disputes between articles"), {"rules": rules}
        ),
        "uncited.schema.json": _uncited(kb, rules),
        "case.schema.json": _case(kb),
    }
    return {name: dump(data) for name, data in out.items()}


def model_schema(model: Any, title: str, mode: JsonSchemaMode = "validation") -> dict[str, Any]:
    """The schema of a pydantic class: what it reads (``validation``) or what it writes
    (``serialization``). Its ``$id`` is the title from its second word up to any "("."""
    data = TypeAdapter(model).json_schema(by_alias=True, mode=mode)
    name = title.split(" ", 1)[1].split(" (")[0].replace(" ", "-")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + name,
        **data,
        "title": title,
    }


def named(schema: dict[str, Any], names: dict[str, list[str]]) -> dict[str, Any]:
    """Constrain every property called one of ``names`` (a string, or a list of strings) to
    the knowledge base's ids, wherever it is defined."""

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                if key in names and isinstance(sub, dict):
                    target = sub.get("items", sub) if sub.get("type") == "array" else sub
                    # an optional name (`by: str | None`): name the string branch, keep null
                    strings = [x for x in sub.get("anyOf", []) if x.get("type") == "string"]
                    target = strings[0] if strings else target
                    target.pop("pattern", None)
                    target["enum"] = names[key]
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema


def _uncited(kb: KnowledgeBase, rules: list[str]) -> dict[str, Any]:
    """``uncited.yaml``: the sentence ledger, its article keys and ``by`` rules named."""
    schema = named(
        model_schema(UncitedFile, "lumbar uncited sentences (the ledger)"), {"by": rules}
    )
    schema["properties"]["articles"]["propertyNames"] = {"enum": list(kb.articles)}
    return schema


def _case(kb: KnowledgeBase) -> dict[str, Any]:
    schema = model_schema(CaseFile, "lumbar case file")
    props = {}
    for f in kb.findings.values():
        if f.type == "boolean":
            spec: dict[str, Any] = {"type": ["boolean", "null"]}
        elif f.type == "enum":
            spec = {"enum": [*(f.values or ()), None]}
        else:
            spec = {"type": ["number", "null"], "minimum": f.min, "maximum": f.max}
        props[f.name] = {**spec, "description": f"{f.question} {f.help}".strip()}
    schema["properties"]["findings"] = {
        "type": "object",
        "description": "Findings by name (`lumbar kb vocab`); null or absent means unknown.",
        "properties": props,
        "additionalProperties": False,
    }
    return schema


def dump(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
