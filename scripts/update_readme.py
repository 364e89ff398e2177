"""Re-run every ```console block of README.md and write the program's real output into it; and
the ``lumbar verify`` transcript, made in a scratch repository where an author broke a rule.

Run after a reviewed, intentional change to what lumbar prints (tests/test_readme.py fails until
the README matches the program): `python3 -m uv run python scripts/update_readme.py`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
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


VERIFY = re.compile(r"(<!-- verify transcript -->\n```text\n)(.*?)(```)", re.S)
TIMES = re.compile(r" *\d+\.\d s\b")  # what differs from run to run
URGENT_RULE = "sudden_leg_weakness_or_cannot_bear_weight_nerve_root"
URGENT_RULES = "knowledge_base/rules/002_malek_patterson.yaml"


def scratch_repo(target: Path) -> Path:
    """A git repository holding a copy of the project's knowledge, suites, examples, diagrams
    and schemas, committed: where an author's edit can be tried."""
    for folder in ("knowledge_base", "tests/suite", "examples", "diagrams", "schemas"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__*"))
    git(target, "init", "-q")
    commit(target, "base")
    return target


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def commit(root: Path, message: str) -> None:
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)


def edit_rule(root: Path, rule: str, old: str, new: str, rules: str = URGENT_RULES) -> None:
    """Replace ``old`` by ``new`` in ``rule``'s block of the rule file ``rules``."""
    path = root / rules
    text = path.read_text(encoding="utf-8")
    start = text.index(f"- id: {rule}")
    end = text.find("\n  - id: ", start + 1)
    block = text[start:end]
    assert old in block, (rule, old)
    path.write_text(text[:start] + block.replace(old, new, 1) + text[end:], encoding="utf-8")


def verify_transcript() -> str:
    """``lumbar verify --base HEAD~1`` after an author turned the urgent rule's ``any`` into
    ``all`` and committed it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = scratch_repo(Path(tmp))
        edit_rule(root, URGENT_RULE, "any:", "all:")
        commit(root, "any -> all")
        here = Path.cwd()
        os.chdir(root)
        try:
            args = ["verify", "--base", "HEAD~1", "--kb", "knowledge_base"]
            result = CliRunner().invoke(app, args)
        finally:
            os.chdir(here)
    assert result.exit_code == 1, result.output
    return "$ lumbar verify --base HEAD~1 --kb knowledge_base\n" + result.stdout


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
    updated = VERIFY.sub(lambda m: m.group(1) + verify_transcript() + m.group(3), updated)
    readme.write_text(updated, encoding="utf-8")
    print("README.md " + ("updated" if updated != text else "already current"))


if __name__ == "__main__":
    main()
