"""The engine seam: what lumbar needs from a rule engine, and the cache of compiled rules.

A ``Backend`` compiles a knowledge base into ``CompiledRules``. ``CompiledRules.run`` declares a
case's findings (in the order given: the vocabulary's), runs the rules to a fixed point telling
each observer (``events.Observer``) about every firing, and returns the number of firings; it
raises ``InferenceError`` past ``max_firings``, and may be called from several threads at once.
``CompiledRules.source`` is a rule's compiled form, shown by ``lumbar kb show``. experta
(``experta_backend.py``) is the one backend, ``DEFAULT``.

``compiled(kb)`` keeps the compiled rules of the last few knowledge bases, keyed by the content
digest the loader gives a knowledge base, so reloading unchanged files reuses them. A knowledge
base made in memory (``dataclasses.replace``: mutants, tests) has no digest and is compiled
anew on every call; callers that run it often compile it once themselves.

Callers: consult, mutate (mutants), the CLI's ``kb show``, the benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from ..model.knowledge import KnowledgeBase, Rule
from .events import Observer
from .experta_backend import ExpertaBackend

DEFAULT_MAX_FIRINGS = 10_000
CACHE_SIZE = 8  # knowledge bases kept compiled; the least recently used is dropped first


class CompiledRules(Protocol):
    def run(
        self, findings: Mapping[str, Any], observers: Iterable[Observer], max_firings: int
    ) -> int: ...

    def source(self, rule: Rule) -> str: ...


class Backend(Protocol):
    def compile(self, kb: KnowledgeBase) -> CompiledRules: ...


DEFAULT: Backend = ExpertaBackend()


def compiled(kb: KnowledgeBase, backend: Backend = DEFAULT) -> CompiledRules:
    """``kb`` compiled by ``backend``, from the cache when the same content was compiled."""
    if not kb.digest:
        return backend.compile(kb)
    return _compiled(backend, _Content(kb.digest, kb))


@dataclass(frozen=True)
class _Content:
    """A cache key: the digest. The knowledge base rides along to be compiled on a miss."""

    digest: str
    kb: KnowledgeBase = field(compare=False)


@lru_cache(maxsize=CACHE_SIZE)
def _compiled(backend: Backend, content: _Content) -> CompiledRules:
    return backend.compile(content.kb)
