"""Terminal text and JSON of the knowledge base for `lumbar kb`: vocabulary, rules, disputes."""

from __future__ import annotations

import textwrap
from collections import Counter
from typing import Any

from ..engine.conditions import condition_text
from ..engine.consult import DisputeInCase
from ..engine.model import catalog
from ..engine.model.knowledge import KnowledgeBase, Rule
from .text import DISPUTED, EDITORS_NOTE, WIDTH, _sides, also_cited, wrap


def vocabulary(kb: KnowledgeBase) -> str:
    out = []
    for f in kb.findings.values():
        out.append(f"{f.name}  ({f.describe_allowed()})")
        out += wrap(f.question, "    ")
        out += wrap(f.help, "    ")
    return "\n".join(out) + "\n"


def vocabulary_json(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "type": f.type,
            "values": list(f.values) if f.values else None,
            "unit": f.unit,
            "min": f.min,
            "max": f.max,
            "question": f.question,
            "help": f.help,
        }
        for f in kb.findings.values()
    ]


def kb_summary(kb: KnowledgeBase, kinds: list[str]) -> str:
    """The last line of ``lumbar kb check``: what was checked, and problems by kind."""
    by_article = Counter(r.citation.article for r in kb.rules)
    counts = ", ".join(f"{k} {n}" for k, n in by_article.items())
    checked = (
        f"{len(kb.rules)} rules ({counts}), {len(kb.findings)} findings, "
        f"{len(kb.conclusions)} conclusions, {len(kb.disputes)} disputes"
    )
    if not kinds:
        return f"ok: {checked}"
    tally = ", ".join(f"{k} {n}" for k, n in sorted(Counter(kinds).items()))
    return f"problems: {len(kinds)} ({tally}) in {checked}"


def rule_json(kb: KnowledgeBase, r: Rule) -> dict[str, Any]:
    c = r.citation
    return {
        "id": r.id,
        "article": c.article,
        "location": str(r.location),
        "when": condition_text(r.when),
        "then": list(r.then),
        "kinds": catalog.kinds(kb, r),
        "stratum": r.stratum,
        "salience": r.salience,
        "citation": {"source": c.source, "line": c.line, "who": c.who, "quote": c.quote},
        "note": r.note,
        "corroborates": list(r.corroborates),
        "feeds_from": [p.id for p in catalog.feeders(kb, r)],
        "feeds": [q.id for q in catalog.fed(kb, r)],
        "disputes": [d.id for d, _ in kb.disputes_of(r.id)],
    }


def rule_list(kb: KnowledgeBase, rules: list[Rule]) -> str:
    out = []
    for r in rules:
        flag = f"  {DISPUTED}" if kb.disputes_of(r.id) else ""
        out.append(f"{r.id}  [{r.citation.article}:{r.citation.line}]{flag}")
        out += wrap(f"IF {condition_text(r.when)}", "    ")
        out += wrap(f"THEN {', '.join(r.then)}", "    ")
    out.append(f"{len(rules)} of {len(kb.rules)} rules")
    return "\n".join(out) + "\n"


def rule_card(kb: KnowledgeBase, r: Rule, compiled: str) -> str:
    """Everything about one rule, for an author or a student."""
    c = r.citation
    article = kb.articles[c.article]
    out = [f"{r.id}  ({r.location})", ""]
    out += wrap(f"IF   {condition_text(r.when)}", "  ")
    for cid in r.then:
        spec = kb.conclusions[cid]
        out += wrap(f"THEN {cid} [{spec.kind}] — {spec.label}", "  ")
    out += ["", f"Cited: {article.title}"]
    out += wrap(
        f"{c.who or article.author or 'unattributed'}; {c.article}, {c.source}:{c.line}", "  "
    )
    out += wrap(f"“{' '.join(c.quote.split())}”", "  ")
    out += also_cited(r.also, "  ", full=True)
    out += ["", "In context (» marks the quoted lines):"]
    for n, text, quoted in catalog.context(kb, r).numbered():
        lead = f"{'»' if quoted else ' '} {n:>4}  "
        lines = textwrap.wrap(text, WIDTH - len(lead), break_on_hyphens=False) or [""]
        out += [lead + lines[0], *(" " * len(lead) + ln for ln in lines[1:])]
    if r.note:
        out += ["", "Note:", *wrap(" ".join(r.note.split()), "  ")]
    if r.corroborates:
        out += [
            "",
            "Corroborates (restates, with more conditions):",
            *[f"  {x}" for x in r.corroborates],
        ]
    feeders, fed = catalog.feeders(kb, r), catalog.fed(kb, r)
    out += ["", f"Fed by {len(feeders)} rule(s) (conclude what it tests):"]
    out += [f"  {p.id}  [{p.citation.article}:{p.citation.line}]" for p in feeders] or [
        "  (none: it tests findings only)"
    ]
    out += [f"Feeds {len(fed)} rule(s) (test what it concludes):"]
    out += [f"  {q.id}  [{q.citation.article}:{q.citation.line}]" for q in fed] or [
        "  (none: its conclusions are answers)"
    ]
    for d, side in kb.disputes_of(r.id):
        out += ["", f"{DISPUTED} Disputed ({d.kind}): {d.id} — {d.topic}"]
        out += wrap(f"this rule's side: {d.sides[side].position}", "  ")
        for i, other in enumerate(d.sides):
            if i != side:
                out += wrap(f"other side: {other.position} ({', '.join(other.rules)})", "  ")
    out += [
        "",
        f"Compiled to experta (stratum {r.stratum}):",
        *("  " + ln for ln in compiled.splitlines()),
    ]
    return "\n".join(out) + "\n"


def dispute_list(items: tuple[DisputeInCase, ...]) -> str:
    """`lumbar kb disputes`: every dispute, its summary, each side with all its citations."""
    out = []
    for c in items:
        out += wrap(f"{DISPUTED} {c.id}: {c.topic} ({c.kind})", "")
        out += wrap(" ".join(c.summary.split()), "    ")
        if c.editors_note:
            out += wrap(f"{EDITORS_NOTE} {' '.join(c.editors_note.split())}", "    ")
        out += _sides(c, "  ", None, marked=False)
        out.append("")
    out.append(f"{len(items)} disputes between the articles")
    return "\n".join(out) + "\n"
