"""Finding a quote in its article: verbatim up to whitespace and typographic quotes.

Used when the knowledge base loads (every quote must be verbatim), by ``kb show`` and the
explorer (the lines around a quote), by the sentence ledger (the sentences a quote covers), and
for a misquote's closest passage.
"""

from __future__ import annotations

import bisect
import difflib
from functools import cache

# Typographic quotes and no-break spaces compare equal to their plain forms.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def normalise(text: str) -> tuple[str, list[int]]:
    """Whitespace-collapsed, straight-quoted text, and each character's offset in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text.translate(_QUOTES)):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                offsets.append(i)
            continue
        out.append(ch)
        offsets.append(i)
    return "".join(out), offsets


@cache
def _normalised_source(text: str) -> tuple[str, list[int]]:
    return normalise(text)


def find_quote(quote: str, text: str) -> int | None:
    """1-based line of ``text`` where ``quote`` starts, or None if it is not verbatim there."""
    span = quote_lines(quote, text)
    return span[0] if span else None


def quote_lines(quote: str, text: str) -> tuple[int, int] | None:
    """1-based first and last line of ``quote`` in ``text``, or None if it is not verbatim."""
    span = quote_span(quote, text)
    if span is None:
        return None
    first = text.count("\n", 0, span[0]) + 1
    return first, first + text.count("\n", span[0], span[1] - 1)


def quote_span(quote: str, text: str) -> tuple[int, int] | None:
    """Offsets in ``text`` of the first and just after the last character of ``quote`` (its
    first occurrence), or None if it is not verbatim there."""
    haystack, offsets = _normalised_source(text)
    needle = normalise(quote)[0].strip()
    at = haystack.find(needle)
    if at < 0 or not needle:
        return None
    return offsets[at], offsets[at + len(needle) - 1] + 1


def closest_passage(quote: str, text: str) -> tuple[int, str]:
    """The run of whole words of ``text`` most like ``quote`` (for a quote that is not
    verbatim), and the line it starts on: the best window as long as the quote, then its
    start and end moved a few words either way."""
    haystack, offsets = _normalised_source(text)
    needle = normalise(quote)[0].strip()
    words = [0] + [i + 1 for i, ch in enumerate(haystack) if ch == " "] + [len(haystack) + 1]
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(needle)

    def best_of(spans):
        best, found = -1.0, (0, 0)
        for at, end in spans:
            matcher.set_seq1(haystack[at:end])
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                ratio = matcher.ratio()
                if ratio > best:
                    best, found = ratio, (at, end)
        return found

    first = best_of((w, w + len(needle)) for w in words[:-1])
    k = bisect.bisect_left(words, first[0])
    near = words[max(0, k - 6) : k + 7]
    ends = [w - 1 for w in words if abs(w - first[1]) <= len(needle) // 4 + 10]
    at, end = best_of((a, e) for a in near for e in ends if e > a)
    return text.count("\n", 0, offsets[at]) + 1, haystack[at:end].strip()
