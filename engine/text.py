"""Words shared by every message: "did you mean" and how a finding's value is written.

Callers: the knowledge model, explanations, the trace, the CLI.
"""

from __future__ import annotations

import difflib
from typing import Any


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
