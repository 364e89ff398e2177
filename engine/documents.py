"""Reading YAML and JSON documents while keeping where each value stood.

Used by ``kb`` and ``case``. Values come back as ruamel.yaml round-trip nodes, so any key path
can be mapped back to ``file:line:column`` after validation, and duplicate keys (which PyYAML
silently keeps) are rejected.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from .errors import LumbarError, Problem


def parse_text(text: str, name: str, error: type[LumbarError]) -> Any:
    """Parse YAML (or JSON, which we read as YAML 1.2) text; syntax errors name file:line:col."""
    if name.endswith(".json"):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(
                Problem(name, exc.lineno, exc.colno, f"this is not valid JSON: {exc.msg}.")
            ) from None
    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        raise error(
            Problem(
                name,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
                f"{exc.problem.strip()}; each key may appear once, remove or rename the repeat.",
            )
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = (exc.problem or exc.context or "syntax error").strip()
        raise error(
            Problem(
                name,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
                f"this is not valid YAML: {detail}.",
            )
        ) from None


def read_document(path: Path, error: type[LumbarError], shown_as: str | None = None) -> Any:
    """Read and parse one file; a missing or unreadable file is an ``error`` too."""
    name = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(Problem(name, None, None, "no such file; check the path.")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(Problem(name, None, None, f"cannot be read: {exc}.")) from None
    return parse_text(text, name, error)


def position(root: Any, path: Sequence[str | int]) -> tuple[int | None, int | None]:
    """1-based (line, column) of the deepest node of ``path`` that exists in ``root``."""
    node, line, col = root, None, None
    for key in path:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and key in node:
                if lc is not None:
                    line, col = lc.key(key)
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                if lc is not None:
                    line, col = lc.item(key)
                node = node[key]
            # Anything else (a union tag pydantic adds, a missing key) stays at the parent.
        except (KeyError, IndexError, TypeError):
            break
    if line is None and getattr(root, "lc", None) is not None:
        line, col = root.lc.line, root.lc.col
    return (line + 1 if line is not None else None, col + 1 if col is not None else None)


def format_path(path: Sequence[str | int]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def validation_problems(
    exc: ValidationError, root: Any, name: str, prefix: Sequence[str | int] = ()
) -> list[Problem]:
    """Turn pydantic's errors into located problems, in line order."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = [*prefix, *err["loc"]]
        # Drop pydantic's union tags, which are not keys of the document.
        data_path = [k for k in loc if not (isinstance(k, str) and k.startswith("<"))]
        line, col = position(root, data_path)
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key; remove it or check its spelling"
        elif err["type"] == "missing":
            message = "required key is missing"
        problems.append(Problem(name, line, col, f"{format_path(data_path)}: {message}."))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
