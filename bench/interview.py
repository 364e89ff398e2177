"""Benchmark of the guided interview: prints figures, asserts nothing.

    python3 -m uv run python bench/interview.py

For every example and suite case, the interview is answered from the case's findings (a finding
the case does not give is answered "unknown"), from an empty start. Prints, per case: questions
asked, the vocabulary's size, how many were warning signs, and whether the interview reached the
same triage and causes as the file; then the medians, and the time per question (CPU).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from lumbar.engine.consult import consult
from lumbar.engine.interview import Interview, next_question
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.case import load_case

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "tests/suite").glob("*.yaml"))


def main() -> None:
    kb = kb_module.load()
    size = len(kb.findings)
    asked, warning, seconds, mismatches = [], [], [], 0
    print(f"{'case':64} asked / {size}  warning  same answer")
    for path in CASES:
        case = load_case(path, kb)
        interview = Interview.begin(kb)
        start = time.process_time()
        questions = []
        while (q := next_question(interview)) is not None:
            questions.append(q)
            interview = interview.answer(q.finding.name, case.findings.get(q.finding.name))
        seconds.append((time.process_time() - start) / max(1, len(questions) + 1))
        want, got = consult(case, kb), interview.result
        same = want.triage.level == got.triage.level and {d.id for d in want.of_kind("cause")} == {
            d.id for d in got.of_kind("cause")
        }
        mismatches += not same
        warns = sum(bool(q.finding.warning_values) for q in questions)
        asked.append(len(questions))
        warning.append(warns)
        print(
            f"{path.stem[:64]:64} {len(questions):5d} / {size}  {warns:7d}  "
            + ("yes" if same else "NO")
        )
    print()
    print(f"cases: {len(CASES)}; same triage and causes as the file: {len(CASES) - mismatches}")
    print(
        f"questions asked: median {statistics.median(asked):g} of {size} findings "
        f"(min {min(asked)}, max {max(asked)}); warning signs among them: median "
        f"{statistics.median(warning):g}"
    )
    print(
        f"CPU per question (the choice of the next one; the first case fills the caches): "
        f"median {statistics.median(seconds) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
