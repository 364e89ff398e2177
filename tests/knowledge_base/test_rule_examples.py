"""Every example written beside a rule in the knowledge base, as its own test item.

Ids read ``rule_id::fires::example`` or ``rule_id::does_not_fire::example``. An example marked
``known_gap`` is reported as skipped with its reason, never as passed. Authors add data, not
Python, to test a rule. The examples run through ``engine/regress/examples.py``, as
``lumbar test``, ``kb check`` and ``lumbar verify`` run them; a firing example is also checked,
here, to conclude what its rule concludes in a traced consultation.
"""

from __future__ import annotations

from functools import cache

import pytest

from lumbar.engine.consult import consult
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.case import case_from_data
from lumbar.engine.regress.examples import ExampleOutcome, examples_of, run_examples
from lumbar.engine.regress.mutate import concluded_by

KB = kb_module.load()
EXAMPLES = [
    pytest.param(rule.id, group, example.name, id=f"{rule.id}::{group}::{example.name}")
    for rule, group, example in examples_of(KB)
]


@cache
def outcomes() -> dict[tuple[str, str, str], ExampleOutcome]:
    return {(o.rule, o.group, o.example): o for o in run_examples(KB)}


@pytest.mark.parametrize(("rule_id", "group", "name"), EXAMPLES)
def test_rule_example(rule_id, group, name) -> None:
    outcome = outcomes()[(rule_id, group, name)]
    if outcome.status == "skipped":
        pytest.skip(f"known gap: {outcome.message}")
    assert outcome.status == "passed", f"{outcome.file}:{outcome.line}: {outcome.message}"
    if group == "fires":  # a firing example also pins what the rule concludes
        case = case_from_data({"case": name, "findings": outcome.findings or {}}, KB)
        result = consult(case, KB)
        for cid in KB.rule(rule_id).then:
            assert concluded_by(result, cid, rule_id), f"{rule_id} did not conclude {cid}"


def test_examples_are_collected_from_the_knowledge_base() -> None:
    assert EXAMPLES, "no rule carries examples"
    first = next(iter(outcomes().values()))
    assert first.file.endswith(".yaml") and first.line  # each example knows where it is written
