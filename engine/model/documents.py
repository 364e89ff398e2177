"""Reading YAML and JSON documents while keeping where each value stood.

Used by ``kb`` and ``case``. A ``Document`` holds the plain data and the 1-based line and column
of every mapping key and sequence item, so any key path can be mapped back to
``file:line:column`` after validation. Duplicate keys (which YAML loaders silently keep) are
rejected. Parsing uses libyaml through PyYAML's C loader when it is available.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import LumbarError, Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    name: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict, repr=False)
    text: str = field(default="", repr=False)  # as parsed (the knowledge base's digest)

    def position(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """(line, column) of the deepest part of ``path`` found in the document."""
        keys = tuple(path)
        while keys:
            if keys in self.positions:
                return self.positions[keys]
            keys = keys[:-1]
        return (1, 1) if self.positions else (None, None)


def parse_text(text: str, name: str, error: type[LumbarError]) -> Document:
    """Parse YAML or JSON text; syntax errors and duplicate keys name file:line:col."""
    if name.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(
                Problem(name, exc.lineno, exc.colno, f"this is not valid JSON: {exc.msg}.")
            ) from None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()  # parsed once: positions and data from one tree
            if not name.endswith(".json"):
                data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
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
    except yaml.YAMLError as exc:
        raise error(Problem(name, None, None, f"this is not valid YAML: {exc}.")) from None
    positions: dict[Path_, tuple[int, int]] = {}
    if node is not None:
        _index(node, (), positions, name, error)
    return Document(name, data, positions, text)


def _index(node: yaml.Node, path: Path_, out: dict, name: str, error: type[LumbarError]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key in seen:
                raise error(
                    Problem(
                        name,
                        line,
                        col,
                        f"duplicate key {key!r} (first at line "
                        f"{seen[key]}); each key may appear once, remove or rename "
                        "the repeat.",
                    )
                )
            seen[key] = line
            out[(*path, key)] = (line, col)
            _index(value_node, (*path, key), out, name, error)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*path, i)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _index(item, (*path, i), out, name, error)


def read_document(path: Path, error: type[LumbarError], shown_as: str | None = None) -> Document:
    """Read and parse one file; a missing or unreadable file is an ``error`` too."""
    name = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(Problem(name, None, None, "no such file; check the path.")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(Problem(name, None, None, f"cannot be read: {exc}.")) from None
    return parse_text(text, name, error)


def format_path(path: Sequence[str | int]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def validation_problems(exc: ValidationError, doc: Document) -> list[Problem]:
    """Turn pydantic's errors into located problems, in line order."""
    problems = []
    for err in exc.errors(include_url=False):
        # Drop pydantic's union tags (written "<tag>"), which are not keys of the document.
        path = [k for k in err["loc"] if not (isinstance(k, str) and k.startswith("<"))]
        line, col = doc.position(path)
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key; remove it or check its spelling"
        elif err["type"] == "missing":
            message = "required key is missing"
        problems.append(Problem(doc.name, line, col, f"{format_path(path)}: {message}."))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
