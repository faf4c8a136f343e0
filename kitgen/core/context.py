"""The variables clause texts see (docs/design.md, "The context"), built once per build.

Everything is ready to print: a value the profile lacks comes from the fact book (an answer, a
consultancy default) or becomes its keyed fill-in placeholder (【待填写：…】, kitgen.core.facts),
never an empty string and never an invented value.
"""
from __future__ import annotations

import math
from kitgen.core import derive
from kitgen.core.catalog import Catalog
from kitgen.core.facts import FactBook
from kitgen.core.industries import Industry
from kitgen.core.textrender import unnest
from kitgen.core.profile import (COMMITMENTS, DELIVERY_MODELS, INSTALLATIONS, OPERATORS, OUTLET_KINDS, ROLES,
                                 SALES_CHANNELS, STARS, Profile)

PARTNER_TABLE_MAX = 50    # more entrusted partners than this: documents summarise them and refer to the outlet list


def cn_date(d) -> str | None:
    return f"{d.year}年{d.month}月{d.day}日" if d else None


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


def build_context(p: Profile, industry: Industry, catalog: Catalog, deletions: dict[str, derive.Deletion],
                  facts: FactBook) -> dict:
    co = p.company
    contact = co.contact
    s = p.service

    def text(key: str, value, item=None):
        """A profile text field: as written, else the fact's answer/default/placeholder."""
        return facts.given(key, value, item)

    def number(key: str, value, item=None) -> str:
        """A profile number, printed (2, 0.5); else the fact's answer/default/placeholder."""
        return _fmt(value) if value is not None else facts.given(key, None, item)

    def whole(key: str, value) -> int | str:
        """Whole-number facts stay numbers (texts compare them); a missing one is a placeholder."""
        if value is not None:
            return value
        answered, _how = facts.value(key)
        return int(answered) if answered is not None else facts.text(key)

    def known(key: str, value):
        """The typed value from the profile or an answer (None when neither): for arithmetic."""
        return value if value is not None else facts.value(key)[0]

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
                 "warranty_months": number("products.warranty_months", pr.warranty_months, pr.name),
                 "main_parts_warranty_months": _fmt(pr.main_parts_warranty_months)
                 if pr.main_parts_warranty_months is not None else "",
                 "needs_installation": bool(pr.needs_installation) if pr.needs_installation is not None else installs}
                for pr in p.products]
    docs = p.documents
    inds = catalog.indicators
    managers = known("service.managers", s.managers)
    certified = known("service.certified_managers", s.certified_managers)
    star = p.target_star
    # 七日无理由退货: distance (online) sales of physical goods to consumers only — never in-store
    # sales, business buyers or downloaded software (laws-and-practice.md)
    facts.text("consumer_sales")                              # listed in the questionnaire (default)
    consumer_sales = facts.value("consumer_sales")[0] == "是"
    distance_consumer_sales = consumer_sales and "ecommerce" in p.sales_channels and industry.physical_delivery
    if star is None and facts.value("target_star")[0] is not None:
        star = {v: k for k, v in STARS.items()}.get(facts.value("target_star")[0])

    def ind(ind_id: str) -> str:
        i = inds.get(ind_id)
        return i.label if i else ind_id

    def deleted(ind_id: str) -> bool:
        return ind_id in deletions

    # the trade's word for physical spare parts (pack.yaml terms.parts), "" when the goods are not
    # physical or the company does no repair (5.2.4 deleted): generic texts name spare parts only then
    spare_parts = (industry.terms.get("parts") or "") if industry.physical_delivery and not deleted("5.2.4") else ""

    ctx = {
        "company": {
            "name": co.name, "short_name": co.short_name or co.name,
            "credit_code": text("company.credit_code", co.credit_code),
            "legal_representative": text("company.legal_representative", co.legal_representative),
            "address": text("company.address", co.address), "postcode": text("company.postcode", co.postcode),
            "founded": text("company.founded", cn_date(co.founded)),
            "registered_capital": text("company.registered_capital", co.registered_capital),
            "employees": whole("company.employees", co.employees), "website": text("company.website", co.website),
            "contact": {"name": text("company.contact.name", contact.name),
                        "title": text("company.contact.title", contact.title),
                        "phone": text("company.contact.phone", contact.phone),
                        "mobile": text("company.contact.mobile", contact.mobile),
                        "email": text("company.contact.email", contact.email)},
        },
        "role": p.role, "role_name": ROLES[p.role], "is_producer": p.role == "producer",
        "is_retailer": p.role == "retailer",
        "industry": {"id": industry.id, "name": industry.name, "product_noun": industry.product_noun,
                     "customer": industry.customer, "terms": _terms(industry.terms), "services": list(industry.services),
                     "three_guarantees": industry.three_guarantees, "license": industry.license,
                     "physical_delivery": industry.physical_delivery,   # goods that are handed over (not software)
                     # the promises the trade makes (pack.yaml commitments:; all when the pack lists none)
                     "commitments": list(industry.commitments or COMMITMENTS),
                     "facts": industry.facts},
        "products": products, "products_text": "、".join(pr.name for pr in p.products),
        "sales_channels": channels, "sales_channels_text": "、".join(channels) or text("sales_channels", None),
        "sales_channel_ids": list(p.sales_channels), "consumer_sales": consumer_sales,
        "distance_consumer_sales": distance_consumer_sales,
        "delivery": {"model": dm, "model_name": DELIVERY_MODELS[dm], "installation": inst,
                     "installation_name": INSTALLATIONS[inst], "carriers": list(p.delivery.carriers),
                     "carriers_text": "、".join(p.delivery.carriers) or text("delivery.carriers", None)},
        "has_delivery": delivers, "has_installation": installs, "spare_parts": spare_parts,
        "own_delivery": delivers and dm in ("own_fleet", "mixed"),
        "third_party_delivery": delivers and dm in ("third_party", "mixed"),
        "customer_pickup": dm == "customer_pickup",
        "own_install": inst in ("own_staff", "mixed"), "partner_install": inst in ("partners", "mixed"),
        "recycling": derive.recycling(p, industry),
        "service": {
            "department": depts["service"], "manager": text("service.manager", s.manager),
            "hotline": text("service.hotline", s.hotline),
            # hours print inside other texts' brackets: "8:30-18:00（道路救援7×24小时）" → "8:30-18:00，道路救援7×24小时"
            "hours": unnest(text("service.hours", s.hours)),
            "staff": whole("service.staff", s.staff), "managers": whole("service.managers", s.managers),
            "certified_managers": whole("service.certified_managers", s.certified_managers),
            "required_certified": required_certified(managers) if managers is not None
            else facts.text("service.managers"),
            "certified_gap": (max(0, required_certified(managers) - (certified or 0)) if managers is not None else 0),
            "counts_known": managers is not None and certified is not None,   # both counts are numbers
            "budget_wan_yuan": number("service.budget_wan_yuan", s.budget_wan_yuan),
        },
        "commit": {key: number(f"service.commitments.{key}", s.commitments.get(key)) for key in COMMITMENTS},
        "within": within_phrases(s.commitments, facts),
        "dept": depts,
        "dept_list": department_list(depts),
        "gm": "总经理", "gm_name": text("gm_name", co.legal_representative),
        "outlets": outlets,
        "net": {"total": len(p.outlets), "direct": direct, "entrusted": len(p.outlets) - direct,
                "mode": derive.network_mode(p), "partners": partners, "provinces": provinces,
                "partners_listed": len(partners) <= PARTNER_TABLE_MAX,
                "has_entrusted": direct < len(p.outlets), "has_direct": direct > 0},
        "deletions": [{"id": d.id, "name": d.name, "reason": d.reason} for d in deletions.values()],
        "certifications": list(p.certifications), "honors": list(p.honors),
        "target_star": star if star is not None else 0,
        "target_star_name": STARS[star] if star is not None else facts.text("target_star"),
        "docs": {"prefix": docs.prefix or "", "number_prefix": f"{docs.prefix}/" if docs.prefix else "",
                 "version": docs.version or "A/0",
                 "effective_date": text("documents.effective_date", cn_date(docs.effective_date)),
                 "editor": text("documents.editor", docs.editor), "reviewer": text("documents.reviewer", docs.reviewer),
                 "approver": text("documents.approver", docs.approver),
                 "retention": text("documents.retention", docs.retention)},
        "consultancy": {"name": text("consultancy.name", p.consultancy.name),
                        "contact": text("consultancy.contact", p.consultancy.contact),
                        "phone": text("consultancy.phone", p.consultancy.phone)},
        "ind": ind, "deleted": deleted, "ph": facts.adhoc, "fact": facts.text,
        "has_fact": lambda key, item=None: facts.value(key, item)[0] is not None,
    }
    return ctx


def _terms(terms: dict) -> dict:
    """The trade's words, with the two every product table needs defaulted (a pack may leave
    them out or empty): 保修期 and 主要部件保修期."""
    return {**terms, "warranty": terms.get("warranty") or "保修期",
            "main_parts": terms.get("main_parts") or "主要部件保修期"}


def within_phrases(commitments: dict, facts: FactBook) -> dict[str, str]:
    """``within.<key>``: a commitment as a time limit inside a sentence — "2小时内" when the profile
    (or an answer, or a default) gives the number, else "按承诺时限": a text that restates a promise
    then refers to it instead of repeating its fill-in. The number itself is asked where the
    commitments are listed (the commitments table), once."""
    out = {}
    for key, (_name, unit) in COMMITMENTS.items():
        value = commitments.get(key)
        if value is None:
            value = facts.value(f"service.commitments.{key}")[0]
        out[key] = f"{_fmt(value)}{unit}内" if value is not None else ("按承诺年限" if unit == "年" else "按承诺时限")
    return out


def _fmt(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
