"""Writing the files a command produces: all of it or nothing, and only where asked."""

from __future__ import annotations

import os
from pathlib import Path

from ..engine.consult import Result
from ..engine.draw import consultation as render
from ..engine.errors import LumbarError, Problem, RenderError
from ..engine.model.knowledge import KnowledgeBase
from ..engine.regress.verify import outdated
from .text import echo


def write_atomically(path: Path, data: bytes) -> None:
    """Write all of ``data`` or nothing: a temporary file beside ``path``, then a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LumbarError(Problem(str(path), None, None, f"cannot be written: {exc}.")) from None


def sync_files(folder: Path, files: dict[str, bytes], check: bool = False) -> list[Path]:
    """Bring ``folder`` up to date with ``files`` (name -> bytes), each written atomically;
    return the files that were missing or differed. With ``check``, write nothing."""
    stale = outdated(folder, files)
    if not check and stale:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LumbarError(
                Problem(str(folder), None, None, f"cannot be created: {exc}.")
            ) from None
        for path in stale:
            write_atomically(path, files[path.name])
    return stale


def diagram_format(path: Path | None) -> str | None:
    """The format named by a --diagram file's extension (checked before any work is done)."""
    if path is None:
        return None
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in render.FORMATS:
        raise RenderError(
            Problem(
                str(path),
                None,
                None,
                f"unknown diagram format; name the file with one of .{', .'.join(render.FORMATS)}.",
            )
        )
    return fmt


def write_diagram(
    result: Result, kb: KnowledgeBase, path: Path, fmt: str, engine: str, focus: str | None = None
) -> None:
    write_atomically(path, render.diagram(result, kb, fmt, engine, focus))
    echo(f"diagram written to {path}", err=True)
