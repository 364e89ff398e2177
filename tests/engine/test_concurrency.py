"""consult() from many threads at once gives exactly what a serial run gives."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from lumbar.engine.consult import consult
from lumbar.engine.model.case import Case, load_case
from lumbar.engine.model.knowledge import KnowledgeBase
from lumbar.engine.run.trace import to_node_link
from lumbar.engine.serialize import to_data
from tests.helpers import EXAMPLES

THREADS = 8
ROUNDS = 3


def dump(case: Case, kb: KnowledgeBase) -> str:
    result = consult(case, kb)
    return json.dumps([to_data(result), to_node_link(result.trace)], sort_keys=True)


def test_consultations_from_eight_threads_at_once_match_a_serial_run(kb) -> None:
    cases = [load_case(p, kb) for p in EXAMPLES]
    serial = [dump(case, kb) for case in cases]
    start = threading.Barrier(THREADS)

    def consult_all(offset: int) -> list[tuple[int, str]]:
        start.wait()  # all threads begin together
        # Each thread starts at a different example, so that different cases overlap.
        order = [(offset + k) % len(cases) for k in range(len(cases))] * ROUNDS
        return [(i, dump(cases[i], kb)) for i in order]

    with ThreadPoolExecutor(THREADS) as pool:
        done = list(pool.map(consult_all, range(THREADS)))
    assert sum(len(d) for d in done) == THREADS * ROUNDS * len(cases)
    for results in done:
        for i, got in results:
            assert got == serial[i], EXAMPLES[i].name
