"""Trace node ids: made and read in one place."""

from __future__ import annotations

import pytest

from lumbar.engine.run.events import ConclusionRef, FindingRef, firing_node, ref_of


def test_trace_node_ids_read_back_as_the_facts_they_name() -> None:
    for fact in (FindingRef("butt_wink"), ConclusionRef("cause_butt_wink")):
        assert ref_of(fact.node) == fact
    assert FindingRef("butt_wink").node == "finding:butt_wink"
    assert ConclusionRef("triage_urgent").node == "conclusion:triage_urgent"
    with pytest.raises(ValueError, match="not the node of a fact"):
        ref_of(firing_node(3))
