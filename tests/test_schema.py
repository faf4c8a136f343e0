"""Editor and tooling conventions (issue 15.5): the profile's JSON Schema, the modeline, --json formats,
`python -m kitgen`, py.typed, click's messages in Chinese.

The schema is generated from the validator's own key tables and model (kitgen.core.schema): these
tests hold it to the validator — every sample and the starter validate against it, a typo'd key
or a wrong value fails it, every key table of kitgen.core.profile is used — and keep the copy in
samples/ (which the samples' modeline names) equal to `kitgen schema`.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from kitgen.cli.main import cli
from kitgen.core import profile as P
from kitgen.core.schema import DICT_TABLES, SCHEMA_FILE, TABLES, profile_schema

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.yaml"))
MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"


class _Loader(yaml.SafeLoader):
    """YAML as an editor (and check-jsonschema) sees it: 2026-12-01 stays a string."""


_Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                   for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load(path: Path):
    return yaml.load(path.read_text("utf-8"), Loader=_Loader)


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(run("schema")[1])
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def errors(validator, data) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_every_sample_and_the_starter_validate_against_the_schema(validator):
    assert len(SAMPLES) >= 4
    for path in SAMPLES + [ROOT / "library" / "starter.yaml"]:
        assert errors(validator, load(path)) == [], path.name


def test_a_typo_or_a_wrong_value_fails_the_schema(validator):
    base = load(ROOT / "samples" / "appliance-producer.yaml")

    def broken(change) -> list[str]:
        data = json.loads(json.dumps(base))
        change(data)
        return errors(validator, data)

    assert any("shortname" in e for e in broken(lambda d: d["company"].update(shortname=d["company"].pop("short_name"))))
    assert any("industy" in e for e in broken(lambda d: d.update(industy=d.pop("industry"))))
    assert any("role" in e or "producer" in e for e in broken(lambda d: d.update(role="maker")))
    assert broken(lambda d: d["delivery"].update(model="drone"))
    assert broken(lambda d: d["outlets"][0].update(operater="direct"))
    assert broken(lambda d: d["service"]["commitments"].update(respons_hours=2))
    assert broken(lambda d: d["departments"].update(servise="服务部"))
    assert broken(lambda d: d.update(outlets_file="x.xlsx"))          # outlets and outlets_file: one of them
    assert broken(lambda d: d.pop("products"))                         # required
    assert broken(lambda d: d.update(target_star=2))


def test_check_jsonschema_validates_the_samples_and_fails_a_typo(tmp_path):
    exe = Path(sys.executable).parent / "check-jsonschema"
    if not exe.is_file():
        pytest.skip("check-jsonschema 未安装（pip install check-jsonschema）：jsonschema 的检查见上")
    schema = ROOT / "samples" / SCHEMA_FILE
    proc = subprocess.run([str(exe), "--schemafile", str(schema), *map(str, SAMPLES)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    typo = tmp_path / "typo.yaml"
    typo.write_text((ROOT / "samples" / "appliance-producer.yaml").read_text("utf-8").replace("  short_name:", "  shortname:"),
                    "utf-8")
    proc = subprocess.run([str(exe), "--schemafile", str(schema), str(typo)], capture_output=True, text=True)
    assert proc.returncode == 1 and "shortname" in proc.stdout


def test_schema_follows_the_validators_tables():
    """Every key table of the validator is in the schema, with its keys and Chinese names."""
    schema = profile_schema()
    tables = {name: getattr(P, name) for name in dir(P) if name.endswith("_KEYS") and isinstance(getattr(P, name), dict)}
    used = {id(t) for t in TABLES.values()}
    assert all(id(t) in used for t in tables.values()), \
        "a key table of kitgen.core.profile is not in kitgen.core.schema.TABLES: add its dataclass there"
    assert set(schema["properties"]) == set(P.TOP_KEYS)
    assert set(schema["properties"]["company"]["properties"]) == set(P.COMPANY_KEYS)
    assert set(schema["properties"]["outlets"]["items"]["properties"]) == set(P.OUTLET_KEYS)
    assert set(schema["properties"]["departments"]["properties"]) == set(P.DEPARTMENT_NAMES)
    assert set(schema["properties"]["service"]["properties"]["commitments"]["properties"]) == set(P.COMMITMENTS)
    assert schema["properties"]["role"]["enum"] == list(P.ROLES)
    assert schema["properties"]["company"]["properties"]["name"]["description"].startswith(P.COMPANY_KEYS["name"])
    assert schema["required"] == ["company", "role", "industry", "products", "delivery"]
    assert (P.Profile, "departments") in DICT_TABLES


def test_a_key_added_to_the_validator_appears_in_the_schema(monkeypatch):
    """How another round's keys (answers, answers_file, a new department) flow in without an edit."""
    from dataclasses import field, make_dataclass
    monkeypatch.setitem(P.TOP_KEYS, "answers_file", "答卷文件")
    monkeypatch.setitem(P.DEPARTMENT_NAMES, "legal", "法务部门")
    extended = make_dataclass("Profile", [("answers_file", "str | None", field(default=None))], bases=(P.Profile,))
    monkeypatch.setattr(P, "Profile", extended)
    monkeypatch.setitem(TABLES, extended, P.TOP_KEYS)
    monkeypatch.setitem(DICT_TABLES, (extended, "departments"), P.DEPARTMENT_NAMES)
    from kitgen.core.schema import object_schema
    schema = object_schema(extended, "", {"household_appliances": "家用电器"})
    assert schema["properties"]["answers_file"]["description"] == "答卷文件"
    assert "string" in schema["properties"]["answers_file"]["type"]
    assert "legal" in schema["properties"]["departments"]["properties"]


def test_samples_carry_the_modeline_and_the_schema_they_name_is_current():
    for path in SAMPLES:
        assert path.read_text("utf-8").splitlines()[0] == MODELINE, path.name
    committed = (ROOT / "samples" / SCHEMA_FILE).read_text("utf-8")
    assert committed == run("schema")[1], \
        f"samples/{SCHEMA_FILE} is stale: run kitgen schema -o samples/{SCHEMA_FILE}"


def test_init_writes_the_modeline_and_the_schema_beside(tmp_path, validator):
    target = tmp_path / "client.yaml"
    code, out = run("init", str(target))
    assert code == 0, out
    assert target.read_text("utf-8").splitlines()[0] == MODELINE
    schema = json.loads((tmp_path / SCHEMA_FILE).read_text("utf-8"))
    assert schema == validator.schema
    assert errors(validator, load(target)) == []
    code, out = run("validate", str(target))
    assert code == 0, out


# ------------------------------------------------------------------ --json, python -m, py.typed, messages
def test_validate_json_reports_each_profile_with_a_format(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("company:\n  name: 某公司\n  shortname: 某\nrole: maker\n", "utf-8")
    code, out = run("validate", "--json", str(SAMPLES[0]), str(bad))
    data = json.loads(out)
    assert code == 3 and data["format"] == 1 and data["valid"] is False
    good, wrong = data["profiles"]
    assert good["valid"] and good["company"] and good["problems"] == []
    assert not wrong["valid"]
    paths = {p["path"] for p in wrong["problems"]}
    assert {"company.shortname", "role"} <= paths
    assert all(p["line"] for p in wrong["problems"] if p["path"] in ("company.shortname", "role"))
    code, out = run("validate", "--json", str(SAMPLES[0]))
    assert code == 0 and json.loads(out)["valid"] is True


def test_every_json_output_carries_a_format(tmp_path):
    code, out = run("catalog", "--json")
    assert json.loads(out)["format"] == 1
    code, out = run("check", "--json", str(tmp_path))          # not a kit: an error, no JSON
    assert code == 6
    code, out = run("lint", "--json", str(tmp_path))
    assert json.loads(out)["format"] == 1
    score = tmp_path / "s.yaml"
    score.write_text(f"profile: {SAMPLES[0]}\nresults: {{\"5.1.1.1\": true}}\n", "utf-8")
    code, out = run("score", "--json", str(score))
    assert code == 0 and json.loads(out)["format"] == 1


def test_python_m_kitgen_reaches_the_new_commands(tmp_path):
    for command in ("pdf", "schema"):
        proc = subprocess.run([sys.executable, "-m", "kitgen", command, "--help"], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0 and "Usage:" in proc.stdout, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "kitgen", "schema"], capture_output=True, text=True, timeout=60)
    assert json.loads(proc.stdout)["title"].startswith("kitgen")


def test_library_is_marked_typed():
    assert (ROOT / "kitgen" / "py.typed").is_file()


def test_clicks_own_messages_are_in_chinese(tmp_path):
    code, out = run("buid")
    assert code == 2 and "没有命令 'buid'" in out and "您是不是要输入 'build'" in out
    code, out = run("check")
    assert code == 2 and "缺少参数 'KIT_DIR'" in out and "错误：" in out and "查看帮助" in out
    code, out = run("build", "x.yaml", "-o", str(tmp_path), "--forse")
    assert code == 2 and "没有选项 '--forse'" in out and "'--force'" in out
    code, out = run("build", "x.yaml", "-o", str(tmp_path), "-j", "many")
    assert code == 2 and "的值无效" in out
    code, out = run("--help")
    assert "显示此帮助并退出" in out and "Missing" not in out
