"""Sentence segmentation: each line is a paragraph; sentences end at . ! ? (with any closing
quotes) before a space, except after abbreviations, list numbers, or before a lower-case word."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from lumbar.engine.model.quotes import quote_span
from lumbar.engine.model.sentences import sentences


def texts(text: str) -> list[tuple[int, str]]:
    return [(s.line, s.text) for s in sentences(text)]


def test_a_paragraph_splits_at_each_sentence_end() -> None:
    line = "Feeling sore is natural. But real pain? You want to avoid that! (Not the goal!)"
    assert texts(line) == [
        (1, "Feeling sore is natural."),
        (1, "But real pain?"),
        (1, "You want to avoid that!"),
        (1, "(Not the goal!)"),
    ]


def test_abbreviations_initials_and_list_numbers_do_not_end_a_sentence() -> None:
    text = (
        "Run-of-the-mill soreness is DOMS, says Dr. Patterson. It is common in the U.S. Ask "
        "Mark J. Rippetoe. Try dead bugs, e.g. Bird dogs also work.\n"
        "1. Check Your Form\n"
        "Dr. Jacob Forsythe, PT, DPT, OCS, CMTPT\n"
    )
    assert texts(text) == [
        (1, "Run-of-the-mill soreness is DOMS, says Dr. Patterson."),
        (1, "It is common in the U.S. Ask Mark J. Rippetoe."),
        (1, "Try dead bugs, e.g. Bird dogs also work."),
        (2, "1. Check Your Form"),
        (3, "Dr. Jacob Forsythe, PT, DPT, OCS, CMTPT"),
    ]


def test_a_sentence_ends_after_its_closing_quote() -> None:
    line = (
        "“Find a weight you can squat pain-free,” Archambault says. “It's likely too heavy.” "
        '"Chest up" is a bad cue. So is "look up." Most lifters overextend. It helps, e.g. for '
        "squats. “Why?” she asks."
    )
    assert texts(line) == [
        (1, "“Find a weight you can squat pain-free,” Archambault says."),
        (1, "“It's likely too heavy.”"),
        (1, '"Chest up" is a bad cue.'),
        (1, 'So is "look up."'),
        (1, "Most lifters overextend."),
        (1, "It helps, e.g. for squats."),  # a lower-case word goes on with the sentence
        (1, "“Why?” she asks."),
    ]


def test_headings_and_items_are_one_sentence_each_and_blank_lines_none() -> None:
    text = "Why Your Back Hurts\n\n  • Your back is straight  \n\n\nFix it:\n- 3 min read"
    assert texts(text) == [
        (1, "Why Your Back Hurts"),
        (3, "• Your back is straight"),
        (6, "Fix it:"),
        (7, "- 3 min read"),
    ]


def test_numbers_with_points_stay_inside_a_sentence() -> None:
    assert texts("It isn't serious 99.1% of the time (1). Hold 10-15 s.") == [
        (1, "It isn't serious 99.1% of the time (1)."),
        (1, "Hold 10-15 s."),
    ]


def test_each_sentence_knows_where_it_stands_in_the_text() -> None:
    text = "A title\n\nOne. Two\u00a0words here.  Three?\n"
    found = sentences(text)
    assert [text[s.start : s.end] for s in found] == [s.text for s in found]
    assert [s.text for s in found] == ["A title", "One.", "Two\u00a0words here.", "Three?"]
    span = quote_span("Two words here.", text)  # a quote and a sentence meet on offsets
    assert span == (found[2].start, found[2].end)


@given(st.text(alphabet="ab .!?”\"'\n\u00a0D.rU1", max_size=60))
def test_sentences_cover_every_word_in_order_without_overlap(text: str) -> None:
    found = sentences(text)
    covered = set()
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start and before.line <= after.line
    for s in found:
        assert s.text == text[s.start : s.end] == s.text.strip() and s.text
        assert text.count("\n", 0, s.start) + 1 == s.line
        covered.update(range(s.start, s.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    assert sentences(text) == found  # deterministic
