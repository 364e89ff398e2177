"""The loader reports every problem of a broken knowledge base, each at file:line:column."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from lumbar.engine.errors import KnowledgeBaseError
from lumbar.engine.model import load as kb_module
from tests.helpers import CONCLUSIONS, RULES, SOURCE, VOCAB, make_kb


def problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as info:
        kb_module.load(root)
    return [str(p) for p in info.value.problems]


def test_a_valid_knowledge_base_loads_with_quote_lines_and_strata(tmp_path) -> None:
    kb = kb_module.load(make_kb(tmp_path))
    first, second = kb.rules
    assert (first.citation.line, second.citation.line) == (1, 3)
    # The rule testing that red_flag_present is absent runs after anything that concludes it.
    assert (first.stratum, second.stratum) == (0, 0)
    assert second.citation.quote.startswith("It's")  # curly quotes matched straight ones


def test_the_digest_is_of_the_files_read_wherever_the_folder_is(tmp_path) -> None:
    first = kb_module.load(make_kb(tmp_path / "one"))
    assert len(first.digest) == 64
    assert kb_module.load(make_kb(tmp_path / "two")).digest == first.digest
    commented = kb_module.load(make_kb(tmp_path / "three", vocab=VOCAB + "# a comment\n"))
    assert commented.digest != first.digest
    (tmp_path / "three/knowledge_base/notes.txt").write_text("not read by the loader")
    assert kb_module.load(tmp_path / "three/knowledge_base").digest == commented.digest


def test_unknown_finding_is_located_with_a_suggestion(tmp_path) -> None:
    found = problems(make_kb(tmp_path, RULES.replace("finding: butt_wink", "finding: butt_wnk")))
    assert found == [
        "knowledge_base/rules/a.yaml:8:5: rules[0].when: unknown finding 'butt_wnk'. "
        "Did you mean butt_wink?"
    ]


def test_every_problem_is_reported_at_once_in_line_order(tmp_path) -> None:
    broken = (
        RULES.replace("then: [cause_butt_wink]", "then: [cause_butt_wonk]")
        .replace("lazy dog.\n      who", "lazy cat.\n      who")
        .replace("who: Ann Expert", "who: Bob Nobody")
    )
    found = problems(make_kb(tmp_path, broken))
    assert len(found) == 3
    assert "unknown conclusion 'cause_butt_wonk'. Did you mean cause_butt_wink?" in found[0]
    assert ":11:" in found[1] and "is not verbatim in s.txt" in found[1]
    assert ":12:" in found[2] and "'Bob Nobody' is not among article.experts" in found[2]


def test_value_that_does_not_fit_the_vocabulary(tmp_path) -> None:
    broken = RULES.replace(
        "{finding: butt_wink, is: true}", "{finding: hours_since_workout, more_than: 5000}"
    )
    (found,) = problems(make_kb(tmp_path, broken))
    assert "5000 lies outside its range" in found


def test_boolean_tested_with_a_string(tmp_path) -> None:
    broken = RULES.replace("{finding: butt_wink, is: true}", "{finding: butt_wink, is: 'yes'}")
    (found,) = problems(make_kb(tmp_path, broken))
    assert "'is: true' or 'is: false'" in found


def test_schema_errors_name_the_key_path(tmp_path) -> None:
    broken = RULES.replace(
        "    then: [cause_butt_wink]\n", "    then: [cause_butt_wink]\n    than: 1\n"
    )
    (found,) = problems(make_kb(tmp_path, broken))
    assert found.startswith("knowledge_base/rules/a.yaml:10:5: rules[0].than: unknown key")


def test_a_malformed_condition_says_what_a_condition_is(tmp_path) -> None:
    broken = RULES.replace("{finding: butt_wink, is: true}", "{fnding: butt_wink, is: true}")
    (found,) = problems(make_kb(tmp_path, broken))
    assert ":8:5:" in found and "a condition is one of" in found


def test_two_operators_in_one_test(tmp_path) -> None:
    broken = RULES.replace(
        "{finding: butt_wink, is: true}", "{finding: hours_since_workout, at_least: 1, at_most: 3}"
    )
    (found,) = problems(make_kb(tmp_path, broken))
    assert "give exactly one of" in found


def test_duplicate_rule_ids(tmp_path) -> None:
    broken = RULES.replace("id: cause_gives_self_care", "id: butt_wink_is_a_cause")
    (found,) = problems(make_kb(tmp_path, broken))
    assert (
        ":13:" in found and "already the id of the rule at knowledge_base/rules/a.yaml:7" in found
    )


def test_duplicate_yaml_keys_are_rejected(tmp_path) -> None:
    broken = RULES.replace(
        "    then: [cause_butt_wink]\n", "    then: [cause_butt_wink]\n    then: []\n"
    )
    (found,) = problems(make_kb(tmp_path, broken))
    assert ":10:5:" in found and "each key may appear once" in found


def test_a_rule_must_test_something_present(tmp_path) -> None:
    broken = RULES.replace(
        "{finding: butt_wink, is: true}", "{none: [{finding: butt_wink, is: true}]}"
    )
    (found,) = problems(make_kb(tmp_path, broken))
    assert "at least one test outside 'none'" in found


def test_negation_cycle_cannot_be_ordered(tmp_path) -> None:
    # cause_gives_self_care also concludes red_flag_present, whose absence it tests.
    broken = RULES.replace("then: [triage_self_care]", "then: [triage_self_care, red_flag_present]")
    (found,) = problems(make_kb(tmp_path, broken))
    assert "cause_gives_self_care" in found and "no order is right" in found


def test_triage_conclusion_needs_a_known_level(tmp_path) -> None:
    broken = CONCLUSIONS.replace("level: self_care", "level: whenever")
    (found,) = problems(make_kb(tmp_path, conclusions=broken))
    # located at the entry, not at its level
    assert "knowledge_base/conclusions.yaml:3:3:" in found
    assert "'whenever' is not one of" in found


def test_a_reassuring_level_must_be_a_triage_level(tmp_path) -> None:
    broken = CONCLUSIONS.replace(
        "triage_levels: [urgent, self_care]\n",
        "triage_levels: [urgent, self_care]\nreassuring_levels: [self_care, fine]\n",
    )
    (found,) = problems(make_kb(tmp_path, conclusions=broken))
    assert "knowledge_base/conclusions.yaml:2:32:" in found  # the item itself
    assert "reassuring_levels[1]: 'fine' is not one of triage_levels" in found


def test_screen_values_must_be_values_of_the_finding(tmp_path) -> None:
    broken = VOCAB.replace(
        "    help: Called butt wink.\n", "    help: Called butt wink.\n    screen: [maybe]\n"
    )
    (found,) = problems(make_kb(tmp_path, vocab=broken))
    assert "red_flag, urgent and screen list values of the finding" in found


def test_stratum_orders_negation_after_its_producers(tmp_path) -> None:
    extra = (
        RULES
        + """\
  - id: butt_wink_is_a_red_flag
    when: {finding: butt_wink, is: true}
    then: [red_flag_present]
    citation:
      quote: jumps over the lazy dog
"""
    )
    kb = kb_module.load(make_kb(tmp_path, extra))
    strata = {r.id: r.stratum for r in kb.rules}
    assert strata == {
        "butt_wink_is_a_cause": 0,
        "cause_gives_self_care": 1,
        "butt_wink_is_a_red_flag": 0,
    }


# ---- characters the knowledge base refuses ----------------------------------------------------

# Each is invisible, or moves the cursor, retitles a window or writes a clipboard on a terminal,
# or makes XML ill-formed (a NUL, U+FFFE): none may reach a diagram, a page or a terminal.
REFUSED = [
    "\x1b",
    "\x01",
    "\x0c",
    "\x00",
    "\r",
    "\x7f",
    "\x9b",  # CSI in C1
    "\ufffe",
    "\U0001ffff",
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u2028",
    "\ue000",
]
REFUSED_IDS = [f"U+{ord(c):04X}" for c in REFUSED]


# (file under the root, line, column, key path) of each text field edited below
FIELDS = {
    "finding question": ("vocabulary.yaml", 4, 5, "findings.butt_wink.question"),
    "finding help": ("vocabulary.yaml", 5, 5, "findings.butt_wink.help"),
    "conclusion label": ("conclusions.yaml", 5, 34, "conclusions.cause_butt_wink.label"),
    "article title": ("rules/a.yaml", 4, 3, "article.title"),
    "rule note": ("rules/a.yaml", 10, 5, "rules[0].note"),
    "quote": ("rules/a.yaml", 11, 7, "rules[0].citation.quote"),
    "dispute topic": ("disputes.yaml", 3, 5, "disputes[0].topic"),
}


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every character outside printable ASCII
    escaped (libyaml refuses most control characters written raw)."""

    def escape(ch: str) -> str:
        if ch in '"\\':
            return "\\" + ch
        if " " <= ch <= "~":
            return ch
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\U{ord(ch):08x}"

    return '"' + "".join(map(escape, text)) + '"'


def broken_kb(tmp_path: Path, field: str, ch: str) -> Path:
    """The tiny knowledge base with ``ch`` in one text field."""

    def put(text: str, old: str, value: str) -> str:
        """``key: old value`` -> ``key: "value"``"""
        assert old in text, old
        key = old.split(":")[0]
        return text.replace(old, f"{key}: {quoted(value)}", 1)

    vocab, conclusions, rules = VOCAB, CONCLUSIONS, RULES
    if field == "finding question":
        vocab = put(vocab, "question: Does the pelvis tuck at the bottom?", f"Does it{ch} tuck?")
    elif field == "finding help":
        vocab = put(vocab, "help: Called butt wink.", f"Called {ch}butt wink.")
    elif field == "conclusion label":
        conclusions = put(conclusions, "label: Butt wink", f"Butt{ch} wink")
    elif field == "article title":
        rules = put(rules, "title: Test", f"Test {ch}title")
    elif field == "rule note":
        note = f"    note: {quoted(f'A note{ch} here')}\n"
        rules = rules.replace("then: [cause_butt_wink]\n", "then: [cause_butt_wink]\n" + note, 1)
    elif field == "quote":
        quote = "quote: The quick brown fox jumps over the lazy dog."
        rules = put(rules, quote, f"The quick brown fox{ch} jumps over the lazy dog.")
    root = make_kb(tmp_path, rules, vocab, conclusions)
    if field == "dispute topic":
        topic = quoted(f"Is butt wink{ch} a cause?")
        (root / "disputes.yaml").write_text(
            "disputes:\n"
            f"  - id: odd\n    topic: {topic}\n    kind: disagree\n"
            "    summary: One side says yes, the other no.\n"
            "    sides:\n"
            "      - {position: Yes it is, rules: [butt_wink_is_a_cause]}\n"
            "      - {position: No it is not, rules: [cause_gives_self_care]}\n",
            encoding="utf-8",
        )
    return root


@pytest.mark.parametrize("ch", REFUSED, ids=REFUSED_IDS)
@pytest.mark.parametrize("field", FIELDS)
def test_a_refused_character_in_any_text_field_is_named_at_its_place(tmp_path, field, ch) -> None:
    file, line, column, key = FIELDS[field]
    found = problems(broken_kb(tmp_path, field, ch))
    named = f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()  # unnamed: the kind follows
    at = f"knowledge_base/{file}:{line}:{column}: {key}: {named}"
    assert any(p.startswith(at) and "is not allowed" in p for p in found), found
    assert not any(ch in p for p in found)  # named, never written


def test_a_source_with_a_refused_character_is_refused_at_its_line_and_column(tmp_path) -> None:
    root = make_kb(tmp_path)
    source = root / "sources" / "s.txt"
    source.write_text(SOURCE.replace("lazy dog", "lazy\u200b dog"), encoding="utf-8")
    found = problems(root)
    assert any(
        p.startswith("knowledge_base/sources/s.txt:1:40: U+200B ZERO WIDTH SPACE is not allowed")
        for p in found
    ), found


def test_tab_and_newline_in_folded_text_are_fine(tmp_path) -> None:
    vocab = VOCAB.replace(
        "    help: Called butt wink.\n",
        "    help: >-\n      Called butt\n      wink.\n\n      Second\tparagraph.\n",
    )
    kb = kb_module.load(make_kb(tmp_path, vocab=vocab))
    assert kb.findings["butt_wink"].help == "Called butt wink.\nSecond\tparagraph."


# ---- retired findings and values ------------------------------------------------------------

RETIRED = """\
retired:
  wink_seen:
    retired_in: issue 99
    why: it is now called butt_wink
    values:
      "yes": {butt_wink: true}
      "no": {butt_wink: false}
"""


def test_a_rule_or_example_giving_a_retired_finding_says_what_replaced_it(tmp_path) -> None:
    broken = RULES.replace("finding: butt_wink", "finding: wink_seen").replace(
        "is: true}", "is: 'yes'}"
    ) + (
        "    examples:\n      fires:\n        - name: old_name\n"
        "          findings: {wink_seen: 'no'}\n"
    )
    found = problems(make_kb(tmp_path, broken, vocab=VOCAB + RETIRED))
    message = "wink_seen was retired in issue 99 (it is now called butt_wink)"
    assert any("rules[0].when" in p and message in p for p in found), found
    assert any(
        "rules[1].examples.fires[0]" in p and "for wink_seen: no give butt_wink: false" in p
        for p in found
    ), found
    assert not any("Did you mean" in p for p in found)


def test_a_retired_entry_must_name_valid_replacements(tmp_path) -> None:
    broken = VOCAB + RETIRED.replace("{butt_wink: false}", "{butt_winks: false}").replace(
        "{butt_wink: true}", "{butt_wink: maybe}"
    )
    found = problems(make_kb(tmp_path, vocab=broken))
    assert any("retired.wink_seen.values.no: 'butt_winks' is not a finding" in p for p in found)
    assert any("'maybe' is not allowed for butt_wink; give true or false" in p for p in found)


def test_retired_values_of_a_live_enum_finding(tmp_path) -> None:
    vocab = VOCAB + (
        "  stance:\n    type: enum\n    values: [narrow, wide]\n"
        "    question: Which stance?\n    help: How wide the feet are.\n"
        "retired:\n  stance:\n    retired_in: issue 98\n    why: comfortable is the default\n"
        "    values:\n      comfortable: {butt_wink: false}\n"
    )
    kb = kb_module.load(make_kb(tmp_path, vocab=vocab))
    retired = kb.retired["stance"]
    assert retired.covers("comfortable", kb.findings["stance"])
    assert not retired.covers("wide", kb.findings["stance"])
    assert retired.message("comfortable") == (
        "stance was retired in issue 98 (comfortable is the default): "
        "for stance: comfortable give butt_wink: false."
    )
    live = vocab.replace("comfortable: {butt_wink", "wide: {butt_wink")
    found = problems(make_kb(tmp_path / "live", vocab=live))
    assert any("'wide' is still a value of stance" in p for p in found), found
