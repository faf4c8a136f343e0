"""The generic library: text true of every trade (issue 11/12), every fill-in a registered fact with
house defaults for internal values (issue 12.4), and a sparse profile that leaves little open."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kitgen.core.facts import load_defaults, load_questions
from kitgen.resources import library_dir
from tests.generic_kits import SAMPLES, SPARSE, doc, generic_kit, open_counts, questions, sample_kit, texts, variant_kit

CLAUSES = library_dir() / "clauses"

# words of particular trades that generic text must not carry (a pack's own clauses may)
TRADE_WORDS = ("整机", "机身编号", "旧件", "断电断气", "开箱", "换货", "退换货", "备用机", "送修", "寄修",
               "墙面", "家中", "试机", "上门维修")


@pytest.mark.parametrize("name", sorted(SAMPLES) + ["sparse-furniture"])
def test_generic_text_carries_no_trade_words(name):
    """Every sample's profile on the generic library alone: apart from the few paragraphs still
    conditioned on one industry and the pack's own service items, no trade's words."""
    kit = generic_kit(name)
    import kitgen
    plan = kitgen.plan(kitgen.load_profile(SPARSE if name == "sparse-furniture" else SAMPLES[name]))
    industry = plan.industry.id
    own = {"automotive": {"旧件"}, "furniture": {"开箱", "墙面"},                      # industry-conditioned paragraphs
           "household_appliances": {"试机", "机身编号"}}.get(industry, set())
    pack_words = "、".join(list(plan.industry.services) + list(plan.industry.terms.values()))
    own |= {w for w in TRADE_WORDS if w in pack_words}                              # the pack's own service items
    found = {}
    for path, text in texts(kit).items():
        for word in TRADE_WORDS:
            if word in text and word not in own:
                found.setdefault(word, []).append(path)
    assert not found, found


def test_no_three_guarantees_where_no_rule_applies():
    for path, text in texts(generic_kit("software-company")).items():
        assert "三包" not in text, path


def test_seven_day_returns_only_for_distance_sales_to_consumers():
    def says_seven_days(kit):
        return [p for p, t in texts(kit).items() if "七日无理由" in t]
    assert says_seven_days(generic_kit("furniture-xlsx"))                  # e-commerce to consumers
    assert not says_seven_days(generic_kit("auto-dealer"))                 # sells in its showrooms only
    assert not says_seven_days(generic_kit("software-company"))            # no physical goods
    b2b = variant_kit("b2b", "furniture-xlsx", answers={"consumer_sales": "否"})
    assert not says_seven_days(b2b)
    quality = doc(generic_kit("furniture-xlsx"), "CX-14")
    assert "在门店当面购买的商品和单位采购的商品不适用本条" in quality


def test_library_uses_registered_facts_only():
    registered = load_questions([library_dir()])
    used = set()
    for path in sorted(CLAUSES.rglob("*.yaml")):
        text = path.read_text("utf-8")
        assert "ph(" not in text, f"{path.name}: ph() is for overlays; the library uses fact()"
        used |= set(re.findall(r"fact\('([a-z0-9_.]+)'", text))
    assert used and used <= set(registered), sorted(used - set(registered))
    defaults, _ = load_defaults([library_dir()], registered)
    assert {"target_satisfaction", "review_days", "service.commitments.visit_days"} <= set(defaults)
    for key in ("special_reserve_wan_yuan", "insurance", "supervisor_name", "service.commitments.response_hours",
                "service.commitments.parts_years", "repair_warranty"):
        assert key not in defaults, f"{key} is the company's fact or promise, not a house value"


def test_one_key_for_the_special_reserve():
    rows = [q for q in questions(generic_kit("sparse-furniture")) if "准备金" in q["label"]]
    asked = [q["key"] for q in rows if q["status"] == "ask"]
    assert asked == ["special_reserve_wan_yuan"], rows


def test_house_defaults_are_listed_once_as_defaults():
    rows = {q["key"]: q for q in questions(generic_kit("furniture-xlsx"))}
    for key in ("target_satisfaction", "review_days", "service_philosophy", "audit_frequency"):
        assert rows[key]["status"] == "default" and rows[key]["count"] == 0, rows[key]


def test_a_sparse_profile_leaves_little_open():
    asked, placeholders = open_counts(sample_kit("sparse-furniture"))
    assert asked <= 70 and placeholders <= 150, (asked, placeholders)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_leave_less_open_than_the_sparse_profile(name):
    asked, placeholders = open_counts(sample_kit(name))
    assert asked <= 60 and placeholders <= 100, (asked, placeholders)


def test_procedures_name_the_role_not_the_person():
    kit = generic_kit("furniture-xlsx")
    manager = yaml.safe_load(SAMPLES["furniture-xlsx"].read_text("utf-8"))["service"]["manager"]
    for path, text in texts(kit).items():
        if path.startswith(("03 程序文件/", "04 管理制度/")):
            body = text.split("\n", 9)[-1]                      # past the cover's signature rows
            lines = [line for line in body.splitlines() if "编制" not in line]   # document control names its people
            assert not any(manager in line for line in lines), path


def test_an_unknown_promise_is_referred_to_not_repeated():
    kit = generic_kit("sparse-furniture")     # no delivery or installation promise in the profile
    delivery = doc(kit, "CX-12")
    assert "按承诺时限" in delivery and "【待填写：配送时限" in delivery
    assert delivery.count("【待填写：安装时限") <= 1
