"""The rule diagrams under diagrams/: current (CI fails when a knowledge change is not
regenerated), deterministic, and each showing what its README sentence says."""

from __future__ import annotations

import re

import pytest

from lumbar.cli.main import app
from lumbar.engine.draw import rules as diagrams
from tests.helpers import ROOT

RULE_NODE = re.compile(r'<g id="rule&#45;(\w+)" class="node rule article&#45;([\w&#;]+)[^"]*"')


def rule_nodes(svg: bytes) -> dict[str, str]:
    """rule id -> article key of every rule node in an SVG."""
    text = svg.decode("utf-8")
    return {m.group(1): m.group(2).replace("&#45;", "-") for m in RULE_NODE.finditer(text)}


def test_the_committed_diagrams_are_current(runner) -> None:
    result = runner.invoke(app, ["diagrams", "--check", "--out", str(ROOT / "diagrams")])
    assert result.exit_code == 0, f"run `lumbar diagrams` and commit:\n{result.stderr}"


def test_the_set_covers_every_article_triage_level_and_cause(kb) -> None:
    names = {d.name for d in diagrams.plan(kb)}
    assert "rules" in names
    assert {f"article-{a}" for a in kb.articles} <= names
    assert {f"triage-{level}" for level in kb.triage_levels} <= names
    assert {c.id for c in kb.conclusions.values() if c.kind == "cause"} <= names
    readme = (ROOT / "diagrams/README.md").read_text(encoding="utf-8")
    for name in names:
        assert f"]({name}.svg)" in readme


def test_the_whole_graph_has_every_rule_with_its_citation_key_and_dispute_mark(kb) -> None:
    svg = (ROOT / "diagrams/rules.svg").read_bytes()
    nodes = rule_nodes(svg)
    assert nodes == {r.id: r.citation.article for r in kb.rules}
    text = svg.decode("utf-8")
    disputed = {r for d in kb.disputes for s in d.sides for r in s.rules}
    for rule_id in disputed:
        assert re.search(rf'id="rule&#45;{rule_id}" class="[^"]*disputed"', text), rule_id
    some = kb.rules[0]
    assert f"{some.citation.article}:{some.citation.line}".replace("-", "&#45;") in text


def test_an_article_diagram_holds_only_that_articles_rules(kb) -> None:
    for key in kb.articles:
        nodes = rule_nodes((ROOT / f"diagrams/article-{key}.svg").read_bytes())
        assert set(nodes.values()) == {key}
        assert len(nodes) == sum(r.citation.article == key for r in kb.rules)


def test_a_triage_diagram_holds_every_path_to_its_level(kb) -> None:
    nodes = set(rule_nodes((ROOT / "diagrams/triage-urgent.svg").read_bytes()))
    ends = {r.id for r in kb.rules if "triage_urgent" in r.then}
    assert ends and ends <= nodes
    for rule_id in nodes:  # and nothing else: each rule there feeds the level, transitively
        assert rule_id in ends or any(
            rule_id in {p.id for p in diagrams.upstream(kb, [kb.rule(e)])} for e in ends
        )


@pytest.mark.slow
def test_a_knowledge_change_makes_the_diagrams_stale(runner, kb_copy, tmp_path) -> None:
    out = tmp_path / "diagrams"
    assert runner.invoke(app, ["diagrams", "--kb", str(kb_copy), "--out", str(out)]).exit_code == 0
    (out / "cause_no_longer_exists.svg").write_text("<svg/>", encoding="utf-8")  # lumbar's once
    with (out / ".lumbar-files").open("a", encoding="utf-8") as listed:
        listed.write("cause_no_longer_exists.svg\n")
    (out / "notes.svg").write_text("<svg/>", encoding="utf-8")  # the user's: never touched
    result = runner.invoke(app, ["diagrams", "--check", "--kb", str(kb_copy), "--out", str(out)])
    assert result.exit_code == 1 and "cause_no_longer_exists.svg: out of date" in result.stderr
    assert "notes.svg" not in result.stderr
    rules = kb_copy / "rules/000_klein_peloton.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("[cause_rounded_back, ", "[", 1), encoding="utf-8")
    check = runner.invoke(app, ["diagrams", "--check", "--kb", str(kb_copy), "--out", str(out)])
    changed = set(re.findall(r"([\w-]+\.svg): out of date", check.stderr))
    assert {"rules.svg", "article-klein-2024.svg", "cause_rounded_back.svg"} <= changed
    assert "article-nielen.svg" not in changed
    result = runner.invoke(app, ["diagrams", "--kb", str(kb_copy), "--out", str(out)])
    assert "removed" in result.stdout and not (out / "cause_no_longer_exists.svg").exists()
    assert (out / "notes.svg").read_text(encoding="utf-8") == "<svg/>"
    check = runner.invoke(app, ["diagrams", "--check", "--kb", str(kb_copy), "--out", str(out)])
    assert check.exit_code == 0


def test_diagrams_html_writes_the_three_explorer_pages(runner, tmp_path) -> None:
    out = tmp_path / "site"
    result = runner.invoke(app, ["diagrams", "--html", str(out)])
    assert result.exit_code == 0 and "index.html" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        ".lumbar-files",
        "articles.html",
        "disputes.html",
        "index.html",
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="kb-data"' in index and "<svg" in index and "{{" not in index


def test_an_output_folder_that_cannot_be_made_is_exit_2_and_nothing_written(
    runner, tmp_path
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    for args in (["diagrams", "--out"], ["diagrams", "--html"], ["kb", "schema", "--out"]):
        result = runner.invoke(app, [*args, str(blocker / "inside")])
        assert result.exit_code == 2, (args, result.stdout)
        assert "cannot be created" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]
