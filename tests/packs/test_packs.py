"""Every industry pack builds a kit written for its trade: none of its forbidden words, all of its
signature words, and exactly the company's departments."""
from __future__ import annotations

import re

import pytest

from kitgen.ooxml.docx_text import docx_text
from tests.packs.kits import all_department_names, pack_ids, pack_kit, pack_plan, profile_for

PACKS = pack_ids()


@pytest.fixture(scope="session")
def kits_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pack-kits")


def kit_text(kit) -> dict[str, str]:
    return {p.relative_to(kit).as_posix(): docx_text(p) for p in sorted(kit.rglob("*.docx"))}


LAW_LIST = "06 申请资料/04 适用法律法规及标准清单.docx"       # names the issuing ministries


def test_every_pack_has_a_profile_that_shows_it():
    missing = [p for p in PACKS if not profile_for(p).is_file()]
    assert not missing, f"packs without a sample or tests/fixtures/packs profile: {missing}"


@pytest.mark.parametrize("pack", PACKS)
def test_pack_kit_speaks_its_trade(pack, kits_dir):
    plan = pack_plan(pack)
    assert plan.industry.id == pack
    texts = kit_text(pack_kit(pack, kits_dir))
    bad = {}
    for word in plan.industry.forbidden:
        where = [path for path, t in texts.items() if word in t]
        if where:
            bad[word] = where[:4]
    assert not bad, f"{pack}: forbidden words in the kit: {bad}"
    everything = "\n".join(texts.values())
    absent = [w for w in plan.industry.signature if w not in everything]
    assert not absent, f"{pack}: signature words missing from the kit: {absent}"


@pytest.mark.parametrize("pack", PACKS)
def test_departments_named_are_exactly_the_company_set(pack, kits_dir):
    plan = pack_plan(pack)
    own = set(plan.ctx["dept_list"])
    texts = {k: v for k, v in kit_text(pack_kit(pack, kits_dir)).items() if k != LAW_LIST}
    everything = "\n".join(texts.values())
    # a department of the company may contain another's name (销售部 in 汽车销售部): mask own names first,
    # and the company's, outlets' and partners' names, which may end in 中心 or 部 too
    masked = everything
    p = plan.profile
    for name in sorted(own | {p.company.name} | {o.name for o in p.outlets} | {o.partner or "" for o in p.outlets},
                       key=len, reverse=True):
        if name:
            masked = masked.replace(name, "〈〉")
    # the standard's indicator names (5.1.1.1 售后服务部门与岗位) are not departments; a name ending in 部
    # followed by 门 is the common noun …部门 (售后服务部门), not the department 售后服务部
    for ind in plan.catalog.indicators.values():
        masked = masked.replace(ind.name, "〈〉")
    # laws and their issuers are not the company's departments: 《…》 titles and 文号 like 商务部令第1号
    masked = re.sub(r"《[^》\n]*》", "〈〉", masked)
    masked = re.sub(r"(?:[\u4e00-\u9fff]{1,12}[部局委院署]、)*[\u4e00-\u9fff]{1,12}[部局委院署]令", "〈〉", masked)
    foreign = sorted(n for n in all_department_names() - own
                     if re.search(re.escape(n) + ("(?!门)" if n.endswith("部") else ""), masked))
    assert not foreign, f"{pack}: departments the company does not have: {foreign}"
    missing = sorted(n for n in own if n not in everything)
    assert not missing, f"{pack}: the company's departments never named in the kit: {missing}"


# ---- generic documents fit every trade: no spare parts where there are none, no post for a function
# the company lacks (ZD-07 岗位职责说明书's overview lists exactly the posts it describes)

PARTS_WORDS = ("备件", "零部件")
NO_PARTS = ("food", "software")          # no physical spare parts: food does no repair, software ships none


def _allowed_parts_line(line: str, plan) -> bool:
    """Where a kit without spare parts may still say 备件: the standard's indicator names (5.2.4.4 备件
    供应, the checklist's rows, 对应指标 lines), deletion reasons, law titles, and the pack's own words
    in quotes (软件产品的“备件”是版本与补丁资源)."""
    if re.match(r"^\s*\d\.\d\.\d\.\d", line) or "对应指标" in line:
        return True
    if any(d.reason and d.reason in line for d in plan.deletions.values()):
        return True
    rest = re.sub(r"《[^》\n]*》|“[^”\n]*”|(?:没有|不涉及|不存在|无)实物零部件", "", line)
    for ind in plan.catalog.indicators.values():
        rest = rest.replace(ind.name, "")
    return not any(w in rest for w in PARTS_WORDS)


@pytest.mark.parametrize("pack", NO_PARTS)
def test_kit_without_spare_parts_never_names_them(pack, kits_dir):
    plan = pack_plan(pack)
    bad = []
    for path, text in kit_text(pack_kit(pack, kits_dir)).items():
        bad += [f"{path}: {line[:80]}" for line in text.splitlines() if not _allowed_parts_line(line, plan)]
    assert not bad, f"{pack}: spare parts named in a kit that has none:\n" + "\n".join(bad[:12])


def _posts_doc(texts: dict[str, str]) -> str:
    return next(t for p, t in texts.items() if "ZD-07" in p and "岗位职责说明书" in p)


@pytest.mark.parametrize("pack", PACKS)
def test_post_overview_lists_exactly_the_posts_described(pack, kits_dir):
    plan = pack_plan(pack)
    ctx = plan.ctx
    text = _posts_doc(kit_text(pack_kit(pack, kits_dir)))
    lines = text.splitlines()
    start = lines.index("岗位 | 所属部门 | 直接上级")
    listed = []
    for line in lines[start + 1:]:
        if " | " not in line:
            break
        listed.append(line.split(" | ")[0])
    sections = [re.sub(r"^\d+ ", "", ln) for ln in lines if re.match(r"^\d+ \S", ln) and " | " not in ln]
    missing = [post for post in listed if post not in sections]
    assert not missing, f"{pack}: ZD-07 lists posts it does not describe: {missing}"
    terms = ctx["industry"]["terms"]
    absent = []
    if ctx["deleted"]("5.2.4"):
        absent.append(f"{terms['repair']}人员")
    if not ctx["has_installation"]:
        absent.append(f"{terms.get('install', '安装')}人员")
    if not ctx["own_delivery"]:
        absent.append(f"{terms.get('delivery', '配送')}人员")
    if not ctx["spare_parts"]:
        absent += ["备件管理员", "配件管理员"]
    wrong = [post for post in absent if post in listed or post in sections]
    assert not wrong, f"{pack}: ZD-07 has posts for functions the company lacks: {wrong}"
