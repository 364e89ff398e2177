"""Every example written beside a rule in the knowledge base, as its own test item.

Ids read ``rule_id::fires::example`` or ``rule_id::does_not_fire::example``. An example marked
``known_gap`` is reported as skipped with its reason, never as passed. Authors add data, not
Python, to test a rule.
"""

from __future__ import annotations

import pytest

from lumbar.engine.consult import consult
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.case import case_from_data
from lumbar.engine.regress.mutate import concluded_by

KB = kb_module.load()
EXAMPLES = [
    pytest.param(rule.id, group, example, id=f"{rule.id}::{group}::{example.name}")
    for rule in KB.rules
    for group in ("fires", "does_not_fire")
    for example in getattr(rule.examples, group)
]


@pytest.mark.parametrize(("rule_id", "group", "example"), EXAMPLES)
def test_rule_example(rule_id, group, example) -> None:
    if example.known_gap:
        pytest.skip(f"known gap: {example.known_gap}")
    case = case_from_data({"case": example.name, "findings": dict(example.findings)}, KB)
    result = consult(case, KB)
    fired = rule_id in result.fired_rules()
    assert fired == (group == "fires"), (
        f"{rule_id} {'did not fire' if group == 'fires' else 'fired'} on {example.findings}"
    )
    if fired:  # a firing example also pins what the rule concludes
        for cid in KB.rule(rule_id).then:
            assert concluded_by(result, cid, rule_id), f"{rule_id} did not conclude {cid}"


def test_examples_are_collected_from_the_knowledge_base() -> None:
    assert EXAMPLES, "no rule carries examples"
