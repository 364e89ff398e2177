"""Loops between conclusions: found once, by ``dependencies``, for both the loader (a loop
through a negation cannot be stratified) and ``kb check`` (any loop)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import TypeAdapter

from lumbar.engine.conditions import Condition
from lumbar.engine.errors import KnowledgeBaseError
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.dependencies import Cycle, conclusion_graph, cycles
from tests.helpers import RULES, make_kb


def test_a_two_rule_loop_is_one_cycle_with_both_rules(tmp_path) -> None:
    first, second = kb_module.load(make_kb(tmp_path)).rules
    # butt_wink_is_a_cause now also needs triage_self_care, which cause_gives_self_care
    # concludes from cause_butt_wink: each rule needs the other's conclusion.
    when = TypeAdapter(Condition).validate_python(
        {"all": [{"finding": "butt_wink", "is": True}, {"conclusion": "triage_self_care"}]}
    )
    graph = conclusion_graph([replace(first, when=when), second])
    assert cycles(graph) == [
        Cycle(
            ("cause_butt_wink", "triage_self_care"),
            ("butt_wink_is_a_cause", "cause_gives_self_care"),
            through_negation=False,  # the 'none' of cause_gives_self_care is outside the loop
        )
    ]


def test_no_loop_no_cycle(tmp_path) -> None:
    assert cycles(conclusion_graph(kb_module.load(make_kb(tmp_path)).rules)) == []


def test_a_loop_through_negation_is_located_at_its_first_rule(tmp_path) -> None:
    # butt_wink_is_a_cause needs triage_self_care absent, which follows from its own conclusion.
    broken = RULES.replace(
        "when: {finding: butt_wink, is: true}",
        "when: {all: [{finding: butt_wink, is: true}, {none: [{conclusion: triage_self_care}]}]}",
    )
    with pytest.raises(KnowledgeBaseError) as info:
        kb_module.load(make_kb(tmp_path, broken))
    (problem,) = map(str, info.value.problems)
    assert problem == (
        "knowledge_base/rules/a.yaml:7:5: these rules test the absence of a conclusion that they "
        "themselves lead to (cause_butt_wink, triage_self_care), so no order is right: "
        "butt_wink_is_a_cause, cause_gives_self_care."
    )
