"""``consult(case) -> Result``: the one entry point most callers need.

Runs the compiled rules on a case with the trace recorder listening, then reads the answer off
the trace: the triage level (the most urgent reached, and the findings that raised it), every
conclusion with the firings that support it, and causes ranked by the evidence behind them
(distinct findings, then distinct articles; no invented probabilities). The result classes are
pydantic dataclasses: dumped (``serialize.to_data``), they are ``lumbar consult --json``, and
``schemas/result.schema.json`` is generated from them.
"""

from __future__ import annotations

from dataclasses import field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import networkx as nx
from pydantic import ConfigDict, Field, computed_field, field_serializer
from pydantic.dataclasses import dataclass

from .conditions import Assumed
from .errors import KnowledgeBaseError, Problem
from .model import load as kb_module
from .model.case import Case
from .model.knowledge import Citation, KnowledgeBase
from .model.shapes import KINDS
from .run import backend
from .run.backend import DEFAULT_MAX_FIRINGS, CompiledRules
from .run.events import ConclusionRef, FactRef, ref_of
from .run.trace import TraceRecorder
from .serialize import RESULT, keys_first

RESULT_SCHEMA = "lumbar.result/4"
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


class CitedRule:
    """Base of a rule shown with its ``citation``: the JSON gives the citation's fields beside
    the rule's (``{"rule", ..., "article", "source", "line", "who", "quote"}``)."""

    citation: Citation  # declared by each subclass; here it would come first in the constructor

    @computed_field
    @property
    def article(self) -> str:
        return self.citation.article

    @computed_field(description="File under knowledge_base/sources/.")
    @property
    def source(self) -> str:
        return self.citation.source

    @computed_field(description="Line of the source where the quote starts.")
    @property
    def line(self) -> int:
        return self.citation.line

    @computed_field(description="The expert quoted, when the article names one.")
    @property
    def who(self) -> str | None:
        return self.citation.who

    @computed_field(description="Verbatim from the source.")
    @property
    def quote(self) -> str:
        return self.citation.quote


@dataclass(frozen=True, config=RESULT)
class Support(CitedRule):
    """A rule that concluded something: its citation, and each of its firings (a rule with
    ``any`` fires once per alternative that holds)."""

    _json_order = keys_first("rule", "firings", "article", "source", "line", "who", "quote")
    rule: str
    citation: Annotated[Citation, Field(exclude=True)]
    firings: Annotated[
        tuple[int, ...], Field(description="Orders of its firings (trace nodes firing:N).")
    ]
    also_cites: Annotated[
        tuple[Citation, ...],
        Field(description="Further sentences the rule cites (other articles agreeing)."),
    ] = ()
    matched: Annotated[tuple[FactRef, ...], Field(exclude=True, kw_only=True)] = ()
    absent: Annotated[tuple[str, ...], Field(exclude=True, kw_only=True)] = ()

    @property
    def order(self) -> int:
        return self.firings[0]

    @property
    def citations(self) -> tuple[Citation, ...]:
        return (self.citation, *self.also_cites)


@dataclass(frozen=True, config=RESULT)
class Derived:
    """A conclusion of the consultation with the evidence behind it."""

    _json_order = keys_first(
        "id", "kind", "label", "rules", "findings", "articles", "causes", "citations"
    )
    id: str
    kind: Literal[KINDS]  # type: ignore[valid-type]
    label: str
    description: Annotated[str, Field(exclude=True)]
    supported_by: Annotated[tuple[Support, ...], Field(serialization_alias="citations")]
    findings: Annotated[
        tuple[str, ...], Field(description="Every finding it rests on, through the whole chain.")
    ]
    articles: Annotated[
        tuple[str, ...], Field(description="Keys of every article cited along the chain.")
    ]
    causes: Annotated[
        tuple[str, ...],
        Field(description="Causes a supporting rule tested directly (for grouping advice)."),
    ]
    disputes: Annotated[
        tuple[str, ...],
        Field(
            description="Ids of the recorded disputes between articles that a rule supporting "
            "it stands in (see the top-level 'disputes')."
        ),
    ] = ()
    assumes: Annotated[
        tuple[str, ...],
        Field(
            description="Warning signs nobody answered that it rests on (assumed absent): while "
            "any is open, the conclusion is provisional."
        ),
    ] = ()

    @computed_field(description="Ids of the rules that concluded it, in firing order.")
    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(s.rule for s in self.supported_by)


@dataclass(frozen=True, config=RESULT)
class SideRule(CitedRule):
    """One rule on a side of a dispute: its citation, and whether it fired for this case."""

    rule: str
    citation: Annotated[Citation, Field(exclude=True)]
    fired: Annotated[bool, Field(description="Whether this rule fired for the case.")]


@dataclass(frozen=True, config=RESULT)
class SideInCase:
    """One side of a dispute: its position and its rules."""

    position: str
    rules: tuple[SideRule, ...]


@dataclass(frozen=True, config=RESULT)
class DisputeInCase:
    """A recorded disagreement between the articles (the knowledge base's ``Dispute``) as it
    bears on this consultation: some rule of it fired. Every side is shown, each rule with its
    citation."""

    id: str
    topic: str
    kind: Literal["disagree", "qualify"]
    summary: str
    conclusions: Annotated[
        tuple[str, ...],
        Field(description="Conclusions of this case that a fired rule of the dispute supports."),
    ]
    sides: tuple[SideInCase, ...]
    editors_note: str | None = None  # the editors' synthesis, not the articles': shown apart

    def taken(self) -> list[int]:
        """Indexes of the sides with a rule that fired."""
        return [i for i, side in enumerate(self.sides) if any(r.fired for r in side.rules)]


@dataclass(frozen=True, config=RESULT)
class Change:
    """One answer to an open question, and what the consultation would then reach."""

    answer: bool | str | float
    level: Annotated[str, Field(description="The triage level it would reach.")]
    causes_gained: tuple[str, ...] = ()
    causes_lost: tuple[str, ...] = ()


@dataclass(frozen=True, config=RESULT)
class OpenQuestion:
    """A finding still open (not given, or a warning sign only assumed absent) whose answer
    could change the result."""

    finding: str
    question: str
    warning_sign: Annotated[bool, Field(description="Reassurance waits for it.")]
    assumed: Annotated[bool, Field(description="Assumed absent until asked.")]
    changes: Annotated[tuple[Change, ...], Field(description="Answers that change something.")]
    impact: Annotated[
        Literal["raises", "lowers", "causes"],
        Field(description="It may raise the triage level, lower it, or change the causes."),
    ]


@dataclass(frozen=True, config=RESULT)
class NearThreshold:
    """A number the case gave close to a threshold that decides the triage level."""

    finding: str
    value: float
    threshold: float
    test: Annotated[str, Field(description="The rule's test in words.")]
    other_side: Annotated[float, Field(description="The value tried across the threshold.")]
    level: Annotated[str, Field(description="The triage level reached there.")]


@dataclass(frozen=True, config=RESULT)
class Triage:
    """How urgent the case is: the most urgent triage conclusion reached."""

    level: Annotated[
        str, Field(description="A triage level, or 'undetermined' when no triage rule fired.")
    ]
    conclusion: Annotated[
        str | None, Field(description="The triage conclusion that won (the most urgent reached).")
    ]
    label: str
    raised_by: Annotated[
        tuple[str, ...], Field(description="Findings the winning triage conclusion rests on.")
    ]
    firmness: Annotated[
        Literal["final", "provisional"],
        Field(
            description="final, or provisional: it waits for warning signs nobody answered "
            "(unscreened); an undetermined triage is always provisional."
        ),
    ] = "final"
    unscreened: Annotated[
        tuple[str, ...], Field(description="The warning signs to ask before it is final.")
    ] = ()
    reassuring: Annotated[
        bool, Field(description="A level that reassures: its label is not shown until final.")
    ] = False


@dataclass(frozen=True, config=RESULT | ConfigDict(arbitrary_types_allowed=True))
class Result:
    """The result of one consultation. Its JSON (``lumbar consult --json``) is stable: fields
    are only ever added, under a new schema version."""

    _json_order = keys_first(
        "schema", "case", "description", "findings", "triage", "conclusions", "disputes"
    )
    case: Case
    triage: Triage
    conclusions: Annotated[
        tuple[Derived, ...],
        Field(
            description="Every conclusion reached: by kind (triage, red_flag, cause, "
            "recommendation, caution, reassurance, judgement); causes ranked by evidence; others "
            "in the order first reached."
        ),
    ]
    trace: Annotated[nx.DiGraph, Field(exclude=True)]
    firings: Annotated[int, Field(description="How many rules fired.")]
    disputes: Annotated[
        tuple[DisputeInCase, ...],
        Field(
            description="Recorded disagreements between the articles that this consultation "
            "touches (a rule of one fired), with every side and its citations."
        ),
    ] = ()
    assumed: Annotated[
        dict[str, Assumed],
        Field(
            description="Warning signs the case did not answer, each assumed to be none of its "
            "warning values (which may rule a warning out, never support anything)."
        ),
    ] = field(default_factory=dict)
    open_questions: Annotated[
        tuple[OpenQuestion, ...],
        Field(
            description="What would change the answer, ranked by impact (warning signs that "
            "raise the level first). Filled by questions.ask (lumbar consult does); empty "
            "otherwise."
        ),
    ] = ()
    near_thresholds: Annotated[
        tuple[NearThreshold, ...],
        Field(description="Numbers near a threshold that decides the level (questions.ask)."),
    ] = ()
    ruled_out: Annotated[
        tuple[str, ...],
        Field(
            description="Conclusions known not to hold: every rule that could reach them failed."
        ),
    ] = ()

    @property
    def run_findings(self) -> dict[str, Any]:
        """What the rules ran on: the case's findings and the assumed warning signs."""
        return {**self.case.findings, **self.assumed}

    @field_serializer("case")
    def _case_id(self, case: Case) -> str:
        return case.id

    @computed_field
    @property
    def schema(self) -> Literal[RESULT_SCHEMA]:  # type: ignore[valid-type]
        return RESULT_SCHEMA

    @computed_field
    @property
    def description(self) -> str | None:
        return self.case.description

    @computed_field(
        description="The findings the case gave (unknown findings are absent), in vocabulary order."
    )
    @property
    def findings(self) -> dict[str, bool | str | int | float]:
        return self.case.findings

    @computed_field
    @property
    def disclaimer(self) -> str:
        return DISCLAIMER

    def of_kind(self, kind: str) -> list[Derived]:
        return [c for c in self.conclusions if c.kind == kind]

    def fired_rules(self) -> set[str]:
        """Ids of the rules that fired at least once."""
        return {rule for _, rule in self.trace.nodes(data="rule") if rule is not None}

    def get(self, cid: str) -> Derived | None:
        return next((c for c in self.conclusions if c.id == cid), None)


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
    _refuse_loop(trace, kb)
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
    disputes = _disputes_in_case(kb, ordered)
    ruled_out = tuple(
        d["conclusion"] for _, d in trace.nodes(data=True) if d["kind"] == "ruled_out"
    )
    triage = _triage(kb, ordered, assumed)
    return Result(
        case, triage, ordered, trace, fired, disputes, assumed=assumed, ruled_out=ruled_out
    )


def _disputes_in_case(
    kb: KnowledgeBase, conclusions: tuple[Derived, ...]
) -> tuple[DisputeInCase, ...]:
    fired = {s.rule for d in conclusions for s in d.supported_by}
    return disputes_about(kb, fired, fired, conclusions)


def disputes_about(
    kb: KnowledgeBase, rules: set[str], fired: set[str], conclusions: tuple[Derived, ...] = ()
) -> tuple[DisputeInCase, ...]:
    """The recorded disputes that name any of ``rules``, each side's rules marked fired or
    not, with the ``conclusions`` that rest on each."""
    out = []
    for dispute in kb.disputes:
        if not rules & {r for side in dispute.sides for r in side.rules}:
            continue
        sides = tuple(
            SideInCase(
                side.position,
                tuple(SideRule(r, kb.rule(r).citation, r in fired) for r in side.rules),
            )
            for side in dispute.sides
        )
        resting = tuple(d.id for d in conclusions if dispute.id in d.disputes)
        out.append(
            DisputeInCase(
                dispute.id,
                dispute.topic,
                dispute.kind,
                dispute.summary,
                resting,
                sides,
                dispute.editors_note,
            )
        )
    return tuple(out)


Evidence = tuple[frozenset[str], frozenset[str], frozenset[str]]


def _refuse_loop(trace: nx.DiGraph, kb: KnowledgeBase) -> None:
    """Rules that conclude each other's conclusions (``kb check``'s ``cycle``) and both fired
    make a conclusion evidence for itself: nothing can be ranked or explained. The knowledge
    base is wrong, at the loop's first rule."""
    if nx.is_directed_acyclic_graph(trace):
        return
    loop = [trace.nodes[node] for node, _ in nx.find_cycle(trace)]
    ids = {n["rule"] for n in loop if n["kind"] == "firing"}
    rules = sorted((kb.rule(r) for r in ids), key=lambda rule: rule.index)
    conclusions = sorted(n["conclusion"] for n in loop if n["kind"] == "conclusion")
    message = (
        f"rules {', '.join(r.id for r in rules)} fired in a loop for this case: each needs what "
        f"another concludes ({', '.join(conclusions)}), so a conclusion would be evidence for "
        "itself; break the loop."
    )
    raise KnowledgeBaseError(Problem.at(rules[0].location, message, hint="kb_check"))


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
                articles.update(data["articles"])
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
                kb.rule(rule_id).also,
                matched=tuple(dict.fromkeys(matched)),
                absent=tuple(trace.nodes[firings[0]]["absent"]),
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
        tuple(sorted(findings - set(assumed))),  # an assumption is never evidence
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
    # A reassuring level waits for every warning sign; any other for those it rests on, and,
    # below the most urgent level, for the unanswered signs that would make it urgent.
    if level in kb.reassuring_levels:
        waiting = tuple(assumed)
    else:
        urgent = (
            () if level == kb.triage_levels[0] else [n for n in assumed if kb.findings[n].urgent]
        )
        waiting = tuple(n for n in assumed if n in top.assumes or n in urgent)
    firmness = "provisional" if waiting else "final"
    reassuring = level in kb.reassuring_levels
    return Triage(level, top.id, top.label, top.findings, firmness, waiting, reassuring)
