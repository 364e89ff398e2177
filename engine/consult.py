"""``consult(case) -> Result``: the one entry point most callers need.

Runs the compiled rules on a case with the trace recorder listening, then reads the answer off
the trace: the triage level (the most urgent reached, and the findings that raised it), every
conclusion with the firings that support it, and causes ranked by the evidence behind them
(distinct findings, then distinct articles; no invented probabilities).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from .conditions import Assumed
from .model import load as kb_module
from .model.case import Case
from .model.knowledge import Citation, KnowledgeBase
from .run import backend
from .run.backend import DEFAULT_MAX_FIRINGS, CompiledRules
from .run.events import ConclusionRef, FactRef, ref_of
from .run.trace import TraceRecorder, to_node_link

RESULT_SCHEMA = "lumbar.result/2"
KIND_ORDER = (
    "triage",
    "red_flag",
    "cause",
    "recommendation",
    "caution",
    "reassurance",
    "judgement",
)
DISCLAIMER = (
    "lumbar is an educational tool that reasons from five published articles. It is not a "
    "diagnosis and does not replace evaluation by a doctor or physical therapist. If you have "
    "sudden weakness in a leg or a medical emergency, seek care immediately."
)


@dataclass(frozen=True)
class Support:
    """A rule that concluded something: its citation, and each of its firings (a rule with
    ``any`` fires once per alternative that holds)."""

    rule: str
    citation: Citation
    firings: tuple[int, ...]  # firing orders (their trace nodes: events.firing_node)
    matched: tuple[FactRef, ...]  # the facts the firings matched
    absent: tuple[str, ...]  # conditions that held because something was absent

    @property
    def order(self) -> int:
        return self.firings[0]


@dataclass(frozen=True)
class Derived:
    """A conclusion of the consultation with the evidence behind it."""

    id: str
    kind: str
    label: str
    description: str
    supported_by: tuple[Support, ...]
    findings: tuple[str, ...]  # every finding the conclusion rests on, through the chain
    articles: tuple[str, ...]  # every article cited along the chain
    causes: tuple[str, ...]  # causes a supporting rule tested directly (for grouping advice)
    disputes: tuple[str, ...] = ()  # disputes a supporting rule stands in (see Contested)
    # warning signs nobody answered that the conclusion rests on (assumed absent): while any
    # is open, the conclusion is provisional
    assumes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Voice:
    """One rule of a dispute side: its citation, and whether it fired for this case."""

    rule: str
    citation: Citation
    fired: bool


@dataclass(frozen=True)
class Contested:
    """A recorded disagreement between the articles that this consultation touches: some rule
    of it fired. Every side is shown, each rule with its citation."""

    id: str
    topic: str
    kind: str
    summary: str
    sides: tuple[tuple[str, tuple[Voice, ...]], ...]  # (position, its rules)
    conclusions: tuple[str, ...]  # conclusions of this case that a fired rule of it supports

    def taken(self) -> list[int]:
        """Indexes of the sides with a rule that fired."""
        return [i for i, (_, voices) in enumerate(self.sides) if any(v.fired for v in voices)]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "kind": self.kind,
            "summary": self.summary,
            "conclusions": list(self.conclusions),
            "sides": [
                {
                    "position": position,
                    "rules": [
                        {"rule": v.rule, "fired": v.fired, **v.citation.to_json()} for v in voices
                    ],
                }
                for position, voices in self.sides
            ],
        }


@dataclass(frozen=True)
class Triage:
    level: str  # a triage level, or "undetermined" when no triage rule fired
    conclusion: str | None
    label: str
    raised_by: tuple[str, ...]  # findings the winning triage conclusion rests on
    # "final", or "provisional": it rests on warning signs nobody answered (``unscreened``)
    firmness: str = "final"
    unscreened: tuple[str, ...] = ()  # the warning signs to ask before it is final


@dataclass(frozen=True)
class Result:
    case: Case
    triage: Triage
    conclusions: tuple[Derived, ...]  # by kind (KIND_ORDER), causes ranked, others by first firing
    trace: nx.DiGraph
    firings: int
    disputes: tuple[Contested, ...] = ()
    assumed: dict[str, Any] = field(default_factory=dict)  # unanswered warning signs -> assumed
    ruled_out: tuple[str, ...] = ()  # conclusions known not to hold, in the order found

    @property
    def findings(self) -> dict[str, Any]:
        """What the rules ran on: the case's findings and the assumed warning signs."""
        return {**self.case.findings, **self.assumed}

    def of_kind(self, kind: str) -> list[Derived]:
        return [c for c in self.conclusions if c.kind == kind]

    def fired_rules(self) -> set[str]:
        """Ids of the rules that fired at least once."""
        return {rule for _, rule in self.trace.nodes(data="rule") if rule is not None}

    def get(self, cid: str) -> Derived | None:
        return next((c for c in self.conclusions if c.id == cid), None)

    def to_json(self) -> dict[str, Any]:
        """The documented, stable JSON form (see README, "JSON output")."""
        return {
            "schema": RESULT_SCHEMA,
            "case": self.case.id,
            "description": self.case.description,
            "findings": self.case.findings,
            "triage": {
                "level": self.triage.level,
                "conclusion": self.triage.conclusion,
                "label": self.triage.label,
                "raised_by": list(self.triage.raised_by),
            },
            "conclusions": [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "label": d.label,
                    "rules": [s.rule for s in d.supported_by],
                    "findings": list(d.findings),
                    "articles": list(d.articles),
                    "causes": list(d.causes),
                    "citations": [
                        {"rule": s.rule, "firings": list(s.firings), **s.citation.to_json()}
                        for s in d.supported_by
                    ],
                    "disputes": list(d.disputes),
                }
                for d in self.conclusions
            ],
            "disputes": [c.to_json() for c in self.disputes],
            "firings": self.firings,
            "disclaimer": DISCLAIMER,
        }

    def trace_json(self) -> dict[str, Any]:
        return to_node_link(self.trace)


@lru_cache(maxsize=backend.CACHE_SIZE)
def default_kb(root: Path | None = None) -> KnowledgeBase:
    return kb_module.load(root)


def consult(
    case: Case, kb: KnowledgeBase | None = None, compiled: CompiledRules | None = None
) -> Result:
    """Run the knowledge base on one case and explain the outcome; safe to call from several
    threads at once. ``compiled``: ``kb`` already compiled, to use instead of the cache (for a
    knowledge base made in memory, which the cache does not keep: mutation testing)."""
    kb = kb or default_kb()
    rules = compiled or backend.compiled(kb)
    assumed = assumptions(kb, case.findings)
    given = {**case.findings, **assumed}
    findings = {name: given[name] for name in kb.findings if name in given}
    recorder = TraceRecorder(kb, findings, assumed)
    fired = rules.run(findings, [recorder], DEFAULT_MAX_FIRINGS)
    return build_result(case, kb, recorder.graph, fired, assumed)


def assumptions(kb: KnowledgeBase, findings: dict[str, Any]) -> dict[str, Any]:
    """The warning signs (``red_flag`` and ``screen`` values in the vocabulary) a case does not
    answer, each ``Assumed`` to be none of its warning values: that may rule a warning out, but
    is never evidence for anything. Conclusions that rest on an assumption, and every reassuring
    triage level while any warning sign is unanswered, are provisional: the answer says what it
    is still waiting for."""
    out: dict[str, Any] = {}
    for name, spec in kb.findings.items():
        if name in findings or not spec.warning_values:
            continue
        domain = (True, False) if spec.type == "boolean" else spec.values or ()
        rest = tuple(v for v in domain if v not in spec.warning_values)
        out[name] = Assumed(rest, spec.warning_values)
    return out


def build_result(
    case: Case,
    kb: KnowledgeBase,
    trace: nx.DiGraph,
    fired: int,
    assumed: dict[str, Any] | None = None,
) -> Result:
    assumed = assumed or {}
    evidence = _evidence(trace)
    derived = [
        _derive(kb, trace, node, *evidence[node], assumed)
        for node, kind in trace.nodes(data="kind")
        if kind == "conclusion"
    ]

    def rank(d: Derived) -> tuple:
        first = d.supported_by[0].order
        if d.kind == "cause":
            evidence_weight = (-len(d.findings), -len(d.articles), -len(d.supported_by))
            return (KIND_ORDER.index(d.kind), *evidence_weight, first)
        return (KIND_ORDER.index(d.kind), 0, 0, 0, first)

    ordered = tuple(sorted(derived, key=rank))
    contested = _contested(kb, ordered)
    ruled_out = tuple(
        d["conclusion"] for _, d in trace.nodes(data=True) if d["kind"] == "ruled_out"
    )
    triage = _triage(kb, ordered, assumed)
    return Result(case, triage, ordered, trace, fired, contested, assumed, ruled_out)


def _contested(kb: KnowledgeBase, conclusions: tuple[Derived, ...]) -> tuple[Contested, ...]:
    fired = {s.rule for d in conclusions for s in d.supported_by}
    return disputes_about(kb, fired, fired, conclusions)


def disputes_about(
    kb: KnowledgeBase, rules: set[str], fired: set[str], conclusions: tuple[Derived, ...] = ()
) -> tuple[Contested, ...]:
    """The recorded disputes that name any of ``rules``, each side's rules marked fired or
    not, with the ``conclusions`` that rest on each."""
    out = []
    for dispute in kb.disputes:
        if not rules & {r for side in dispute.sides for r in side.rules}:
            continue
        sides = tuple(
            (side.position, tuple(Voice(r, kb.rule(r).citation, r in fired) for r in side.rules))
            for side in dispute.sides
        )
        resting = tuple(d.id for d in conclusions if dispute.id in d.disputes)
        out.append(
            Contested(dispute.id, dispute.topic, dispute.kind, dispute.summary, sides, resting)
        )
    return tuple(out)


Evidence = tuple[frozenset[str], frozenset[str], frozenset[str]]


def _evidence(trace: nx.DiGraph) -> dict[str, Evidence]:
    """For every node, the findings and the articles its whole chain rests on, and the findings
    it rests on only through a conclusion being ruled out (the screening it needed); one pass
    in topological order instead of a search per conclusion."""
    out: dict[str, Evidence] = {}
    for node in nx.topological_sort(trace):
        findings: set[str] = set()
        articles: set[str] = set()
        screened: set[str] = set()
        for pred in trace.predecessors(node):
            pred_findings, pred_articles, pred_screened = out[pred]
            data = trace.nodes[pred]
            screened |= pred_screened
            if data["kind"] == "ruled_out" and trace.nodes[node]["kind"] != "ruled_out":
                screened |= pred_findings
            else:
                findings |= pred_findings
            articles |= pred_articles
            if data["kind"] == "finding":
                findings.add(data["name"])
            elif data["kind"] == "firing":
                articles.add(data["article"])
        out[node] = (frozenset(findings), frozenset(articles), frozenset(screened))
    return out


def _derive(
    kb: KnowledgeBase,
    trace: nx.DiGraph,
    node: str,
    findings: frozenset[str],
    articles: frozenset[str],
    screened: frozenset[str],
    assumed: dict[str, Any],
) -> Derived:
    spec = kb.conclusions[trace.nodes[node]["conclusion"]]
    by_rule: dict[str, list[str]] = {}
    for firing in sorted(trace.predecessors(node), key=lambda n: trace.nodes[n]["order"]):
        by_rule.setdefault(trace.nodes[firing]["rule"], []).append(firing)
    supports = []
    direct: set[str] = set()
    for rule_id, firings in by_rule.items():
        matched = [ref_of(m) for f in firings for m in trace.predecessors(f)]
        direct.update(m.id for m in matched if isinstance(m, ConclusionRef))
        supports.append(
            Support(
                rule_id,
                kb.rule(rule_id).citation,
                tuple(trace.nodes[f]["order"] for f in firings),
                tuple(dict.fromkeys(matched)),
                tuple(trace.nodes[firings[0]]["absent"]),
            )
        )
    causes = sorted(c for c in direct if c in kb.conclusions and kb.conclusions[c].kind == "cause")
    disputes = tuple(dict.fromkeys(d.id for s in supports for d, _ in kb.disputes_of(s.rule)))
    return Derived(
        spec.id,
        spec.kind,
        spec.label,
        spec.description,
        tuple(supports),
        tuple(sorted(findings)),
        tuple(sorted(articles)),
        tuple(causes),
        disputes,
        tuple(f for f in assumed if f in findings or f in screened),
    )


def _triage(kb: KnowledgeBase, conclusions: tuple[Derived, ...], assumed: dict[str, Any]) -> Triage:
    reached = [c for c in conclusions if c.kind == "triage"]
    if not reached:
        return Triage(
            "undetermined", None, "Not enough information to triage", (), "provisional", ()
        )
    top = min(reached, key=lambda c: kb.level_rank(kb.conclusions[c.id].level or ""))
    level = kb.conclusions[top.id].level or ""
    # A reassuring level waits for every warning sign; any other for those it rests on.
    waiting = tuple(assumed) if level in kb.reassuring_levels else top.assumes
    firmness = "provisional" if waiting else "final"
    return Triage(level, top.id, top.label, top.findings, firmness, waiting)
