"""Diagrams of the knowledge base itself: findings -> rules -> conclusions, layered by depth.

``rule_graph_dot`` draws any set of rules with the findings and conclusions they touch: rule
nodes carry their id and citation key (``article:line``), disputed rules are marked
``[disputed]`` with a purple border, and every node gets an SVG ``id`` and ``class`` (``rule
article-KEY kind-KIND``) that the explorer uses. ``plan`` names the committed set (the whole
graph, one per article, per triage level, per cause); ``files`` renders them with
``diagrams/README.md``; ``stale`` lists what differs from a fresh run. They are rendered with
the bundled graphviz-pure engine, which the lockfile pins, so the committed files are the same
on every machine.

Callers: ``lumbar diagrams``, ``lumbar diff --diagram`` (with change marks), the explorer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import graphviz

from ..conditions import ConclusionTest, FindingTest, describe_test, walk_paths
from ..model.catalog import conclusions_tested, feeders
from ..model.knowledge import KnowledgeBase, Rule
from . import consultation as render
from .consultation import KIND_STYLE, TRIAGE_FILL, dot_text

ENGINE = "pure"  # pinned in uv.lock; the system `dot` may be any version
DISPUTED_STYLE = {"color": "#762a83", "penwidth": "2.5"}
CHANGE_STYLE = {
    "added": {"color": "#1a9641", "penwidth": "3", "fillcolor": "#d9f0d3"},
    "removed": {
        "color": "#d7191c",
        "penwidth": "3",
        "style": "filled,dashed",
        "fillcolor": "#fddbc7",
    },
    "changed": {"color": "#fdae61", "penwidth": "3", "fillcolor": "#fee8c8"},
}


def rule_graph_dot(
    rules: Iterable[Rule | tuple[Rule, str | None]],
    kb: KnowledgeBase,
    title: str,
    legend: bool = True,
) -> str:
    """Findings -> rules -> conclusions for ``rules`` (each optionally with a change mark:
    added, removed or changed), ranked left to right by reasoning depth."""
    marked = [(r, None) if isinstance(r, Rule) else r for r in rules]
    g = graphviz.Digraph(
        "rules",
        graph_attr={
            "rankdir": "LR",
            "fontname": "Helvetica",
            "labelloc": "t",
            "label": dot_text(title),
            "ranksep": "0.9",
            "nodesep": "0.12",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "11", "style": "filled"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "fontcolor": "#444444"},
    )
    names: dict[str, str] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []

    def node(key: str, label: str, **attrs: str) -> str:
        if key not in names:
            names[key] = f"n{len(names)}"
            g.node(names[key], dot_text(label), **attrs)
        return names[key]

    def conclusion(cid: str) -> str:
        spec = kb.conclusions.get(cid)
        shape, fill, font = KIND_STYLE[spec.kind] if spec else ("box", "white", "black")
        if spec and spec.kind == "triage" and spec.level in TRIAGE_FILL:
            fill, font = TRIAGE_FILL[spec.level]
        kind = spec.kind if spec else "unknown"
        return node(
            f"c:{cid}",
            cid,
            shape=shape,
            fillcolor=fill,
            fontcolor=font,
            id=f"conclusion-{cid}",
            **{"class": f"conclusion kind-{kind}"},
            tooltip=dot_text(spec.label if spec else cid),
        )

    for rule, mark in marked:
        disputed = bool(kb.disputes_of(rule.id)) if rule.id in kb.rules_by_id else False
        kinds = " ".join(
            f"kind-{kb.conclusions[c].kind}"
            for c in dict.fromkeys(rule.then)
            if c in kb.conclusions
        )
        attrs = {
            "shape": "ellipse",
            "fillcolor": "#f7f7f7",
            "tooltip": dot_text("\n".join(c.quote for c in rule.citations)),
            "id": f"rule-{rule.id}" + (f"-{mark}" if mark else ""),
            "class": f"rule article-{rule.citation.article} {kinds}"
            + (" disputed" if disputed else ""),
            **(DISPUTED_STYLE if disputed else {}),
            **CHANGE_STYLE.get(mark or "", {}),
        }
        label = f"{rule.id}\n{rule.citation.article}:{rule.citation.line}"
        label += "  [disputed]" if disputed else ""
        label += f"\n[{mark}]" if mark else ""
        r = node(f"rule:{rule.id}:{mark}", label, **attrs)
        tested: dict[tuple[str, bool], list[str]] = {}
        for leaf, negated, path in walk_paths(rule.when):
            if isinstance(leaf, ConclusionTest):
                src = conclusion(leaf.conclusion)
            else:
                assert isinstance(leaf, FindingTest)
                src = node(
                    f"f:{leaf.finding}",
                    leaf.finding,
                    shape="note",
                    fillcolor="white",
                    id=f"finding-{leaf.finding}",
                    **{"class": "finding"},
                )
            tested.setdefault((src, negated), []).append(edge_label(leaf, negated, path, kb))
        for (src, negated), labels in tested.items():
            style = {"style": "dashed", "arrowhead": "tee"} if negated else {}
            text = ", ".join(x for x in dict.fromkeys(labels) if x)
            edges.append((src, r, {**style, "label": text} if text else style))
        for cid in rule.then:
            edges.append((r, conclusion(cid), {}))
    # Findings first; dot then layers every other node by the longest path from them, which
    # is its reasoning depth within the diagram (all edges run input -> rule -> conclusion).
    with g.subgraph() as first:
        first.attr(rank="min")
        for key, name in names.items():
            if key.startswith("f:"):
                first.node(name)
    for src, dst, style in dict.fromkeys((a, b, tuple(s.items())) for a, b, s in edges):
        g.edge(src, dst, **dict(style))
    if legend:
        rule_style = {"shape": "ellipse", "fillcolor": "#f7f7f7"}
        render.legend(
            g,
            [
                ("legend_finding", "finding", {"shape": "note", "fillcolor": "white"}),
                ("legend_rule", "rule_id\narticle:line", rule_style),
                (
                    "legend_disputed",
                    "rule_id [disputed]\n(lumbar kb disputes)",
                    {**rule_style, **DISPUTED_STYLE},
                ),
            ],
        )
    return g.source


# ---- the committed set -----------------------------------------------------------------------


@dataclass(frozen=True)
class Diagram:
    name: str  # file stem under diagrams/
    title: str
    sentence: str  # what it shows, for diagrams/README.md
    rules: tuple[Rule, ...]


def edge_label(leaf: Any, negated: bool, path: tuple[str | int, ...], kb: KnowledgeBase) -> str:
    """What an edge into a rule tests: ``= true``, ``> 72 hours``, ``in [a, b]``; ``not`` for a
    test under ``none``; ``any of`` when it is one alternative of several."""
    words = []
    if negated:
        words.append("not")
    if isinstance(leaf, FindingTest):
        unit = kb.findings[leaf.finding].unit if leaf.finding in kb.findings else None
        words.append(describe_test(leaf).removeprefix(leaf.finding).strip())
        if unit and isinstance(leaf.operand, int | float) and not isinstance(leaf.operand, bool):
            words.append(unit)
    if len(path) >= 2 and path[-2] == "any":
        words.append("(any of)")
    return " ".join(words)


def upstream(kb: KnowledgeBase, rules: Iterable[Rule]) -> list[Rule]:
    """``rules`` and every rule that feeds them, transitively, in knowledge-base order."""
    seen: set[str] = set()
    todo = list(rules)
    while todo:
        r = todo.pop()
        if r.id not in seen:
            seen.add(r.id)
            todo.extend(feeders(kb, r))
    return [r for r in kb.rules if r.id in seen]


def plan(kb: KnowledgeBase) -> list[Diagram]:
    """The diagrams ``lumbar diagrams`` writes, in README order."""
    out = [
        Diagram(
            "rules",
            "The whole rule graph: findings -> rules -> conclusions",
            "Every rule of the knowledge base with the findings it tests and the conclusions it "
            "draws, layered left to right by reasoning depth.",
            kb.rules,
        )
    ]
    for key, article in kb.articles.items():
        rules = tuple(r for r in kb.rules if r.citation.article == key)
        out.append(
            Diagram(
                f"article-{key}",
                f"Rules from {key}: {article.title}",
                f"The {len(rules)} rules that cite {article.title!r}"
                f"{' (' + article.author + ')' if article.author else ''}.",
                rules,
            )
        )
    for level in kb.triage_levels:
        ends = [r for r in kb.rules if any(kb.conclusions[c].level == level for c in r.then)]
        rules = tuple(upstream(kb, ends))
        out.append(
            Diagram(
                f"triage-{level}",
                f"Every path to triage: {level}",
                f"Every rule on a path that ends in triage level {level!r} "
                f"({len(ends)} rules conclude it; {len(rules)} rules in all).",
                rules,
            )
        )
    for c in kb.conclusions.values():
        if c.kind != "cause":
            continue
        ends = [r for r in kb.rules if c.id in r.then]
        after = [r for r in kb.rules if c.id in conclusions_tested(r)]
        before = upstream(kb, ends)
        rules = tuple(r for r in kb.rules if r in before or r in after)
        out.append(
            Diagram(
                c.id,
                f"Cause: {c.label}",
                f"{c.label}: the rules that lead to {c.id} and the advice rules that test it.",
                rules,
            )
        )
    return out


def node_count(source: str) -> int:
    """Nodes of a rule graph's DOT source (node statements ``nN [``; not edges or legend)."""
    return len(re.findall(r"^\s*n\d+ \[", source, re.M))


def readme(diagrams: list[tuple[Diagram, int]]) -> bytes:
    """diagrams/README.md: each diagram (with its node count) under a heading, with a sentence."""
    lines = [
        "# diagrams",
        "",
        "Generated by `lumbar diagrams` from the knowledge base; do not edit by hand. A test",
        "regenerates them and fails if a committed file differs, so every knowledge change shows",
        "its diagram change in review. Rendered with the bundled graphviz-pure engine (pinned in",
        "`uv.lock`), so the bytes are the same on every machine.",
        "",
        "How to read them: findings (note shapes) on the left feed rules (ellipses: rule id and",
        "`article:line` of the quote), which draw conclusions (coloured by kind; triage by level).",
        "Each edge into a rule says what it tests (`= true`, `> 72 hours`, `in [a, b]`; `(any of)`",
        "when it is one alternative of several), so a changed threshold changes its diagrams. A",
        "dashed `not` edge means the rule needs that to be known false. Rules marked",
        "`[disputed]` (purple border) stand on one side of a recorded disagreement between the",
        "articles (`lumbar kb disputes`).",
        "`lumbar kb show RULE` prints any rule with its quote in context.",
        "",
        "`lumbar diagrams --html DIR` writes a browsable explorer of the same graph:",
        "",
        "![The explorer](explorer.png)",
        "",
        "`explain_doms_day_after.svg` is a consultation diagram (`lumbar explain --diagram`),",
        "shown in the main README; its own test keeps it current.",
        "",
    ]
    for d, nodes in diagrams:
        lines += [
            f"## {d.title}",
            "",
            f"{d.sentence} {nodes} nodes.",
            "",
            f"[![{d.name}]({d.name}.svg)]({d.name}.svg)",
            "",
        ]
    return ("\n".join(lines)).encode("utf-8")


def files(kb: KnowledgeBase) -> dict[str, bytes]:
    """Every committed diagram file, by name: one SVG per planned diagram, and the README."""
    out: dict[str, bytes] = {}
    counted: list[tuple[Diagram, int]] = []
    for d in plan(kb):
        source = rule_graph_dot(d.rules, kb, d.title)
        out[f"{d.name}.svg"] = render.render(source, "svg", ENGINE)
        counted.append((d, node_count(source)))
    out["README.md"] = readme(counted)
    return out
