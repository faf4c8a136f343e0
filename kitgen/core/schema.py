"""The profile's JSON Schema (`kitgen schema`), generated from the validator's own model.

Nothing here lists a profile key. The keys and their Chinese names are the key tables the
validator checks mappings against (kitgen.core.profile: TOP_KEYS, COMPANY_KEYS, …); the types,
which keys are required and the nesting come from the model's dataclasses (Profile, Company, …);
the allowed values from the same vocabularies the validator uses (ROLES, DELIVERY_MODELS, …, and
the industry registry). A key someone adds to a table and to its dataclass appears in the schema
without an edit here; a new nested mapping needs one line in TABLES (a test fails until then).

The schema is for editors (VS Code's YAML extension completes and checks keys with the
``# yaml-language-server: $schema=…`` line) and for check-jsonschema; `kitgen validate` stays the
authority and checks more (credit-code check digits, counts that must agree, deletable indicators).
Where the validator accepts more than the obvious type (a number where text is expected, an
empty value for an optional key), so does the schema: a profile that validates never fails it.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import types
import typing
from typing import Any

from kitgen.core import profile as P

SCHEMA_FILE = "kitgen-profile.schema.json"
DIALECT = "http://json-schema.org/draft-07/schema#"      # the draft editors support best

# dataclass → the key table the validator checks its mapping against
TABLES: dict[type, dict[str, str]] = {
    P.Profile: P.TOP_KEYS, P.Company: P.COMPANY_KEYS, P.Contact: P.CONTACT_KEYS, P.Product: P.PRODUCT_KEYS,
    P.Delivery: P.DELIVERY_KEYS, P.Service: P.SERVICE_KEYS, P.Outlet: P.OUTLET_KEYS,
    P.Exclusion: P.EXCLUSION_KEYS, P.DocumentControl: P.DOCUMENT_KEYS, P.Consultancy: P.CONSULTANCY_KEYS,
}
# mappings the model keeps as dict[str, …]: their keys (and Chinese names)
DICT_TABLES: dict[tuple[type, str], dict[str, str]] = {
    (P.Profile, "departments"): P.DEPARTMENT_NAMES,
    (P.Service, "commitments"): {k: f"{v[0]}（{v[1]}）" for k, v in P.COMMITMENTS.items()},
}
# fields whose value is one of a vocabulary (id → 中文); "industry" is filled in from the registry
CHOICES: dict[tuple[type, str], dict] = {
    (P.Profile, "role"): P.ROLES, (P.Profile, "sales_channels"): P.SALES_CHANNELS,
    (P.Profile, "target_star"): P.STARS, (P.Delivery, "model"): P.DELIVERY_MODELS,
    (P.Delivery, "installation"): P.INSTALLATIONS, (P.Outlet, "kind"): P.OUTLET_KINDS,
    (P.Outlet, "operator"): P.OPERATORS,
}
# field path → how the validator reads it, where that is narrower or wider than the type says
SPECIAL: dict[str, dict] = {
    "format": {"const": 1},
    "company.postcode": {"type": ["string", "integer", "null"], "pattern": r"^\d{6}$"},
    "company.employees": {"type": ["integer", "null"], "minimum": 1},
    "documents.prefix": {"type": ["string", "null"], "pattern": r"^[A-Za-z0-9\-]{1,12}$"},
    "outlets[].staff": {"type": ["integer", "string", "null"], "minimum": 0, "pattern": r"^\s*\d*\s*$"},
}
_HINTS = {**getattr(P, "_REQUIRED_HINT", {})}


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, globalns=vars(P), localns={"_dt": _dt})


def _optional(tp: Any) -> tuple[Any, bool]:
    """(the type without None, whether None was allowed)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) < len(typing.get_args(tp))
    return tp, False


def _nullable(schema: dict, optional: bool) -> dict:
    if not optional:
        return schema
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    if "const" in schema or "type" not in schema:
        return schema
    t = schema["type"]
    t = list(t) if isinstance(t, list) else [t]
    return {**schema, "type": t if "null" in t else [*t, "null"]}


def _enum(values: dict, optional: bool) -> dict:
    listed = "；".join(f"{k}（{v}）" for k, v in values.items())
    return _nullable({"enum": list(values), "description": f"可选：{listed}"}, optional)


def _scalar(tp: Any) -> dict | None:
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer", "minimum": 0, "maximum": P.MAX_NUMBER}
    if tp is float:
        return {"type": "number", "minimum": 0, "maximum": P.MAX_NUMBER}
    if tp is str:                            # numbers are read as text too (unquoted phone numbers)
        return {"type": ["string", "number"], "maxLength": P.MAX_TEXT}
    if tp is _dt.date:                       # YAML 2026-12-01 (editors see it as a string)
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    return None


def _field_schema(owner: type, name: str, tp: Any, path: str, industries: dict[str, str]) -> dict:
    """One key's schema. Every value may be left empty (the validator reads an empty value as an
    absent key); object_schema takes null away again from the keys that are required."""
    inner, _ = _optional(tp)
    optional = True
    if path in SPECIAL:
        return dict(SPECIAL[path])          # (already says whether it may be empty)
    choice = industries if (owner, name) == (P.Profile, "industry") else CHOICES.get((owner, name))
    origin = typing.get_origin(inner)
    if choice is not None and origin is not list:
        return _enum(choice, optional)
    if dataclasses.is_dataclass(inner):
        return _nullable(object_schema(inner, path, industries), optional)
    if origin is list:
        (item,) = typing.get_args(inner) or (Any,)
        if choice is not None:
            items = _enum(choice, False)
        elif dataclasses.is_dataclass(item):
            items = object_schema(item, f"{path}[]", industries)
        else:
            items = _scalar(item) or {}
        # the validator takes an empty value for an optional list as no list
        return {"type": ["array", "null"], "items": items}
    if origin is dict:
        keys = DICT_TABLES.get((owner, name))
        args = typing.get_args(inner)
        value = _scalar(args[1]) if len(args) == 2 else None
        if keys is None:
            return {"type": ["object", "null"]}
        if value and value.get("type") == "number":
            value = {"type": "number", "exclusiveMinimum": 0, "maximum": P.MAX_NUMBER}
        return {"type": ["object", "null"], "additionalProperties": False,
                "properties": {k: {**_nullable(value or {}, True), "description": label} for k, label in keys.items()}}
    scalar = _scalar(inner)
    if scalar is None:
        return {}                            # a type this generator does not know: anything goes
    return _nullable(scalar, optional)


def object_schema(cls: type, path: str = "", industries: dict[str, str] | None = None) -> dict:
    """The schema of one mapping of the profile: its keys from the validator's key table."""
    industries = industries or {}
    table = TABLES.get(cls)
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    keys = table if table is not None else {n: "" for n in fields if not n.startswith("_")}
    props: dict[str, dict] = {}
    required: list[str] = []
    for key, label in keys.items():
        sub = f"{path}.{key}" if path else key
        f = fields.get(key)
        schema = _field_schema(cls, key, hints[key], sub, industries) if f is not None else {}
        hint = _HINTS.get(sub.replace("[]", ""), "")
        text = "；".join(x for x in (label, hint) if x)
        if text:
            schema["description"] = f"{text}。{schema['description']}" if schema.get("description") else text
        props[key] = schema
        if f is not None and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(key)             # no default in the model: the validator requires it
            if isinstance(props[key].get("type"), list) and "null" in props[key]["type"]:
                kinds = [t for t in props[key]["type"] if t != "null"]
                props[key]["type"] = kinds[0] if len(kinds) == 1 else kinds
            if props[key].get("enum") and None in props[key]["enum"]:
                props[key]["enum"] = [v for v in props[key]["enum"] if v is not None]
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": table is None}
    if required:
        out["required"] = required
    return out


def profile_schema(industries: dict[str, str] | None = None) -> dict:
    """The JSON Schema of a profile (format 1). ``industries``: id → 中文名 (default: the registry)."""
    if industries is None:
        from kitgen.core.industries import load_industries
        industries = {k: v.name for k, v in load_industries().items()}
    top = object_schema(P.Profile, "", industries)
    top["properties"]["products"]["minItems"] = 1
    top["properties"]["products"]["type"] = "array"
    schema = {
        "$schema": DIALECT,
        "$id": "urn:kitgen:profile:1",
        "title": "kitgen 企业配置（client.yaml，format 1）",
        "description": ("由 kitgen 的配置校验器生成（kitgen schema）。编辑器据此补全和检查键名；"
                        "kitgen validate 检查得更多（信用代码校验位、人数关系、可删减的指标等）。"),
        **top,
        # outlets and outlets_file: one or the other
        "not": {"required": ["outlets", "outlets_file"]},
    }
    return schema
