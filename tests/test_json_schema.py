"""The JSON result against its schema (core/schema/result.schema.json), and byte-identical output.

Real output is validated: the CLI test plugin's five units (normalisation, veto, deduction, caps, floor,
an appeal adjustment, a failed unit, provenance) and the shipped disclosure.overview through a
subprocess. A mutated document must fail, so the schema is not vacuous.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

import test_cli_support as sup
from govscore.core import cli
from govscore.core.reports import json_report

SCHEMA_PATH = Path(json_report.__file__).resolve().parent.parent / "schema" / "result.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def validator(schema):
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def doc(tmp_path, monkeypatch) -> dict:
    rules = sup.write_rules(tmp_path / "rules")
    ev = sup.write_evidence(tmp_path / "units.yaml")
    monkeypatch.setenv("GOVSCORE_PLUGINS", sup.PLUGIN_SPEC)
    out = tmp_path / "r.json"
    r = CliRunner().invoke(cli.app, ["score", str(ev), "--rules", str(rules), "--format", "json", "-o", str(out),
                                     "--group-by", "kind"])
    assert r.exit_code == 1, r.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_schema_is_a_valid_versioned_draft_2020_12_schema(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == json_report.SCHEMA_ID
    assert schema["properties"]["schema_version"]["const"] == json_report.SCHEMA_VERSION
    assert schema["properties"]["$schema"]["const"] == json_report.SCHEMA_ID
    assert "description" in schema and "Versioning" in schema["description"]


def test_the_schema_is_shipped_as_package_data():
    import tomllib

    root = SCHEMA_PATH.parents[2]
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert "schema/*.json" in data["tool"]["setuptools"]["package-data"]["govscore.core"]


def test_real_output_validates(doc, validator):
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    # the document holds what the schema describes: every role the units exercise
    roles = {a["role"] for u in doc["units"] for i in u["indicators"] for a in i["audit"]}
    assert {"award", "deduct", "veto", "missing", "not_met", "normalisation"} <= roles
    assert doc["units"][0]["indicators"][2]["adjustments"][0]["applied"] == {"value": 0.5, "exact": "0.5"}
    assert doc["units"][3]["floor_adjustment"] == {"value": 2.0, "exact": "2"}
    assert doc["failures"][0]["errors"][0]["location"]["line"] == 27
    assert [u["group_rank"] for u in doc["units"]] == [1, 1, 2, 2]  # u1, u2 (town), u3, u5 (town)
    assert doc["units"][0]["indicators"][1]["group"] is None
    assert doc["evidence_files"][0].endswith("units.yaml")


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d["units"][0]["total"].pop("exact"), "exact"),
    (lambda d: d["units"][0]["total"].update(exact="11.680"), "11.680"),
    (lambda d: d["units"][0]["total"].update(exact="701/60.5"), "701/60.5"),
    (lambda d: d["units"][0].update(kind="village"), "village"),
    (lambda d: d["units"][0]["indicators"][0]["audit"][0].update(role="guess"), "guess"),
    (lambda d: d["units"][0].update(colour="red"), "colour"),
    (lambda d: d.update(schema_version="3.0"), "schema_version"),
    (lambda d: d.pop("rules"), "rules"),
    (lambda d: d["context"].pop("ruleset_hash"), "ruleset_hash"),
    (lambda d: d["units"][0]["indicators"][2]["adjustments"][0].update(decided_on="15/1/2024"), "15/1/2024"),
])
def test_mutated_documents_fail(doc, validator, mutate, where):
    bad = copy.deepcopy(doc)
    mutate(bad)
    errors = list(validator.iter_errors(bad))
    assert errors and any(where in (e.message + str(list(e.path))) for e in errors)


def test_subprocess_output_of_the_shipped_plugin_validates(tmp_path, validator):
    rules = sup.write_overview_rules(tmp_path / "rules")
    ev = sup.write_evidence(tmp_path / "units.yaml", sup.OVERVIEW_EVIDENCE + sup.OVERVIEW_BAD_UNIT)
    out = tmp_path / "r.json"
    proc = sup.run_cli(["score", ev, "--rules", rules, "-o", out], tmp_path, sup.subprocess_env())
    assert proc.returncode == 1, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert not list(validator.iter_errors(data))
    # c: up_to_date 1/3 x 50% x 2 + consistent 50% x 2 = 1/3 + 1 = 4/3
    c = next(u for u in data["units"] if u["id"] == "c")
    assert c["total"] == {"value": 1.33, "exact": "4/3"}


def test_json_is_byte_identical_whatever_the_hash_seed(tmp_path):
    site = sup.install_test_plugin(tmp_path / "site")
    rules = sup.write_rules(tmp_path / "rules")
    ev = sup.write_evidence(tmp_path / "units.yaml")
    outputs = []
    for seed in ("0", "1", "987654"):
        out = tmp_path / f"r{seed}.json"
        proc = sup.run_cli(["score", ev, "--rules", rules, "--format", "json", "-o", out, "--group-by", "kind"],
                           tmp_path, sup.subprocess_env(site, PYTHONHASHSEED=seed))
        assert proc.returncode == 1, proc.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert json.loads(outputs[0])["units"][0]["total"]["exact"] == "701/60"
