"""The trace of one consultation as a ``networkx`` graph, and its export.

``TraceRecorder`` is an observer of a run (``events.Observer``): it adds a node per fact (a
finding of the case, a conclusion reached) and per rule firing, an edge from each fact a firing
matched to the firing, and an edge from the firing to each conclusion it declared. Conditions
under ``none`` match no fact; the firing node lists them in ``absent`` so the step stays
checkable.

Node ids (made in ``events``): ``finding:NAME``, ``conclusion:ID``, ``firing:N`` (N = firing
order, from 1).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import networkx as nx

from ..conditions import describe_test, walk
from ..model.knowledge import KnowledgeBase, Rule
from ..text import value_text
from .events import FindingRef, Firing, conclusion_node


# Bounded: every reloaded knowledge base and every mutant brings new Rule objects.
@lru_cache(maxsize=4096)
def firing_attributes(rule: Rule) -> dict[str, Any]:
    """What every firing node of ``rule`` carries (computed once per rule)."""
    c = rule.citation
    return {
        "kind": "firing",
        "rule": rule.id,
        "article": c.article,
        "source": c.source,
        "line": c.line,
        "who": c.who or "",
        "quote": c.quote,
        "absent": [describe_test(leaf) for leaf, negated in walk(rule.when) if negated],
    }


class TraceRecorder:
    """Builds the trace graph while the engine runs."""

    def __init__(self, kb: KnowledgeBase, findings: dict[str, Any]) -> None:
        self.kb = kb
        self.graph = nx.DiGraph()
        for name, value in findings.items():
            label = f"{name} = {value_text(value)}"
            self.graph.add_node(
                FindingRef(name).node, kind="finding", name=name, value=value, label=label
            )

    def fired(self, firing: Firing) -> None:
        rule, g = firing.rule, self.graph
        node = firing.node
        attrs = firing_attributes(rule)
        g.add_node(node, order=firing.order, **{**attrs, "absent": list(attrs["absent"])})
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
    finding values are written as JSON text (``absent``, ``value``)."""
    plain = nx.DiGraph()
    for node, data in graph.nodes(data=True):
        attrs = {
            k: (json.dumps(v) if isinstance(v, list) or k == "value" else v)
            for k, v in data.items()
        }
        plain.add_node(node, **attrs)
    plain.add_edges_from(graph.edges(data=True))
    return "\n".join(nx.generate_graphml(plain)).encode("utf-8") + b"\n"
