"""How many worker processes a run may use: ``lumbar test -j``, ``lumbar verify -j``, mutation
testing. Callers: ``suite``, ``examples``, ``mutate``."""

from __future__ import annotations

import os

from ..errors import LumbarError, Problem


def worker_count(jobs: int | None) -> int:
    """``jobs`` (None: every core), at most the cores this process may run on: more workers than
    cores only share them. Fewer than one is an error."""
    if jobs is not None and jobs < 1:
        message = f"{jobs} worker processes: give 1 or more (the default is every core)."
        raise LumbarError(Problem.about("jobs", message))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(jobs or cores or 1, cores or 1)
