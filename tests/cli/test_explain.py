"""`lumbar explain` (HOW / WHY NOT), and the --diagram and --trace files of consult/explain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx

from lumbar.cli.main import app
from tests.helpers import ROOT

STRAIN = str(ROOT / "examples/strained_muscle.yaml")
DOMS = str(ROOT / "examples/doms_day_after.yaml")


def test_explain_one_conclusion_prints_its_tree_with_quotes(runner) -> None:
    result = runner.invoke(app, ["explain", STRAIN, "red_flag_real_pain_not_soreness"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("red_flag_real_pain_not_soreness [red_flag]")
    assert "└─ rule tender_or_afraid_to_bend_is_real_pain (firing 7, 8)" in out
    assert "— Milica McDowell, klein-2024, 000_89ede210e5e8b98e.txt line 115" in out
    assert "because: afraid_to_bend = true, sore_to_touch = true" in out


def test_explain_without_a_conclusion_explains_them_all(runner, kb) -> None:
    result = runner.invoke(app, ["explain", DOMS, "--json"])
    assert result.exit_code == 0
    trees = json.loads(result.stdout)
    consulted = json.loads(runner.invoke(app, ["consult", DOMS, "--json"]).stdout)
    assert [t["conclusion"] for t in trees] == [c["id"] for c in consulted["conclusions"]]
    assert all(t["steps"] and t["steps"][0]["citation"]["quote"] for t in trees)


def test_why_not_lists_conditions_and_what_to_ask(runner) -> None:
    result = runner.invoke(app, ["explain", DOMS, "--why-not", "triage_urgent"])
    assert result.exit_code == 0
    out = result.stdout
    assert "WHY NOT triage_urgent" in out
    assert "✗ leg_weakness = sudden  (case: none)" in out
    assert "? difficulty_bearing_weight_on_one_leg = true" in out
    assert out.index("To ask") < out.index(
        "difficulty_bearing_weight_on_one_leg (not asked; needs = true)"
    )
    data = json.loads(
        runner.invoke(app, ["explain", DOMS, "--why-not", "triage_urgent", "--json"]).stdout
    )
    assert data["reached"] is False and data["rules"][0]["condition"]["status"] == "failed"


def test_unknown_conclusion_is_exit_2_with_closest_ids(runner) -> None:
    result = runner.invoke(app, ["explain", DOMS, "--why-not", "cause_butwink"])
    assert result.exit_code == 2
    assert "--why-not: 'cause_butwink' is not a conclusion" in result.stderr
    assert "Did you mean cause_butt_wink" in result.stderr
    assert result.stdout == ""


def test_explain_of_a_conclusion_not_reached_is_exit_2(runner) -> None:
    result = runner.invoke(app, ["explain", DOMS, "triage_urgent"])
    assert result.exit_code == 2 and "CONCLUSION: 'triage_urgent' was not reached" in result.stderr
    assert "`lumbar explain CASE --why-not ID` shows what it would need" in result.stderr


def test_consult_writes_a_diagram_and_a_trace(runner, tmp_path) -> None:
    svg, trace_json, graphml = tmp_path / "d.svg", tmp_path / "t.json", tmp_path / "t.graphml"
    result = runner.invoke(
        app,
        ["consult", STRAIN, "--diagram", str(svg), "--engine", "pure", "--trace", str(trace_json)],
    )
    assert result.exit_code == 0, result.output
    ET.parse(svg)
    data = json.loads(trace_json.read_text(encoding="utf-8"))
    kinds = {n["kind"] for n in data["nodes"]}
    assert kinds == {"finding", "firing", "conclusion", "ruled_out"} and data["edges"]
    assert runner.invoke(app, ["consult", STRAIN, "--trace", str(graphml)]).exit_code == 0
    graph = nx.read_graphml(graphml)
    assert graph.number_of_nodes() == len(data["nodes"])
    firing = next(d for _, d in graph.nodes(data=True) if d["kind"] == "firing")
    assert firing["quote"] and isinstance(json.loads(firing["absent"]), list)


def test_explain_diagram_highlights_the_chosen_chain(runner, tmp_path) -> None:
    page = tmp_path / "chain.html"
    result = runner.invoke(
        app, ["explain", STRAIN, "cause_muscle_strain", "--diagram", str(page), "--engine", "pure"]
    )
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "chain of cause_muscle_strain" in html and "<blockquote>" in html


def test_a_bad_diagram_name_fails_before_any_work_and_writes_nothing(runner, tmp_path) -> None:
    target = tmp_path / "d.jpeg"
    result = runner.invoke(app, ["consult", STRAIN, "--diagram", str(target)])
    assert result.exit_code == 2 and "unknown diagram format" in result.stderr
    assert not target.exists() and result.stdout == ""


def test_pdf_without_system_graphviz_says_how_to_get_it(tmp_path) -> None:
    """Runs the real command with a PATH that has no `dot` on it."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": str(bin_dir)}
    done = subprocess.run(
        [str(bin_dir / "lumbar"), "consult", STRAIN, "--diagram", str(tmp_path / "d.pdf")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "apt-get install graphviz" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "d.pdf").exists()


def test_an_unwritable_diagram_path_is_exit_2_and_leaves_nothing(runner, tmp_path) -> None:
    target = tmp_path / "missing-folder" / "d.svg"
    result = runner.invoke(app, ["consult", STRAIN, "--diagram", str(target), "--engine", "pure"])
    assert result.exit_code == 2 and "cannot be written" in result.stderr
    assert result.stdout == "" and not target.parent.exists()
