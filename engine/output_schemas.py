"""JSON Schemas of the ``--json`` outputs, generated from the result classes as they serialize:
``lumbar consult`` (``Result``), ``lumbar test`` (``SuiteReport``) and ``lumbar diff``
(``Diff``). ``all_schemas`` adds the schemas of the files authors write (``model.schemas``):
everything ``lumbar kb schema`` writes under ``schemas/`` and checks for staleness.
"""

from __future__ import annotations

from .consult import Result
from .model import schemas as input_schemas
from .model.knowledge import KnowledgeBase
from .regress.diff import Diff
from .regress.suite import SuiteReport


def all_schemas(kb: KnowledgeBase) -> dict[str, bytes]:
    """File name -> schema bytes, for every schema under ``schemas/``."""
    levels = [*kb.triage_levels, "undetermined"]
    out = {
        "result.schema.json": input_schemas.named(
            input_schemas.model_schema(
                Result, "lumbar result (lumbar consult --json)", "serialization"
            ),
            {"level": levels},
        ),
        "suite-report.schema.json": input_schemas.model_schema(
            SuiteReport, "lumbar suite-report (lumbar test --json)", "serialization"
        ),
        "diff.schema.json": input_schemas.model_schema(
            Diff, "lumbar diff (lumbar diff --json)", "serialization"
        ),
    }
    return {
        **input_schemas.schemas(kb),
        **{name: input_schemas.dump(data) for name, data in out.items()},
    }
