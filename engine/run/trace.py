"""The trace of one consultation as a ``networkx`` graph, and its export.

``TraceRecorder`` is an observer of a run (``events.Observer``): it adds a node per fact (a
finding of the case, marked ``assumed`` when it is a warning sign nobody answered; a conclusion
reached; a conclusion ruled out) and per rule firing, an edge from each fact a firing matched to
the firing, an edge from the firing to each conclusion it declared, and edges from the facts a
conclusion was ruled out on to its ``ruled_out`` node. A firing node lists in ``absent`` the
conditions it needed to be known false.

Node ids (made in ``events``): ``finding:NAME``, ``conclusion:ID``, ``ruled_out:ID``,
``firing:N`` (N = firing order, from 1).
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping
from functools import lru_cache
from typing import Any

import networkx as nx

from ..conditions import describe_test, walk
from ..model.knowledge import KnowledgeBase, Rule
from ..text import value_text
from .events import FactRef, FindingRef, Firing, RuledOutRef, conclusion_node


# Bounded: every reloaded knowledge base and every mutant brings new Rule objects.
@lru_cache(maxsize=4096)
def firing_attributes(rule: Rule) -> dict[str, Any]:
    """What every firing node of ``rule`` carries (computed once per rule)."""
    c = rule.citation
    return {
        "kind": "firing",
        "rule": rule.id,
        "article": c.article,
        "articles": list(rule.articles),  # with the articles of its also_cites
        "source": c.source,
        "line": c.line,
        "who": c.who or "",
        "quote": c.quote,
        "absent": [describe_test(leaf) for leaf, negated in walk(rule.when) if negated],
    }


class TraceRecorder:
    """Builds the trace graph while the engine runs."""

    def __init__(
        self, kb: KnowledgeBase, findings: Mapping[str, Any], assumed: Container[str] = ()
    ) -> None:
        """``findings``: every finding the run is given, in vocabulary order; ``assumed``: those
        of them nobody answered (warning signs assumed absent until asked)."""
        self.kb = kb
        self.graph = nx.DiGraph()
        for name, value in findings.items():
            if name in assumed:
                self.graph.add_node(
                    FindingRef(name).node,
                    kind="finding",
                    name=name,
                    value=None,
                    assumed_not=list(value.warnings),
                    label=f"{name}: not asked (assumed {value})",
                    assumed=True,
                )
                continue
            label = f"{name} = {value_text(value)}"
            self.graph.add_node(
                FindingRef(name).node, kind="finding", name=name, value=value, label=label
            )

    def ruled_out(self, conclusion: str, because: tuple[FactRef, ...]) -> None:
        node = RuledOutRef(conclusion).node
        spec = self.kb.conclusions[conclusion]
        self.graph.add_node(
            node,
            kind="ruled_out",
            conclusion=conclusion,
            conclusion_kind=spec.kind,
            label=f"ruled out: {spec.label}",
        )
        self.graph.add_edges_from(((m.node, node) for m in because), relation="ruled_out")

    def fired(self, firing: Firing) -> None:
        rule, g = firing.rule, self.graph
        node = firing.node
        attrs = firing_attributes(rule)
        lists = {"absent": list(attrs["absent"]), "articles": list(attrs["articles"])}
        g.add_node(node, order=firing.order, **{**attrs, **lists})
        g.add_edges_from(((m.node, node) for m in firing.matched), relation="matched")
        for cid in rule.then:
            target = conclusion_node(cid)
            first = target not in g
            if first:
                spec = self.kb.conclusions[cid]
                g.add_node(
                    target,
                    kind="conclusion",
                    conclusion=cid,
                    conclusion_kind=spec.kind,
                    label=spec.label,
                    first_firing=firing.order,
                )
            g.add_edge(node, target, relation="concluded", first=first)


def to_node_link(graph: nx.DiGraph) -> dict[str, Any]:
    """The trace as node-link data (JSON-ready, nothing lost)."""
    return nx.node_link_data(graph, edges="edges")


def from_node_link(data: dict[str, Any]) -> nx.DiGraph:
    return nx.node_link_graph(data, directed=True, edges="edges")


def to_graphml(graph: nx.DiGraph) -> bytes:
    """The trace as GraphML. GraphML has no lists, nulls or mixed-type keys, so lists and
    finding values are written as JSON text (``absent``, ``articles``, ``value``)."""
    plain = nx.DiGraph()
    for node, data in graph.nodes(data=True):
        attrs = {
            k: (json.dumps(v) if isinstance(v, list) or k == "value" else v)
            for k, v in data.items()
        }
        plain.add_node(node, **attrs)
    plain.add_edges_from(graph.edges(data=True))
    return "\n".join(nx.generate_graphml(plain)).encode("utf-8") + b"\n"
