"""The compiled-rules cache: keyed by the knowledge base's content, bounded, never fooled by a
knowledge base changed in memory; and the engine pool after a failed run."""

from __future__ import annotations

import glob
import json
from dataclasses import replace
from types import SimpleNamespace

import pytest

from lumbar.engine.consult import consult
from lumbar.engine.errors import InferenceError
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.case import load_case
from lumbar.engine.run import backend, experta_backend
from lumbar.engine.run.trace import to_node_link
from lumbar.engine.serialize import to_data
from tests.helpers import ROOT


def test_reloading_the_same_files_reuses_the_compiled_rules(kb, kb_copy) -> None:
    again = kb_module.load(kb_copy)  # another folder, the same files
    assert again is not kb and again.digest == kb.digest
    assert backend.compiled(again) is backend.compiled(kb)


def test_a_changed_file_is_compiled_anew(kb, kb_copy) -> None:
    source = next((kb_copy / "sources").iterdir())  # not YAML, but read: part of the digest
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    changed = kb_module.load(kb_copy)
    assert changed.digest != kb.digest
    assert backend.compiled(changed) is not backend.compiled(kb)


def test_a_knowledge_base_changed_in_memory_is_never_served_from_the_cache(kb) -> None:
    without_first = replace(kb, rules=kb.rules[1:])
    assert without_first.digest == ""
    assert backend.compiled(without_first) is not backend.compiled(kb)


class CountingBackend:
    def __init__(self) -> None:
        self.compiled: list[str] = []

    def compile(self, kb):
        self.compiled.append(kb.digest)
        return object()


def test_the_cache_keeps_the_last_few_knowledge_bases() -> None:
    counting = CountingBackend()
    kbs = [SimpleNamespace(digest=f"content {i}") for i in range(backend.CACHE_SIZE + 1)]
    for kb in kbs[: backend.CACHE_SIZE]:
        backend.compiled(kb, counting)
    backend.compiled(kbs[0], counting)  # still kept, and now the most recently used
    assert len(counting.compiled) == backend.CACHE_SIZE
    backend.compiled(kbs[-1], counting)  # one too many: the least recently used goes
    backend.compiled(kbs[0], counting)
    assert len(counting.compiled) == backend.CACHE_SIZE + 1
    backend.compiled(kbs[1], counting)
    assert counting.compiled[-1] == "content 1"


def test_a_run_stopped_by_the_firing_limit_leaves_later_runs_right(kb) -> None:
    case = load_case(ROOT / "examples/strained_muscle.yaml", kb)
    before = to_data(consult(case, kb))
    with pytest.raises(InferenceError):
        backend.compiled(kb).run(case.findings, (), 5)
    assert to_data(consult(case, kb)) == before


def test_polling_only_the_touched_conflict_sets_changes_nothing(kb, monkeypatch) -> None:
    """The engine asks only the conflict-set nodes that received a token since it last asked;
    experta's own loop asks them all. Every example and suite case fires the same rules in the
    same order and gives the same result either way."""
    paths = sorted(glob.glob(str(ROOT / "examples/*.yaml")))
    paths += sorted(glob.glob(str(ROOT / "tests/suite/*.yaml")))
    cases = [load_case(p, kb) for p in paths]

    def outputs(incremental: bool) -> list[str]:
        monkeypatch.setattr(experta_backend.CompiledEngine, "incremental", incremental)
        rules = experta_backend.ExpertaBackend().compile(kb)
        return [
            json.dumps([to_data(r), to_node_link(r.trace)], sort_keys=True)
            for r in (consult(c, kb, rules) for c in cases)
        ]

    assert outputs(incremental=True) == outputs(incremental=False)
