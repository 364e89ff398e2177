"""`lumbar kb list / show / disputes`: the knowledge base browsed from the terminal."""

from __future__ import annotations

import json
import re

import pytest
from experta import AND, NOT, OR, P, Rule

from lumbar.cli.main import app
from lumbar.engine.conditions import FindingTest, walk
from lumbar.engine.model import catalog
from lumbar.engine.run.experta_backend import (
    Concluded,
    Finding,
    RuledOut,
    _experta_rule,
    experta_source,
)

LISTED = re.compile(r"^(\w+)  \[([\w-]+):(\d+)\]", re.M)


def listed(output: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in LISTED.finditer(output)]


def test_list_filters_by_article_kind_and_finding(runner, kb) -> None:
    result = runner.invoke(app, ["kb", "list", "--article", "forsythe"])
    assert result.exit_code == 0
    rows = listed(result.stdout)
    expected = [r.id for r in kb.rules if "forsythe" in r.articles]  # also_cites count
    assert [rule for rule, _ in rows] == expected
    assert result.stdout.rstrip().endswith(f"{len(expected)} of {len(kb.rules)} rules")

    result = runner.invoke(app, ["kb", "list", "--kind", "red_flag", "--finding", "leg_weakness"])
    rows = [rule for rule, _ in listed(result.stdout)]
    expected = [
        r.id
        for r in kb.rules
        if any(kb.conclusions[c].kind == "red_flag" for c in r.then)
        and any(isinstance(t, FindingTest) and t.finding == "leg_weakness" for t, _ in walk(r.when))
    ]
    assert rows == expected and len(rows) >= 2


def test_list_json_names_neighbours_and_disputes(runner, kb) -> None:
    result = runner.invoke(app, ["kb", "list", "--conclusion", "cause_core_weakness", "--json"])
    rows = json.loads(result.stdout)
    assert rows and all(
        "cause_core_weakness" in r["then"] or "cause_core_weakness" in r["when"] for r in rows
    )
    by_id = {r["id"]: r for r in rows}
    disputed = [r for r in rows if r["disputes"]]
    assert disputed, "core weakness is disputed between the articles"
    for r in rows:
        rule = kb.rule(r["id"])
        assert r["feeds_from"] == [p.id for p in catalog.feeders(kb, rule)]
        assert r["citation"]["quote"] == rule.citation.quote
    assert set(by_id) == {r.id for r in catalog.select(kb, conclusion="cause_core_weakness")}


@pytest.mark.parametrize(
    ("args", "near"),
    [
        (["--article", "forsyth"], "forsythe"),
        (["--kind", "causes"], "cause"),
        (["--finding", "butt_winks"], "butt_wink"),
    ],
)
def test_an_unknown_filter_is_exit_2_with_the_closest_name(runner, args, near) -> None:
    result = runner.invoke(app, ["kb", "list", *args])
    assert result.exit_code == 2 and result.stdout == ""
    assert f"Did you mean {near}" in result.stderr and "Traceback" not in result.stderr


def test_show_prints_the_rule_its_quote_in_context_and_its_experta_form(runner, kb) -> None:
    rule = kb.rule("inability_to_brace_causes_squat_pain")
    result = runner.invoke(app, ["kb", "show", rule.id])
    assert result.exit_code == 0
    out = result.stdout
    first_words = " ".join(rule.citation.quote.split()[:6])
    assert first_words in " ".join(out.split())
    marked = re.findall(r"^» +(\d+)  ", out, re.M)
    assert marked and int(marked[0]) == rule.citation.line
    assert re.search(r"^  +\d+  \S", out, re.M), "a line of context around the quote"
    assert f"def {rule.id}(self):" in out and "@Rule(" in out
    assert "Finding(name='core_weak', value=True)" in out
    assert "Disputed (disagree): core_weakness_cause" in out


def test_the_printed_experta_form_is_the_compiled_rule(kb) -> None:
    """Executing what `kb show` prints builds the same experta patterns as the compiler; each
    printed predicate agrees with the rule's own test on every value of its finding."""
    names = {"AND": AND, "OR": OR, "NOT": NOT, "P": P, "Rule": Rule}
    names |= {"Finding": Finding, "Concluded": Concluded, "RuledOut": RuledOut}
    for rule in kb.rules:
        scope = dict(names)
        exec(experta_source(rule), scope)  # defines the function, decorated by Rule
        printed, compiled = scope[rule.id], _experta_rule(rule)
        assert printed.salience == compiled.salience
        assert _shape(printed) == _shape(compiled), rule.id
        for p_fn, (test, negated) in zip(_predicates(printed), _tests(rule), strict=True):
            finding = kb.findings[test.finding]
            values = (
                [True, False]
                if finding.type == "boolean"
                else list(finding.values or ())
                if finding.type == "enum"
                else [finding.min, test.operand, test.operand + 0.5, finding.max, -1.0]
            )
            for v in values:  # a test under `none` needs its finding known to fail it
                assert p_fn(v) == (test.fails(v) if negated else test.holds(v)), (rule.id, v)


def _shape(node):
    if isinstance(node, P):
        return "P"
    if isinstance(node, tuple):
        return (type(node).__name__, *(_shape(c) for c in node))
    if hasattr(node, "items"):
        return (type(node).__name__, *sorted((k, _shape(v)) for k, v in node.items()))
    return node


def _predicates(node):
    if isinstance(node, P):
        yield node[0]
    elif isinstance(node, tuple):
        for child in node:
            yield from _predicates(child)
    elif hasattr(node, "values"):
        for value in node.values():
            yield from _predicates(value)


def _tests(rule):
    """The finding tests compiled to a predicate: comparisons, and every test under `none`."""
    return [
        (t, negated)
        for t, negated in walk(rule.when)
        if isinstance(t, FindingTest) and (t.operator != "is" or negated)
    ]


def test_show_an_unknown_rule_is_exit_2(runner) -> None:
    result = runner.invoke(app, ["kb", "show", "inability_to_brace"])
    assert result.exit_code == 2
    assert "Did you mean inability_to_brace_causes_squat_pain" in result.stderr


def test_disputes_lists_every_dispute_with_every_side_cited(runner, kb) -> None:
    result = runner.invoke(app, ["kb", "disputes"])
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    assert len(kb.disputes) >= 4
    for d in kb.disputes:
        assert f"{d.id}: {d.topic}" in flat
        for side in d.sides:
            for rule_id in side.rules:
                assert f"[{rule_id}]" in flat
    data = json.loads(runner.invoke(app, ["kb", "disputes", "--json"]).stdout)
    assert [d["id"] for d in data] == [d.id for d in kb.disputes]
    for d in data:
        articles = {v["article"] for side in d["sides"] for v in side["rules"]}
        assert len(articles) >= 2, d["id"]
        assert all(not v["fired"] for side in d["sides"] for v in side["rules"])


def test_the_disagreements_the_issue_names_are_recorded(kb) -> None:
    """Form as the main cause, core weakness, hamstring stretching, the chest-up cue."""

    def articles_of(dispute_id: str) -> list[set[str]]:
        d = next(d for d in kb.disputes if d.id == dispute_id)
        return [{kb.rule(r).citation.article for r in side.rules} for side in d.sides]

    form = articles_of("form_main_cause")
    assert any("nielen" in s for s in form) and any({"klein-2024", "forsythe"} & s for s in form)
    core = articles_of("core_weakness_cause")
    assert any("forsythe" in s for s in core) and any("nasm-trainer-2025" in s for s in core)
    assert {"forsythe", "nielen"} <= set().union(*articles_of("hamstring_stretching"))
    assert {"forsythe", "klein-2024"} <= set().union(*articles_of("chest_up_cue"))
