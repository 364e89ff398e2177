"""The JSON Schemas under schemas/ are current, wired to every YAML file, and agree with the
loader: every committed file passes, and the mistakes an editor should flag fail."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from lumbar.cli.main import app
from lumbar.engine.model import schemas
from tests.helpers import ROOT

WIRED = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")
FILES = sorted(
    [
        *(ROOT / "knowledge_base").glob("*.yaml"),
        *(ROOT / "knowledge_base/rules").glob("*.yaml"),
        *(ROOT / "examples").glob("*.yaml"),
        *(ROOT / "tests/suite").glob("*.yaml"),
    ]
)


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_schemas_are_current(runner) -> None:
    result = runner.invoke(app, ["kb", "schema", "--check", "--out", str(ROOT / "schemas")])
    assert result.exit_code == 0, result.stderr + "\nrun `lumbar kb schema` and commit"


def test_check_names_a_stale_schema(runner, tmp_path) -> None:
    assert runner.invoke(app, ["kb", "schema", "--out", str(tmp_path)]).exit_code == 0
    (tmp_path / "case.schema.json").write_text("{}\n", encoding="utf-8")
    result = runner.invoke(app, ["kb", "schema", "--check", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "case.schema.json: out of date" in result.stderr


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_every_yaml_file_names_its_schema_and_passes_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    wired = WIRED.match(text)
    assert wired, f"{path.name}: first line must be '# yaml-language-server: $schema=...'"
    schema_path = (path.parent / wired.group(1)).resolve()
    assert schema_path.parent == ROOT / "schemas" and schema_path.exists()
    errors = list(validator(schema_path.name).iter_errors(yaml.safe_load(text)))
    assert not errors, [e.message for e in errors[:3]]


def test_editor_settings_map_every_schema(kb) -> None:
    settings = json.loads((ROOT / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert set(settings["yaml.schemas"]) == {f"schemas/{n}" for n in schemas.schemas(kb)}


def test_schemas_flag_what_an_author_gets_wrong(kb) -> None:
    rules = yaml.safe_load((ROOT / "knowledge_base/rules/003_nielen.yaml").read_text())
    rule = rules["rules"][0]
    bad = [
        {**rule, "when": {"finding": "butt_winks", "is": True}},  # unknown finding
        {**rule, "then": ["cause_butt_wnk"]},  # unknown conclusion
        {**rule, "colour": "red"},  # unknown key
        {k: v for k, v in rule.items() if k != "citation"},  # missing citation
    ]
    check = validator("rules.schema.json")
    for broken in bad:
        assert list(check.iter_errors({**rules, "rules": [broken]})), broken
    case = validator("case.schema.json")
    assert not list(case.iter_errors({"case": "x", "findings": {"butt_wink": True}}))
    assert list(case.iter_errors({"case": "x", "findings": {"butt_winks": True}}))
    assert list(case.iter_errors({"case": "x", "findings": {"pain_quality": "throbbing"}}))
    assert list(case.iter_errors({"case": "x", "findings": {"hours_since_workout": 99999}}))
