"""Diagrams: every example in every format with both engines; escaping; determinism."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumbar.engine.consult import consult
from lumbar.engine.draw.consultation import RenderError, citation_entries, diagram, trace_dot
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.case import case_from_data, load_case
from tests.helpers import EXAMPLES, ROOT

HAS_DOT = shutil.which("dot") is not None
# CI installs Debian's graphviz; there a missing `dot` is a failure, not a skip.
needs_dot = pytest.mark.skipif(
    not HAS_DOT and not os.environ.get("CI"), reason="system Graphviz `dot` not installed"
)
ENGINES = [pytest.param("dot", marks=needs_dot), "pure"]
SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: bytes) -> str:
    root = ET.fromstring(svg)
    return " ".join(" ".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.fixture(scope="module")
def results(kb):
    return {p.stem: consult(load_case(p, kb), kb) for p in EXAMPLES}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_every_example_renders_svg_with_every_rule_and_citation_key(
    kb, results, name, engine
) -> None:
    result = results[name]
    svg = diagram(result, kb, "svg", engine)
    shown = texts(svg)
    entries = citation_entries(result)
    assert entries
    for entry in entries:
        assert entry.rule in shown
        assert f"[{entry.key}]" in shown
    assert "Citations" in shown and "Legend" in shown


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_every_example_renders_png_and_html(kb, results, name, engine) -> None:
    result = results[name]
    assert diagram(result, kb, "png", engine).startswith(b"\x89PNG\r\n\x1a\n")
    page = diagram(result, kb, "html", engine).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    for entry in citation_entries(result):
        assert f'<li id="c{entry.key}">' in page
    assert "<title>" in page and "not a diagnosis" in page


@needs_dot
@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_every_example_renders_pdf_with_the_system_engine(kb, results, name) -> None:
    assert diagram(results[name], kb, "pdf", "dot").startswith(b"%PDF")


def test_the_bundled_engine_refuses_pdf_and_says_how_to_get_it(kb, results) -> None:
    with pytest.raises(RenderError, match="apt-get install graphviz"):
        diagram(results["doms_day_after"], kb, "pdf", "pure")


def test_unknown_format_and_engine_are_errors(kb, results) -> None:
    with pytest.raises(RenderError, match="unknown diagram format"):
        diagram(results["doms_day_after"], kb, "jpg", "pure")
    with pytest.raises(RenderError, match="unknown engine"):
        diagram(results["doms_day_after"], kb, "svg", "neato")


def test_dot_and_bundled_svg_are_byte_identical_run_to_run(kb) -> None:
    path = ROOT / "examples/cold_start_no_brace.yaml"
    first = consult(load_case(path, kb), kb)
    second = consult(load_case(path, kb_module.load()), kb_module.load())
    assert trace_dot(first, kb) == trace_dot(second, kb)
    assert diagram(first, kb, "svg", "pure") == diagram(second, kb, "svg", "pure")


def test_focus_highlights_the_chain_and_dims_the_rest(kb, results) -> None:
    result = results["strained_muscle"]
    source = trace_dot(result, kb, focus="red_flag_real_pain_not_soreness")
    nodes = [st for st in source.split("\n\t") if st.startswith("n")]  # one statement each
    on_chain = [ln for ln in nodes if "tender_or_afraid_to_bend_is_real_pain" in ln]
    off_chain = [ln for ln in nodes if "swim_while_off_squats" in ln]
    assert on_chain and "#cccccc" not in on_chain[0]
    assert off_chain and "#cccccc" in off_chain[0]


# ---- hostile text -------------------------------------------------------------------------

TOKENS = [
    *"abc XYZ \"'<>&{}[]|\\/;:=-\n\t\u00e9\u4e2d\u00df\u2014\u201c\u201d\u2713",
    "\\n",
    "\\l",
    "<b>",
    "</svg>",
    "<script>",
    "&amp;",
    "${x}",
    "]]>",
    "-->",
]
HOSTILE = (
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12)
    .map("".join)
    .filter(lambda s: s.strip() != "")
)


def hostile_kb(tmp: Path, label: str, quote: str, value: str) -> kb_module.KnowledgeBase:
    """A one-rule knowledge base whose labels, quote and finding value are hostile text."""
    root = tmp / "knowledge_base"
    (root / "rules").mkdir(parents=True, exist_ok=True)
    (root / "sources").mkdir(exist_ok=True)
    (root / "sources" / "s.txt").write_text(f"Intro.\n{quote}\n", encoding="utf-8")
    q = json.dumps  # a JSON string is a valid YAML double-quoted scalar
    vocabulary = {
        "findings": {
            "odd": {
                "type": "enum",
                "values": [value],
                "question": "Question: " + label,
                "help": "Help text: " + label,
            }
        }
    }
    conclusions = {
        "triage_levels": ["urgent", "self_care"],
        "conclusions": {
            "triage_self_care": {
                "kind": "triage",
                "level": "self_care",
                "label": "L " + label,
                "description": "Description: " + label,
            }
        },
    }
    rules = {
        "article": {"key": "hostile", "source": "s.txt", "title": "T"},
        "rules": [
            {
                "id": "odd_rule",
                "when": {"finding": "odd", "is": value},
                "then": ["triage_self_care"],
                "citation": {"quote": quote},
            }
        ],
    }
    (root / "vocabulary.yaml").write_text(q(vocabulary), encoding="utf-8")
    (root / "conclusions.yaml").write_text(q(conclusions), encoding="utf-8")
    (root / "rules" / "r.yaml").write_text(q(rules), encoding="utf-8")
    return kb_module.load(root)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(label=HOSTILE, quote=HOSTILE.map(lambda s: "Quote " + s + " end."), value=HOSTILE)
def test_hostile_text_never_breaks_or_injects_into_any_format(
    tmp_path_factory, label, quote, value
) -> None:
    kb = hostile_kb(tmp_path_factory.mktemp("kb"), label, quote, value)
    case = case_from_data({"case": "hostile", "description": label, "findings": {"odd": value}}, kb)
    result = consult(case, kb)
    assert result.triage.level == "self_care"
    dot = diagram(result, kb, "dot").decode("utf-8")
    assert "odd_rule" in dot
    svg = diagram(result, kb, "svg", "pure")
    shown = " ".join(texts(svg).split())  # parses as XML, or this raises
    assert " ".join(("L " + label).split()) in shown
    page = diagram(result, kb, "html", "pure").decode("utf-8")
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags
    assert parser.tags.count("svg") == 1
    assert parser.tags.count("b") == 2  # the page's own: the triage and the one citation key
