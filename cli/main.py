"""The ``lumbar`` command: the typer application with every command registered, and ``main``.

Each command parses its arguments, makes one call into the core, formats the result and sets the
exit code; they live beside this module, grouped by what they are for (``consult_commands``,
``regress_commands``, ``kb_commands``), on the application defined in ``app``.
"""

from __future__ import annotations

import gc
import os

# isort: off
# Importing registers the commands, in the order `lumbar --help` lists them.
from . import consult_commands, regress_commands, kb_commands  # noqa: F401

# isort: on
from .app import app

__all__ = ["app", "main"]


def main() -> None:
    """The `lumbar` console script."""
    # Everything imported by now lives as long as the process: keep the garbage collector from
    # re-scanning it while a command builds its many small objects (YAML, pydantic, Rete).
    # Measured: loading the knowledge base after all of lumbar's imports, median 398 -> 228 ms.
    gc.freeze()
    if not os.environ.get("COLUMNS", "80").isdigit() or os.environ.get("COLUMNS") == "0":
        os.environ.pop("COLUMNS")  # COLUMNS=0 would wrap --help into nothing
    app()
