"""The variables clause texts see (docs/design.md, "The context"), built once per build.

Everything is ready to print: a value the profile lacks becomes a visible fill-in placeholder
(【待填写：…】), never an empty string and never an invented value.
"""
from __future__ import annotations

import math
from typing import Any

from kitgen.core import derive
from kitgen.core.catalog import Catalog
from kitgen.core.industries import Industry
from kitgen.core.profile import (COMMITMENTS, DELIVERY_MODELS, INSTALLATIONS, OPERATORS, OUTLET_KINDS, ROLES,
                                 SALES_CHANNELS, STARS, Profile)

def ph(label: str) -> str:
    return f"【待填写：{label}】"


def num(value: float | int | None, label: str) -> str:
    if value is None:
        return ph(label)
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def count(value: int | None, label: str) -> int | str:
    """Whole-number facts stay numbers (so texts can compare them); a missing one is a placeholder."""
    return value if value is not None else ph(label)


def cn_date(d) -> str | None:
    return f"{d.year}年{d.month}月{d.day}日" if d else None


def _or(value: Any, label: str) -> Any:
    return value if value not in (None, "") else ph(label)


def required_certified(managers: int | None) -> int | None:
    """售后服务管理师: about 10 % of the service managers, at least one."""
    if managers is None:
        return None
    return max(1, math.ceil(managers * 0.1))


def departments(p: Profile, industry: Industry) -> dict[str, str]:
    """Function key → department name: the pack's model for the company's role, each function the
    profile's ``departments:`` names replaced, the contract's ``service.department`` last. Several
    functions may share one department; the company's departments are the distinct names."""
    depts = dict(industry.departments.get(p.role) or {})
    depts.update(p.departments)
    if p.service.department:             # the contract's key wins over kitgen's `departments:` addition
        depts["service"] = p.service.department
    if p.role == "retailer":
        depts["production"] = ""          # a retailer makes nothing, whatever a model says
    return depts


def department_list(depts: dict[str, str]) -> list[str]:
    """The company's departments, each once, the after-sales department first."""
    names = [depts.get("service", "")] + [n for k, n in depts.items() if k != "service"]
    return [n for n in dict.fromkeys(names) if n]


def build_context(p: Profile, industry: Industry, catalog: Catalog, deletions: dict[str, derive.Deletion]) -> dict:
    co = p.company
    contact = co.contact
    s = p.service
    outlets = [{
        "name": o.name, "kind": o.kind, "kind_name": OUTLET_KINDS[o.kind], "operator": o.operator,
        "operator_name": OPERATORS[o.operator], "partner": o.partner or "", "province": o.province or "",
        "city": o.city or "", "address": o.address or "", "phone": o.phone or "",
        "staff": "" if o.staff is None else o.staff} for o in p.outlets]
    direct = sum(1 for o in p.outlets if o.operator == "direct")
    partners = list(dict.fromkeys(o.partner for o in p.outlets if o.operator == "entrusted" and o.partner))
    provinces = list(dict.fromkeys(o.province for o in p.outlets if o.province))
    delivers = derive.has_delivery(p, industry)
    installs = derive.has_installation(p)
    dm, inst = p.delivery.model, p.delivery.installation
    depts = departments(p, industry)
    channels = [SALES_CHANNELS[c] for c in p.sales_channels]
    products = [{"name": pr.name, "category": pr.category or "",
                 "warranty_months": num(pr.warranty_months, f"{pr.name}整机保修期（月）"),
                 "main_parts_warranty_months": num(pr.main_parts_warranty_months, f"{pr.name}主要部件保修期（月）")
                 if pr.main_parts_warranty_months is not None else "",
                 "needs_installation": bool(pr.needs_installation) if pr.needs_installation is not None else installs}
                for pr in p.products]
    docs = p.documents
    inds = catalog.indicators

    def ind(ind_id: str) -> str:
        i = inds.get(ind_id)
        return i.label if i else ind_id

    def deleted(ind_id: str) -> bool:
        return ind_id in deletions

    ctx = {
        "company": {
            "name": co.name, "short_name": co.short_name or co.name,
            "credit_code": _or(co.credit_code, "统一社会信用代码"),
            "legal_representative": _or(co.legal_representative, "法定代表人"),
            "address": _or(co.address, "企业地址"), "postcode": _or(co.postcode, "邮编"),
            "founded": _or(cn_date(co.founded), "成立日期"),
            "registered_capital": _or(co.registered_capital, "注册资本"),
            "employees": count(co.employees, "员工人数"), "website": _or(co.website, "企业网址"),
            "contact": {"name": _or(contact.name, "联系人"), "title": _or(contact.title, "联系人职务"),
                        "phone": _or(contact.phone, "联系电话"), "mobile": _or(contact.mobile, "联系人手机"),
                        "email": _or(contact.email, "电子邮箱")},
        },
        "role": p.role, "role_name": ROLES[p.role], "is_producer": p.role == "producer",
        "is_retailer": p.role == "retailer",
        "industry": {"id": industry.id, "name": industry.name, "product_noun": industry.product_noun,
                     "customer": industry.customer, "terms": dict(industry.terms), "services": list(industry.services),
                     "three_guarantees": industry.three_guarantees, "license": industry.license,
                     "facts": industry.facts},
        "products": products, "products_text": "、".join(pr.name for pr in p.products),
        "sales_channels": channels, "sales_channels_text": "、".join(channels) or ph("商品销售方式"),
        "sales_channel_ids": list(p.sales_channels),
        "delivery": {"model": dm, "model_name": DELIVERY_MODELS[dm], "installation": inst,
                     "installation_name": INSTALLATIONS[inst], "carriers": list(p.delivery.carriers),
                     "carriers_text": "、".join(p.delivery.carriers) or ph("合作承运商名称")},
        "has_delivery": delivers, "has_installation": installs,
        "own_delivery": delivers and dm in ("own_fleet", "mixed"),
        "third_party_delivery": delivers and dm in ("third_party", "mixed"),
        "customer_pickup": dm == "customer_pickup",
        "own_install": inst in ("own_staff", "mixed"), "partner_install": inst in ("partners", "mixed"),
        "recycling": derive.recycling(p, industry),
        "service": {
            "department": depts["service"], "manager": _or(s.manager, "售后服务负责人姓名"),
            "hotline": _or(s.hotline, "服务热线"), "hours": _or(s.hours, "服务时间"),
            "staff": count(s.staff, "售后服务人员总数"), "managers": count(s.managers, "服务管理人员数"),
            "certified_managers": count(s.certified_managers, "持证售后服务管理师人数"),
            "required_certified": count(required_certified(s.managers), "应配售后服务管理师人数"),
            "certified_gap": (max(0, required_certified(s.managers) - (s.certified_managers or 0))
                              if s.managers is not None else 0),
            "budget_wan_yuan": num(s.budget_wan_yuan, "年度售后服务经费（万元）"),
        },
        "commit": {key: num(s.commitments.get(key), f"{label}（{unit}）")
                   for key, (label, unit) in COMMITMENTS.items()},
        "dept": depts,
        "dept_list": department_list(depts),
        "gm": "总经理", "gm_name": _or(co.legal_representative, "总经理姓名"),
        "outlets": outlets,
        "net": {"total": len(p.outlets), "direct": direct, "entrusted": len(p.outlets) - direct,
                "mode": derive.network_mode(p), "partners": partners, "provinces": provinces,
                "has_entrusted": direct < len(p.outlets), "has_direct": direct > 0},
        "deletions": [{"id": d.id, "name": d.name, "reason": d.reason} for d in deletions.values()],
        "certifications": list(p.certifications), "honors": list(p.honors),
        "target_star": p.target_star if p.target_star is not None else 0,
        "target_star_name": STARS.get(p.target_star, ph("目标星级")) if p.target_star is not None else ph("目标星级"),
        "docs": {"prefix": docs.prefix or "", "version": docs.version or "A/0",
                 "effective_date": _or(cn_date(docs.effective_date), "生效日期"),
                 "editor": _or(docs.editor, "编制人"), "reviewer": _or(docs.reviewer, "审核人"),
                 "approver": _or(docs.approver, "批准人"),
                 "retention": _or(docs.retention, "保存期限")},
        "consultancy": {"name": _or(p.consultancy.name, "咨询机构名称"), "contact": _or(p.consultancy.contact, "咨询师"),
                        "phone": _or(p.consultancy.phone, "咨询机构电话")},
        "ind": ind, "deleted": deleted, "ph": ph,
    }
    return ctx
