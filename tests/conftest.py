"""Shared fixtures: the real knowledge base, a CLI runner, a scratch copy of the knowledge base.

Shared constants and knowledge-base writers live in ``tests/helpers.py``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from lumbar.engine.model import load as kb_module
from lumbar.engine.model.knowledge import KnowledgeBase
from tests.helpers import ROOT

# Property tests: a bounded run by default; `pytest --hypothesis-profile=long` tries many more.
settings.register_profile("default", max_examples=25)
settings.register_profile("long", max_examples=1000)
settings.load_profile("default")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules holding a `slow` test first (a stable sort: the order within each group is kept).
    Under `pytest -n auto` each module goes to one worker in this order, so the long ones start
    at once instead of finishing last on one worker while the other idles."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return kb_module.load()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A scratch copy of the knowledge base to break on purpose."""
    target = tmp_path / "knowledge_base"
    shutil.copytree(ROOT / "knowledge_base", target, ignore=shutil.ignore_patterns("__*"))
    return target
