"""An article's text as sentences, each with its line (the sentence ledger's unit).

Used by ``ledger`` (which sentences rules cite, and why the others are not) and, through it, by
``kb check``, ``kb coverage`` and the explorer's article view. Pure and deterministic.

A line of an article is a paragraph (or a heading, a caption, a list item). A line is split after
``.``, ``!`` or ``?`` (and any closing quotes or brackets) followed by a space, unless the word
before a ``.`` is an abbreviation ("Dr.", "e.g.", "U.S.", an initial), the ``.`` ends the
number that opens the line ("1. Check Your Form") or the next word starts with a lower-case
letter. A line with no sentence end (a heading, a one-line item) is one
sentence; blank lines are none. A sentence's text is verbatim, outer whitespace aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end with "." without ending a sentence (compared lower-case, without the ".").
ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "prof", "st", "sr", "jr", "vs", "no", "fig", "approx", "cf"}
)
_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)")
_INITIALS = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Z]\.")  # e.g. i.e. U.S. D.O. and "J."
_NUMBERED = re.compile(r"\s*\d+\.")
_OPENING = "\"'\u201c\u2018(["


@dataclass(frozen=True)
class Sentence:
    line: int  # 1-based line of the article
    text: str  # verbatim, without the whitespace around it
    start: int  # offset of its first character in the article's text
    end: int  # offset just after its last character


def sentences(text: str) -> tuple[Sentence, ...]:
    """Every sentence of ``text``, in order."""
    out: list[Sentence] = []
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        start = 0
        for end in _ends(line):
            out.extend(_sentence(number, line, start, end, offset))
            start = end
        out.extend(_sentence(number, line, start, len(line), offset))
        offset += len(line) + 1
    return tuple(out)


def _ends(line: str) -> list[int]:
    """Offsets in ``line`` just after each sentence end."""
    ends = []
    for m in _END.finditer(line):
        following = line[m.end() :].lstrip()
        if not following or following[0].islower():
            continue
        if line[m.start() : m.end()] == "." and _abbreviation(line[: m.end()]):
            continue
        if _NUMBERED.fullmatch(line[: m.end()]):  # "1. Check Your Form": a list number
            continue
        ends.append(m.end())
    return ends


def _abbreviation(upto_dot: str) -> bool:
    """Whether the word that ends ``upto_dot`` (with its ".") is an abbreviation."""
    word = upto_dot.rsplit(None, 1)[-1].lstrip(_OPENING)
    return word[:-1].lower() in ABBREVIATIONS or _INITIALS.fullmatch(word) is not None


def _sentence(number: int, line: str, start: int, end: int, offset: int) -> list[Sentence]:
    part = line[start:end]
    text = part.strip()
    if not text:
        return []
    first = start + len(part) - len(part.lstrip())
    return [Sentence(number, text, offset + first, offset + first + len(text))]
