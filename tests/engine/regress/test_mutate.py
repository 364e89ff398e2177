"""Mutation testing: operators, and the shortcut checked against full re-runs."""

from __future__ import annotations

import itertools

import pytest

from lumbar.engine.conditions import FindingTest, walk
from lumbar.engine.consult import consult
from lumbar.engine.model.case import case_from_data
from lumbar.engine.regress import mutate
from lumbar.engine.regress.suite import discover
from lumbar.engine.run import backend
from tests.helpers import ROOT

SUITE = tuple(str(p) for p in discover([ROOT / "tests/suite"]))
ROOT_KB = str(ROOT / "knowledge_base")


def test_every_operator_is_generated(kb) -> None:
    operators = {m.operator for m in mutate.mutants(kb)}
    assert operators == {
        "drop_condition",
        "flip_comparison",
        "move_threshold",
        "change_conclusion",
        "delete",
    }


def test_thresholds_move_one_unit_each_way(kb) -> None:
    rule = "pain_lingering_over_a_week_is_red_flag"
    moved = [m for m in mutate.mutants(kb, [rule]) if m.operator == "move_threshold"]
    operands = sorted(
        leaf.operand
        for m in moved
        for leaf in _leaves(m.when)
        if isinstance(leaf, FindingTest) and leaf.finding == "hours_since_workout"
    )
    assert operands == [167.0, 169.0]


def _leaves(cond):
    return [leaf for leaf, _ in walk(cond)]


@pytest.mark.slow
def test_deleting_the_urgent_rule_is_caught(kb) -> None:
    (mutant,) = [
        m
        for m in mutate.mutants(kb, ["nerve_root_issue_see_someone_very_urgently"])
        if m.operator == "delete"
    ]
    verdict = mutate.judge(mutant, ROOT_KB, SUITE)
    assert verdict.killed_by is not None


@pytest.mark.slow
def test_the_shortcut_agrees_with_full_reruns(kb) -> None:
    """For a spread of mutants, skipping probes whose outcome cannot change gives the same
    verdict (killed or not) as re-running every probe (suite cases only, to stay quick)."""
    sample = list(itertools.islice(mutate.mutants(kb), 0, None, 50))
    assert len({m.operator for m in sample}) >= 3
    for mutant in sample:
        fast = mutate.judge(mutant, ROOT_KB, SUITE, examples=False)
        full = mutate.judge(mutant, ROOT_KB, SUITE, shortcut=False, examples=False)
        assert (fast.killed_by is None) == (full.killed_by is None), mutant


@pytest.mark.slow
def test_changing_a_conclusion_is_caught_by_the_rules_own_example(kb) -> None:
    rule = "training_related_pain_fixed_with_adjustments_nasm"
    (mutant,) = [m for m in mutate.mutants(kb, [rule]) if m.operator == "change_conclusion"]
    verdict = mutate.judge(mutant, ROOT_KB, SUITE)
    assert verdict.killed_by is not None and verdict.killed_by.startswith(f"{rule}::fires::")


def test_a_mutant_never_runs_on_the_original_compiled_rules(kb) -> None:
    """A mutant is the loaded knowledge base changed in memory: it must not be taken for the
    files it came from (same digest), or every mutant would survive."""
    rule = "nerve_root_issue_see_someone_very_urgently"
    (mutant,) = [m for m in mutate.mutants(kb, [rule]) if m.operator == "delete"]
    mutated = mutate.apply(kb, mutant)
    assert mutated is not None and mutated.digest != kb.digest
    assert backend.compiled(mutated) is not backend.compiled(kb)
    case = case_from_data({"case": "weak", "findings": {"leg_weakness": "sudden"}}, kb)
    assert rule in consult(case, kb).fired_rules()
    assert rule not in consult(case, mutated).fired_rules()
