"""Property-based fuzzing of validation and build (issue 6): random and hostile profiles.

Every input ends in one of two ways: a clean kitgen error (InvalidInput / BuildFailed) whose every
problem names the file and, inside a mapping, the line or field path; or a valid kit whose every
file passes the verifier when read back from disk. Never any other exception, never a file
outside the kit.

Strategies: a valid base profile (the appliance sample, trimmed) with one to three paths mutated
(any value: random Unicode incl. CJK, emoji, RTL and combining marks, control characters, very long
strings, deep nesting, huge lists, wrong types, NaN/inf, dates, nulls; keys deleted or added), and
fully random YAML documents, text and bytes. Runs derandomized with fixed example counts, so CI
sees the same examples every time (about 30–60 s in all).
"""
from __future__ import annotations

import copy
import datetime as dt
import math
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kitgen
from kitgen.errors import BuildFailed, InvalidInput, KitgenError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "appliance-producer.yaml"


def _base() -> dict:
    data = yaml.safe_load(SAMPLE.read_text("utf-8"))
    data["outlets"] = data["outlets"][:2] + data["outlets"][5:7]       # two direct, two entrusted
    return data


BASE = _base()


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


PATHS = [p for p in _paths(BASE) if p]
def _at(data, path):
    for k in path:
        data = data[k]
    return data


TEXT_PATHS = [p for p in PATHS if isinstance(_at(BASE, p), str)
              and p[-1] not in ("role", "industry", "model", "installation", "kind", "operator", "credit_code",
                                "postcode", "prefix")
              and p[0] not in ("role", "industry", "sales_channels")]

SPECIAL_TEXT = [
    "", " ", "\u3000", "😀🎉👨‍👩‍👧‍👦", "مرحبا بالعالم", "שלום עולם", "\u202e反转\u202c", "a\u0301\u0302\u0303",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐", "\u200b\u200c\u200d\ufeff", "𠀀𪛖𫝀", "\u2028\u2029", "\x00", "\x07", "\x1b[31m",
    "\x7f", "\x85", "\ud7ff", "\ufffd", "{{ 7*7 }}", "{% raw %}", "&amp;<>\"'", "]]>", "../../x", "/etc/passwd",
    "C:\\x", "NUL", "CON", "null", "~", "yes", "no", "on", "off", "NaN", ".inf", "0x1F", "1e309", "-0", "1_000",
    "2026-13-45", "12:30", "!!python/object:os.system", "*alias", "&anchor", "- item", "key: value", "#comment",
    "【待填写：】", "【待填写", "】", "\t\tindent", "line\nbreak\r\nwin\rmac", "🇨🇳" * 50,
]


def _repeat(chars: list[str], lo: int, hi: int):
    return st.builds(lambda c, n: c * n, st.sampled_from(chars), st.integers(lo, hi))


TEXT = st.one_of(
    st.text(max_size=40),                                                     # any Unicode, controls included
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=30),
    st.text(alphabet=st.characters(categories=("Lo", "Mn", "So", "Cf", "Zs")), max_size=30),
    st.sampled_from(SPECIAL_TEXT),
    _repeat(["字", "a", "😀", "&", "{{", "\u0301"], 1990, 2010),               # around the 2,000-character limit
    _repeat(["长", "x"], 5000, 40000),                                         # far beyond it
)
NUMBERS = st.one_of(
    st.integers(), st.integers(-10**40, 10**40), st.floats(), st.sampled_from([0, -1, 0.5, 1e308, -0.0, 2**63, 10**400, 10**4000]),
)
SCALARS = st.one_of(TEXT, NUMBERS, st.dates(), st.datetimes(), st.booleans(), st.none())
KEYS = st.one_of(st.text(max_size=12), st.integers(-5, 5), st.booleans(), st.none(), st.sampled_from(list(BASE)))
VALUES = st.recursive(SCALARS, lambda ch: st.one_of(st.lists(ch, max_size=4), st.dictionaries(KEYS, ch, max_size=4)),
                      max_leaves=12)


def _nest(depth: int, kind: str):
    value: object = "底"
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


@st.composite
def mutated(draw, n_max: int = 3) -> dict:
    """The base profile with one to ``n_max`` mutations at random paths."""
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, n_max))):
        live = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(live))
        parent = _at(data, path[:-1])
        key = path[-1]
        op = draw(st.sampled_from(["set", "set", "set", "delete", "extra", "deep", "huge", "swap"]))
        if op == "set":
            parent[key] = draw(VALUES)
        elif op == "delete":
            del parent[key]
        elif op == "extra":
            target = parent[key] if isinstance(parent[key], dict) else parent
            if isinstance(target, dict):
                target[draw(KEYS)] = draw(VALUES)
            else:
                target.append(draw(VALUES))
        elif op == "deep":
            parent[key] = _nest(draw(st.integers(20, 80)), draw(st.sampled_from(["list", "dict"])))
        elif op == "huge":
            value = parent[key]
            n = draw(st.integers(200, 3000))
            parent[key] = [copy.deepcopy(value[i % len(value)]) for i in range(n)] if isinstance(value, list) and value \
                else [value] * n
        else:                                           # numbers as strings and strings as numbers
            value = parent[key]
            parent[key] = (str(value) if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool)
                           else draw(NUMBERS))
    return data


@st.composite
def plausible(draw) -> dict:
    """Profiles that mostly validate: hostile but legal text in text fields, optional parts left
    out, many products/outlets, unusual (valid) choices. For the build."""
    data = copy.deepcopy(BASE)
    for path in draw(st.lists(st.sampled_from(TEXT_PATHS), min_size=1, max_size=8, unique=True)):
        _at(data, path[:-1])[path[-1]] = draw(st.one_of(
            st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=60),
            st.sampled_from([t for t in SPECIAL_TEXT if t.strip() and not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f
                                                                              for c in t)]),
            _repeat(["字", "😀", "&<>", "a\u0301"], 100, 600)))
    for path in draw(st.lists(st.sampled_from(NUMBER_PATHS), max_size=4, unique=True)):
        _at(data, path[:-1])[path[-1]] = draw(st.one_of(
            st.integers(1, 10**12), st.floats(min_value=0.01, max_value=1e12), st.sampled_from([1, 0.5, 10**12])))
    for key in draw(st.lists(st.sampled_from(["departments", "consultancy", "documents", "certifications", "honors",
                                              "sales_channels", "recycling", "target_star", "service"]),
                             max_size=3, unique=True)):
        data.pop(key, None)
    n_out = draw(st.sampled_from([0, 1, 4, 40]))
    if n_out != 4:
        data["outlets"] = [dict(BASE["outlets"][i % 4], name=f"{BASE['outlets'][i % 4]['name']}{i}")
                           for i in range(n_out)]
    data["role"] = draw(st.sampled_from(["producer", "retailer"]))
    data["delivery"]["model"] = draw(st.sampled_from(["own_fleet", "third_party", "mixed", "customer_pickup", "none"]))
    data["delivery"]["installation"] = draw(st.sampled_from(["own_staff", "partners", "mixed", "none"]))
    data["industry"] = draw(st.sampled_from(INDUSTRIES))
    if draw(st.booleans()):
        data["exclusions"] = [{"indicator": "5.2.6", "reason": draw(st.sampled_from(SPECIAL_TEXT[3:12]))}]
        data["recycling"] = False
    if draw(st.booleans()):
        data["products"] = [dict(BASE["products"][0], name=f"商品{i}") for i in range(draw(st.integers(1, 30)))]
    return data


INDUSTRIES = ["household_appliances", "furniture", "automotive", "electronics", "machinery", "building_materials",
              "apparel", "food", "software", "general"]
NUMBER_PATHS = [p for p in PATHS if isinstance(_at(BASE, p), (int, float)) and not isinstance(_at(BASE, p), bool)
                and p[0] not in ("format", "target_star")]

RANDOM_DOCS = st.one_of(
    VALUES.map(lambda v: yaml.safe_dump(v, allow_unicode=True).encode("utf-8")),
    st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.binary(max_size=300),
    st.sampled_from([
        (b"a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
         b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
         b"g: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"),                 # an alias bomb
        b"company: !!python/object/apply:os.system ['touch /tmp/kitgen-fuzz']\n",
        b"company: &x\n  name: *x\n", b"\xef\xbb\xbfcompany: {name: x}\n", b"\xff\xfe\x00c\x00", b"[" * 5000,
        b"{a: 1, a: 2}", b"? [a, b]\n: c\n", b"company:\n\tname: x\n", b"%YAML 1.1\n---\na: 1\n---\nb: 2\n",
        b"<<: {company: {name: x}}\n", b"role: !!binary aGVsbG8=\n", b"industry: 2001-12-14t21:59:43.10-05:00\n",
        b"company:\n  name: x\n  employees: " + b"9" * 5000 + b"\n", b"company: {founded: 2026-02-30}\n",
        b"a: !!float 1e99999\nb: !!int 0x_\n", b"company: {name: !!str}\nrole: !!set {a, b}\n",
    ]),
)

CHECKED = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.large_base_example, HealthCheck.filter_too_much])


def _dump(data) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")


def assert_located(err: KitgenError, in_mapping: bool) -> None:
    assert err.problems, err
    text = str(err)                                             # formats without failing
    assert text
    for p in err.problems:
        assert p.file, p
        assert isinstance(p.message, str) and p.message, p
        if in_mapping:
            assert p.line or p.path, p


def validate(raw: bytes, tmp: Path):
    """load_profile on ``raw``: the Profile, or None after checking the error is clean."""
    path = tmp / "client.yaml"
    path.write_bytes(raw)
    try:
        return kitgen.load_profile(path)
    except InvalidInput as err:
        try:
            parsed = yaml.safe_load(raw)
        except Exception:  # noqa: BLE001 - not YAML at all: a file-level problem is enough
            parsed = None
        assert_located(err, isinstance(parsed, dict) and bool(parsed))
        return None


# ------------------------------------------------------------------ validation
@settings(CHECKED, max_examples=300)
@given(mutated())
def test_validate_mutated_profiles(data):
    with tempfile.TemporaryDirectory() as tmp:
        validate(_dump(data), Path(tmp))


@settings(CHECKED, max_examples=150)
@given(RANDOM_DOCS)
def test_validate_random_documents(raw):
    with tempfile.TemporaryDirectory() as tmp:
        validate(raw, Path(tmp))
    assert not Path("/tmp/kitgen-fuzz").exists()


# ------------------------------------------------------------------ build
def build_and_check(raw: bytes, tmp: Path) -> None:
    from kitgen.ooxml.docx_text import docx_text
    from kitgen.kit.verify import check_file
    if validate(raw, tmp) is None:
        return
    out = tmp / "kit"
    before = sorted(p.name for p in tmp.iterdir())
    try:
        result = kitgen.build(tmp / "client.yaml", out, auto_overlays=False)
    except (BuildFailed, InvalidInput) as err:
        assert_located(err, False)
        assert not out.exists()
        return
    root = out.resolve()
    on_disk = sorted(p for p in out.rglob("*") if p.is_file())
    assert len(on_disk) == len(result.files) + 1                       # + kit.json
    for f in result.files:
        target = (out / f.path).resolve()
        assert target.is_relative_to(root)
        data = target.read_bytes()
        assert check_file(f.path, data) == [], f.path
        if f.path.endswith(".docx"):
            docx_text(data)
    assert sorted(p.name for p in tmp.iterdir()) == sorted(before + ["kit"])      # nothing beside the kit


@settings(CHECKED, max_examples=12)
@given(plausible())
def test_build_plausible_profiles(data):
    with tempfile.TemporaryDirectory() as tmp:
        build_and_check(_dump(data), Path(tmp))


@settings(CHECKED, max_examples=10)
@given(mutated(n_max=1))
def test_build_mutated_profiles(data):
    """A single mutation at any path: most fail validation; those that pass are built."""
    with tempfile.TemporaryDirectory() as tmp:
        build_and_check(_dump(data), Path(tmp))


# ------------------------------------------------------------------ regressions the fuzzer found
@pytest.mark.parametrize("mutate", [
    pytest.param(lambda d: d.update(outlets_file="x" * 1990 + ".csv"), id="outlets-file-name-too-long"),
    pytest.param(lambda d: d["company"].update(name="名" * 300), id="long-company-name-in-core-properties"),
    pytest.param(lambda d: d["service"].update(budget_wan_yuan=math.inf), id="infinite-budget"),
    pytest.param(lambda d: d["service"].update(budget_wan_yuan=10**400), id="huge-integer-budget"),
    pytest.param(lambda d: d["products"][0].update(warranty_months=float("nan")), id="nan-warranty"),
    pytest.param(lambda d: d["products"][0].update(name=[["x"]]), id="list-where-text-belongs"),
    pytest.param(lambda d: d.update(role=["producer"], target_star={"a": 1}), id="unhashable-choice"),
    pytest.param(lambda d: d["company"].update(name="浙江\n澜舒\t电器\u2028有限公司"), id="line-break-in-org-chart"),
    pytest.param(lambda d: d["service"].update(department="客服\r\n中心", manager="\u202e周\n晓燕"),
                 id="line-break-in-service-box"),
    pytest.param(lambda d: d["departments"].update({k: "部" * 1999 for k in d["departments"]}),
                 id="very-long-department-names"),
    pytest.param(lambda d: d["company"].update(employees=10**30), id="huge-employee-count"),
])
def test_regressions(tmp_path, mutate):
    data = copy.deepcopy(BASE)
    mutate(data)
    build_and_check(_dump(data), tmp_path)


@pytest.mark.parametrize("raw", [
    pytest.param(b"[" * 5000, id="deep-flow-nesting"),
    pytest.param(b"company:\n  employees: " + b"9" * 5000 + b"\n", id="integer-beyond-str-limit"),
    pytest.param(b"company: {founded: 2026-02-30}\n", id="impossible-date"),
])
def test_yaml_regressions(tmp_path, raw):
    assert validate(raw, tmp_path) is None
