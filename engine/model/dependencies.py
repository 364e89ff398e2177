"""How conclusions depend on each other through rules, and the loops in that dependency.

``conclusion_graph(rules)`` has an edge c -> d for every rule that tests c (present, or absent
under ``none``) and concludes d; ``cycles(graph)`` finds where conclusions depend on themselves.
Callers: ``load`` (a loop through a negation cannot be stratified) and ``anomalies`` (any loop
is reported by ``kb check``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from ..conditions import ConclusionTest, walk
from .knowledge import Rule


@dataclass(frozen=True)
class Cycle:
    """Conclusions that depend on themselves, and the rules that make the loop (both sorted)."""

    conclusions: tuple[str, ...]
    rules: tuple[str, ...]
    through_negation: bool  # some rule of the loop tests the absence of one of its conclusions


def conclusion_graph(rules: Iterable[Rule]) -> nx.DiGraph:
    """An edge c -> d per rule that tests c and concludes d; each edge keeps its ``rules`` and
    whether one of them tests c under ``none`` (``negated``)."""
    graph = nx.DiGraph()
    for rule in rules:
        for leaf, negated in walk(rule.when):
            if not isinstance(leaf, ConclusionTest):
                continue
            for cid in rule.then:
                if not graph.has_edge(leaf.conclusion, cid):
                    graph.add_edge(leaf.conclusion, cid, rules=set(), negated=False)
                edge = graph.edges[leaf.conclusion, cid]
                edge["rules"].add(rule.id)
                edge["negated"] = edge["negated"] or negated
    return graph


def cycles(graph: nx.DiGraph) -> list[Cycle]:
    """Each strongly connected group of conclusions that loops, ordered by its conclusions."""
    found = []
    for component in sorted(nx.strongly_connected_components(graph), key=sorted):
        edges = [d for a, b, d in graph.edges(data=True) if a in component and b in component]
        if not edges:  # a single conclusion that does not test itself
            continue
        found.append(
            Cycle(
                tuple(sorted(component)),
                tuple(sorted(set().union(*(d["rules"] for d in edges)))),
                any(d["negated"] for d in edges),
            )
        )
    return found
