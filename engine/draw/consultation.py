"""Diagrams of a consultation: trace -> DOT text -> bytes through a chosen Graphviz engine.

``trace_dot`` draws the trace with findings, rule firings and conclusions as distinct shapes,
conclusions coloured by kind, each firing labelled with its rule id and a citation key ``[n]``
that matches the numbered citation list drawn beside it, ranked left to right by reasoning
depth, the chain of an optional focus conclusion highlighted and the rest dimmed, and a legend.

Every text from the knowledge base or the case reaches DOT through ``dot_text`` (escaped, never
read as an HTML-like label) and DOT node ids are generated (``n0``, ``n1``...), so no quote can
break the output or inject markup. The HTML page escapes everything it writes itself. Both show
the characters of ``text.REFUSED`` that a case's text may hold (controls, which XML forbids,
bidirectional and invisible characters) as their escapes (``\\x1b``), never raw.

Engines: ``dot`` (the system Graphviz program) and ``pure`` (the ``graphviz-pure`` command that
ships as a wheel with lumbar: svg and png, no pdf). ``auto`` prefers ``dot``.
"""

from __future__ import annotations

import html
import itertools
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz
import networkx as nx

from ..consult import DISCLAIMER, Result
from ..errors import Problem, RenderError
from ..model.knowledge import Citation, KnowledgeBase
from ..run.events import conclusion_node
from ..text import escaped

FORMATS = ("svg", "png", "pdf", "dot", "html")
ENGINES = ("auto", "dot", "pure")
PURE_FORMATS = ("svg", "png")
QUOTE_IN_LIST = 90

# Conclusion kinds: (shape, fill colour, font colour). Triage is coloured by level below.
KIND_STYLE: dict[str, tuple[str, str, str]] = {
    "triage": ("doubleoctagon", "#fdae61", "black"),
    "red_flag": ("octagon", "#d6604d", "white"),
    "judgement": ("box", "#e7e1ef", "black"),
    "cause": ("box", "#92c5de", "black"),
    "recommendation": ("box", "#b8e186", "black"),
    "caution": ("box", "#fee08b", "black"),
    "reassurance": ("box", "#e6f5d0", "black"),
}
TRIAGE_FILL = {
    "urgent": ("#b2182b", "white"),
    "see_professional": ("#f46d43", "black"),
    "self_care": ("#fee090", "black"),
    "normal_soreness": ("#a6d96a", "black"),
}
DIM = {"color": "#cccccc", "fontcolor": "#aaaaaa", "fillcolor": "#f5f5f5"}


@dataclass(frozen=True)
class CitationEntry:
    key: int  # the [n] shown on rule nodes
    rule: str
    citation: Citation


def dot_text(value: Any) -> graphviz.quoting.NoHtml:
    """Any text as a literal DOT string: backslashes and entities kept as written (Graphviz
    would read ``\\n`` as a line break and ``&amp;`` as ``&``), refused characters escaped,
    never an HTML-like label."""
    return graphviz.nohtml(graphviz.escape(escaped(str(value)).replace("&", "&amp;")))


def citation_entries(result: Result) -> list[CitationEntry]:
    """Distinct rules of the trace, numbered in the order they first fired."""
    seen: dict[str, CitationEntry] = {}
    for _node, data in result.trace.nodes(data=True):
        if data["kind"] == "firing" and data["rule"] not in seen:
            seen[data["rule"]] = CitationEntry(
                len(seen) + 1,
                data["rule"],
                Citation(
                    data["article"],
                    data["source"],
                    data["line"],
                    data["who"] or None,
                    data["quote"],
                ),
            )
    return list(seen.values())


def chain(result: Result, focus: str) -> set[str]:
    """Trace nodes on the reasoning chain of conclusion ``focus`` (it and all it rests on)."""
    node = conclusion_node(focus)
    return {node, *nx.ancestors(result.trace, node)}


def trace_dot(result: Result, kb: KnowledgeBase, focus: str | None = None) -> str:
    """The trace of a consultation as DOT source (deterministic)."""
    trace = result.trace
    entries = {e.rule: e for e in citation_entries(result)}
    lit = chain(result, focus) if focus else None
    ids = {node: f"n{i}" for i, node in enumerate(trace.nodes)}
    depth = _depths(trace)

    firm = "" if result.triage.firmness == "final" else " (provisional)"
    title = f"lumbar consultation: {result.case.id} — triage: {result.triage.level}{firm}"
    if focus:
        title += f" — chain of {focus}"
    g = graphviz.Digraph(
        "lumbar",
        graph_attr={
            "rankdir": "LR",
            "newrank": "true",
            "ranksep": "0.6",
            "nodesep": "0.15",
            "fontname": "Helvetica",
            "fontsize": "12",
            "labelloc": "b",
            "labeljust": "l",
            "label": _citation_list(title, list(entries.values())),
        },
        node_attr={"fontname": "Helvetica", "fontsize": "11", "style": "filled"},
        edge_attr={"color": "#555555", "arrowsize": "0.6"},
    )

    with g.subgraph(
        name="cluster_findings",
        graph_attr={
            "label": "Findings of the case",
            "style": "rounded",
            "color": "#999999",
            "rank": "same",
        },
    ) as findings:
        for node, data in trace.nodes(data=True):
            if data["kind"] == "finding":
                spec = kb.findings[data["name"]]
                attrs = {"shape": "note", "fillcolor": "white", "tooltip": dot_text(spec.question)}
                if data.get("assumed"):  # a warning sign nobody answered: only assumed absent
                    attrs |= {"style": "filled,dashed", "fontcolor": "#555555"}
                findings.node(ids[node], dot_text(data["label"]), **attrs | _dim(node, lit))

    by_depth: dict[int, list[str]] = {}
    for node, data in trace.nodes(data=True):
        if data["kind"] == "finding":
            continue
        by_depth.setdefault(depth[node], []).append(node)
        if data["kind"] == "ruled_out":
            spec = kb.conclusions[data["conclusion"]]
            attrs = {
                "shape": "box",
                "style": "filled,dashed",
                "fillcolor": "#f0f0f0",
                "fontcolor": "#555555",
                "tooltip": dot_text(
                    f"Known not to hold: every rule that could conclude it failed. "
                    f"{spec.description}"
                ),
            }
            label = dot_text(f"{data['label']}\n({data['conclusion']})")
            g.node(ids[node], label, **attrs | _dim(node, lit))
            continue
        if data["kind"] == "firing":
            entry = entries[data["rule"]]
            who = f" — {data['who']}" if data["who"] else ""
            tooltip = f"“{data['quote']}”{who}, {data['article']} line {data['line']}"
            attrs = {"shape": "ellipse", "fillcolor": "#f7f7f7", "tooltip": dot_text(tooltip)}
            label = dot_text(f"{data['rule']}\n[{entry.key}]")
            g.node(ids[node], label, **attrs | _dim(node, lit))
        else:
            shape, fill, font = KIND_STYLE[data["conclusion_kind"]]
            spec = kb.conclusions[data["conclusion"]]
            if data["conclusion_kind"] == "triage" and spec.level in TRIAGE_FILL:
                fill, font = TRIAGE_FILL[spec.level]
            attrs = {
                "shape": shape,
                "fillcolor": fill,
                "fontcolor": font,
                "tooltip": dot_text(spec.description),
            }
            if data["conclusion_kind"] in ("triage", "red_flag"):
                attrs["penwidth"] = "2"
            label = dot_text(f"{data['label']}\n({data['conclusion']})")
            g.node(ids[node], label, **attrs | _dim(node, lit))
    for level in sorted(by_depth):
        with g.subgraph(graph_attr={"rank": "same"}) as same:
            for node in by_depth[level]:
                same.node(ids[node])
    for tail, head in trace.edges:
        on_chain = lit is None or (tail in lit and head in lit)
        attrs = {} if on_chain else {"color": DIM["color"]}
        if lit is not None and on_chain:
            attrs["penwidth"] = "2"
        g.edge(ids[tail], ids[head], **attrs)
    legend(
        g,
        [
            ("legend_finding", "finding of the case", {"shape": "note", "fillcolor": "white"}),
            (
                "legend_firing",
                "rule firing\n[n] = citation",
                {"shape": "ellipse", "fillcolor": "#f7f7f7"},
            ),
        ],
    )
    return g.source


def _dim(node: str, lit: set[str] | None) -> dict[str, str]:
    return DIM if lit is not None and node not in lit else {}


def _depths(trace: nx.DiGraph) -> dict[str, int]:
    """Reasoning depth: findings 0, then the longest path from any finding."""
    depth: dict[str, int] = {}
    for node in nx.topological_sort(trace):
        depth[node] = max((depth[p] + 1 for p in trace.predecessors(node)), default=0)
    return depth


def legend(g: graphviz.Digraph, heads: list[tuple[str, str, dict[str, str]]]) -> None:
    """A legend cluster: the ``heads`` (node name, label, attributes) in a row, then one node
    per conclusion kind. Shared by consultation diagrams and rule diagrams."""
    with g.subgraph(
        name="cluster_legend",
        graph_attr={"label": "Legend", "style": "rounded", "color": "#999999", "fontsize": "12"},
    ) as lg:
        for name, label, attrs in heads:
            lg.node(name, label, **attrs)
        names = [name for name, _, _ in heads]
        for a, b in itertools.pairwise(names):
            lg.edge(a, b, style="invis")
        previous = names[-1]
        for kind, (shape, fill, font) in KIND_STYLE.items():
            name = f"legend_{kind}"
            lg.node(name, kind.replace("_", " "), shape=shape, fillcolor=fill, fontcolor=font)
            lg.edge(previous, name, style="invis")
            previous = name


def _citation_list(title: str, entries: list[CitationEntry]) -> graphviz.quoting.NoHtml:
    """The graph label: the title, then one left-justified line per citation key."""
    lines = [title, "", "Citations (rule nodes carry the key [n]):"]
    for e in entries:
        c = e.citation
        quote = " ".join(c.quote.split())
        if len(quote) > QUOTE_IN_LIST:
            quote = quote[: QUOTE_IN_LIST - 1].rsplit(" ", 1)[0] + " …"
        who = f"{c.who}, " if c.who else ""
        lines.append(f"[{e.key}] {e.rule} — {who}{c.article} ({c.source}:{c.line}): “{quote}”")
    return graphviz.nohtml("".join(dot_text(line) + "\\l" for line in lines))


# ---- engines --------------------------------------------------------------------------------


def pure_command() -> str | None:
    """The bundled graphviz-pure command: beside this Python first, then on PATH."""
    beside = Path(sys.executable).with_name("graphviz-pure")
    return str(beside) if beside.exists() else shutil.which("graphviz-pure")


def choose_engine(engine: str, fmt: str) -> str:
    """Resolve ``auto`` and check that the engine exists and can make ``fmt``."""
    if engine not in ENGINES:
        raise RenderError(
            Problem.about(
                "engine",
                f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}.",
            )
        )
    has_dot = shutil.which("dot") is not None
    if engine == "auto":
        engine = "dot" if has_dot or fmt == "pdf" else "pure"
    if engine == "dot" and not has_dot:
        raise RenderError(
            Problem.about(
                "engine",
                "the system Graphviz `dot` program is "
                "not installed (Debian/Ubuntu: apt-get install graphviz; macOS: "
                "brew install graphviz). The bundled engine (pure) writes svg, png and "
                "html without it.",
            )
        )
    if engine == "pure":
        if fmt not in (*PURE_FORMATS, "html", "dot"):
            raise RenderError(
                Problem.about(
                    "engine",
                    f"the bundled engine (graphviz-pure)"
                    f" cannot write {fmt}; it writes svg, png, html and dot. "
                    "Install the system Graphviz (apt-get install graphviz) "
                    "and use the dot engine.",
                )
            )
        if pure_command() is None:
            raise RenderError(
                Problem.about(
                    "engine",
                    "the graphviz-pure command is "
                    "missing; reinstall lumbar's dependencies (uv sync).",
                )
            )
    return engine


def render(source: str, fmt: str, engine: str) -> bytes:
    """DOT source -> bytes in ``fmt`` (svg, png, pdf) through ``engine`` (dot or pure); a
    Graphviz program that fails or cannot be started is a ``RenderError``."""
    command = shutil.which("dot") if engine == "dot" else pure_command()
    name = "dot" if engine == "dot" else "graphviz-pure"
    try:
        done = subprocess.run(
            [command or name, f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise RenderError(Problem.about("engine", f"{name} cannot be started: {exc}.")) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
        raise RenderError(Problem.about("engine", f"{name} failed to render the diagram: {detail}"))
    return done.stdout


def diagram(
    result: Result, kb: KnowledgeBase, fmt: str, engine: str = "auto", focus: str | None = None
) -> bytes:
    """The consultation diagram as the bytes of a file of format ``fmt``."""
    if fmt not in FORMATS:
        raise RenderError(
            Problem.about(
                "diagram",
                f"unknown diagram format {fmt!r}; "
                f"name the file with one of .{', .'.join(FORMATS)}.",
            )
        )
    source = trace_dot(result, kb, focus)
    if fmt == "dot":
        return source.encode("utf-8")
    engine = choose_engine(engine, fmt)
    if fmt == "html":
        svg = render(source, "svg", engine)
        return html_page(result, svg, citation_entries(result), focus)
    return render(source, fmt, engine)


def html_page(result: Result, svg: bytes, entries: list[CitationEntry], focus: str | None) -> bytes:
    """One self-contained page: the SVG (hover a node for its quote) and the citation list."""
    svg_text = svg.decode("utf-8")
    svg_text = svg_text[svg_text.index("<svg") :]  # drop the XML prolog and DOCTYPE

    def e(text: str) -> str:
        return html.escape(escaped(text))

    title = f"lumbar: {result.case.id}" + (f" — {focus}" if focus else "")
    items = "\n".join(
        f'<li id="c{x.key}"><b>[{x.key}]</b> <code>{e(x.rule)}</code> — '
        f"{e(x.citation.who + ', ') if x.citation.who else ''}{e(x.citation.article)} "
        f"({e(x.citation.source)}, line {x.citation.line})"
        f"<blockquote>{e(x.citation.quote)}</blockquote></li>"
        for x in entries
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }}
.diagram {{ overflow: auto; border: 1px solid #ddd; padding: .5em; }}
blockquote {{ margin: .2em 0 .8em 1.5em; color: #444; }}
.citations {{ list-style: none; padding-left: 0; }}
.disclaimer {{ font-size: .9em; color: #555; border-top: 1px solid #ddd; padding-top: .5em; }}
</style></head>
<body>
<h1>{e(title)}</h1>
<p>Triage: <b>{e(result.triage.label)}</b> ({e(result.triage.level)}).
Hover a node to see its quote or description; rule nodes carry a citation key [n].</p>
<div class="diagram">
{svg_text}
</div>
<h2>Citations</h2>
<ul class="citations">
{items}
</ul>
<p class="disclaimer">{e(DISCLAIMER)}</p>
</body></html>
"""
    return page.encode("utf-8")
