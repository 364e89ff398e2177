"""The project's case suite (tests/suite), one pytest item per case, so a plain pytest run
catches a knowledge regression. Items distribute under pytest-xdist (`pytest -n auto`)."""

from __future__ import annotations

import pytest

from lumbar.cli.consult_text import how_tree, why_not_report
from lumbar.engine.consult import consult
from lumbar.engine.explain import How
from lumbar.engine.model.case import load_case
from lumbar.engine.regress.suite import discover, judge_case
from tests.helpers import ROOT

CASES = discover([ROOT / "tests/suite"])


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_suite_case(kb, path) -> None:
    case = load_case(path, kb)
    outcome = judge_case(case, consult(case, kb), kb)
    if not outcome.passed:
        details = "\n".join(
            how_tree(e) if isinstance(e, How) else why_not_report(e) for e in outcome.explanations
        )
        pytest.fail("\n".join(outcome.failures) + "\n\n" + details, pytrace=False)


def test_the_suite_is_big_enough() -> None:
    assert len(CASES) >= 40
