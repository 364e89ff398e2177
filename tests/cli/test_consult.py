"""`lumbar consult` and `lumbar kb vocab` as a person and a machine see them."""

from __future__ import annotations

import json

import jsonschema
import pytest

from lumbar.cli.consult_text import DESCRIPTION_CHARS
from lumbar.cli.main import app
from tests.helpers import EXAMPLES, ROOT, published_schema

SCHEMA = published_schema("result")


def test_consult_prints_triage_causes_advice_citations_and_disclaimer(runner) -> None:
    result = runner.invoke(app, ["consult", str(ROOT / "examples/strained_muscle.yaml")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    # see a professional, provisionally: sudden weakness of one leg (urgent) was not asked
    flat = " ".join(out.split())
    assert "TRIAGE (provisional): SEE PROFESSIONAL — Book an appointment" in flat
    assert "not yet screened: difficulty bearing weight on one leg" in flat
    assert "raised by: " in out and "sore_to_touch = true" in out
    assert "1. Strained lower back muscle" in out
    assert "What to do" in out and "Cautions" in out
    assert "— Stacie Page, klein-2024 (000_89ede210e5e8b98e.txt:" in out
    assert out.rstrip().endswith("seek care immediately.")
    assert out.index("Disclaimer:") > out.index("What to do")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_json_output_follows_the_documented_schema(runner, path) -> None:
    result = runner.invoke(app, ["consult", "--json", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    kinds = {c["kind"] for c in data["conclusions"]}
    assert {"triage", "recommendation"} <= kinds


def test_the_result_schema_rejects_a_broken_document(runner) -> None:
    good = json.loads(runner.invoke(app, ["consult", "--json", str(EXAMPLES[0])]).stdout)
    citation = good["conclusions"][0]["citations"][0]
    broken = [
        {k: v for k, v in good.items() if k != "triage"},  # a key missing
        {**good, "schema": "lumbar.result/1"},  # another version
        {**good, "triage": {**good["triage"], "level": "whenever"}},  # not a triage level
        {**good, "conclusions": [{**good["conclusions"][0], "score": 0.9}]},  # an unknown key
        {  # a citation without its quote
            **good,
            "conclusions": [
                {
                    **good["conclusions"][0],
                    "citations": [{k: v for k, v in citation.items() if k != "quote"}],
                }
            ],
        },
    ]
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert not list(validator.iter_errors(good))
    for document in broken:
        assert list(validator.iter_errors(document))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_consultation_text_matches_its_reviewed_snapshot(runner, path, snapshot) -> None:
    """A knowledge-base edit that changes any answer shows up here; review, then
    `pytest --snapshot-update`."""
    result = runner.invoke(app, ["consult", str(path)])
    assert result.exit_code == 0
    assert result.stdout == snapshot


def test_kb_vocab_lists_every_finding_with_its_question(runner, kb) -> None:
    text = runner.invoke(app, ["kb", "vocab"]).stdout
    for finding in kb.findings.values():
        assert f"{finding.name}  ({finding.describe_allowed()})" in text
    data = json.loads(runner.invoke(app, ["kb", "vocab", "--json"]).stdout)
    assert [d["name"] for d in data] == list(kb.findings)
    assert data[0]["question"] == next(iter(kb.findings.values())).question


def test_kb_check_passes_on_the_project(runner) -> None:
    result = runner.invoke(app, ["kb", "check"])
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: ")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_brief_text_matches_its_reviewed_snapshot(runner, path, snapshot) -> None:
    """`consult --brief`: one screen (at most 25 lines of 100 columns) for a clinician."""
    result = runner.invoke(app, ["consult", str(path), "--brief"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) <= 25 and max(map(len, lines)) <= 100
    assert result.stdout == snapshot


def test_a_long_description_is_shortened_on_the_terminal_and_whole_in_json(
    runner, tmp_path
) -> None:
    """A 900 kB description (case files stop at 1 MB) prints as ten lines at most, which say
    where the rest is (the whole text took seconds to wrap)."""
    description = "ache " * 170_000 + "x" * 50_000
    path = tmp_path / "long.json"
    path.write_text(json.dumps({"case": "long", "description": description, "findings": {}}))
    out = runner.invoke(app, ["consult", str(path)]).stdout
    head = out[: out.index("\n\n")].splitlines()
    assert head[0] == "lumbar consultation: long"
    assert 2 <= len(head) <= 12 and all(len(line) <= 100 for line in head)
    shown = " ".join(" ".join(head[1:]).split())
    assert shown.startswith("ache ache ")
    assert shown.endswith("ache … (900,000 characters in all: --json has the whole text)")
    data = json.loads(runner.invoke(app, ["consult", "--json", str(path)]).stdout)
    assert data["description"] == description
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"a description longer than {DESCRIPTION_CHARS} characters is shortened" in readme
