"""A case's id and description are user text and may hold anything (control characters, markup,
``]]>``, bidirectional overrides): every XML output stays well-formed (SVG diagrams with each
Graphviz engine, the trace as GraphML, JUnit) and the HTML page parses, none with a raw refused
character (``engine/text.py``), the case's text shown escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumbar.engine.consult import consult
from lumbar.engine.draw.consultation import diagram
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.case import case_from_data
from lumbar.engine.model.knowledge import KnowledgeBase
from lumbar.engine.regress.suite import judge_case, junit_xml
from lumbar.engine.run.trace import to_graphml
from lumbar.engine.text import REFUSED, escaped
from tests.engine.draw.test_consultation import ENGINES
from tests.helpers import make_kb

TOKENS = [
    *"\x00\x01\x07\x08\x0b\x0c\r\x1b\x7f\x85\x9b\ufffe\uffff\ufeff",
    *"\u200b\u200d\u2060\u202a\u202e\u2066\u2069\u2028\ue000\U000e0001\U0010ffff",
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "<",
    ">",
    "&",
    "&amp;",
    "]]>",
    "<![CDATA[",
    "-->",
    '"',
    "'",
    "\\",
    "\\n",
    "{}",
    "\n",
    "\t",
    " ",
]
TEXT = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.characters(blacklist_categories=("Cs",))),
    min_size=1,
    max_size=16,
).map("".join)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return kb_module.load(make_kb(tmp_path_factory.mktemp("kb")))


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def no_refused_character(data: bytes) -> str:
    text = data.decode("utf-8")
    assert REFUSED.search(text) is None, repr(text)
    return text


@pytest.mark.parametrize("engine", ENGINES)
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case_id=TEXT, description=TEXT)
def test_hostile_case_text_keeps_every_xml_and_html_output_well_formed(
    kb, engine, case_id, description
) -> None:
    data = {"case": case_id, "description": description, "findings": {"butt_wink": True}}
    case = case_from_data(
        {**data, "expect": {"absent": ["cause_butt_wink"]}}, kb, name=f"{case_id}.yaml"
    )
    result = consult(case, kb)
    for focus in (None, "triage_self_care"):
        svg = diagram(result, kb, "svg", engine, focus)
        ET.fromstring(no_refused_character(svg))
        page = _Page()
        page.feed(no_refused_character(diagram(result, kb, "html", engine, focus)))
        page.close()
        assert page.title.startswith(f"lumbar: {escaped(case_id)}")
    ET.fromstring(no_refused_character(to_graphml(result.trace)))
    report = ET.fromstring(no_refused_character(junit_xml([judge_case(case, result, kb)])))
    (testcase,) = report.iter("testcase")
    assert testcase.get("name") == escaped(case_id)
    assert testcase.get("file") == escaped(f"{case_id}.yaml")
    assert testcase.find("failure") is not None
