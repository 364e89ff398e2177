"""The sentence ledger: every sentence of the real articles is cited or listed with a reason;
a sentence is cited through any of a rule's citations; without uncited.yaml nothing breaks."""

from __future__ import annotations

import dataclasses
import re

from lumbar.engine.model import ledger
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.knowledge import Citation, KnowledgeBase
from lumbar.engine.model.shapes import NEEDS_RULE, REASONS
from tests.helpers import ROOT, make_kb


def test_every_sentence_of_the_articles_is_accounted_for(kb: KnowledgeBase) -> None:
    uncited = ledger.read_ledger(kb)
    assert uncited.found and not uncited.problems
    assert ledger.problems(kb, uncited) == []
    figures = ledger.total(ledger.account(kb, uncited))
    assert figures.unaccounted == 0 and figures.cited > 0
    assert figures.sentences == figures.cited + figures.uncited_total
    assert len(uncited.entries) == figures.uncited_total  # each entry names one sentence


def test_the_files_header_documents_every_reason_and_no_other() -> None:
    text = (ROOT / "knowledge_base" / ledger.LEDGER).read_text(encoding="utf-8")
    header = text[: text.index("\narticles:")]
    documented = re.findall(r"^#   ([a-z_]+): ", header, re.M)
    assert documented == list(REASONS)
    assert set(NEEDS_RULE) <= set(REASONS) and ledger.TO_ENCODE in REASONS


def test_the_readme_explains_every_reason_and_no_other() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The sentence ledger") : readme.index("### Disagreements")]
    assert re.findall(r"^\| `([a-z_]+)`", section, re.M) == list(REASONS)


def test_reasons_that_name_a_rule_name_one_that_carries_the_sentence(kb: KnowledgeBase) -> None:
    entries = ledger.read_ledger(kb).entries
    for e in entries:
        assert (e.by is not None) == (e.reason in NEEDS_RULE), e
        assert e.by is None or e.by in kb.rules_by_id, e


def test_a_sentence_is_cited_by_any_citation_of_a_rule(tmp_path) -> None:
    kb = kb_module.load(make_kb(tmp_path))
    by_text = {a.sentence.text: a for a in ledger.account(kb, ledger.read_ledger(kb))[0].sentences}
    assert by_text["It\u2019s a \u201ccurly\u201d sentence here."].rules == (
        "cause_gives_self_care",
    )
    assert by_text["The quick brown fox jumps over the lazy dog."].status == ledger.CITED
    # a second citation (`also_cites:`) of the first rule, to the second sentence
    first, second = kb.rules
    also = Citation("test", "s.txt", 3, None, 'It\'s a "curly" sentence')
    changed = dataclasses.replace(kb, rules=(dataclasses.replace(first, also=(also,)), second))
    accounts = ledger.account(changed, ledger.read_ledger(changed))[0].sentences
    assert accounts[1].rules == ("butt_wink_is_a_cause", "cause_gives_self_care")


def test_without_uncited_yaml_every_uncited_sentence_is_unaccounted(kb_copy) -> None:
    (kb_copy / ledger.LEDGER).unlink()
    kb = kb_module.load(kb_copy)  # the knowledge base itself still loads
    uncited = ledger.read_ledger(kb)
    assert not uncited.found
    figures = ledger.total(ledger.account(kb, uncited))
    assert figures.uncited_total == 0 and figures.unaccounted > 0
    [(kind, problem)] = ledger.problems(kb, uncited)
    assert kind == "ledger" and problem.file == "knowledge_base/uncited.yaml"
    assert problem.message.startswith(f"no such file, and {figures.unaccounted} sentence(s)")


def test_no_ledger_is_needed_when_every_sentence_is_cited(tmp_path) -> None:
    kb = kb_module.load(make_kb(tmp_path))
    uncited = ledger.read_ledger(kb)
    assert not uncited.found and ledger.problems(kb, uncited) == []


def test_a_refused_character_in_an_entry_is_named_at_its_line(tmp_path) -> None:
    root = make_kb(tmp_path)
    (root / ledger.LEDGER).write_text(
        'articles:\n  test:\n    - {line: 1, text: "The quick\\u202e brown", reason: to_encode}\n',
        encoding="utf-8",
    )
    uncited = ledger.read_ledger(kb_module.load(root))
    assert [str(p) for p in uncited.problems if "U+202E" in p.message] == [
        "knowledge_base/uncited.yaml:3:17: articles.test[0].text: U+202E RIGHT-TO-LEFT OVERRIDE at "
        "character 10 is not allowed: control, format (invisible, bidirectional), private-use "
        "characters and noncharacters would reach terminals and diagrams unseen; delete it."
    ]
