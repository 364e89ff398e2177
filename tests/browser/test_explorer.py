"""The explorer in a real browser: selecting, filtering, searching, linking, and escaping.

Every expectation is computed from ``explorer.site_data`` (what the page was built from), so the
tests follow the knowledge base as it grows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from lumbar.engine.draw import explorer
from lumbar.engine.model import load as kb_module
from tests.helpers import (
    HOSTILE_NOTE,
    HOSTILE_QUOTE,
    HOSTILE_RULE,
    IMG,
    PLAIN_RULE,
    SCRIPT,
    hostile_kb,
)

from .conftest import WAIT, build_site, wait_ready

Data = dict[str, Any]


# ---- helpers ------------------------------------------------------------------------------------


def text(element: WebElement) -> str:
    """The exact textContent (Selenium's .text is rendered text, whitespace-collapsed)."""
    return element.get_attribute("textContent") or ""


def rule_node(driver: WebDriver, rule_id: str) -> WebElement:
    return driver.find_element(By.ID, f"rule-{rule_id}")


def click_rule_node(driver: WebDriver, rule_id: str) -> None:
    """Click the rule's ellipse, as a user would (Selenium scrolls it into view first)."""
    rule_node(driver, rule_id).find_element(By.CSS_SELECTOR, "ellipse").click()


def wait_for_quote(driver: WebDriver, quote: str) -> None:
    WebDriverWait(driver, WAIT).until(
        lambda d: [text(e) for e in d.find_elements(By.ID, "detail-quote")] == [quote]
    )


def links(driver: WebDriver, container_id: str) -> list[str]:
    return [
        a.get_attribute("data-rule")
        for a in driver.find_elements(By.CSS_SELECTOR, f"#{container_id} a[data-rule]")
    ]


def listed(driver: WebDriver) -> set[str]:
    """Ids of the rules the sidebar list shows."""
    return set(
        driver.execute_script(
            "return [...document.querySelectorAll('#rule-list li[data-rule]')]"
            ".filter(li => li.offsetParent !== null).map(li => li.dataset.rule)"
        )
    )


def drawn(driver: WebDriver) -> set[str]:
    """Ids of the rules whose node the SVG shows."""
    ids = driver.execute_script(
        "return [...document.querySelectorAll('#graph svg g.node.rule')]"
        ".filter(g => getComputedStyle(g).display !== 'none').map(g => g.id)"
    )
    return {i.removeprefix("rule-") for i in ids}


def edges_touching_hidden_rules(driver: WebDriver) -> list[str]:
    """Edges still drawn although one of their ends is a hidden rule (should be none)."""
    return driver.execute_script(
        """
        const byName = new Map();
        for (const g of document.querySelectorAll('#graph svg g.node')) {
          byName.set(g.querySelector(':scope > title').textContent.trim(), g);
        }
        const bad = [];
        for (const e of document.querySelectorAll('#graph svg g.edge')) {
          if (getComputedStyle(e).display === 'none') continue;
          const ends = e.querySelector(':scope > title').textContent.split('->');
          for (const end of ends) {
            const g = byName.get(end.trim());
            if (g && g.classList.contains('rule') && getComputedStyle(g).display === 'none') {
              bad.push(e.id);
            }
          }
        }
        return bad;
        """
    )


def count(driver: WebDriver) -> int:
    return int(text(driver.find_element(By.ID, "rule-count")))


def console_errors(driver: WebDriver) -> list[str]:
    """SEVERE console entries since the last call: script errors, CSP refusals, failed loads."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def rule(data: Data, rule_id: str) -> Data:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def search_matches(data: Data, word: str) -> set[str]:
    w = word.lower()
    return {
        r["id"]
        for r in data["rules"]
        if w in r["id"].lower()
        or w in r["quote"].lower()
        or any(w in f.lower() for f in r["findings"])
    }


def search_word(data: Data) -> str:
    """A word (from a quote) that picks out a few rules, but not one and not all."""
    preferred = "hunchbacked"
    if 1 <= len(search_matches(data, preferred)) <= 5:
        return preferred
    words = sorted({w for r in data["rules"] for w in re.findall(r"[a-z]{7,}", r["quote"].lower())})
    for w in words:
        if 2 <= len(search_matches(data, w)) <= 5:
            return w
    pytest.fail("no quote word selects between 1 and 5 rules")


# ---- 1. the page loads --------------------------------------------------------------------------


def test_index_shows_title_disclaimer_every_rule_and_its_node(open_page, data: Data) -> None:
    driver = open_page("index.html")
    assert text(driver.find_element(By.ID, "site-title")) == data["title"]
    assert driver.title == data["title"]
    assert text(driver.find_element(By.ID, "disclaimer")) == data["disclaimer"]
    assert driver.find_element(By.ID, "disclaimer").is_displayed()
    assert driver.find_element(By.CSS_SELECTOR, 'a[href="disputes.html"]').is_displayed()

    ids = [r["id"] for r in data["rules"]]
    assert count(driver) == len(ids)
    items = driver.find_elements(By.CSS_SELECTOR, "#rule-list li[data-rule]")
    assert [li.get_attribute("data-rule") for li in items] == ids
    nodes = driver.find_elements(By.CSS_SELECTOR, "#graph svg g.rule")
    assert sorted(g.get_attribute("id") for g in nodes) == sorted(f"rule-{i}" for i in ids)
    assert listed(driver) == drawn(driver) == set(ids)
    # Article and kind filters offer every article and every kind, after "All".
    articles = Select(driver.find_element(By.ID, "article-filter")).options
    assert [o.get_attribute("value") for o in articles] == [
        "",
        *(a["key"] for a in data["articles"]),
    ]
    kinds = Select(driver.find_element(By.ID, "kind-filter")).options
    assert [o.get_attribute("value") for o in kinds] == ["", *data["kinds"]]
    assert console_errors(driver) == []


# ---- 2. click a node, follow its links ----------------------------------------------------------


def test_clicking_a_rule_node_shows_its_citation_and_neighbours(open_page, data: Data) -> None:
    # A rule that is fed and feeds, and whose first "Feeds" rule also feeds something.
    chosen = next(r for r in data["rules"] if r["feeds_from"] and r["feeds"])
    driver = open_page("index.html")
    click_rule_node(driver, chosen["id"])
    wait_for_quote(driver, chosen["quote"])

    assert text(driver.find_element(By.ID, "detail-id")) == chosen["id"]
    assert "selected" in rule_node(driver, chosen["id"]).get_attribute("class").split()
    li = driver.find_element(By.CSS_SELECTOR, f'#rule-list li[data-rule="{chosen["id"]}"]')
    assert "selected" in li.get_attribute("class").split()
    assert driver.current_url.endswith(f"#rule-{chosen['id']}")
    detail = driver.find_element(By.ID, "detail")
    who = text(driver.find_element(By.ID, "detail-who"))
    assert (chosen["who"] or "author not named") in who
    title = next(a["title"] for a in data["articles"] if a["key"] == chosen["article"])
    assert title in who
    assert text(driver.find_element(By.ID, "detail-source")) == (
        f"{chosen['source']}:{chosen['line']}"
    )
    assert text(driver.find_element(By.ID, "detail-when")) == chosen["when"]
    then_text = text(driver.find_element(By.ID, "detail-then"))
    for cid in chosen["then"]:
        assert data["conclusions"][cid]["label"] in then_text
    quoted = detail.find_elements(By.CSS_SELECTOR, "#detail-context li.quoted")
    assert quoted, "the quoted lines are highlighted in context"
    assert [text(li) for li in quoted] == [
        f"{c['line']}{c['text']}" for c in chosen["context"] if c["quote"]
    ]
    assert links(driver, "detail-fed-by") == chosen["feeds_from"]
    assert links(driver, "detail-feeds") == chosen["feeds"]

    # Following a "Feeds" link selects that rule.
    target = rule(data, chosen["feeds"][0])
    driver.find_element(By.CSS_SELECTOR, "#detail-feeds a[data-rule]").click()
    wait_for_quote(driver, target["quote"])
    assert text(driver.find_element(By.ID, "detail-id")) == target["id"]
    assert "selected" in rule_node(driver, target["id"]).get_attribute("class").split()
    assert "selected" not in rule_node(driver, chosen["id"]).get_attribute("class").split()
    assert chosen["id"] in links(driver, "detail-fed-by")
    assert console_errors(driver) == []


def test_a_disputed_rule_links_to_its_disputes(open_page, data: Data) -> None:
    chosen = next(r for r in data["rules"] if r["disputes"])
    driver = open_page("index.html", f"#rule-{chosen['id']}")
    wait_for_quote(driver, chosen["quote"])
    hrefs = [
        a.get_attribute("href")
        for a in driver.find_elements(By.CSS_SELECTOR, "#detail-disputes a[href]")
    ]
    assert [h.rsplit("/", 1)[-1] for h in hrefs] == [
        f"disputes.html#{d}" for d in chosen["disputes"]
    ]


# ---- 3. filters ---------------------------------------------------------------------------------


def test_article_and_kind_filters_hide_other_rules_everywhere(open_page, data: Data) -> None:
    driver = open_page("index.html")
    article = data["articles"][0]["key"]
    mine = {r["id"] for r in data["rules"] if r["article"] == article}
    theirs = next(r["id"] for r in data["rules"] if r["article"] != article)
    Select(driver.find_element(By.ID, "article-filter")).select_by_value(article)

    WebDriverWait(driver, WAIT).until(lambda d: count(d) == len(mine))
    assert not rule_node(driver, theirs).is_displayed()
    assert rule_node(driver, next(iter(sorted(mine)))).is_displayed()
    assert listed(driver) == drawn(driver) == mine
    assert edges_touching_hidden_rules(driver) == []

    # Kind combines with article; then kind alone.
    kind = min(data["kinds"], key=lambda k: sum(k in r["kinds"] for r in data["rules"]))
    of_kind = {r["id"] for r in data["rules"] if kind in r["kinds"]}
    Select(driver.find_element(By.ID, "kind-filter")).select_by_value(kind)
    WebDriverWait(driver, WAIT).until(lambda d: count(d) == len(mine & of_kind))
    assert listed(driver) == drawn(driver) == mine & of_kind

    Select(driver.find_element(By.ID, "article-filter")).select_by_value("")
    WebDriverWait(driver, WAIT).until(lambda d: count(d) == len(of_kind))
    assert listed(driver) == drawn(driver) == of_kind
    other_kind = next(r["id"] for r in data["rules"] if kind not in r["kinds"])
    assert not rule_node(driver, other_kind).is_displayed()
    assert rule_node(driver, next(iter(sorted(of_kind)))).is_displayed()
    assert edges_touching_hidden_rules(driver) == []

    # Reset shows everything again.
    driver.find_element(By.ID, "reset-filters").click()
    WebDriverWait(driver, WAIT).until(lambda d: count(d) == len(data["rules"]))
    assert drawn(driver) == {r["id"] for r in data["rules"]}


# ---- 4. search ----------------------------------------------------------------------------------


def test_search_keeps_exactly_the_matching_rules(open_page, data: Data) -> None:
    word = search_word(data)
    expected = search_matches(data, word)
    assert 0 < len(expected) < len(data["rules"])
    driver = open_page("index.html")
    box = driver.find_element(By.ID, "search")
    box.send_keys(word.upper())  # case-insensitive
    WebDriverWait(driver, WAIT).until(lambda d: count(d) == len(expected))
    assert listed(driver) == drawn(driver) == expected
    for rule_id in expected:
        assert rule_node(driver, rule_id).is_displayed()
    assert edges_touching_hidden_rules(driver) == []

    # A finding name matches too (the rules that test it), combined with nothing else.
    finding = next(f for r in data["rules"] for f in r["findings"])
    box.clear()
    box.send_keys(finding)
    by_finding = search_matches(data, finding)
    WebDriverWait(driver, WAIT).until(lambda d: listed(d) == by_finding)
    assert drawn(driver) == by_finding


# ---- 5. deep link -------------------------------------------------------------------------------


def test_a_rule_fragment_opens_with_that_rule_selected(open_page, data: Data) -> None:
    first, later = data["rules"][0], data["rules"][len(data["rules"]) // 2]
    driver = open_page("index.html", f"#rule-{later['id']}")
    wait_for_quote(driver, later["quote"])
    assert "selected" in rule_node(driver, later["id"]).get_attribute("class").split()
    # The selected node was scrolled into the graph pane.
    assert driver.execute_script(
        """
        const g = document.getElementById(arguments[0]).getBoundingClientRect();
        const p = document.getElementById('graph').getBoundingClientRect();
        return g.left >= p.left && g.right <= p.right && g.top >= p.top && g.bottom <= p.bottom;
        """,
        f"rule-{later['id']}",
    )
    # A later hash change (the back button, an edited address) selects again.
    driver.execute_script("location.hash = arguments[0]", f"#rule-{first['id']}")
    wait_for_quote(driver, first["quote"])
    assert "selected" in rule_node(driver, first["id"]).get_attribute("class").split()


# ---- 6. disputes page ---------------------------------------------------------------------------


def test_disputes_page_cites_every_side_and_links_back(open_page, data: Data) -> None:
    driver = open_page("disputes.html")
    assert text(driver.find_element(By.ID, "disclaimer")) == data["disclaimer"]
    assert driver.find_element(By.CSS_SELECTOR, 'a[href="index.html"]').is_displayed()
    sections = driver.find_elements(By.CSS_SELECTOR, "section.dispute")
    assert [s.get_attribute("id") for s in sections] == [d["id"] for d in data["disputes"]]
    for dispute, section in zip(data["disputes"], sections, strict=True):
        body = text(section)
        assert dispute["topic"] in body
        assert dispute["kind"] in body
        assert dispute["summary"] in body
        if dispute["editors_note"]:
            note = section.find_element(By.CSS_SELECTOR, ".editors-note")
            assert text(note) == f"Editors' note (not from the articles): {dispute['editors_note']}"
        for side in dispute["sides"]:
            assert side["position"] in body
            for rule_id in side["rules"]:
                r = rule(data, rule_id)
                assert r["quote"] in body
                assert (r["who"] or "author not named") in body
                link = section.find_elements(
                    By.CSS_SELECTOR, f'a[href="index.html#rule-{rule_id}"]'
                )
                assert len(link) == 1, rule_id
    assert console_errors(driver) == []

    # Follow one rule link to the graph: it opens with that rule selected.
    rule_id = data["disputes"][-1]["sides"][-1]["rules"][0]
    driver.find_element(By.CSS_SELECTOR, f'a[href="index.html#rule-{rule_id}"]').click()
    WebDriverWait(driver, WAIT).until(lambda d: d.current_url.endswith(f"#rule-{rule_id}"))
    wait_ready(driver)
    wait_for_quote(driver, rule(data, rule_id)["quote"])
    assert "selected" in rule_node(driver, rule_id).get_attribute("class").split()


def test_a_dispute_fragment_scrolls_to_its_section(open_page, data: Data) -> None:
    last = data["disputes"][-1]["id"]
    driver = open_page("disputes.html", f"#{last}")
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script(
            "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
            "return r.top >= 0 && r.top < window.innerHeight;",
            last,
        )
    )


# ---- 7. articles page ---------------------------------------------------------------------------


def sentence_item(driver: WebDriver, sentence: str) -> WebElement:
    """The first sentence of the articles page whose text is ``sentence``."""
    return driver.execute_script(
        "return [...document.querySelectorAll('li.sentence')]"
        ".find(li => li.querySelector('.text').textContent === arguments[0])",
        sentence,
    )


def sentences_of(data: Data, key: str) -> list[Data]:
    article = next(a for a in data["articles"] if a["key"] == key)
    return [s for p in article["paragraphs"] for s in p["sentences"]]


def test_articles_page_shows_each_sentence_with_its_rules_or_reason(open_page, data: Data) -> None:
    driver = open_page("articles.html")
    sections = driver.find_elements(By.CSS_SELECTOR, "section.article")
    assert [s.get_attribute("id") for s in sections] == [a["key"] for a in data["articles"]]
    for article, section in zip(data["articles"], sections, strict=True):
        shown = driver.execute_script(
            "return [...arguments[0].querySelectorAll('li.sentence')]"
            ".map(li => [li.querySelector('.text').textContent, li.dataset.status])",
            section,
        )
        assert shown == [[s["text"], s["status"]] for s in sentences_of(data, article["key"])]
    # A cited sentence links to each rule that cites it; a carried one to the rule carrying it.
    forsythe = sentences_of(data, "forsythe")
    cited = next(s for s in forsythe if len(s["rules"]) == 1)
    li = sentence_item(driver, cited["text"])
    assert [a.get_attribute("data-rule") for a in li.find_elements(By.CSS_SELECTOR, "a")] == (
        cited["rules"]
    )
    carried = next(s for s in forsythe if s["status"] == "carried_by_rule")
    li = sentence_item(driver, carried["text"])
    assert text(li.find_element(By.CSS_SELECTOR, ".what")) == f"carried by rule {carried['by']}"
    assert console_errors(driver) == []

    # Only the sentences to encode, then follow a cited sentence's rule link to the graph.
    Select(driver.find_element(By.ID, "status-filter")).select_by_value("to_encode")
    visible = driver.execute_script(
        "return [...document.querySelectorAll('li.sentence')]"
        ".filter(li => li.offsetParent !== null).map(li => li.dataset.status)"
    )
    to_encode = [
        s
        for a in data["articles"]
        for s in sentences_of(data, a["key"])
        if s["status"] == "to_encode"
    ]
    assert visible == ["to_encode"] * len(to_encode) and to_encode
    Select(driver.find_element(By.ID, "status-filter")).select_by_value("")
    rule_id = cited["rules"][0]
    driver.find_element(By.CSS_SELECTOR, f'li.sentence a[href="index.html#rule-{rule_id}"]').click()
    WebDriverWait(driver, WAIT).until(lambda d: d.current_url.endswith(f"#rule-{rule_id}"))
    wait_ready(driver)
    wait_for_quote(driver, rule(data, rule_id)["quote"])


def test_a_rule_links_to_its_sentence_in_the_article(open_page, data: Data) -> None:
    chosen = data["rules"][len(data["rules"]) // 3]
    driver = open_page("index.html", f"#rule-{chosen['id']}")
    wait_for_quote(driver, chosen["quote"])
    link = driver.find_element(By.ID, "detail-article-link")
    anchor = f"{chosen['article']}-{chosen['line']}"
    assert link.get_attribute("href").endswith(f"articles.html#{anchor}")
    link.click()
    WebDriverWait(driver, WAIT).until(lambda d: d.current_url.endswith(f"#{anchor}"))
    wait_ready(driver)
    para = driver.find_element(By.ID, anchor)
    assert "targeted" in para.get_attribute("class").split()
    assert chosen["id"] in [
        a.get_attribute("data-rule") for a in para.find_elements(By.CSS_SELECTOR, "a[data-rule]")
    ]
    assert driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight;",
        para,
    )


# ---- 8. escaping --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Data]:
    """The site for the hostile knowledge base, and the data it was built from."""
    root = hostile_kb(tmp_path_factory.mktemp("hostile"))
    folder = build_site(tmp_path_factory.mktemp("hostile-site"), root)
    return folder, explorer.site_data(kb_module.load(root))


def assert_not_pwned(driver: WebDriver) -> None:
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert driver.execute_script("return document.querySelectorAll('img').length") == 0
    scripts = driver.execute_script("return [...document.scripts].map(s => [s.type, s.id])")
    assert scripts == [["application/json", "kb-data"], ["", ""]], scripts
    # No element from KB markup: no <b>, <i>, second <h1> or second <svg> was ever created.
    assert driver.execute_script("return document.querySelectorAll('b, i').length") == 0
    assert driver.execute_script("return document.querySelectorAll('h1').length") == 1
    assert driver.execute_script("return document.querySelectorAll('svg').length") <= 1


def test_knowledge_base_markup_is_shown_as_text_never_run(open_page, hostile) -> None:
    site, data = hostile
    driver = open_page("index.html", folder=site)
    assert_not_pwned(driver)
    click_rule_node(driver, HOSTILE_RULE)
    wait_for_quote(driver, HOSTILE_QUOTE)
    quote = text(driver.find_element(By.ID, "detail-quote"))
    assert "<img src=x" in quote
    assert SCRIPT in quote
    assert "&amp;" in quote  # literally, not decoded to "&"
    assert '"quotes"' in quote
    assert IMG in driver.find_element(By.ID, "detail-quote").text
    assert text(driver.find_element(By.ID, "detail-note")) == HOSTILE_NOTE
    assert "Ann <b>Expert</b>" in text(driver.find_element(By.ID, "detail-who"))
    assert '<svg onload="window.__pwned=4">' in text(driver.find_element(By.ID, "detail-who"))
    context = text(driver.find_element(By.ID, "detail-context"))
    assert "<h1>A heading in angle brackets</h1>" in context
    assert "<b>Butt</b> wink" in text(driver.find_element(By.ID, "detail-then"))
    assert_not_pwned(driver)

    # The next rule's conclusion label carries an <img>; its context a <svg onload>.
    driver.find_element(By.CSS_SELECTOR, f'#detail-feeds a[data-rule="{PLAIN_RULE}"]').click()
    wait_for_quote(driver, rule(data, PLAIN_RULE)["quote"])
    assert '<img src=x onerror="window.__pwned=6"> Self care' in text(
        driver.find_element(By.ID, "detail-then")
    )
    assert '<svg onload="window.__pwned=5">' in text(driver.find_element(By.ID, "detail-context"))
    # Markup in the search box is just a search.
    driver.find_element(By.ID, "search").send_keys("<img src=x")
    WebDriverWait(driver, WAIT).until(lambda d: listed(d) == {HOSTILE_RULE})
    assert_not_pwned(driver)
    assert console_errors(driver) == []


def test_disputes_page_shows_knowledge_base_markup_as_text(open_page, hostile) -> None:
    site, _ = hostile
    driver = open_page("disputes.html", folder=site)
    assert_not_pwned(driver)
    body = text(driver.find_element(By.ID, "hostile_dispute"))
    assert '<img src=x onerror="window.__pwned=8"> topic' in body
    assert "</script><script>window.__pwned=9</script>" in body
    assert "<b>One</b> side & its rule" in body
    assert HOSTILE_QUOTE in body
    assert console_errors(driver) == []


def test_articles_page_shows_the_articles_markup_as_text(open_page, hostile) -> None:
    site, _ = hostile
    driver = open_page("articles.html", folder=site)
    assert_not_pwned(driver)
    shown = {
        text(li.find_element(By.CSS_SELECTOR, ".text")): li.get_attribute("data-status")
        for li in driver.find_elements(By.CSS_SELECTOR, "li.sentence")
    }
    assert shown["<h1>A heading in angle brackets</h1>"] == "page_furniture"
    assert shown['<svg onload="window.__pwned=5"> closing line.'] == "unaccounted"
    assert shown[HOSTILE_QUOTE] == "cited"
    assert '<svg onload="window.__pwned=4">Hostile & title</svg>' in text(
        driver.find_element(By.ID, "hostile")
    )
    assert console_errors(driver) == []
