"""The explorer: a static, self-contained site over the rule graph (``lumbar diagrams --html``).

Three pages, no server, no network: ``index.html`` (the whole rule graph as SVG; click a rule
for its quote, who said it, the article lines around it, the rules that feed it and those it
feeds; filters by article and conclusion kind; search over rule ids, findings and quotes),
``disputes.html`` (every recorded disagreement, each side cited) and ``articles.html`` (each
article sentence by sentence, from the sentence ledger: the rules that cite a sentence, or why
none does). Page shells, script and style live in ``explorer_assets/`` and are inlined into
each page, so each page is one file.

Escaping: the knowledge base reaches a page only as JSON inside
``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as ``\\u003c``,
``\\u003e``, ``\\u0026`` (no quote can close the element), and the page script inserts text with
``textContent`` only. The SVG comes from Graphviz, which escapes its text as XML.
"""

from __future__ import annotations

import json
import re
from importlib.resources import files
from typing import Any

from ..conditions import condition_text
from ..consult import DISCLAIMER
from ..model.catalog import context, fed, feeders, findings_tested, kinds
from ..model.knowledge import KnowledgeBase
from ..model.ledger import ArticleLedger, Figures, account, read_ledger
from ..model.shapes import REASONS
from .consultation import render
from .rules import ENGINE, rule_graph_dot

ASSETS = files(__package__) / "explorer_assets"
PAGES = ("index.html", "disputes.html", "articles.html")
PLACEHOLDER = re.compile(r"\{\{(?:STYLE|SCRIPT|DATA|SVG)\}\}")


def site_data(kb: KnowledgeBase) -> dict[str, Any]:
    """Everything the pages show, as plain data: the pages' only source of KB text."""
    rules = []
    for r in kb.rules:
        c = r.citation
        ctx = context(kb, r)
        rules.append(
            {
                "id": r.id,
                "article": c.article,
                "who": c.who or kb.articles[c.article].author,
                "quote": " ".join(c.quote.split()),
                "source": c.source,
                "line": c.line,
                "location": str(r.location),
                "when": condition_text(r.when),
                "findings": findings_tested(r),
                "then": list(r.then),
                "kinds": kinds(kb, r),
                "note": " ".join(r.note.split()) if r.note else None,
                "also": [
                    {
                        "article": a.article,
                        "who": a.who or kb.articles[a.article].author,
                        "quote": " ".join(a.quote.split()),
                        "source": a.source,
                        "line": a.line,
                    }
                    for a in r.also
                ],
                "context": [
                    {"line": n, "text": text, "quote": quoted} for n, text, quoted in ctx.numbered()
                ],
                "feeds_from": [p.id for p in feeders(kb, r)],
                "feeds": [q.id for q in fed(kb, r)],
                "corroborates": list(r.corroborates),
                "disputes": [d.id for d, _ in kb.disputes_of(r.id)],
            }
        )
    ledger = read_ledger(kb)
    return {
        "title": "lumbar — the rule graph",
        "disclaimer": DISCLAIMER,
        "articles": [
            {
                "key": a.article.key,
                "title": a.article.title,
                "author": a.article.author,
                "source": a.article.source,
                "figures": _figures(a.figures),
                "paragraphs": _paragraphs(a),
            }
            for a in account(kb, ledger)
        ],
        "reasons": REASONS,
        "ledger": {"file": ledger.file, "found": ledger.found},
        "kinds": sorted({k for r in rules for k in r["kinds"]}),
        "conclusions": {
            c.id: {"kind": c.kind, "label": c.label, "description": " ".join(c.description.split())}
            for c in kb.conclusions.values()
        },
        "rules": rules,
        "disputes": [
            {
                "id": d.id,
                "topic": d.topic,
                "kind": d.kind,
                "summary": " ".join(d.summary.split()),
                "editors_note": " ".join(d.editors_note.split()) if d.editors_note else None,
                "sides": [{"position": s.position, "rules": list(s.rules)} for s in d.sides],
            }
            for d in kb.disputes
        ],
    }


def _figures(f: Figures) -> dict[str, Any]:
    return {
        "sentences": f.sentences,
        "cited": f.cited,
        "uncited": f.uncited,
        "unaccounted": f.unaccounted,
    }


def _paragraphs(a: ArticleLedger) -> list[dict[str, Any]]:
    """The article's lines that have sentences, each sentence with what became of it."""
    out: list[dict[str, Any]] = []
    for acc in a.sentences:
        if not out or out[-1]["line"] != acc.sentence.line:
            out.append({"line": acc.sentence.line, "sentences": []})
        out[-1]["sentences"].append(
            {
                "text": acc.sentence.text,
                "status": acc.status,
                "rules": list(acc.rules),
                "by": acc.entry.by if acc.entry and not acc.rules else None,
            }
        )
    return out


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no <, > or & survives literally."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def pages(kb: KnowledgeBase) -> dict[str, bytes]:
    """File name -> bytes of each page, every asset inlined."""
    data = script_json(site_data(kb))
    svg = render(rule_graph_dot(kb.rules, kb, "The rule graph", legend=False), "svg", ENGINE)
    svg_text = svg.decode("utf-8")
    svg_text = svg_text[svg_text.index("<svg") :]  # drop the XML prolog and doctype
    parts = {
        "{{STYLE}}": (ASSETS / "style.css").read_text(encoding="utf-8"),
        "{{SCRIPT}}": (ASSETS / "app.js").read_text(encoding="utf-8"),
        "{{DATA}}": data,
        "{{SVG}}": svg_text,
    }
    out = {}
    for page in PAGES:
        text = (ASSETS / page).read_text(encoding="utf-8")
        # one pass, so that placeholder-like text inside the data or the SVG stays text
        text = PLACEHOLDER.sub(lambda m: parts[m.group(0)], text)
        out[page] = text.encode("utf-8")
    return out
