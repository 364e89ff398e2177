"""The explorer's pages as files (no browser): escaped, self-contained, nothing fetched.

``tests/browser/`` checks the same pages in Chromium; these checks run everywhere.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from lumbar.engine.draw import explorer
from lumbar.engine.model import ledger
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.knowledge import KnowledgeBase
from lumbar.engine.model.sentences import sentences
from lumbar.engine.model.shapes import NEEDS_RULE
from tests.helpers import HOSTILE_QUOTE, hostile_kb

DATA_ELEMENT = re.compile(
    r'<script type="application/json" id="kb-data">(?P<json>.*?)</script>', re.DOTALL
)
# An attribute or CSS that would make the browser fetch something from the network.
REMOTE = re.compile(
    r"""(?:\b(?:src|href|xlink:href|action|poster|data|srcset)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import)""",
    re.IGNORECASE,
)


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser would tokenise them
    (the contents of <script> and <style> are text, not tags)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, dict[str, str]]:
    knowledge = kb_module.load(hostile_kb(tmp_path_factory.mktemp("hostile")))
    pages = {name: body.decode("utf-8") for name, body in explorer.pages(knowledge).items()}
    return knowledge, pages


@pytest.fixture(scope="module")
def real_pages(kb: KnowledgeBase) -> dict[str, str]:
    return {name: body.decode("utf-8") for name, body in explorer.pages(kb).items()}


def embedded(page: str) -> Any:
    match = DATA_ELEMENT.search(page)
    assert match, "the page carries its data in <script id=kb-data>"
    return json.loads(match["json"])


def test_every_placeholder_is_filled(real_pages: dict[str, str]) -> None:
    assert set(real_pages) == {"index.html", "disputes.html", "articles.html"}
    for name, page in real_pages.items():
        for placeholder in ("{{STYLE}}", "{{SCRIPT}}", "{{DATA}}", "{{SVG}}"):
            assert placeholder not in page, (name, placeholder)
        assert page.lstrip().startswith("<!DOCTYPE html>"), name
    assert "<svg" in real_pages["index.html"]


def test_hostile_markup_appears_only_escaped(hostile) -> None:
    knowledge, pages = hostile
    for name, page in pages.items():
        assert "<img" not in page.lower(), name
        assert "</script><script>" not in page.lower(), name
        assert "<b>" not in page and "<i>" not in page and "<h1>A heading" not in page, name
        tags = Tags(page).tags
        names = [tag for tag, _ in tags]
        assert not {"img", "b", "i", "iframe", "object", "embed"} & set(names), name
        assert names.count("h1") == 1, name
        assert names.count("svg") == (1 if name == "index.html" else 0), name
        handlers = [(tag, a) for tag, attrs in tags for a in attrs if a.lower().startswith("on")]
        assert handlers == [], name
        # Exactly the page's own two script elements: the data and the code.
        assert [attrs for tag, attrs in tags if tag == "script"] == [
            {"type": "application/json", "id": "kb-data"},
            {},
        ], name
        assert len(re.findall(r"<script\b", page, re.IGNORECASE)) == 2, name
        # The data element holds no markup at all, and round-trips to site_data exactly.
        raw = DATA_ELEMENT.search(page)["json"]
        assert not set(raw) & set("<>&"), name
        assert embedded(page) == explorer.site_data(knowledge), name
        assert embedded(page)["rules"][0]["quote"] == HOSTILE_QUOTE
    # In the SVG, Graphviz escapes the quote it shows as a tooltip.
    assert "&lt;img src=x" in pages["index.html"]


def test_pages_fetch_nothing(real_pages: dict[str, str], hostile) -> None:
    _, hostile_pages = hostile
    for name, page in [*real_pages.items(), *hostile_pages.items()]:
        assert not REMOTE.search(page), (name, REMOTE.search(page))
        for tag, attrs in Tags(page).tags:
            for attr in ("src", "href", "xlink:href", "action", "data", "poster", "srcset"):
                value = attrs.get(attr, "").strip().lower()
                assert not value.startswith(("http:", "https:", "//")), (name, tag, attr, value)
        assert "<link" not in page.lower(), name
        assert "<iframe" not in page.lower(), name
        for call in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "sendBeacon"):
            assert call not in page, (name, call)
        assert "default-src 'none'" in page, name  # the CSP that forbids any fetch


def test_the_script_never_parses_markup() -> None:
    script = (explorer.ASSETS / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink


def test_placeholder_text_in_the_knowledge_base_stays_text(tmp_path: Path) -> None:
    root = hostile_kb(tmp_path)
    rules = root / "rules" / "a.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("in a note", "{{SVG}} {{DATA}} in a note"),
        encoding="utf-8",
    )
    knowledge = kb_module.load(root)
    page = explorer.pages(knowledge)["index.html"].decode("utf-8")
    assert embedded(page) == explorer.site_data(knowledge)


def test_the_article_page_shows_every_sentence_and_what_became_of_it(
    kb: KnowledgeBase, real_pages: dict[str, str]
) -> None:
    page = real_pages["articles.html"]
    ids = {attrs.get("id") for _, attrs in Tags(page).tags}
    assert {"article-toc", "article-list", "status-filter", "reason-list", "ledger-file"} <= ids
    data = embedded(page)
    rules = {r["id"] for r in data["rules"]}
    figures = ledger.account(kb, ledger.read_ledger(kb))
    assert [a["key"] for a in data["articles"]] == list(kb.articles)
    for shown, article, counted in zip(
        data["articles"], kb.articles.values(), figures, strict=True
    ):
        listed = [(p["line"], s) for p in shown["paragraphs"] for s in p["sentences"]]
        assert [(line, s["text"]) for line, s in listed] == [
            (s.line, s.text) for s in sentences(article.text)
        ]
        for _, s in listed:
            assert (s["status"] == "cited") == bool(s["rules"]) and set(s["rules"]) <= rules
            assert (s["by"] is not None) == (s["status"] in NEEDS_RULE)
            assert s["status"] != "unaccounted"
            assert s["by"] is None or s["by"] in rules
        assert shown["figures"]["cited"] == counted.figures.cited
        assert shown["figures"]["uncited"] == counted.figures.uncited
    assert data["reasons"] and data["ledger"] == {
        "file": "knowledge_base/uncited.yaml",
        "found": True,
    }
    for name, other in real_pages.items():  # every page links to the three
        hrefs = {attrs.get("href") for tag, attrs in Tags(other).tags if tag == "a"}
        assert {"index.html", "disputes.html", "articles.html"} <= hrefs, name


def test_the_article_page_of_a_hostile_knowledge_base_keeps_its_markup_as_data(hostile) -> None:
    _, pages = hostile
    data = embedded(pages["articles.html"])
    [article, _] = data["articles"]
    statuses = {s["text"]: s["status"] for p in article["paragraphs"] for s in p["sentences"]}
    assert statuses["<h1>A heading in angle brackets</h1>"] == "page_furniture"
    assert statuses['<svg onload="window.__pwned=5"> closing line.'] == "unaccounted"
    assert statuses[HOSTILE_QUOTE] == "cited"
