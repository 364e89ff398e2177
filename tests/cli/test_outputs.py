"""The one writer: lumbar never deletes or replaces a file it did not write, writes every output
of a command or none, keeps permissions, follows symlinks, writes devices through."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lumbar.cli.main import app
from lumbar.cli.outputs import MANIFEST, sync_files, write_all
from lumbar.engine.errors import LumbarError
from tests.helpers import ROOT

CASE = str(ROOT / "examples/doms_day_after.yaml")


def test_diagrams_refuse_a_folder_of_someone_elses_files(runner, tmp_path) -> None:
    (tmp_path / "README.md").write_text("my notes\n", encoding="utf-8")
    (tmp_path / "cause_mine.svg").write_text("mine\n", encoding="utf-8")
    result = runner.invoke(app, ["diagrams", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--force" in result.stderr and "README.md" in result.stderr
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "cause_mine.svg"]


def test_only_files_lumbar_listed_are_replaced_or_removed(tmp_path) -> None:
    folder = tmp_path / "out"
    stale, gone = sync_files(folder, {"a.svg": b"a", "b.svg": b"b"})
    assert {p.name for p in stale} == {"a.svg", "b.svg", MANIFEST} and gone == []
    (folder / "mine.txt").write_text("keep me", encoding="utf-8")  # the user's, not listed
    stale, gone = sync_files(folder, {"a.svg": b"a2"})
    assert [p.name for p in gone] == ["b.svg"] and not (folder / "b.svg").exists()
    assert (folder / "a.svg").read_bytes() == b"a2"
    assert (folder / "mine.txt").read_text(encoding="utf-8") == "keep me"
    assert (folder / MANIFEST).read_text(encoding="utf-8").splitlines()[1:] == ["a.svg"]


def test_a_generated_name_that_is_the_users_file_is_refused(tmp_path) -> None:
    folder = tmp_path / "out"
    sync_files(folder, {"a.svg": b"a"})
    (folder / "README.md").write_text("mine", encoding="utf-8")
    with pytest.raises(LumbarError, match=r"README\.md"):
        sync_files(folder, {"a.svg": b"a", "README.md": b"# diagrams"})
    assert (folder / "README.md").read_text(encoding="utf-8") == "mine"


def test_every_output_or_none(runner, tmp_path) -> None:
    ok, missing = tmp_path / "ok.svg", tmp_path / "missing" / "t.json"
    args = ["consult", CASE, "--diagram", str(ok), "--trace", str(missing), "--engine", "pure"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not ok.exists() and list(tmp_path.iterdir()) == []
    folder_named_like_a_diagram = tmp_path / "d.svg"
    folder_named_like_a_diagram.mkdir()
    result = runner.invoke(app, ["consult", CASE, "--diagram", str(folder_named_like_a_diagram)])
    assert result.exit_code == 2 and "is a folder" in result.stderr


def test_permissions_kept_symlinks_followed_devices_written_through(tmp_path) -> None:
    target = tmp_path / "t.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_all([(link, b"new")])
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    write_all([(Path(os.devnull), b"into the void")])
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".lumbar-tmp")] == []


def test_a_read_only_file_is_not_replaced(runner, tmp_path) -> None:
    junit = tmp_path / "report.xml"
    junit.write_text("mine", encoding="utf-8")
    junit.chmod(0o444)
    case = str(ROOT / "tests/suite/triage_urgent_sudden_leg_weakness.yaml")
    result = runner.invoke(app, ["test", case, "--no-examples", "-j", "1", "--junit", str(junit)])
    assert result.exit_code == 2 and "is read-only" in result.stderr
    assert junit.read_text(encoding="utf-8") == "mine"
