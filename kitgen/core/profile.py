"""The company profile (client.yaml, format 1): its model and its validation.

The contract is ../shared/spec/profile.md. Validation collects every problem before it raises,
each located by file, line and field path and said in Chinese with what would be right. Values are
kept as data: nothing here (or later) renders a profile value as a template.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kitgen import limits
from kitgen.core import yamlsrc
from kitgen.core.yamlsrc import Source, join
from kitgen.errors import InvalidInput, Problem

# ---------------------------------------------------------------- vocabularies (ids → 中文)
ROLES = {"producer": "生产型企业", "retailer": "销售服务型企业"}
SALES_CHANNELS = {"stores": "门店销售", "distributors": "经销商/代理商分销", "ecommerce": "电子商务（网络销售）",
                  "direct_sales": "直销", "projects": "工程/项目销售"}
DELIVERY_MODELS = {"own_fleet": "自有车队配送", "third_party": "委托第三方物流配送", "mixed": "自有配送与第三方物流相结合",
                   "customer_pickup": "顾客自提", "none": "不涉及配送"}
INSTALLATIONS = {"own_staff": "自有人员安装", "partners": "委托合作单位安装", "mixed": "自有人员与合作单位相结合安装",
                 "none": "不涉及安装"}
OUTLET_KINDS = {"sales": "销售网点", "service": "服务网点", "sales_service": "销售服务网点"}
OPERATORS = {"direct": "直属", "entrusted": "委托"}
STARS = {0: "达标级", 3: "三星级", 4: "四星级", 5: "五星级"}
COMMITMENTS = {  # key → (中文, unit)
    "response_hours": ("响应时限", "小时"), "onsite_hours": ("到场服务时限", "小时"),
    "repair_days": ("维修完成时限", "日"), "complaint_days": ("投诉处理时限", "日"),
    "delivery_days": ("配送时限", "日"), "install_hours": ("安装时限", "小时"),
    "visit_days": ("回访时限", "日"), "return_days": ("更换退货受理时限", "日"),
    "parts_years": ("备件供应年限", "年"),
}
DEPARTMENT_KEYS = ("service", "sales", "quality", "tech", "production", "purchasing", "logistics",
                   "finance", "hr", "admin", "supervision", "it")

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# C1 controls (U+0085 …) and lone surrogates: Word cannot hold them either
_CONTROL_MORE = re.compile("[\x80-\x9f\ud800-\udfff]")
# invisible characters that change how a name reads or compares (bidi overrides, zero-width …)
_INVISIBLE = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
MAX_TEXT = limits.TEXT_MAX_CHARS   # no profile value needs more; longer text is a paste accident
MAX_NUMBER = 10**12      # no count, period or budget is larger (and larger ones overflow float arithmetic)


def credit_code_check_char(first17: str) -> str | None:
    """The 18th character of a 统一社会信用代码 per GB 32100-2015, or None if first17 is malformed."""
    try:
        total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    except ValueError:
        return None
    return _CREDIT_CHARS[(31 - total % 31) % 31]


# ---------------------------------------------------------------- the model
@dataclass
class Contact:
    name: str | None = None
    title: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None


@dataclass
class Company:
    name: str
    short_name: str | None = None
    credit_code: str | None = None
    legal_representative: str | None = None
    address: str | None = None
    postcode: str | None = None
    founded: _dt.date | None = None
    registered_capital: str | None = None
    employees: int | None = None
    website: str | None = None
    contact: Contact = field(default_factory=Contact)


@dataclass
class Product:
    name: str
    category: str | None = None
    warranty_months: float | None = None
    main_parts_warranty_months: float | None = None
    needs_installation: bool | None = None


@dataclass
class Delivery:
    model: str
    installation: str
    carriers: list[str] = field(default_factory=list)


@dataclass
class Service:
    department: str | None = None
    manager: str | None = None
    hotline: str | None = None
    hours: str | None = None
    staff: int | None = None
    managers: int | None = None
    certified_managers: int | None = None
    budget_wan_yuan: float | None = None
    commitments: dict[str, float] = field(default_factory=dict)


@dataclass
class Outlet:
    name: str
    kind: str = "service"
    operator: str = "direct"
    partner: str | None = None
    province: str | None = None
    city: str | None = None
    address: str | None = None
    phone: str | None = None
    staff: int | None = None


@dataclass
class Exclusion:
    indicator: str
    reason: str


@dataclass
class DocumentControl:
    prefix: str | None = None
    version: str | None = None
    effective_date: _dt.date | None = None
    editor: str | None = None
    reviewer: str | None = None
    approver: str | None = None
    retention: str | None = None      # kitgen addition: how long records are kept, e.g. 3年


@dataclass
class Consultancy:
    name: str | None = None
    contact: str | None = None
    phone: str | None = None


@dataclass
class Profile:
    company: Company
    role: str
    industry: str
    products: list[Product]
    delivery: Delivery
    sales_channels: list[str] = field(default_factory=list)
    recycling: bool | None = None
    service: Service = field(default_factory=Service)
    outlets: list[Outlet] = field(default_factory=list)
    outlets_file: str | None = None
    exclusions: list[Exclusion] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)
    honors: list[str] = field(default_factory=list)
    target_star: int | None = None
    documents: DocumentControl = field(default_factory=DocumentControl)
    departments: dict[str, str] = field(default_factory=dict)
    consultancy: Consultancy = field(default_factory=Consultancy)
    answers: dict[str, Any] = field(default_factory=dict)          # questionnaire answers typed as text (raw)
    answer_lines: dict[str, int | None] = field(default_factory=dict)
    answers_file: str | None = None                                # the questionnaire workbook, relative to the profile
    format: int = 1
    # where it came from (not profile keys)
    source_path: Path | None = None
    sha256: str = ""
    warnings: list[Problem] = field(default_factory=list)   # not errors: said by validate and build


# ---------------------------------------------------------------- validation
class Checker:
    """Collects problems while reading values out of a Source."""

    def __init__(self, src: Source):
        self.src = src
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def written(self, value: Any, path: str) -> Any:
        """What the consultant wrote at ``path``: the source text of a plain scalar YAML 1.1 typed
        (02164705123, 8:30, yes, 050000), else the value."""
        plain = getattr(self.src, "plain", None) or {}
        return plain.get(path, value) if value is not None else None

    def add(self, path: str, message: str, hint: str = "") -> None:
        self.problems.append(self.src.problem(path, message, hint))

    def mapping(self, value: Any, path: str, allowed: dict[str, str], required: tuple[str, ...] = (),
                what: str = "") -> dict | None:
        """Check a mapping's keys: unknown ones (with the nearest known key), missing required ones."""
        if not isinstance(value, dict):
            self.add(path, f"应是一组“键: 值”，而不是{_kind(value)}", what or "缩进的 键: 值 列表")
            return None
        for key in value:
            if key not in allowed:
                near = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
                hint = f"“{near[0]}”（{allowed[near[0]]}）" if near else "以下之一：" + "、".join(allowed)
                self.add(join(path, key), f"未知的键 “{key}”", hint)
        for key in required:
            if value.get(key) in (None, ""):
                self.add(join(path, key) if key not in value else join(path, key),
                         f"缺少必填项 “{key}”（{allowed[key]}）", _REQUIRED_HINT.get(f"{path}.{key}".lstrip("."), "填写此项"))
        return value

    def text(self, value: Any, path: str, hint: str = "一段文字") -> str | None:
        if value is None:
            return None
        value = self.written(value, path)            # text keeps exactly what was written
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            self.add(path, f"应是文字，而不是{_kind(value)}", hint)
            return None
        if isinstance(value, (int, float, _dt.date)):
            value = value.isoformat() if isinstance(value, _dt.date) else _num(value)
        value = str(value).strip()
        if _CONTROL.search(value) or _CONTROL_MORE.search(value):
            bad = (_CONTROL.search(value) or _CONTROL_MORE.search(value)).group()
            self.add(path, f"包含 Word 无法保存的控制字符 U+{ord(bad):04X}", "删去该不可见字符后重新输入")
            return None
        if _INVISIBLE.search(value):
            bad = _INVISIBLE.search(value).group()
            self.warnings.append(self.src.problem(
                path, f"“{_visible(value)}” 中含有看不见的字符 U+{ord(bad):04X}（改变文字方向或零宽度），"
                      "印出的文字可能与看到的不同", "删去该字符后重新输入（确需保留时可忽略此提示）"))
        if len(value) > MAX_TEXT:
            self.add(path, f"文字过长（{len(value)} 字）", f"{MAX_TEXT} 字以内")
            return None
        return value or None

    def number(self, value: Any, path: str, *, integer: bool = False, minimum: float = 0,
               hint: str = "") -> float | int | None:
        if value is None:
            return None
        plain = getattr(self.src, "plain", None) or {}
        if path in plain and not isinstance(value, bool):
            value = yamlsrc.yaml12(plain[path])      # YAML 1.2: 010 is ten, 8:30 is not a number
        ok = isinstance(value, int) and not isinstance(value, bool) if integer else \
            isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or value < minimum or value != value or value in (float("inf"),):
            want = hint or (f"不小于 {_num(minimum)} 的整数" if integer else f"不小于 {_num(minimum)} 的数字")
            self.add(path, f"“{_show(self.written(value, path))}” 不是有效的{'整数' if integer else '数字'}", want)
            return None
        if value > MAX_NUMBER:
            self.add(path, f"数字 {_show(value)} 过大", f"不超过 {MAX_NUMBER:.0e} 的数（人数、月数、天数、万元数）")
            return None
        return value

    def choice(self, value: Any, path: str, options: dict, what: str) -> Any:
        if value is None:
            return None
        if isinstance(value, (dict, list)) or value not in options:     # (a list or mapping is unhashable)
            listed = "、".join(f"{k}（{v}）" for k, v in options.items())
            self.add(path, f"“{_show(self.written(value, path))}” 不是可选的{what}", f"以下之一：{listed}")
            return None
        return value

    def boolean(self, value: Any, path: str, hint: str = "true 或 false") -> bool | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            self.add(path, f"“{_show(self.written(value, path))}” 不是是/否值", hint)
            return None
        return value

    def date(self, value: Any, path: str) -> _dt.date | None:
        if value is None:
            return None
        if isinstance(value, _dt.datetime):
            return value.date()
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(path, f"“{_show(self.written(value, path))}” 不是有效日期", "年-月-日，如 2026-12-01")
        return None

    def text_list(self, value: Any, path: str, hint: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, f"应是列表，而不是{_kind(value)}", hint)
            return []
        if len(value) > limits.MAX_LIST_ITEMS:
            self.add(path, f"列表有 {len(value)} 项，超过上限 {limits.MAX_LIST_ITEMS} 项", f"不超过 {limits.MAX_LIST_ITEMS} 项")
            return []
        out = []
        for i, item in enumerate(value):
            text = self.text(item, join(path, i), hint)
            if text:
                out.append(text)
        return out


_REQUIRED_HINT = {
    "company.name": "营业执照上的企业全称，如 浙江恒温电器有限公司",
    "role": "producer（生产型企业）或 retailer（销售服务型企业）",
    "industry": "kitgen industries 列出的行业代码之一，如 household_appliances",
    "products": "至少一种商品，如 - name: 家用空调",
    "delivery": "delivery: {model: mixed, installation: own_staff}",
    "delivery.model": "own_fleet、third_party、mixed、customer_pickup、none 之一",
    "delivery.installation": "own_staff、partners、mixed、none 之一",
    "outlets.name": "网点名称，如 杭州直营服务中心",
    "products.name": "商品名称，如 家用空调",
    "exclusions.indicator": "指标编号，如 \"5.2.6\"",
    "exclusions.reason": "删减理由，如 本公司产品不属于国家规定的回收目录",
}

TOP_KEYS = {
    "format": "格式版本", "company": "企业信息", "role": "企业类型", "industry": "行业",
    "sales_channels": "商品销售方式", "products": "商品", "delivery": "配送与安装", "recycling": "废弃商品回收",
    "service": "售后服务组织", "outlets": "网点清单", "outlets_file": "网点清单文件", "exclusions": "删减",
    "certifications": "已获认证", "honors": "荣誉", "target_star": "目标星级", "documents": "文件控制",
    "departments": "部门名称", "consultancy": "咨询机构",
    "answers": "待补充信息的答案", "answers_file": "待补充信息答案表",
}
COMPANY_KEYS = {"name": "企业全称", "short_name": "简称", "credit_code": "统一社会信用代码",
                "legal_representative": "法定代表人", "address": "地址", "postcode": "邮编", "founded": "成立日期",
                "registered_capital": "注册资本", "employees": "员工人数", "website": "网址", "contact": "联系人"}
CONTACT_KEYS = {"name": "姓名", "title": "职务", "phone": "电话", "mobile": "手机", "email": "电子邮箱"}
PRODUCT_KEYS = {"name": "商品名称", "category": "类别", "warranty_months": "保修期（月）",
                "main_parts_warranty_months": "主要部件保修期（月）", "needs_installation": "是否需要安装"}
DELIVERY_KEYS = {"model": "配送方式", "installation": "安装方式", "carriers": "承运商"}
SERVICE_KEYS = {"department": "售后服务部门", "manager": "售后服务负责人", "hotline": "服务热线",
                "hours": "服务时间", "staff": "售后服务人员总数", "managers": "服务管理人员数",
                "certified_managers": "持证售后服务管理师人数", "budget_wan_yuan": "年度售后经费（万元）",
                "commitments": "服务承诺"}
OUTLET_KEYS = {"name": "网点名称", "kind": "类型", "operator": "直属/委托", "partner": "合作单位",
               "province": "省", "city": "市", "address": "地址", "phone": "电话", "staff": "人数"}
EXCLUSION_KEYS = {"indicator": "指标编号", "reason": "删减理由"}
DOCUMENT_KEYS = {"prefix": "文件编号前缀", "version": "版本", "effective_date": "生效日期",
                 "editor": "编制", "reviewer": "审核", "approver": "批准", "retention": "记录保存期限"}
CONSULTANCY_KEYS = {"name": "咨询机构名称", "contact": "咨询师", "phone": "电话"}
DEPARTMENT_NAMES = {"service": "售后服务部门", "sales": "销售部门", "quality": "质量部门", "tech": "技术部门",
                    "production": "生产部门", "purchasing": "采购部门", "logistics": "物流/仓储部门",
                    "finance": "财务部门", "hr": "人力资源部门", "admin": "行政部门",
                    "supervision": "服务监督机构", "it": "信息部门"}


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "一组键值"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, bool):
        return "是/否值"
    if isinstance(value, (int, float)):
        return "数字"
    if value is None:
        return "空值"
    return f"“{_show(value)}”"


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _visible(text: str) -> str:
    """``text`` with its invisible characters shown as <U+XXXX> (for messages)."""
    return _show(_INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text))


def _short(c: Checker, value: str | None, path: str, cap: int, what: str) -> str | None:
    """A text field printed once per outlet or product: at most ``cap`` characters (limits.py)."""
    if value is not None and len(value) > cap:
        c.add(path, f"{what}过长（{len(value)} 字）", f"{cap} 字以内")
        return None
    return value


def _num(value: float) -> str:
    if isinstance(value, int):          # exact, and no float overflow for very large integers
        return str(value)
    return str(int(value)) if math.isfinite(value) and float(value).is_integer() else str(value)


def read_profile(src: Source, *, industry_ids: dict[str, str], indicator_rule: Callable[[str], str | None],
                 outlet_loader: Callable[[str, Checker], list[Outlet]] | None = None) -> Profile:
    """Validate `src` and build the Profile; raise InvalidInput with every problem found.

    industry_ids: known industry id → 中文名. indicator_rule(id) returns None when the indicator may
    be deleted, or the reason it may not. outlet_loader reads `outlets_file` (problems go to the checker).
    """
    c = Checker(src)
    data = src.data
    if not isinstance(data, dict):
        raise InvalidInput([src.problem("", f"文件的最外层应是一组“键: 值”，而不是{_kind(data)}",
                                        "以 company: 开头的配置，参见 kitgen init 生成的样例")])
    c.mapping(data, "", TOP_KEYS, ("company", "role", "industry", "products", "delivery"))

    fmt = data.get("format", 1)
    if fmt != 1:
        c.add("format", f"不支持的格式版本 “{_show(fmt)}”", "1")

    # company
    company = Company(name="")
    comp = data.get("company")
    if comp is not None and c.mapping(comp, "company", COMPANY_KEYS, ("name",)) is not None:
        company = Company(
            name=c.text(comp.get("name"), "company.name") or "",
            short_name=c.text(comp.get("short_name"), "company.short_name"),
            credit_code=_credit_code(c, comp.get("credit_code")),
            legal_representative=c.text(comp.get("legal_representative"), "company.legal_representative"),
            address=c.text(comp.get("address"), "company.address"),
            postcode=_postcode(c, comp.get("postcode")),
            founded=c.date(comp.get("founded"), "company.founded"),
            registered_capital=c.text(comp.get("registered_capital"), "company.registered_capital"),
            employees=c.number(comp.get("employees"), "company.employees", integer=True, minimum=1,
                               hint="不小于 1 的整数，如 1250"),
            website=c.text(comp.get("website"), "company.website"),
        )
        contact = comp.get("contact")
        if contact is not None and c.mapping(contact, "company.contact", CONTACT_KEYS) is not None:
            company.contact = Contact(**{k: c.text(contact.get(k), f"company.contact.{k}") for k in CONTACT_KEYS})

    role = c.choice(data.get("role"), "role", ROLES, "企业类型")
    industry = c.choice(data.get("industry"), "industry", industry_ids, "行业")

    channels = []
    raw_channels = data.get("sales_channels")
    if raw_channels is not None:
        if not isinstance(raw_channels, list):
            c.add("sales_channels", f"应是列表，而不是{_kind(raw_channels)}", "[stores, ecommerce]")
        else:
            for i, ch in enumerate(raw_channels):
                if c.choice(ch, join("sales_channels", i), SALES_CHANNELS, "销售方式") and ch not in channels:
                    channels.append(ch)

    products = _products(c, data.get("products"))
    delivery = _delivery(c, data.get("delivery"))
    recycling = c.boolean(data.get("recycling"), "recycling",
                          "true（开展废弃商品回收）或 false（不涉及），不写则按行业默认")
    service = _service(c, data.get("service"))

    outlets: list[Outlet] = []
    outlets_file = c.text(data.get("outlets_file"), "outlets_file", "与配置文件同目录的 .xlsx 或 .csv 文件名")
    if "outlets" in data and "outlets_file" in data:
        c.add("outlets_file", "outlets 与 outlets_file 只能二选一", "删去其中一个")
    elif "outlets" in data:
        outlets = _outlets(c, data.get("outlets"))
    elif outlets_file and outlet_loader is not None:
        outlets = outlet_loader(outlets_file, c)

    exclusions = _exclusions(c, data.get("exclusions"), indicator_rule)
    certifications = c.text_list(data.get("certifications"), "certifications", "证书名称列表，如 [ISO 9001:2015 质量管理体系认证]")
    honors = c.text_list(data.get("honors"), "honors", "荣誉名称列表")
    target = data.get("target_star")
    if target is not None and (isinstance(target, (bool, dict, list)) or target not in STARS):
        c.add("target_star", f"“{_show(c.written(target, 'target_star'))}” 不是可选的目标星级", "0（达标级）、3、4 或 5")
        target = None

    docs = DocumentControl()
    rawdocs = data.get("documents")
    if rawdocs is not None and c.mapping(rawdocs, "documents", DOCUMENT_KEYS) is not None:
        prefix = c.text(rawdocs.get("prefix"), "documents.prefix")
        if prefix and not re.fullmatch(r"[A-Za-z0-9\-]{1,12}", prefix):
            c.add("documents.prefix", f"文件编号前缀 “{_show(prefix)}” 含有不能用于编号的字符",
                  "1～12 位字母、数字或连字符，如 HW")
            prefix = None
        docs = DocumentControl(
            prefix=prefix, version=c.text(rawdocs.get("version"), "documents.version"),
            effective_date=c.date(rawdocs.get("effective_date"), "documents.effective_date"),
            editor=c.text(rawdocs.get("editor"), "documents.editor"),
            reviewer=c.text(rawdocs.get("reviewer"), "documents.reviewer"),
            approver=c.text(rawdocs.get("approver"), "documents.approver"),
            retention=c.text(rawdocs.get("retention"), "documents.retention", "保存期限，如 3年"))

    departments: dict[str, str] = {}
    rawdept = data.get("departments")
    if rawdept is not None and c.mapping(rawdept, "departments", DEPARTMENT_NAMES) is not None:
        for key in rawdept:
            if key in DEPARTMENT_NAMES:
                name = c.text(rawdept[key], f"departments.{key}")
                if name:
                    departments[key] = name

    consultancy = Consultancy()
    rawcons = data.get("consultancy")
    if rawcons is not None and c.mapping(rawcons, "consultancy", CONSULTANCY_KEYS) is not None:
        consultancy = Consultancy(**{k: c.text(rawcons.get(k), f"consultancy.{k}") for k in CONSULTANCY_KEYS})

    answers: dict[str, Any] = {}
    answer_lines: dict[str, int | None] = {}
    rawans = data.get("answers")
    if rawans is not None:
        if not isinstance(rawans, dict):
            c.add("answers", f"应是一组“键: 值”，而不是{_kind(rawans)}", "special_reserve_wan_yuan: 50（键见待补充信息表）")
        else:
            for key, value in rawans.items():
                if isinstance(value, (dict, list)):
                    c.add(join("answers", str(key)), f"答案应是一个值，而不是{_kind(value)}", "文字或数字")
                    continue
                answers[str(key)] = c.written(value, join("answers", str(key)))   # as typed (02164705123 stays)
                answer_lines[str(key)] = src.line(join("answers", str(key)))
    answers_file = c.text(data.get("answers_file"), "answers_file", "答案表的路径（相对本配置文件），如 08 待补充信息.xlsx")

    if c.problems:
        raise InvalidInput(sorted(c.problems, key=lambda p: (p.file != src.name, p.file, p.line or 0)))
    return Profile(company=company, role=role, industry=industry, products=products, delivery=delivery,
                   sales_channels=channels, recycling=recycling, service=service, outlets=outlets,
                   outlets_file=outlets_file, exclusions=exclusions, certifications=certifications,
                   honors=honors, target_star=target, documents=docs, departments=departments,
                   consultancy=consultancy, answers=answers, answer_lines=answer_lines,
                   answers_file=answers_file, format=1, warnings=c.warnings)


def _credit_code(c: Checker, value: Any) -> str | None:
    code = c.text(value, "company.credit_code")
    if code is None:
        return None
    code = code.upper()
    if len(code) != 18 or any(ch not in _CREDIT_CHARS for ch in code):
        c.add("company.credit_code", f"统一社会信用代码 “{_show(code)}” 格式不对（{len(code)} 位）",
              "18 位数字或大写字母（不含 I、O、Z、S、V），见营业执照")
        return None
    expect = credit_code_check_char(code[:17])
    if expect != code[17]:
        c.add("company.credit_code", f"统一社会信用代码 “{code}” 校验位不对",
              f"按 GB 32100-2015 计算的第 18 位 {expect}；请与营业执照逐位核对，多半是某一位抄错")
        return None
    return code


def _postcode(c: Checker, value: Any) -> str | None:
    if value is None:
        return None
    text = c.text(value, "company.postcode")
    if text is None:
        return None
    if not re.fullmatch(r"\d{6}", text):
        hint = "6 位数字，加引号，如 \"310012\"" if isinstance(value, int) else "6 位数字，如 \"310012\""
        c.add("company.postcode", f"邮编 “{_show(text)}” 不是 6 位数字", hint)
        return None
    return text


def _products(c: Checker, value: Any) -> list[Product]:
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        c.add("products", "至少要有一种商品" if isinstance(value, list) else f"应是列表，而不是{_kind(value)}",
              "- name: 家用空调")
        return []
    if len(value) > limits.MAX_PRODUCTS:
        c.add("products", f"商品有 {len(value)} 种，超过上限 {limits.MAX_PRODUCTS} 种",
              f"不超过 {limits.MAX_PRODUCTS} 种：按类别或系列合并填写（如 家用空调）")
        return []
    out = []
    cap = limits.PRODUCT_FIELD_MAX_CHARS
    for i, item in enumerate(value):
        path = join("products", i)
        if c.mapping(item, path, PRODUCT_KEYS, ("name",)) is None:
            continue
        out.append(Product(
            name=_short(c, c.text(item.get("name"), f"{path}.name"), f"{path}.name", cap, "商品名称") or "",
            category=_short(c, c.text(item.get("category"), f"{path}.category"), f"{path}.category", cap, "商品类别"),
            warranty_months=c.number(item.get("warranty_months"), f"{path}.warranty_months", hint="月数，如 12"),
            main_parts_warranty_months=c.number(item.get("main_parts_warranty_months"),
                                                f"{path}.main_parts_warranty_months", hint="月数，如 72"),
            needs_installation=c.boolean(item.get("needs_installation"), f"{path}.needs_installation")))
    return out


def _delivery(c: Checker, value: Any) -> Delivery:
    d = Delivery(model="none", installation="none")
    if value is None or c.mapping(value, "delivery", DELIVERY_KEYS, ("model", "installation")) is None:
        return d
    d.model = c.choice(value.get("model"), "delivery.model", DELIVERY_MODELS, "配送方式") or "none"
    d.installation = c.choice(value.get("installation"), "delivery.installation", INSTALLATIONS, "安装方式") or "none"
    d.carriers = c.text_list(value.get("carriers"), "delivery.carriers", "承运商名称列表，如 [顺丰速运]")
    return d


def _service(c: Checker, value: Any) -> Service:
    s = Service()
    if value is None or c.mapping(value, "service", SERVICE_KEYS) is None:
        return s
    for key in ("department", "manager", "hotline", "hours"):
        setattr(s, key, c.text(value.get(key), f"service.{key}"))
    for key in ("staff", "managers", "certified_managers"):
        setattr(s, key, c.number(value.get(key), f"service.{key}", integer=True, hint="不小于 0 的整数"))
    s.budget_wan_yuan = c.number(value.get("budget_wan_yuan"), "service.budget_wan_yuan", hint="万元数，如 300")
    if s.staff is not None and s.managers is not None and s.managers > s.staff:
        c.add("service.managers", f"服务管理人员数 {s.managers} 大于售后服务人员总数 {s.staff}",
              "不大于 service.staff 的人数")
    if s.managers is not None and s.certified_managers is not None and s.certified_managers > s.managers:
        c.add("service.certified_managers", f"持证管理师 {s.certified_managers} 人多于服务管理人员 {s.managers} 人",
              "不大于 service.managers 的人数")
    raw = value.get("commitments")
    if raw is not None:
        names = {k: f"{v[0]}（{v[1]}）" for k, v in COMMITMENTS.items()}
        if c.mapping(raw, "service.commitments", names) is not None:
            for key in raw:
                if key in COMMITMENTS:
                    num = c.number(raw[key], f"service.commitments.{key}", minimum=0,
                                   hint=f"大于 0 的{COMMITMENTS[key][1]}数，如 24（可用 0.5）")
                    if num is not None and num <= 0:
                        c.add(f"service.commitments.{key}", "承诺时限必须大于 0",
                              f"大于 0 的{COMMITMENTS[key][1]}数")
                    elif num is not None:
                        s.commitments[key] = num
    return s


def outlet_from_mapping(c: Checker, item: dict, path: str, line_of: Callable[[str], str] | None = None) -> Outlet | None:
    """One outlet from a mapping (YAML or a file row already keyed by English names)."""
    caps = limits.OUTLET_FIELD_MAX_CHARS
    written_name = c.text(item.get("name"), f"{path}.name")
    name = _short(c, written_name, f"{path}.name", caps["name"], "网点名称")
    if written_name and not name:
        return None                    # too long: said once
    if not name:
        c.add(f"{path}.name", "网点缺少名称", _REQUIRED_HINT["outlets.name"])
        return None
    kind = c.choice(item.get("kind") or "service", f"{path}.kind", OUTLET_KINDS, "网点类型")
    operator = c.choice(item.get("operator") or "direct", f"{path}.operator", OPERATORS, "运营方式（直属/委托）")
    written_partner = c.text(item.get("partner"), f"{path}.partner")
    partner = _short(c, written_partner, f"{path}.partner", caps["partner"], "合作单位")
    if operator == "entrusted" and not written_partner:
        c.add(f"{path}.partner", f"委托网点 “{name}” 必须写明合作单位（受托方）", "受托单位全称，如 杭州某某家电服务有限公司")
    staff = item.get("staff")
    if isinstance(staff, str) and staff.strip().isdigit():
        staff = int(staff.strip())
    elif isinstance(staff, str) and not staff.strip():
        staff = None
    return Outlet(name=name, kind=kind or "service", operator=operator or "direct", partner=partner,
                  province=_short(c, c.text(item.get("province"), f"{path}.province"), f"{path}.province",
                                  caps["province"], "省"),
                  city=_short(c, c.text(item.get("city"), f"{path}.city"), f"{path}.city", caps["city"], "市"),
                  address=_short(c, c.text(item.get("address"), f"{path}.address"), f"{path}.address",
                                 caps["address"], "地址"),
                  phone=_short(c, c.text(item.get("phone"), f"{path}.phone"), f"{path}.phone", caps["phone"], "电话"),
                  staff=c.number(staff, f"{path}.staff", integer=True, hint="不小于 0 的整数"))


def _outlets(c: Checker, value: Any) -> list[Outlet]:
    if value is None:
        return []
    if not isinstance(value, list):
        c.add("outlets", f"应是列表，而不是{_kind(value)}", "每个网点一项：- name: 杭州直营服务中心")
        return []
    if len(value) > limits.MAX_OUTLETS:
        c.add("outlets", f"网点有 {len(value)} 个，超过上限 {limits.MAX_OUTLETS} 个",
              f"不超过 {limits.MAX_OUTLETS} 个网点；网点更多时，请把完整的网点清单作为企业自备资料放入 06 申请资料/，"
              "配置中只列主要网点")
        return []
    out: list[Outlet] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(value):
        path = join("outlets", i)
        if c.mapping(item, path, OUTLET_KEYS) is None:
            continue
        outlet = outlet_from_mapping(c, item, path)
        if outlet is None:
            continue
        if outlet.name in seen:
            c.add(f"{path}.name", f"网点名称 “{outlet.name}” 与第 {seen[outlet.name] + 1} 个网点重复",
                  "每个网点名称唯一（可加区县或门店号区分）")
            continue
        seen[outlet.name] = i
        out.append(outlet)
    return out


def _exclusions(c: Checker, value: Any, indicator_rule: Callable[[str], str | None]) -> list[Exclusion]:
    if value is None:
        return []
    if not isinstance(value, list):
        c.add("exclusions", f"应是列表，而不是{_kind(value)}", "- indicator: \"5.2.6\"\n  reason: …")
        return []
    out = []
    for i, item in enumerate(value):
        path = join("exclusions", i)
        if c.mapping(item, path, EXCLUSION_KEYS, ("indicator", "reason")) is None:
            continue
        ind = c.text(item.get("indicator"), f"{path}.indicator")
        reason = c.text(item.get("reason"), f"{path}.reason")
        if ind:
            why_not = indicator_rule(ind)
            if why_not:
                c.add(f"{path}.indicator", why_not, "5.2 商品服务下可删减的指标，如 \"5.2.3\" 或 \"5.2.6\"")
                continue
        if ind and reason:
            out.append(Exclusion(ind, reason))
    return out


def load_profile_source(path: Path) -> Source:
    return yamlsrc.load(path, display=path.name if path.parent == Path(".") else str(path))
