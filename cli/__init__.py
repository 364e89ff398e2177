"""lumbar's command line (typer). ``run`` is the console script: it imports the application
itself, so that Ctrl-C during those imports (most of a second) ends as Ctrl-C at any other time
does: one line, exit code 130 (128 + SIGINT, as a shell reports an interrupted program)."""

from __future__ import annotations

import sys


def run() -> None:
    """The `lumbar` console script: ``main.main`` once the application is imported."""
    try:
        from .main import main
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")  # as cli/app.py's reports_errors says it
        sys.exit(130)
    main()
