"""The ``lumbar`` command: the typer application with every command registered, and ``main``.

Each command parses its arguments, makes one call into the core, formats the result and sets the
exit code; they live beside this module, grouped by what they are for (``consult_commands``,
``regress_commands``, ``kb_commands``), on the application defined in ``app``.

``main`` runs it as a process: characters that standard output's encoding lacks (curly quotes
and box drawing under ``PYTHONIOENCODING=latin-1``) are written as ``?``, and output that cannot
be written (a full disk: ``> /dev/full``) is one message and exit code 2, not a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys

# isort: off
# Importing registers the commands, in the order `lumbar --help` lists them.
from . import consult_commands, regress_commands, kb_commands  # noqa: F401

# isort: on
from .app import app, writes_utf8
from .text import write

__all__ = ["app", "main"]


def main() -> None:
    """Run the application (``lumbar.cli.run``, the console script, imports this first)."""
    # Everything imported by now lives as long as the process: keep the garbage collector from
    # re-scanning it while a command builds its many small objects (YAML, pydantic, Rete).
    # Measured: loading the knowledge base after all of lumbar's imports, median 398 -> 228 ms.
    gc.freeze()
    if not os.environ.get("COLUMNS", "80").isdigit() or os.environ.get("COLUMNS") == "0":
        os.environ.pop("COLUMNS")  # COLUMNS=0 would wrap --help into nothing
    # SIGTERM unwinds like Ctrl-C does, so temporary output files are removed (cli/outputs.py).
    signal.signal(signal.SIGTERM, _terminated)
    if sys.stdout is None:  # started with standard output closed (`lumbar ... >&-`)
        _fail("standard output is closed, so nothing can be shown; redirect it to a file.")
    stdout = sys.stdout
    if stdout is not None and not writes_utf8(stdout) and hasattr(stdout, "reconfigure"):
        stdout.reconfigure(errors="replace")
    try:
        try:
            app()
        finally:
            if sys.stdout is not None:
                sys.stdout.flush()  # now, not at exit: a full disk is reported like any error
    except OSError as exc:  # files are the core's (LumbarError): this is a standard stream
        _discard_output()
        _fail(f"{exc.filename or 'standard output'}: {exc.strerror or exc}.")


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _discard_output() -> None:
    """Drop what could not be written, so that the interpreter's last flush does not fail too."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # not a file descriptor
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _fail(message: str) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):  # standard error is gone too
        write(sys.stderr, f"Error: {message}\n")
    sys.exit(2)
