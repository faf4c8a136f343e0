"""The application form (认证申请书), filled from the profile and blank, rendered with docxtpl from
templates/application_form.docx (tools/make_application_template.py lists its variables).

Values go in as plain data. Jinja runs sandboxed with autoescape on and StrictUndefined, so a
company called ``A&B <"{{ 7*7 }}">`` prints as written and a consultancy's own template that names
an unknown variable fails the build with a clear message. Unknown profile values are the context's
visible placeholders (【待填写：…】, highlighted yellow as in the other documents). The saved zip
is normalised (fixed stamps, fixed core properties) so builds are reproducible.
"""
from __future__ import annotations

import datetime as _dt
import functools
import io
import re
from pathlib import Path

from kitgen.core.plan import Plan
from kitgen.core.textrender import inline_brackets
from kitgen.errors import BuildFailed, Problem

TEMPLATE = "application_form.docx"
BLANK = "　　　　　　"           # a blank to write on in the hand-filled form
BLANK_ROWS = {"products": 5, "deletions": 3, "certificates": 4}
STAR_KEYS = {5: "star5", 4: "star4", 3: "star3", 0: "star0"}
MODE_KEYS = {"全直属": "mode_direct", "全委托": "mode_entrusted", "部分委托": "mode_partial"}
CHECKS = ("initial", "surveillance", "recert", "upgrade", "transfer", *STAR_KEYS.values(), *MODE_KEYS.values())
_PLACEHOLDER = re.compile(r"【待填写[^】]*】")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# CT_RPr children that come after w:highlight (schema order matters to Word)
_AFTER_HIGHLIGHT = {"u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
                    "eastAsianLayout", "specVanish", "oMath"}


def template_path(plan: Plan) -> Path:
    """The application form template: a consultancy's overlay copy if any, else the bundled one."""
    from kitgen.content.overlay import plan_template
    return plan_template(plan, TEMPLATE)


def form_values(plan: Plan, blank: bool = False) -> dict:
    """The template's ``f``: every value a plain string (lists of plain dicts for the tables)."""
    ctx = plan.ctx
    p = plan.profile
    if blank:
        f = {k: BLANK for k in (
            "company_name", "credit_code", "legal_rep", "address", "postcode", "founded", "registered_capital",
            "role_name", "industry_name", "website", "employees", "service_manager", "hotline", "contact_name",
            "contact_title", "contact_phone", "contact_mobile", "contact_email", "service_staff", "service_managers",
            "certified_managers", "required_certified", "target_star_name", "scope", "sales_channels",
            "outlets_total", "outlets_direct", "outlets_entrusted", "partners", "network_mode", "multi_site", "provinces",
            "delivery", "installation", "consultancy_name", "consultancy_contact", "consultancy_phone", "body")}
        f.update(standard="GB/T 27922-2011", apply_type="□初次认证　□监督　□再认证",
                 date="　　　　年　　月　　日",
                 outlet_list="见随附的《网点清单》（申请资料第 7 项）",
                 check={k: "□" for k in CHECKS}, **_labels(plan),
                 products=[{k: "" for k in ("no", "name", "category", "warranty", "main_parts", "install")}
                           for _ in range(BLANK_ROWS["products"])],
                 deletions=[{"id": "", "name": "", "reason": ""} for _ in range(BLANK_ROWS["deletions"])],
                 certificates=[{"no": "", "kind": "", "name": "", "number": ""}
                               for _ in range(BLANK_ROWS["certificates"])],
                 has_deletions=True, has_certificates=True)
        return f
    co, svc, net = ctx["company"], ctx["service"], ctx["net"]
    check = {k: "□" for k in CHECKS}
    check["initial"] = "☑"
    if p.target_star is not None and p.target_star in STAR_KEYS:
        check[STAR_KEYS[p.target_star]] = "☑"
    if net["mode"] in MODE_KEYS:
        check[MODE_KEYS[net["mode"]]] = "☑"
    top = [d for d in plan.deletions.values() if d.id.rsplit(".", 1)[0] not in plan.deletions]
    certs = [("认证证书", c) for c in p.certifications] + [("荣誉", h) for h in p.honors]
    if net["total"]:
        multi = "是（见网点清单）"
        outlet_list = f"共 {net['total']} 个，明细见随附的《网点清单》（申请资料第 7 项，Word 与 Excel）"
    else:
        multi, outlet_list = "否（仅总部一处）", "无（未设独立网点）"
    n_prov = len({o.province or "" for o in p.outlets})
    return {
        "company_name": co["name"], "credit_code": co["credit_code"], "legal_rep": co["legal_representative"],
        "address": co["address"], "postcode": co["postcode"], "founded": co["founded"],
        "registered_capital": co["registered_capital"], "role_name": ctx["role_name"],
        "industry_name": ctx["industry"]["name"], "website": co["website"], "employees": f"{co['employees']} 人",
        "service_manager": svc["manager"], "hotline": inline_brackets(svc["hotline"], svc["hours"]),
        "contact_name": co["contact"]["name"], "contact_title": co["contact"]["title"],
        "contact_phone": co["contact"]["phone"], "contact_mobile": co["contact"]["mobile"],
        "contact_email": co["contact"]["email"],
        "service_staff": f"{svc['staff']} 人", "service_managers": f"{svc['managers']} 人",
        "certified_managers": f"{svc['certified_managers']} 人",
        "required_certified": f"{svc['required_certified']} 人",
        "standard": "GB/T 27922-2011", "apply_type": "初次认证", "target_star_name": ctx["target_star_name"],
        "scope": f"{ctx['products_text']}的售后服务（{ctx['industry']['name']}）",
        "sales_channels": ctx["sales_channels_text"],
        "outlets_total": f"{net['total']} 个", "outlets_direct": f"{net['direct']} 个",
        "outlets_entrusted": f"{net['entrusted']} 个", "partners": f"{len(net['partners'])} 家",
        "network_mode": net["mode"], "multi_site": multi,
        "provinces": f"{n_prov} 个省级行政区" if net["total"] else "—", "outlet_list": outlet_list,
        "delivery": ctx["delivery"]["model_name"], "installation": ctx["delivery"]["installation_name"],
        "consultancy_name": ctx["consultancy"]["name"], "consultancy_contact": ctx["consultancy"]["contact"],
        "consultancy_phone": ctx["consultancy"]["phone"], "body": plan.facts.text("certification_body"),
        "date": "　　　　年　　月　　日",
        "check": check,
        "products": [{"no": str(i), "name": pr["name"], "category": pr["category"] or ctx["industry"]["name"],
                      "warranty": f"{pr['warranty_months']}个月",
                      "main_parts": f"{pr['main_parts_warranty_months']}个月" if pr["main_parts_warranty_months"] else "—",
                      "install": "是" if pr["needs_installation"] else "否"}
                     for i, pr in enumerate(ctx["products"], start=1)],
        **_labels(plan),
        "deletions": [{"id": d.id, "name": d.name, "reason": d.reason} for d in top],
        "certificates": [{"no": str(i), "kind": kind, "name": name, "number": plan.facts.text("certificates.number", name)}
                         for i, (kind, name) in enumerate(certs, start=1)],
        "has_deletions": bool(top), "has_certificates": bool(certs),
    }


def _labels(plan: Plan) -> dict:
    """The product table's column names in the trade's words (pack terms)."""
    terms = plan.ctx["industry"]["terms"]
    return {"warranty_label": terms["warranty"],
            "main_parts_label": terms["main_parts"]}


@functools.lru_cache(maxsize=1)
def _env():
    """The sandbox of the clause texts (with its limits on ** and repetition), autoescaping; one per
    process, keeping what it compiled (kitgen.core.textrender.KeptSandbox)."""
    from jinja2 import StrictUndefined

    from kitgen.core.textrender import KeptSandbox
    return KeptSandbox(autoescape=True, undefined=StrictUndefined)


_PATCHED: dict[str, str] = {}


@functools.lru_cache(maxsize=1)
def _form_class():
    """docxtpl's DocxTemplate, its XML clean-up (a pure function of the part's XML) done once per
    part and process: the filled and the blank form patch the same template."""
    from docxtpl import DocxTemplate

    class FormTemplate(DocxTemplate):
        def patch_xml(self, src_xml):
            hit = _PATCHED.get(src_xml)
            if hit is None:
                if len(_PATCHED) > 32:
                    _PATCHED.clear()
                hit = _PATCHED[src_xml] = super().patch_xml(src_xml)
            return hit
    return FormTemplate


def render_form(template: Path, values: dict, *, title: str, author: str, created: _dt.datetime,
                subject: str = "GB/T 27922-2011 商品售后服务认证") -> bytes:
    from jinja2 import TemplateError

    from kitgen.ooxml.ziputil import normalize_zip
    try:
        tpl = _form_class()(str(template))
        tpl.init_docx()
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for a bad file
        raise BuildFailed([Problem(str(template), None, "", f"认证申请书模板无法打开：{type(exc).__name__}: {exc}",
                                   "一个有效的 Word（.docx）文件")]) from None
    from kitgen.core.textrender import TemplateLimit, limited
    try:
        from kitgen.limits import TEMPLATE_MAX_FORM_OUTPUT
        with limited(TEMPLATE_MAX_FORM_OUTPUT):   # the sandbox's budget: loops, output, time (limits.py)
            tpl.render({"f": values}, jinja_env=_env(), autoescape=True)
    except TemplateLimit as exc:
        raise BuildFailed([Problem(str(template), getattr(exc, "lineno", None), "",
                                   f"认证申请书模板出错：超出限制：{exc}", "只生成申请书需要的文字")]) from None
    except Exception as exc:  # noqa: BLE001 - any failure (1/0, include, a broken tag) is the template's
        if not isinstance(exc, TemplateError) and "no loader" in str(exc):
            exc = TemplateError("不能读取其他文件（include / import / extends 不可用）")
        raise BuildFailed([Problem(str(template), getattr(exc, "lineno", None), "",
                                   f"认证申请书模板出错：{type(exc).__name__}: {exc}",
                                   "模板只使用 f.* 变量（见 tools/make_application_template.py），"
                                   "且 {{ }} / {% %} 未被 Word 拆开")]) from None
    # core properties are set after rendering: docxtpl renders them as templates
    cp = tpl.docx.core_properties
    title, author, subject = title[:255], author[:255], subject[:255]   # python-docx refuses longer values
    cp.title, cp.author, cp.last_modified_by, cp.subject = title, author, author, subject
    cp.keywords, cp.comments, cp.category = "售后服务认证", "", ""
    cp.revision = 1
    cp.created = cp.modified = created
    cp.last_printed = created
    buf = io.BytesIO()
    tpl.save(buf)
    return normalize_zip(_highlight(buf.getvalue()))


def _highlight(data: bytes) -> bytes:
    """Split runs so that every 【待填写：…】 is its own yellow-highlighted run."""
    from lxml import etree

    from kitgen.ooxml.ziputil import read_entries, write_zip
    entries = read_entries(data)
    out = []
    for name, content in entries:
        if name == "word/document.xml" and "【待填写".encode() in content:
            root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
            for r in list(root.iter(W + "r")):
                texts = r.findall(W + "t")
                if len(texts) != 1 or not texts[0].text or not _PLACEHOLDER.search(texts[0].text):
                    continue
                _split_run(r, texts[0].text)
            content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        out.append((name, content))
    return write_zip(out)


def _split_run(r, text: str) -> None:
    import copy

    from lxml import etree
    parent = r.getparent()
    idx = parent.index(r)
    pieces, pos = [], 0
    for mt in _PLACEHOLDER.finditer(text):
        if mt.start() > pos:
            pieces.append((text[pos:mt.start()], False))
        pieces.append((mt.group(), True))
        pos = mt.end()
    if pos < len(text):
        pieces.append((text[pos:], False))
    parent.remove(r)
    for k, (piece, mark) in enumerate(pieces):
        nr = copy.deepcopy(r)
        for t in nr.findall(W + "t"):
            nr.remove(t)
        if mark:
            rpr = nr.find(W + "rPr")
            if rpr is None:
                rpr = etree.SubElement(nr, W + "rPr")
                nr.remove(rpr)
                nr.insert(0, rpr)
            hl = etree.Element(W + "highlight")
            hl.set(W + "val", "yellow")
            later = [c for c in rpr if isinstance(c.tag, str) and c.tag.split("}")[-1] in _AFTER_HIGHLIGHT]
            if later:
                later[0].addprevious(hl)
            else:
                rpr.append(hl)
        t = etree.SubElement(nr, W + "t")
        t.text = piece
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        parent.insert(idx + k, nr)


def application_form(plan: Plan, number: str) -> tuple[bytes, bytes]:
    """(filled, blank) application forms."""
    p = plan.profile
    template = template_path(plan)
    if not template.is_file():
        raise BuildFailed([Problem(str(template), None, "", "认证申请书模板不存在",
                                   "运行 python tools/make_application_template.py 生成 templates/application_form.docx")])
    d = p.documents.effective_date
    created = _dt.datetime(d.year, d.month, d.day) if d else _dt.datetime(2020, 1, 1)
    author = p.documents.editor or p.company.name
    filled = render_form(template, form_values(plan), title=f"商品售后服务认证申请书（{number}）", author=author,
                         created=created)
    blank = render_form(template, form_values(plan, blank=True), title="商品售后服务认证申请书（空白）",
                        author="", created=_dt.datetime(2020, 1, 1))
    return filled, blank
