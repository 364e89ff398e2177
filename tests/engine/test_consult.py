"""consult(): triage, causes, chains and the trace, on the real knowledge base."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import networkx as nx
import pytest

from lumbar.engine.consult import consult
from lumbar.engine.errors import InferenceError
from lumbar.engine.model.case import case_from_data, load_case
from lumbar.engine.model.quotes import find_quote
from lumbar.engine.run import backend
from lumbar.engine.run.trace import from_node_link, to_node_link
from tests.helpers import EXAMPLES, ROOT


def run(kb, **findings):
    return consult(case_from_data({"case": "t", "findings": findings}, kb), kb)


def firing_rules(result, conclusion: str) -> list[str]:
    return [s.rule for s in result.get(conclusion).supported_by]


def test_sudden_leg_weakness_is_urgent(kb) -> None:
    result = run(kb, leg_weakness="sudden")
    assert result.triage.level == "urgent"
    assert result.triage.raised_by == ("leg_weakness",)
    assert firing_rules(result, "triage_urgent") == ["nerve_root_issue_see_someone_very_urgently"]
    assert result.get("rec_see_someone_very_urgently") is not None


def test_difficulty_bearing_weight_on_one_leg_is_urgent(kb) -> None:
    assert run(kb, difficulty_bearing_weight_on_one_leg=True).triage.level == "urgent"


def firings_only(trace: nx.DiGraph) -> nx.DiGraph:
    """The trace without its ruled-out conclusions: findings, firings and conclusions."""
    return trace.subgraph(n for n, kind in trace.nodes(data="kind") if kind != "ruled_out")


def test_doms_timeline_chain_reaches_normal_soreness(kb) -> None:
    result = consult(load_case(ROOT / "examples/doms_day_after.yaml", kb), kb)
    assert result.triage.level == "normal_soreness"
    trace = firings_only(result.trace)
    # finding -> timeline judgement -> DOMS cause -> triage: three firings in a row.
    path = nx.shortest_path(
        trace, "finding:hours_since_workout", "conclusion:triage_normal_soreness"
    )
    steps = [trace.nodes[n] for n in path if n.startswith("firing:")]
    assert steps[0]["rule"] == "doms_timeline_onset_to_peak"
    assert len(steps) == 3
    assert "red_flag_present" in steps[-1]["absent"] or "red_flag_present" in steps[-2]["absent"]


def test_the_doms_window_closes_at_72_hours(kb) -> None:
    soreness = dict(
        pain_timing="hours_later",
        pain_abruptness="gradual",
        pain_quality="dull_ache",
        pain_location="general_soreness",
    )
    assert run(kb, hours_since_workout=71, **soreness).get("doms_timeline_matches") is not None
    after = run(kb, hours_since_workout=72, **soreness)
    assert after.get("doms_timeline_matches") is None
    assert after.get("past_doms_window") is not None


def test_a_red_flag_overrides_soreness_and_is_never_reassured(kb) -> None:
    result = run(
        kb,
        hours_since_workout=30,
        pain_timing="hours_later",
        pain_abruptness="gradual",
        pain_quality="sharp_or_stabbing",
        pain_location="general_soreness",
    )
    assert result.triage.level == "see_professional"
    assert result.get("red_flag_sharp_pain") is not None
    assert result.of_kind("reassurance") == []
    assert result.get("triage_normal_soreness") is None


def test_strain_means_appointment_and_no_squats_until_evaluated(kb) -> None:
    result = consult(load_case(ROOT / "examples/strained_muscle.yaml", kb), kb)
    assert result.triage.level == "see_professional"
    assert result.of_kind("cause")[0].id == "cause_muscle_strain"
    assert result.get("caution_avoid_squats_until_evaluated") is not None


def test_the_most_urgent_level_reached_wins(kb) -> None:
    result = run(kb, butt_wink=True, leg_weakness="sudden")
    levels = {d.id for d in result.of_kind("triage")}
    assert "triage_urgent" in levels and len(levels) >= 2
    assert result.triage.level == "urgent"


def test_an_absent_finding_is_unknown_not_false(kb) -> None:
    unknown = run(kb, butt_wink=True, hours_since_workout=30)
    assert unknown.get("reassurance_butt_wink_not_necessarily_a_problem") is None
    known = run(kb, butt_wink=True, hours_since_workout=30, previous_back_injury=False)
    assert known.get("reassurance_butt_wink_not_necessarily_a_problem") is not None


def test_no_findings_gives_undetermined_triage(kb) -> None:
    result = run(kb)
    assert (result.triage.level, result.conclusions, result.firings) == ("undetermined", (), 0)


def test_causes_are_ranked_by_findings_then_articles(kb) -> None:
    result = consult(load_case(ROOT / "examples/cold_start_no_brace.yaml", kb), kb)
    keys = [(-len(c.findings), -len(c.articles)) for c in result.of_kind("cause")]
    assert keys == sorted(keys) and len(keys) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_has_a_chain_of_three_firings_and_cited_conclusions(kb, path) -> None:
    result = consult(load_case(path, kb), kb)
    chain = nx.dag_longest_path(firings_only(result.trace))
    firings_on_longest = [n for n in chain if n.startswith("firing:")]
    assert len(firings_on_longest) >= 3
    assert result.triage.level != "undetermined"
    for derived in result.conclusions:
        assert derived.supported_by, derived.id
        for support in derived.supported_by:
            text = kb.articles[support.citation.article].text
            assert find_quote(support.citation.quote, text) == support.citation.line


def test_every_quote_in_the_knowledge_base_is_verbatim_in_its_source(kb) -> None:
    for rule in kb.rules:
        source = (ROOT / "knowledge_base/sources" / rule.citation.source).read_text("utf-8")
        assert find_quote(rule.citation.quote, source) is not None, rule.id


def test_the_knowledge_base_covers_all_five_articles(kb) -> None:
    per_article = {key: sum(r.citation.article == key for r in kb.rules) for key in kb.articles}
    assert len(per_article) == 5 and min(per_article.values()) >= 10
    assert len(kb.rules) > 60


def test_trace_exports_to_node_link_json_without_loss(kb) -> None:
    result = consult(load_case(ROOT / "examples/radiating_nerve_pain.yaml", kb), kb)
    data = json.loads(json.dumps(to_node_link(result.trace)))
    back = from_node_link(data)
    assert list(back.nodes(data=True)) == list(result.trace.nodes(data=True))
    assert list(back.edges(data=True)) == list(result.trace.edges(data=True))


def test_a_looping_rule_set_is_stopped_with_a_clear_error(kb) -> None:
    findings = load_case(ROOT / "examples/strained_muscle.yaml", kb).findings
    with pytest.raises(InferenceError, match="more than 5 rule firings"):
        backend.compiled(kb).run(findings, (), 5)


DUMP = """
import json, sys
from lumbar.engine.model.case import load_case
from lumbar.engine.consult import consult, default_kb
from lumbar.engine.run.trace import to_node_link
from lumbar.engine.serialize import to_data
kb = default_kb()
for path in sys.argv[1:]:
    r = consult(load_case(path, kb), kb)
    print(json.dumps([to_data(r), to_node_link(r.trace)], sort_keys=True))
"""


@pytest.mark.slow
def test_same_case_same_json_across_processes_and_hash_seeds() -> None:
    paths = [str(p) for p in EXAMPLES]
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", DUMP, *paths],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert len(outputs.pop().splitlines()) == len(paths)
