"""Words shared by every message: "did you mean", how a finding's value is written, and the
characters that no text may carry raw.

Callers: the knowledge model, explanations, the trace, the CLI, diagrams and reports.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any

# The characters the knowledge base refuses, and that any other text (a case's id or
# description) shows escaped on a terminal and in every diagram, page and report: invisible,
# or read by a terminal as a command (a window title, a clipboard write), or reordering what
# is shown, or ill-formed in XML. Unicode categories Cc (controls) but tab and newline; Cf
# (format: bidirectional embeddings, overrides and isolates, zero-width spaces and joiners,
# the byte order mark, the soft hyphen...); Zl and Zp (line and paragraph separators, which
# YAML reads as line breaks); Cs (surrogates); Co (private use); and the 66 noncharacters
# (U+FDD0-U+FDEF, and the last two code points of every plane, U+FFFE and U+FFFF...). The
# format characters are Unicode 14's (Python 3.11) written out, so that the set never moves
# with the Python that runs it (tests/engine/test_text.py compares it with unicodedata).
REFUSED = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f"  # Cc but \t and \n
    r"\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"  # Cf
    r"\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    r"\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    r"\U000e0020-\U000e007f"
    r"\u2028\u2029"  # Zl, Zp
    r"\ud800-\udfff"  # Cs
    r"\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"  # Co
    r"\ufdd0-\ufdef"  # noncharacters, then U+nFFFE and U+nFFFF of every plane
    + "".join(f"\\U{plane:04x}fffe-\\U{plane:04x}ffff" for plane in range(17))
    + "]"
)


def closest(name: str, choices: list[str] | tuple[str, ...], n: int = 3) -> list[str]:
    """The valid names most like ``name`` (at most ``n``), best first."""
    return difflib.get_close_matches(name, list(choices), n=n, cutoff=0.5)


def did_you_mean(name: str, choices: list[str] | tuple[str, ...], n: int = 3) -> str:
    """`` Did you mean a or b?`` for the closest valid names, or nothing if none is close."""
    near = closest(name, choices, n)
    return f" Did you mean {' or '.join(near)}?" if near else ""


def value_text(value: Any) -> str:
    """A finding value or a test's operand as written in a case: ``true``, ``30``, ``72``,
    ``dull_ache``, ``[a, b]``; numbers without a trailing ``.0``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if value is None:
        return "?"
    return str(value)


def refused_character(text: str) -> tuple[int, str] | None:
    """The first character of ``text`` that ``REFUSED`` holds, and its index; or None."""
    found = REFUSED.search(text)
    return (found.start(), found.group()) if found else None


def character_name(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``; a character with no name says what it is."""
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    if name:
        return f"{code} {name}"
    kinds = {"Cc": "a control character", "Cs": "a surrogate", "Co": "a private-use character"}
    return f"{code} ({kinds.get(unicodedata.category(ch), 'a noncharacter')})"


def escaped(text: str) -> str:
    """``text`` with every character of ``REFUSED`` written as its escape, as Python writes
    it (``\\x1b``, ``\\u202e``, ``\\U000e0001``); any other text is returned as it is."""
    return text if printable(text) else REFUSED.sub(_escape, text)


def printable(text: str) -> bool:
    """Whether ``text`` surely holds no character of ``REFUSED``: every one of them is one that
    ``str.isprintable`` refuses, and it reads 4 MB in milliseconds where ``REFUSED`` takes 0.4 s."""
    return text.replace("\n", " ").replace("\t", " ").isprintable()


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
