"""The import directions of the package, read from the source with ``ast`` (nothing is imported).

Data flows one way: files -> model -> run -> consult -> explain -> regress / draw -> cli, and a
module never reaches back up that line. ``check_layout(root)`` reports every import that breaks
one of these rules (the README's "For developers" section says the same, part by part):

- each part imports only the parts ``MAY_IMPORT`` allows it: in particular the knowledge model
  (``engine/model/``, ``conditions.py``, ``errors.py``, ``text.py``) imports nothing from
  ``run``, ``consult``, ``explain``, ``regress`` or ``draw``, and ``engine/`` never imports
  ``cli/``;
- only ``cli/`` talks to the terminal: nothing else imports ``typer``, calls ``print``, ends the
  process (``sys.exit``, ``exit``, ``quit``, ``SystemExit``) or uses ``sys.stdout``/``sys.stderr``;
- only ``engine/run/experta_backend.py`` imports ``experta``;
- ``cli/`` reaches the engine only relatively (``from ..engine...``), never as ``lumbar.engine``;
- modules inside ``engine/`` import each other relatively.

Each rule is also shown failing on a small module tree written for it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = "lumbar"
PARTS = ("engine", "cli", "knowledge_base")  # installed as lumbar.engine, lumbar.cli, ...
# Which part each module belongs to (the longest matching prefix wins). A new module of engine/
# that is in no part is reported: decide where it belongs, here and in the README.
PART_OF = {
    "engine.errors": "model",
    "engine.text": "model",
    "engine.conditions": "model",
    "engine.model": "model",
    "engine.run": "run",
    "engine.consult": "consult",
    "engine.serialize": "model",
    "engine.output_schemas": "regress",
    "engine.questions": "explain",
    "engine.interview": "explain",
    "engine.explain": "explain",
    "engine.regress": "regress",
    "engine.draw": "draw",
    "cli": "cli",
    "knowledge_base": "knowledge_base",
}
ENGINE = {"model", "run", "consult", "explain", "regress", "draw"}
MAY_IMPORT = {
    "model": {"model"},
    "run": {"model", "run"},
    "consult": {"model", "run", "consult"},
    "explain": {"model", "run", "consult", "explain"},
    "regress": {"model", "run", "consult", "explain", "regress"},
    "draw": {"model", "run", "consult", "explain", "draw"},
    "cli": ENGINE | {"cli", "knowledge_base"},
    "knowledge_base": {"knowledge_base"},
}
EXPERTA_ADAPTER = "engine.run.experta_backend"
TERMINAL = {"print", "exit", "quit"}  # builtins; SystemExit is caught wherever it is named
SYS_TERMINAL = {"exit", "stdout", "stderr", "__stdout__", "__stderr__"}


def module_name(path: Path, root: Path) -> str:
    """engine/model/load.py -> engine.model.load; engine/__init__.py -> engine."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def part_of(module: str) -> str | None:
    if module == "engine":  # the package's empty __init__.py: the bottom
        return "model"
    prefixes = [p for p in PART_OF if within(module, p)]
    return PART_OF[max(prefixes, key=len)] if prefixes else None


def ours(absolute: str) -> str | None:
    """lumbar.engine.x (or engine.x, as from the source tree) -> engine.x; lumbar -> ""; a
    module from outside the package -> None."""
    if within(absolute, PACKAGE):
        return absolute.removeprefix(PACKAGE).removeprefix(".")
    return absolute if within(absolute, *PARTS) else None


@dataclass(frozen=True)
class Import:
    line: int
    written: str  # as in the source: "..engine.consult", "lumbar.engine", "experta"
    module: str  # resolved: engine.consult for the package's own modules, else as written
    own: bool  # one of the package's own modules
    relative: bool


class Reader(ast.NodeVisitor):
    """What one module imports, resolved, and where it reaches the terminal."""

    def __init__(self, name: str, is_package: bool, modules: set[str]) -> None:
        self.package = name if is_package else name.rpartition(".")[0]
        self.modules = modules
        self.imports: list[Import] = []
        self.terminal: list[tuple[int, str]] = []
        self.sys_names: set[str] = set()  # names bound to the sys module in this file

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            own = ours(alias.name)
            module = alias.name if own is None else own
            self.imports.append(Import(node.lineno, alias.name, module, own is not None, False))
            if alias.name == "sys":
                self.sys_names.add(alias.asname or "sys")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        written = "." * node.level + (node.module or "")
        if node.level:  # climb level - 1 packages from this module's package
            base = self.package.split(".") if self.package else []
            base = base[: max(0, len(base) - node.level + 1)]
            target: str | None = ".".join([*base, node.module] if node.module else base)
        else:
            target = ours(node.module or "")
        for alias in node.names:
            if target is None:  # from outside the package
                self.imports.append(Import(node.lineno, written, written, False, False))
                if written == "sys" and alias.name in SYS_TERMINAL:
                    self.terminal.append((node.lineno, f"sys.{alias.name}"))
                continue
            # `from ..engine import explain` imports the module engine.explain
            sub = f"{target}.{alias.name}" if target else alias.name
            module = sub if sub in self.modules else target
            self.imports.append(Import(node.lineno, written, module, True, node.level > 0))

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in TERMINAL:
            self.terminal.append((node.lineno, f"{node.func.id}()"))
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "SystemExit":
            self.terminal.append((node.lineno, "SystemExit"))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if (
            isinstance(node.value, ast.Name)
            and node.value.id in self.sys_names
            and node.attr in SYS_TERMINAL
        ):
            self.terminal.append((node.lineno, f"sys.{node.attr}"))
        self.generic_visit(node)


def check_layout(root: Path) -> list[str]:
    """Every broken import rule under ``root`` (which holds engine/, cli/, knowledge_base/), as
    ``path:line: what``; an empty list when the layout holds."""
    files = {
        module_name(path, root): path
        for part in PARTS
        for path in sorted((root / part).rglob("*.py"))
        if "__pycache__" not in path.parts
    }
    problems: list[str] = []
    for name, path in files.items():
        where = path.relative_to(root).as_posix()
        reader = Reader(name, path.name == "__init__.py", set(files))
        reader.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        in_cli, part = within(name, "cli"), part_of(name)
        if part is None:
            problems.append(f"{where}: in no part of the layout; add it to PART_OF")
        for imp in reader.imports:
            at = f"{where}:{imp.line}:"
            if not imp.own:
                if within(imp.module, "typer") and not in_cli:
                    problems.append(f"{at} imports typer; only cli/ may")
                if within(imp.module, "experta") and name != EXPERTA_ADAPTER:
                    problems.append(f"{at} imports experta; only engine/run/experta_backend.py may")
                continue
            if not imp.relative:
                how = "cli/ imports the engine" if in_cli else "engine/ modules import each other"
                problems.append(f"{at} absolute import of {imp.written}; {how} relatively")
            target = part_of(imp.module)
            if part and target and target not in MAY_IMPORT[part]:
                allowed = ", ".join(sorted(MAY_IMPORT[part]))
                problems.append(
                    f"{at} imports {imp.module} ({target}); {part} may import only {allowed}"
                )
        if not in_cli:
            problems += [
                f"{where}:{line}: uses {what}; only cli/ may" for line, what in reader.terminal
            ]
    return problems


def test_the_package_keeps_its_import_directions() -> None:
    assert check_layout(ROOT) == []


def test_every_module_is_read() -> None:
    """The checker sees the real tree (not an empty glob), both parts and their subpackages."""
    names = {module_name(p, ROOT) for part in PARTS for p in (ROOT / part).rglob("*.py")}
    assert {"engine.model.load", EXPERTA_ADAPTER, "engine.consult", "cli.main"} <= names


# ---- each rule fails on a tree that breaks it ----------------------------------------------


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """A minimal package: every folder a package, plus the given modules."""
    base = {
        "engine/__init__.py": "",
        "engine/errors.py": "",
        "engine/consult.py": "",
        "engine/explain.py": "",
        "engine/model/__init__.py": "",
        "engine/model/load.py": "from ..errors import x\n",
        "engine/run/__init__.py": "",
        "engine/run/experta_backend.py": "from experta import Rule\n",
        "cli/__init__.py": "",
        "cli/main.py": "import sys\nimport typer\nfrom ..engine import consult\nprint(sys.argv)\n"
        "sys.exit(0)\n",
        "knowledge_base/__init__.py": "",
    }
    for name, text in {**base, **files}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    assert check_layout(tree(tmp_path, {})) == []


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        # (a) each part imports only what it may: the knowledge model never reaches up, ...
        (
            "engine/model/load.py",
            "from ..consult import consult\n",
            "engine/model/load.py:1: imports engine.consult (consult); model may import only model",
        ),
        ("engine/model/load.py", "from ..run import experta_backend\n", "engine.run.exp"),
        ("engine/errors.py", "from .consult import Result\n", "engine/errors.py:1: imports"),
        ("engine/conditions.py", "from .draw.rules import x\n", "engine.draw.rules (draw)"),
        ("engine/text.py", "from . import explain\n", "engine.explain (explain); model may"),
        ("engine/model/case.py", "from ...cli import text\n", "imports cli (cli); model may"),
        # ... nothing reaches back up the line, and engine/ never imports cli/
        ("engine/run/trace.py", "from ..consult import Result\n", "run may import only"),
        ("engine/consult.py", "from .explain import how\n", "consult may import only"),
        ("engine/explain.py", "from .regress import suite\n", "explain may import only"),
        ("engine/explain.py", "from .draw import rules\n", "explain may import only"),
        ("engine/regress/suite.py", "from ..draw import rules\n", "regress may import only"),
        ("engine/draw/rules.py", "from ..regress.diff import Diff\n", "draw may import only"),
        ("engine/consult.py", "from ..cli import main\n", "imports cli.main (cli)"),
        ("knowledge_base/__init__.py", "from ..engine import consult\n", "knowledge_base may"),
        ("engine/summary.py", "", "engine/summary.py: in no part of the layout"),
        # (b) only cli/ talks to the terminal
        ("engine/consult.py", "import typer\n", "engine/consult.py:1: imports typer"),
        ("engine/consult.py", "from typer import Exit\n", "imports typer"),
        ("engine/consult.py", "\nprint('hi')\n", "engine/consult.py:2: uses print()"),
        ("engine/consult.py", "import sys\nsys.exit(1)\n", "engine/consult.py:2: uses sys.exit"),
        ("engine/consult.py", "import sys as s\ns.stdout.write('x')\n", "uses sys.stdout"),
        ("engine/consult.py", "import sys\nf = sys.stderr\n", "uses sys.stderr"),
        ("engine/consult.py", "from sys import stderr\n", "uses sys.stderr"),
        ("engine/consult.py", "raise SystemExit(2)\n", "uses SystemExit"),
        ("knowledge_base/__init__.py", "print()\n", "knowledge_base/__init__.py:1: uses print"),
        # (c) only the experta adapter imports experta
        ("engine/consult.py", "from experta import Fact\n", "engine/consult.py:1: imports experta"),
        ("engine/run/trace.py", "import experta.abstract\n", "imports experta"),
        ("cli/main.py", "import experta\n", "cli/main.py:1: imports experta"),
        # (d) cli/ reaches the engine relatively
        (
            "cli/main.py",
            "from lumbar.engine.consult import consult\n",
            "cli/main.py:1: absolute import of lumbar.engine.consult; "
            "cli/ imports the engine relatively",
        ),
        ("cli/main.py", "import lumbar.engine.model.load\n", "absolute import of lumbar.engine"),
        ("cli/main.py", "from engine import consult\n", "absolute import of engine"),
        # (e) engine/ modules import each other relatively
        (
            "engine/consult.py",
            "from lumbar.engine.errors import LumbarError\n",
            "engine/consult.py:1: absolute import of lumbar.engine.errors; engine/ modules import",
        ),
        ("engine/model/load.py", "from lumbar.engine import text\n", "absolute import of"),
        ("engine/run/trace.py", "import lumbar.engine.model.knowledge\n", "absolute import"),
    ],
)
def test_each_rule_reports_its_violation(tmp_path: Path, path, source, expected) -> None:
    problems = check_layout(tree(tmp_path, {path: source}))
    assert any(expected in p for p in problems), problems


def test_relative_imports_resolve_by_level_and_package(tmp_path: Path) -> None:
    """`from .. import x` in a package's __init__ climbs from the package itself; in a module,
    from the module's package. A same-named module elsewhere is not confused with it."""
    root = tree(
        tmp_path,
        {
            "engine/model/__init__.py": "from .. import consult\n",  # -> engine.consult
            "engine/model/quotes.py": "from . import load\nfrom .. import errors\n",  # fine
            "engine/draw/__init__.py": "",
            "engine/draw/consult.py": "",
            "engine/model/case.py": "from ..draw import consult\n",  # -> engine.draw.consult
        },
    )
    problems = check_layout(root)
    assert problems == [
        "engine/model/__init__.py:1: imports engine.consult (consult); model may import only model",
        "engine/model/case.py:1: imports engine.draw.consult (draw); model may import only model",
    ]
