"""Reading YAML and JSON documents while keeping where each value stood.

Used by ``load``, ``ledger`` and ``case``. A ``Document`` holds the plain data and the 1-based
line and column of every mapping key and sequence item, so any key path can be mapped back to
``file:line:column`` after validation.

Nothing is read silently as something else:

- YAML is read with the YAML 1.2 core schema's plain scalars, numbers in decimal only: ``1:30``,
  ``0x1e``, ``0o17``, ``1_000``, ``yes``, ``on`` and dates stay text (YAML 1.1 made them 90,
  30, 15, 1000, true, true and a date); ``017`` is 17; tags outside the core schema are refused.
  Parsing uses libyaml through PyYAML's C loader when it is available.
- JSON (a ``.json`` file, or text starting with ``{`` that is JSON) is read with the json module,
  so escapes such as ``"\\ud83d\\ude00"`` work; positions come from a scan of the text.
- A number too large for a float (``1e400``, 5,000 digits) or not finite (``.inf``, ``NaN``), a
  duplicate key (which YAML loaders and ``json`` silently keep), a key that is not text, an
  alias (``*name``: an alias bomb expands exponentially) and nesting too deep are errors at
  their line. ``read_document`` can refuse a file over a size limit (case files).
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import ValidationError

from ..errors import LumbarError, Problem

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """PyYAML's safe loader with the YAML 1.2 core schema: its plain scalars, numbers in decimal
    only, and its tags (``!!str``, ``!!int``, ...); any other tag (``!!timestamp``, ``!!set``,
    ``!!python/...``) is refused. Resolvers and constructors are replaced, not added to."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[Any]]] = {}
    yaml_constructors: ClassVar[dict[Any, Any]] = {
        tag: construct
        for tag, construct in _Base.yaml_constructors.items()
        if tag is None or tag.rsplit(":", 1)[-1] in ("null", "str", "seq", "map")
    }  # None: a tag it does not know, refused


_SCALARS = {  # tag: the pattern of a plain scalar it resolves, the characters it can start with
    "null": (r"~|null|Null|NULL|", "~nN"),
    "bool": (r"true|True|TRUE|false|False|FALSE", "tTfF"),
    "int": (r"[-+]?[0-9]+", "-+0123456789"),
    "float": (
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
        r"|\.(?:nan|NaN|NAN)",
        "-+.0123456789",
    ),
}
_PATTERNS = {tag: re.compile(rf"(?:{pattern})\Z") for tag, (pattern, _) in _SCALARS.items()}
for _tag, (_, _first) in _SCALARS.items():
    _Loader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", _PATTERNS[_tag], [*_first, ""] if _tag == "null" else _first
    )


class _Refused(yaml.MarkedYAMLError):
    """A well-formed value that lumbar does not read (a number out of range, a tag that does not
    fit its value)."""


def _number_problem(text: str) -> str | None:
    """Why a number as written cannot be used, if it cannot."""
    shown = text if len(text) <= 24 else f"{text[:12]}... ({len(text):,} characters)"
    if text.lstrip("+-").lower() in (".inf", ".nan", "infinity", "nan"):
        return f"{shown} is not a number lumbar can use; give a finite number."
    if not math.isfinite(float(text)):
        return f"the number {shown} is out of range (too large); give an ordinary number."
    return None


def _written(node: yaml.Node, *kinds: str) -> str:
    """The text of a scalar written as one of ``kinds`` (an explicit tag, ``!!int abc``, may
    say otherwise)."""
    text = node.value if isinstance(node, yaml.ScalarNode) else ""
    if not any(_PATTERNS[kind].match(text) for kind in kinds):
        tag = node.tag.rsplit(":", 1)[-1]
        message = f"this value is tagged !!{tag} but is not written as one; remove the tag."
        raise _Refused(problem=message, problem_mark=node.start_mark)
    return text


def _construct_number(loader: _Loader, node: yaml.Node) -> int | float:
    is_int = node.tag.endswith(":int")
    text = _written(node, "int") if is_int else _written(node, "int", "float")
    problem = _number_problem(text)
    if problem:
        raise _Refused(problem=problem, problem_mark=node.start_mark)
    return int(text) if is_int else float(text)


def _construct_bool(loader: _Loader, node: yaml.Node) -> bool:
    return _written(node, "bool").lower() == "true"


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_number)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_number)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)

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


def read_document(
    path: Path, error: type[LumbarError], shown_as: str | None = None, max_bytes: int | None = None
) -> Document:
    """Read and parse one file; a missing or unreadable file, or one over ``max_bytes``, is an
    ``error`` too."""
    name = shown_as or str(path)
    try:
        with path.open("rb") as file:
            data = file.read() if max_bytes is None else file.read(max_bytes + 1)
    except FileNotFoundError:
        raise error(Problem(name, None, None, "no such file; check the path.")) from None
    except IsADirectoryError:
        raise error(Problem(name, None, None, "is a folder, not a file; name a file.")) from None
    except PermissionError:
        message = "cannot be read: permission denied; check the file's permissions."
        raise error(Problem(name, None, None, message)) from None
    except OSError as exc:
        raise error(Problem(name, None, None, f"cannot be read: {exc.strerror or exc}.")) from None
    return parse_bytes(data, name, error, max_bytes)


def parse_bytes(
    data: bytes, name: str, error: type[LumbarError], max_bytes: int | None = None
) -> Document:
    """Decode UTF-8 ``data`` (refused over ``max_bytes``) and parse it; line ends become
    ``\\n``, as a file read as text would have them."""
    if max_bytes is not None and len(data) > max_bytes:
        message = f"is over {max_bytes:,} bytes, the limit for this file; is it the right file?"
        raise error(Problem(name, None, None, message))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        message = f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8."
        raise error(Problem(name, line, column, message)) from None
    return parse_text(text.replace("\r\n", "\n").replace("\r", "\n"), name, error)


def parse_text(text: str, name: str, error: type[LumbarError]) -> Document:
    """Parse JSON (a ``.json`` name, or text starting with ``{`` that is JSON) or YAML 1.2;
    syntax errors, duplicate keys, aliases and unusable numbers name file:line:col."""
    as_json = name.endswith(".json")
    if as_json or text.lstrip(" \t\n\ufeff").startswith("{"):
        body = text.replace("\ufeff", " ", 1) if text.startswith("\ufeff") else text
        try:
            data = json.loads(body, parse_int=_json_int)
        except json.JSONDecodeError as exc:
            if as_json:
                message = f"this is not valid JSON: {exc.msg}."
                raise error(Problem(name, exc.lineno, exc.colno, message)) from None
            return _parse_yaml(text, name, error)  # a YAML flow mapping
        except RecursionError:
            raise error(Problem(name, None, None, _TOO_DEEP)) from None
        return Document(name, data, _json_positions(body, name, error), text)
    return _parse_yaml(text, name, error)


_TOO_DEEP = "this is nested too deeply to read; these files are only a few levels deep."


def _json_int(text: str) -> int | float:
    return int(text) if len(text) <= 1000 else math.inf  # refused, at its place, by the scan


def _parse_yaml(text: str, name: str, error: type[LumbarError]) -> Document:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()  # parsed once: positions and data from one tree
        # Indexed before constructing: an alias is refused before anything is expanded.
        positions = _index(node, name, error) if node is not None else {}
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise error(Problem(name, *_at(exc.problem_mark), exc.problem or "")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = (exc.problem or exc.context or "syntax error").strip()
        line, col = _at(mark) if mark else (None, None)
        raise error(Problem(name, line, col, f"this is not valid YAML: {detail}.")) from None
    except yaml.YAMLError as exc:
        raise error(Problem(name, None, None, f"this is not valid YAML: {exc}.")) from None
    except RecursionError:
        raise error(Problem(name, None, None, _TOO_DEEP)) from None
    finally:
        loader.dispose()
    return Document(name, data, positions, text)


def _at(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _duplicate(name: str, key: str, at: tuple[int, int], first: int) -> Problem:
    return Problem(
        name,
        *at,
        f"duplicate key {key!r} (first at line {first}); each key may appear once, remove or "
        "rename the repeat.",
    )


def _index(root: yaml.Node, name: str, error: type[LumbarError]) -> dict[Path_, tuple[int, int]]:
    """Where each key and item of the node tree stands, in document order (without recursion:
    nesting is as deep as libyaml allows)."""
    out: dict[Path_, tuple[int, int]] = {}
    met: set[int] = set()  # the nodes seen: meeting one again means an alias
    todo: list[tuple[yaml.Node, Path_]] = [(root, ())]
    while todo:
        node, path = todo.pop()
        if id(node) in met:
            raise error(
                Problem(
                    name,
                    *_at(node.start_mark),
                    "this value is anchored (&name) and repeated through an alias (*name); "
                    "aliases are not read (a few can expand into millions of values): write "
                    "the value out each time it is needed.",
                )
            )
        met.add(id(node))
        children: list[tuple[yaml.Node, Path_]] = []
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key_node, value_node in node.value:
                at = _at(key_node.start_mark)
                if not isinstance(key_node, yaml.ScalarNode) or id(key_node) in met:
                    message = (
                        "a key must be written out as text, not a list, a mapping or an alias."
                    )
                    raise error(Problem(name, *at, message))
                met.add(id(key_node))
                key = key_node.value
                if key in keys:
                    raise error(_duplicate(name, key, at, keys[key]))
                keys[key] = at[0]
                out[(*path, key)] = at
                children.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                out[(*path, i)] = _at(item.start_mark)
                children.append((item, (*path, i)))
        todo.extend(reversed(children))
    return out


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]|[^\s\[\]{},:"]+', re.S)


@dataclass
class _Open:
    """A JSON object (with the keys seen and the last one) or array (with its next index)."""

    path: Path_
    keys: dict[str, int] | None  # None for an array
    key: str = ""
    index: int = 0


def _json_positions(text: str, name: str, error: type[LumbarError]) -> dict[Path_, tuple[int, int]]:
    """Where each key and item of ``text`` (already read as JSON) stands; a duplicate key or an
    unusable number is an error there."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def at(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    out: dict[Path_, tuple[int, int]] = {}
    opened: list[_Open] = []
    want_key = False
    for match in _JSON_TOKEN.finditer(text):
        token, here = match.group(), match.start()
        inner = opened[-1] if opened else None
        if token in ("]", "}"):
            opened.pop()
        elif token == ",":
            want_key = inner is not None and inner.keys is not None
        elif token == ":":
            continue
        elif inner is not None and inner.keys is not None and want_key:
            key = json.loads(token)
            if key in inner.keys:
                raise error(_duplicate(name, key, at(here), inner.keys[key]))
            inner.keys[key], inner.key, want_key = at(here)[0], key, False
            out[(*inner.path, key)] = at(here)
        else:  # a value
            path: Path_ = ()
            if inner is not None and inner.keys is None:
                path = (*inner.path, inner.index)
                out[path], inner.index = at(here), inner.index + 1
            elif inner is not None:
                path = (*inner.path, inner.key)
            if token in ("{", "["):
                opened.append(_Open(path, {} if token == "{" else None))
                want_key = token == "{"
            elif token[0] != '"' and token not in ("true", "false", "null"):
                problem = _number_problem(token)
                if problem:
                    raise error(Problem(name, *at(here), problem))
    return out


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
