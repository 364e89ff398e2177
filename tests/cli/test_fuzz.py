"""Random case documents through the real commands (issue 14): `lumbar consult` on random text,
random bytes and random case mappings (wrong types, huge numbers, odd keys) in YAML and JSON,
and `lumbar test` on small random suites. Whatever comes in, the answer is exit code 0, 1 or 2,
never a traceback, and no file changes but the outputs asked for.

The knowledge base is loaded once for the module (each command would load it again: a third of
a second) so that the default profile's examples run in seconds; `--hypothesis-profile=long`
tries many more.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lumbar.cli.main import app
from lumbar.engine.model import load as kb_module
from tests.knowledge_base.test_invariants import KB, cases

RUNNER = CliRunner()  # holds no state between runs: one for every example
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = sorted(KB.findings)

# Pieces of YAML and JSON that have broken readers: aliases, tags, times, bases, huge numbers,
# surrogate escapes, directives, merge keys, tabs, byte-order marks, control characters.
PIECES = [
    "case: c\n", "findings:\n", "expect:\n", "  triage: urgent\n", "description: ", "\n", "  ",
    "\t", ": ", "- ", "? ", ", ", "[", "]", "{", "}", '"', "'", "#", "&a ", "*a", "<<: *a\n",
    "!!python/object/apply:os.system ['true']", "!!binary aGk=", "%YAML 1.1\n", "---\n", "...\n",
    "!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!set ", "!!str ", "!!map ", "!!seq ", "!x ",
    "1:30", "30:00", "0x1e", "0o17", "1_000", "1e400", "9" * 5000, ".inf", ".nan", "NaN", "-0",
    "yes", "off", "~", "null", "true", "2024-05-01", '"\\ud83d\\ude00"', '"\\ud83d"', "\ufeff",
    "\x00", "\x1b[31m", "\u2028", "é", *(f"  {name}: " for name in NAMES[:8]),
]  # fmt: skip


def text_documents() -> st.SearchStrategy[str]:
    pieces = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
    return st.one_of(pieces, st.text(st.characters(exclude_categories=["Cs"]), max_size=200))


def values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**300, max_value=10**400),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(["1:30", "0x1e", "yes", "sudden", "dull_ache", "1e400"]),
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=8,
    )


def case_mappings() -> st.SearchStrategy[dict[str, Any]]:
    """Half of them plausible (valid findings, perhaps one odd entry; an expect block of real
    names), so that consultations and suites run; half anything at all."""
    keys = st.one_of(st.sampled_from(NAMES), st.text(max_size=12))
    odd = st.dictionaries(keys, values(), max_size=1)
    expect = st.fixed_dictionaries(
        {},
        optional={
            "triage": st.sampled_from([*KB.triage_levels, "undetermined", "soon"]),
            "conclusions": st.lists(st.sampled_from(sorted(KB.conclusions)), max_size=3),
            "absent": st.lists(st.sampled_from(sorted(KB.conclusions)), max_size=2),
            "firmness": st.sampled_from(["final", "provisional"]),
        },
    )
    plausible = st.fixed_dictionaries(
        {
            "case": st.just("random"),
            "findings": st.one_of(cases(KB), st.builds(lambda a, b: {**a, **b}, cases(KB), odd)),
        },
        optional={"description": st.text(max_size=30), "expect": expect},
    )
    anything = st.fixed_dictionaries(
        {"findings": st.one_of(st.dictionaries(keys, values(), max_size=8), values())},
        optional={
            "case": st.one_of(st.text(max_size=12), values()),
            "description": values(),
            "expect": st.one_of(expect, values()),
            "extra": values(),
        },
    )
    return st.one_of(plausible, anything)


def serialized(mapping: dict[str, Any], as_json: bool) -> str:
    if as_json:
        return json.dumps(mapping)  # NaN and Infinity included, as json writes them
    return yaml.safe_dump(mapping, allow_unicode=True)


@pytest.fixture(scope="module", autouse=True)
def knowledge_base_loaded_once():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kb_module, "load", lambda root=None: KB if root is None else load(root))
        yield


load = kb_module.load


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def handled(args: list[str], stdin: bytes | None = None):
    result = RUNNER.invoke(app, args, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    event(f"exit {result.exit_code}")
    return result


@FUZZ
@given(document=text_documents(), as_file=st.booleans())
def test_consult_answers_any_text_with_0_or_2(document, as_file) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if as_file:
            (folder / "case.yaml").write_text(document, encoding="utf-8")
        before = files(folder)
        if as_file:
            result = handled(["consult", str(folder / "case.yaml"), "--brief"])
        else:
            result = handled(["consult", "-", "--brief"], document.encode("utf-8"))
        assert result.exit_code in (0, 2)
        assert files(folder) == before


@FUZZ
@given(data=st.binary(max_size=300))
def test_consult_answers_any_bytes_on_standard_input_with_0_or_2(data) -> None:
    assert handled(["consult", "-", "--json"], data).exit_code in (0, 2)


@FUZZ
@given(mapping=case_mappings(), as_json=st.booleans())
def test_consult_answers_any_case_mapping_with_0_or_2(mapping, as_json) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        case = folder / ("case.json" if as_json else "case.yaml")
        case.write_text(serialized(mapping, as_json), encoding="utf-8")
        before = files(folder)
        assert handled(["consult", str(case), "--json"]).exit_code in (0, 2)
        assert files(folder) == before


@FUZZ
@given(suite=st.lists(st.tuples(case_mappings(), st.booleans()), min_size=1, max_size=3))
def test_lumbar_test_on_a_random_suite_changes_only_its_report(suite) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "suite"
        folder.mkdir()
        for i, (mapping, as_json) in enumerate(suite):
            name = f"case_{i}.json" if as_json else f"case_{i}.yaml"
            (folder / name).write_text(serialized(mapping, as_json), encoding="utf-8")
        before = files(Path(tmp))
        report = Path(tmp) / "report.xml"
        args = ["test", str(folder), "-j", "1", "--no-examples", "--junit", str(report)]
        result = handled(args)
        after = files(Path(tmp))
        assert after.pop("report.xml", None) is not None or result.exit_code == 2
        assert after == before
