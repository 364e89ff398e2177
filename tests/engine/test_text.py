"""The characters no text carries raw (``engine/text.py``): which they are, how they are named
and how they are escaped."""

from __future__ import annotations

import unicodedata

from lumbar.engine.text import REFUSED, character_name, escaped, printable


def test_the_refused_characters_are_the_documented_categories() -> None:
    """Cc but tab and newline, Cf, Zl, Zp, Cs, Co and the noncharacters, over every code point.
    The format characters are Python 3.11's (Unicode 14): a newer Python whose Unicode adds
    some fails here, and they are added to ``REFUSED`` by hand, so the set never moves
    silently."""
    every = "".join(map(chr, range(0x110000)))
    refused = {m.start() for m in REFUSED.finditer(every)}
    expected = {
        code
        for code in range(0x110000)
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co")
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
    } - {ord("\t"), ord("\n")}
    assert refused == expected
    assert not any(printable(chr(code)) for code in refused)  # escaped()'s quick test is sound


def test_characters_are_named_by_code_point() -> None:
    assert character_name("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert character_name("\u200b") == "U+200B ZERO WIDTH SPACE"
    assert character_name("\x1b") == "U+001B (a control character)"
    assert character_name("\ufffe") == "U+FFFE (a noncharacter)"
    assert character_name("\ue000") == "U+E000 (a private-use character)"


def test_escaping_shows_each_refused_character_and_keeps_everything_else() -> None:
    hostile = "title\x1b]0;pwned\x07 \u202eevil\u2066 \x00\x9b\ufeff \U000e0001\ud800"
    assert escaped(hostile) == (
        "title\\x1b]0;pwned\\x07 \\u202eevil\\u2066 \\x00\\x9b\\ufeff \\U000e0001\\ud800"
    )
    normal = (
        "Ice or heat? \u201cIce if it\u2019s sharp\u201d \u2014 24\u201348 h\ttab\n"
        "line \u00e9 \u4e2d <&> \\x1b"
    )
    assert escaped(normal) == normal
    assert escaped(escaped(hostile)) == escaped(hostile)
