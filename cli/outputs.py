"""Writing the files a command produces: the one writer. All of it or nothing, only where asked,
and never a file lumbar did not write.

- ``write_all``: every output of one command is checked before any is written (the folder
  exists, the target is not a folder, not read-only), then written; a regular file goes to a
  uniquely named temporary file beside it (``.NAME.XXXX.lumbar-tmp``, ignored by git, removed on
  any failure or interrupt) and is renamed over the target, keeping the target's permissions; a
  symlink is followed (its target is replaced, the link stays); a device, FIFO or socket is
  written through, never replaced.
- ``sync_files``: a folder of generated files (diagrams, schemas, the explorer) is owned
  explicitly: ``.lumbar-files`` in it lists the files lumbar wrote there. Only those are ever
  replaced or removed; a folder holding other files (and no list) is refused unless ``force``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..engine.consult import Result
from ..engine.draw import consultation as render
from ..engine.errors import LumbarError, Problem, RenderError
from ..engine.model.knowledge import KnowledgeBase
from ..engine.regress.verify import outdated

MANIFEST = ".lumbar-files"
TMP_SUFFIX = ".lumbar-tmp"


def write_all(outputs: Iterable[tuple[Path, bytes]]) -> None:
    """Write every output, or none: all are checked, then each regular file is written to its
    temporary file, and only when all of them are complete are they renamed into place."""
    planned = [(_target(path), data, path) for path, data in outputs]
    for target, _, shown in planned:
        _check_writable(target, shown)
    staged: list[tuple[str, Path]] = []
    try:
        for target, data, shown in planned:
            if target.exists() and not _regular(target):
                continue  # a device, FIFO or socket: written through below
            staged.append((_stage(target, data, shown), target))
        for tmp, target in staged:
            os.replace(tmp, target)
        staged = []
        for target, data, shown in planned:
            if target.exists() and not _regular(target):
                _through(target, data, shown)
    except OSError as exc:
        raise _problem(
            Path(exc.filename or "output"), f"cannot be written: {exc.strerror}."
        ) from None
    finally:
        for tmp, _ in staged:  # a failure or an interrupt before the renames: keep nothing
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _target(path: Path) -> Path:
    """Where the bytes go: a symlink's target, else the path itself."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _problem(shown: Path, message: str) -> LumbarError:
    return LumbarError(Problem(str(shown), None, None, message))


def _check_writable(target: Path, shown: Path) -> None:
    folder = target.parent
    if not folder.is_dir():
        raise _problem(shown, f"cannot be written: the folder {folder} does not exist.")
    if target.is_dir():
        raise _problem(shown, "is a folder; name a file.")
    if target.exists() and _regular(target) and not target.stat().st_mode & 0o222:
        raise _problem(shown, "is read-only; lumbar does not replace it (make it writable).")
    if not os.access(folder, os.W_OK):
        raise _problem(shown, f"cannot be written: the folder {folder} is not writable.")


def _regular(path: Path) -> bool:
    return stat.S_ISREG(path.stat().st_mode)


def _stage(target: Path, data: bytes, shown: Path) -> str:
    """``data`` in a new temporary file beside ``target``, with the target's permissions."""
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _default_mode()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TMP_SUFFIX, dir=target.parent)
    except OSError as exc:
        raise _problem(shown, f"cannot be written: {exc.strerror or exc}.") from None
    try:
        os.close(fd)
        Path(tmp).write_bytes(data)
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _through(target: Path, data: bytes, shown: Path) -> None:
    try:
        target.write_bytes(data)  # opened for writing, never replaced
    except OSError as exc:
        raise _problem(shown, f"cannot be written: {exc.strerror or exc}.") from None


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def sync_files(
    folder: Path, files: dict[str, bytes], check: bool = False, force: bool = False
) -> tuple[list[Path], list[Path]]:
    """Bring ``folder`` up to date with ``files`` (name -> bytes) and its ``.lumbar-files``
    list; return the files that were missing or differed, and the files lumbar had written
    there before that are no longer generated (removed, unless ``check``). With ``check``,
    write nothing. Refuses (``LumbarError``) to replace or remove a file it did not write."""
    owned = _owned(folder)
    listed = {**files, MANIFEST: _manifest(files)}
    stale = outdated(folder, listed)
    leftovers = sorted(folder / n for n in owned - set(files) if (folder / n).is_file())
    if check:
        return stale, leftovers
    foreign = [p for p in stale if p.exists() and p.name not in owned and p.name != MANIFEST]
    if (foreign or (_holds_other_files(folder) and not owned)) and not force:
        names = ", ".join(p.name for p in foreign[:5]) or "files lumbar did not write"
        raise _problem(
            folder,
            f"holds {names}; lumbar writes only into an empty folder or one it wrote before "
            f"(listed in {MANIFEST}). Choose another folder, or add --force to let it replace "
            "them.",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _problem(folder, f"cannot be created: {exc.strerror or exc}.") from None
    write_all([(p, listed[p.name]) for p in stale])
    for path in leftovers:
        path.unlink()
    return stale, leftovers


def _owned(folder: Path) -> set[str]:
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
    except OSError:
        return set()
    return {ln for ln in text.splitlines() if ln and not ln.startswith("#")}


def _manifest(files: dict[str, bytes]) -> bytes:
    head = "# Files lumbar wrote here: it replaces or removes only these. Do not edit.\n"
    return (head + "".join(f"{name}\n" for name in sorted(files))).encode("utf-8")


def _holds_other_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


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


def diagram_bytes(
    result: Result, kb: KnowledgeBase, fmt: str, engine: str, focus: str | None = None
) -> bytes:
    return render.diagram(result, kb, fmt, engine, focus)
