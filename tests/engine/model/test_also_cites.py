"""A rule may cite several sentences (``also_cites``): of its own article or of another, each
verbatim, each shown with who and where, and every cited article counts as evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumbar.engine.consult import consult
from lumbar.engine.errors import KnowledgeBaseError
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.case import case_from_data
from lumbar.engine.serialize import to_data
from tests.helpers import RULES, make_kb

SECOND = """\
article:
  key: second
  source: t.txt
  title: Second
  experts: [Bea Other]
rules:
  - id: second_article_rule
    when: {finding: hours_since_workout, more_than: 1000}
    then: [red_flag_present]
    citation:
      quote: Another article says the same thing here.
"""
ALSO = """\
    also_cites:
      - article: second
        quote: Another article says the same thing here.
        who: Bea Other
      - quote: It's a "curly" sentence here.
"""


def with_also(tmp_path: Path, also: str = ALSO) -> Path:
    rules = RULES.replace("      who: Ann Expert\n", "      who: Ann Expert\n" + also, 1)
    root = make_kb(tmp_path, rules)
    (root / "sources" / "t.txt").write_text(
        "Another article says the same thing here.\n", encoding="utf-8"
    )
    (root / "rules" / "b.yaml").write_text(SECOND, encoding="utf-8")
    return root


def test_further_citations_load_with_their_article_line_and_who(tmp_path) -> None:
    kb = kb_module.load(with_also(tmp_path))
    rule = kb.rule("butt_wink_is_a_cause")
    assert [(c.article, c.line, c.who) for c in rule.citations] == [
        ("test", 1, "Ann Expert"),
        ("second", 1, "Bea Other"),
        ("test", 3, None),
    ]
    assert rule.articles == ("test", "second")


@pytest.mark.parametrize(
    ("also", "says"),
    [
        (ALSO.replace("article: second", "article: secnd"), "'secnd' is not an article key"),
        (ALSO.replace("says the same", "says another"), "is not verbatim in t.txt"),
        (ALSO.replace("who: Bea Other", "who: Ann Expert"), "not among the experts of second"),
        (
            "    also_cites:\n      - quote: The quick brown fox jumps over the lazy dog.\n",
            "already cites this sentence",
        ),
    ],
)
def test_a_bad_further_citation_is_located(tmp_path, also, says) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        kb_module.load(with_also(tmp_path, also))
    found = [str(p) for p in info.value.problems]
    assert len(found) == 1 and says in found[0]
    assert found[0].startswith("knowledge_base/rules/a.yaml:1") and "also_cites[" in found[0]


def test_a_consultation_shows_every_citation_and_counts_every_article(tmp_path) -> None:
    kb = kb_module.load(with_also(tmp_path))
    result = consult(case_from_data({"case": "c", "findings": {"butt_wink": True}}, kb), kb)
    cause = result.get("cause_butt_wink")
    assert cause is not None and set(cause.articles) == {"test", "second"}
    support = to_data(result)["conclusions"][0]["citations"][0]
    assert [c["article"] for c in support["also_cites"]] == ["second", "test"]
    assert support["also_cites"][0]["who"] == "Bea Other"
