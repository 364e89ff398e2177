"""Re-run every ```console block of README.md and write the program's real output into it.

Run after a reviewed, intentional change to what lumbar prints (tests/test_readme.py fails until
the README matches the program): `python3 -m uv run python scripts/update_readme.py`.
"""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from lumbar.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"(```console\n\$ lumbar (.+?)\n)(.*?)(```)", re.S)


def invocation(command: str) -> tuple[list[str], str | None]:
    """``consult examples/x.yaml`` -> the arguments (example paths made absolute), and for
    ``... < examples/answers/y.txt`` what standard input reads."""
    command, _, stdin = command.partition(" < ")
    args = [str(ROOT / a) if a.startswith("examples/") else a for a in command.split()]
    return args, (ROOT / stdin).read_text(encoding="utf-8") if stdin else None


def main() -> None:
    readme = ROOT / "README.md"
    runner = CliRunner()

    def rerun(m: re.Match[str]) -> str:
        args, stdin = invocation(m.group(2))
        result = runner.invoke(app, args, input=stdin)
        assert result.exit_code == 0, (m.group(2), result.stderr)
        return m.group(1) + result.stdout + m.group(4)

    text = readme.read_text(encoding="utf-8")
    updated = BLOCK.sub(rerun, text)
    readme.write_text(updated, encoding="utf-8")
    print("README.md " + ("updated" if updated != text else "already current"))


if __name__ == "__main__":
    main()
