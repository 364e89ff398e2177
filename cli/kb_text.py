"""Terminal text and JSON of the knowledge base for `lumbar kb`: vocabulary, rules, disputes,
the sentence ledger."""

from __future__ import annotations

import textwrap
from collections import Counter
from typing import Any

from ..engine.conditions import condition_text
from ..engine.consult import DisputeInCase
from ..engine.model import catalog
from ..engine.model.knowledge import KnowledgeBase, Rule
from ..engine.model.ledger import TO_ENCODE, UNACCOUNTED, ArticleLedger, Figures, Ledger, total
from ..engine.model.shapes import REASONS
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


def kb_summary(kb: KnowledgeBase, kinds: list[str], sentences: Figures) -> str:
    """The last line of ``lumbar kb check``: what was checked, and problems by kind."""
    by_article = Counter(r.citation.article for r in kb.rules)
    counts = ", ".join(f"{k} {n}" for k, n in by_article.items())
    checked = (
        f"{len(kb.rules)} rules ({counts}), {len(kb.findings)} findings, "
        f"{len(kb.conclusions)} conclusions, {len(kb.disputes)} disputes, "
        f"{sentences.sentences} sentences ({sentences.cited} cited)"
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


def coverage(ledger: Ledger, ledgers: tuple[ArticleLedger, ...]) -> str:
    """`lumbar kb coverage`: each article's sentences by what became of them, the totals, and
    the sentences to encode (and any unaccounted for)."""
    out = [f"Sentence ledger ({ledger.file}): what the rules make of each sentence", ""]
    if not ledger.found:
        note = f"{ledger.file} does not exist: every sentence no rule cites is unaccounted for."
    elif ledger.problems:
        note = (
            f"{ledger.file} has {len(ledger.problems)} problem(s) (`lumbar kb check` lists "
            "them); the entries they concern are not counted."
        )
    else:
        note = ""
    if note:
        out += [*wrap(note, ""), ""]
    for a in ledgers:
        out += [f"{a.article.key} ({a.article.source})", *_figures(a.figures), ""]
    out += [f"All {len(ledgers)} articles", *_figures(total(ledgers), every_reason=True), ""]
    for status, title in (
        (TO_ENCODE, "To encode: a consultation could act on these, and no rule cites them yet"),
        (UNACCOUNTED, "Unaccounted for: no rule cites these, and uncited.yaml does not list them"),
    ):
        listed = [(a, acc) for a in ledgers for acc in a.with_status(status)]
        if not listed or (status == UNACCOUNTED and not ledger.found):
            continue
        out.append(f"{title} ({len(listed)})")
        for a, acc in listed:
            out += wrap(f"{a.article.source}:{acc.sentence.line}  {acc.sentence.text}", "  ")
        out.append("")
    return "\n".join(out[:-1]) + "\n"


def _figures(f: Figures, every_reason: bool = False) -> list[str]:
    """The figures as rows; reasons no sentence has are left out unless ``every_reason``."""
    share = f" ({100 * f.cited / f.sentences:.0f}%)" if f.sentences else ""
    rows = [("sentences", f.sentences, ""), ("cited by a rule", f.cited, share)]
    rows.append(("uncited, listed with a reason", f.uncited_total, ""))
    rows += [
        (f"  {r}", n, "  work to do" if r == TO_ENCODE else "")
        for r, n in f.uncited.items()
        if n or every_reason
    ]
    rows.append(("unaccounted for", f.unaccounted, ""))
    return [f"  {name:<38}{n:>5}{note}" for name, n, note in rows]


def coverage_json(ledger: Ledger, ledgers: tuple[ArticleLedger, ...]) -> dict[str, Any]:
    def figures(f: Figures) -> dict[str, Any]:
        uncited = {"total": f.uncited_total, "by_reason": f.uncited}
        return {
            "sentences": f.sentences,
            "cited": f.cited,
            "uncited": uncited,
            "unaccounted": f.unaccounted,
        }

    def sentences(status: str) -> list[dict[str, Any]]:
        return [
            {
                "article": a.article.key,
                "source": a.article.source,
                "line": acc.sentence.line,
                "text": acc.sentence.text,
            }
            for a in ledgers
            for acc in a.with_status(status)
        ]

    return {
        "ledger": ledger.file,
        "found": ledger.found,
        "problems": len(ledger.problems),
        "reasons": REASONS,
        "articles": [
            {"article": a.article.key, "source": a.article.source, **figures(a.figures)}
            for a in ledgers
        ],
        "total": figures(total(ledgers)),
        "to_encode": sentences(TO_ENCODE),
        "unaccounted": sentences(UNACCOUNTED),
    }
