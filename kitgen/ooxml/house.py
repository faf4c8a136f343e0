"""A consultancy's house style beyond styles and page setup: the header logo and the cover page,
taken from a reference document (an overlay's templates/base.docx) and copied into every
generated document by docx_writer.

Contract (docs/overlays.md):

- **Header logo**: the pictures (w:drawing / w:pict runs) of the reference document's *default*
  header are copied into the header of every generated document, before kitgen's own header
  text (company name, document number). The cover page's header shows the pictures of the
  reference document's *first-page* header when it has one (titlePg), else the same logo.
  Text, tables and shapes of the reference header are not copied.
- **Cover**: the body content before the reference document's first page break (or section
  break) is a cover page when it holds at least one placeholder; it then replaces kitgen's cover
  in every document that has one (manual, procedures, rules, dossier documents). Placeholders:
  ``{{ company }} {{ title }} {{ subtitle }} {{ number }} {{ version }} {{ effective_date }}
  {{ editor }} {{ reviewer }} {{ approver }}``. Values are plain text, XML-escaped, never
  rendered as templates; a 【待填写：…】 value is highlighted as everywhere else. Any other
  ``{{ … }}`` or a ``{% … %}`` in the cover is an error (the overlay does not load).

Relationships are rebuilt: only internal pictures (and external hyperlinks in the cover) are
copied; docPr ids are renumbered by the writer so that they stay unique in each document.
Everything that could clash with the generated body (bookmarks, comments, tracked changes,
proofing marks, Word 2010+ extension attributes) is dropped from the copies.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC_NS = "http://schemas.openxmlformats.org/drawingml/2006/picture"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
KG_NS = "urn:kitgen:fragment"
_KG_DECL = f' xmlns:kg="{KG_NS}"'             # the wrapper's namespace, never used by the copies
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

# pictures kitgen copies (extension → content type)
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "gif": "image/gif",
               "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff", "emf": "image/x-emf",
               "wmf": "image/x-wmf", "svg": "image/svg+xml"}
# namespaces whose elements/attributes are dropped from copies: Word 2010+ extensions that would
# need mc:Ignorable on the document root (paraId, anchorId, ligatures …)
_DROP_NS_PREFIXES = ("http://schemas.microsoft.com/office/word/20", "http://schemas.microsoft.com/office/drawing/20")
_DROP_W = {"proofErr", "bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd",
           "permStart", "permEnd", "lastRenderedPageBreak", "del", "moveFrom", "rPrChange", "pPrChange",
           "sectPrChange", "tblPrChange", "trPrChange", "tcPrChange", "numberingChange", "customXmlInsRangeStart",
           "customXmlInsRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd", "moveFromRangeStart",
           "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd"}
_UNWRAP_W = {"ins", "moveTo", "smartTag", "customXml"}
_RUN_KILLERS = {"commentReference", "footnoteReference", "endnoteReference", "annotationRef"}

# Word fields that may come with a house style's cover or header: those kitgen itself uses and their
# kind (page numbers, references inside the document). Anything else — DDE/DDEAUTO (runs a program),
# INCLUDEPICTURE / INCLUDETEXT (fetch a file or URL), LINK, IMPORT, DATABASE, MACROBUTTON … — would be
# copied into every document of every kit and updated on opening (updateFields): refused.
SAFE_FIELDS = frozenset({"PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "TOC", "PAGEREF", "REF", "STYLEREF",
                         "NOTEREF", "SEQ", "HYPERLINK"})
SAFE_SCHEMES = ("http://", "https://", "mailto:")
_FIELD_NAME = re.compile(r'\s*([^\s"\\]+)')
_FIELD_URL = re.compile(r'HYPERLINK\s+"?([^"\s]+)', re.IGNORECASE)

COVER_FIELDS = {"company": "企业名称", "title": "文件名称", "subtitle": "文件类别（程序文件/管理制度）",
                "number": "文件编号", "version": "版本", "effective_date": "生效日期", "editor": "编制",
                "reviewer": "审核", "approver": "批准"}
CONTROL_KEYS = {"编制": "editor", "审核": "reviewer", "批准": "approver"}
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_FILL_IN = re.compile(r"【待填写[^】]*】")
_TOKEN = re.compile(r"\{\{([a-z_]+)\}\}")


def _q(tag: str, ns: str = W_NS) -> str:
    return f"{{{ns}}}{tag}"


def _xml(data: bytes):
    from lxml import etree
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser)


def _local(el) -> str:
    return el.tag.split("}", 1)[1] if isinstance(el.tag, str) and "}" in el.tag else str(el.tag)


def _ns(el) -> str:
    return el.tag[1:].split("}", 1)[0] if isinstance(el.tag, str) and el.tag.startswith("{") else ""


@dataclass(frozen=True)
class Fragment:
    """Copied XML (the children of a kg:frag wrapper) with relationship and docPr tokens."""
    xml: bytes
    rels: tuple[tuple[str, str, str, bool], ...]     # (token, relationship type, target, external)
    media: tuple[tuple[str, bytes], ...]              # (part name under word/, data)
    docprs: int                                       # number of docPr tokens (kgpr0 …)
    ends_with_table: bool = False
    fields: frozenset[str] = frozenset()              # cover placeholders used

    def render(self, rel_ids: dict[str, str], docpr_ids: list[int], values: dict[str, str] | None = None) -> str:
        """The fragment's XML with real relationship ids, docPr ids and (cover) values."""
        from lxml import etree
        root = _xml(self.xml)
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for k, v in el.attrib.items():
                if v.startswith("kgrel") and v in rel_ids:
                    el.set(k, rel_ids[v])
                elif v.startswith("kgpr") and k == "id":
                    el.set(k, str(docpr_ids[int(v[4:])]))
        if values is not None:
            _fill(root, values)
        return "".join(etree.tostring(child, encoding="unicode") for child in root).replace(_KG_DECL, "")


# --------------------------------------------------------------------------------------------
# reading the reference document

class _Package:
    def __init__(self, entries: dict[str, bytes]):
        self.entries = entries
        self.defaults: dict[str, str] = {}
        self.overrides: dict[str, str] = {}
        ct = entries.get("[Content_Types].xml")
        if ct:
            try:
                root = _xml(ct)
                for el in root:
                    if _local(el) == "Default":
                        self.defaults[(el.get("Extension") or "").lower()] = el.get("ContentType") or ""
                    elif _local(el) == "Override":
                        self.overrides[(el.get("PartName") or "").lstrip("/")] = el.get("ContentType") or ""
            except Exception:  # noqa: BLE001, S110 - a broken content-types part: fall back to extensions
                pass

    def rels(self, part: str) -> dict[str, tuple[str, str, bool]]:
        """rId → (type, resolved target part or URL, external) for ``part``."""
        p = PurePosixPath(part)
        name = str(p.parent / "_rels" / (p.name + ".rels"))
        data = self.entries.get(name)
        out: dict[str, tuple[str, str, bool]] = {}
        if not data:
            return out
        try:
            root = _xml(data)
        except Exception:  # noqa: BLE001 - broken rels: nothing can be resolved through them
            return out
        for rel in root:
            rid, rtype, target = rel.get("Id"), rel.get("Type") or "", rel.get("Target") or ""
            if not rid:
                continue
            external = rel.get("TargetMode") == "External"
            if not external:
                target = target.lstrip("/") if target.startswith("/") else _join(str(p.parent), target)
            out[rid] = (rtype, target, external)
        return out


def _join(base: str, target: str) -> str:
    out: list[str] = []
    for piece in (base.split("/") + target.split("/")):
        if piece in ("", "."):
            continue
        if piece == "..":
            if out:
                out.pop()
        else:
            out.append(piece)
    return "/".join(out)


class _Copier:
    """Copies elements out of one part, turning relationships into tokens."""

    def __init__(self, pkg: _Package, part: str, kind: str, allow_links: bool):
        self.pkg = pkg
        self.part = part
        self.kind = kind                      # logo | firstlogo | cover (media names)
        self.rels = pkg.rels(part)
        self.allow_links = allow_links
        self.tokens: dict[tuple[str, str], str] = {}     # (type, target) → token
        self.out_rels: list[tuple[str, str, str, bool]] = []
        self.media: list[tuple[str, bytes]] = []
        self.docprs = 0

    def clean(self, el) -> None:
        """Drop what must not be copied, in place."""
        for alt in list(el.iter(_q("AlternateContent", MC_NS))):
            parent = alt.getparent()          # keep the baseline content (mc:Fallback) only
            if parent is None:
                continue
            fallback = alt.find(_q("Fallback", MC_NS))
            idx = parent.index(alt)
            for child in (list(fallback) if fallback is not None else []):
                parent.insert(idx, child)
                idx += 1
            parent.remove(alt)
        for sub in list(el.iter()):
            if sub.getparent() is None and sub is not el:
                continue
            if not isinstance(sub.tag, str):                     # comments, processing instructions
                if sub.getparent() is not None:
                    _drop(sub)
                continue
            ns = _ns(sub)
            if ns.startswith(_DROP_NS_PREFIXES) and sub is not el:
                _drop(sub)
                continue
            for k in list(sub.attrib):
                kns = k[1:].split("}", 1)[0] if k.startswith("{") else ""
                if kns.startswith(_DROP_NS_PREFIXES):
                    del sub.attrib[k]
            if ns == W_NS:
                name = _local(sub)
                if name in _DROP_W or (name == "sectPr" and _local(sub.getparent()) == "pPr"):
                    _drop(sub)
                elif name in _RUN_KILLERS:
                    run = sub.getparent()
                    if run is not None and _local(run) == "r" and run.getparent() is not None:
                        run.getparent().remove(run)
                    elif sub.getparent() is not None:
                        sub.getparent().remove(sub)
            elif ns == A_NS and _local(sub) in ("hlinkClick", "hlinkHover", "extLst"):
                sub.getparent().remove(sub)
        for name in _UNWRAP_W:
            for sub in list(el.iter(_q(name))):
                parent = sub.getparent()
                if parent is None:
                    continue
                idx = parent.index(sub)
                for child in list(sub):
                    parent.insert(idx, child)
                    idx += 1
                parent.remove(sub)

    def check_active(self, el) -> None:
        """Refuse what would act when the document is opened: fields other than SAFE_FIELDS (in a
        paragraph, a table or a text box inside a picture) and links to anything but a web page or
        an e-mail address (file:, UNC \\\\host\\share, javascript: …)."""
        where = "封面" if self.kind == "cover" else "页眉"
        for code in _field_codes(el):
            m = _FIELD_NAME.match(code)
            if not m:
                continue
            name = m.group(1).upper()
            if name not in SAFE_FIELDS:
                shown = " ".join(code.split())[:60]
                raise ValueError(f"{self.part}（{where}）中含有域代码 “{shown}”：kitgen 只复制页码、目录、交叉引用等域"
                                 f"（{'、'.join(sorted(SAFE_FIELDS))}），DDE、INCLUDEPICTURE、INCLUDETEXT 等会在打开文件时"
                                 "运行程序或读取外部文件的域不能复制")
            if name == "HYPERLINK":
                url = _FIELD_URL.search(code)
                if url and not _safe_url(url.group(1)):
                    raise ValueError(f"{self.part}（{where}）中的超链接域指向 “{url.group(1)[:60]}”：只能链接网页或电子邮件地址"
                                     "（http、https、mailto），不能链接本机文件、网络共享或脚本")
        for sub in el.iter():
            if not isinstance(sub.tag, str):
                continue
            for k, v in sub.attrib.items():
                local = k.rsplit("}", 1)[-1]
                if local in ("href", "src") and v and not _safe_url(v):
                    raise ValueError(f"{self.part}（{where}）中的对象链接到 “{v[:60]}”：只能链接网页或电子邮件地址")

    def relink(self, el) -> None:
        """Every r:* attribute becomes a token for a copied picture (or an external hyperlink)."""
        self.check_active(el)
        for sub in el.iter():
            if not isinstance(sub.tag, str):
                continue
            if sub.tag in (_q("docPr", WP_NS),):
                sub.set("id", f"kgpr{self.docprs}")
                self.docprs += 1
            elif sub.tag == _q("cNvPr", PIC_NS):
                sub.set("id", "0")
            for k, v in list(sub.attrib.items()):
                if not k.startswith(f"{{{R_NS}}}"):
                    continue
                if v not in self.rels:
                    raise ValueError(f"{self.part} 中的对象引用了不存在的关系 {v}")
                rtype, target, external = self.rels[v]
                short = rtype.rsplit("/", 1)[-1]
                if short == "image" and not external:
                    sub.set(k, self._image(rtype, target))
                elif short == "hyperlink" and external and self.allow_links:
                    if not _safe_url(target):
                        raise ValueError(f"{self.part}（封面）中的超链接指向 “{target[:60]}”：只能链接网页或电子邮件地址"
                                         "（http、https、mailto），不能链接本机文件（file:）、网络共享（\\\\服务器\\共享）或脚本")
                    sub.set(k, self._token(RT + "hyperlink", target, True))
                else:
                    what = "外部链接的图片" if short == "image" else f"“{short}”类型的对象"
                    raise ValueError(f"{self.part} 中含有无法复制的{what}（只复制嵌入的图片）")

    def _token(self, rtype: str, target: str, external: bool) -> str:
        key = (rtype, target)
        if key not in self.tokens:
            tok = f"kgrel{len(self.tokens)}"
            self.tokens[key] = tok
            self.out_rels.append((tok, rtype, target, external))
        return self.tokens[key]

    def _image(self, rtype: str, part: str) -> str:
        key = (RT + "image", part)
        if key in self.tokens:
            return self.tokens[key]
        data = self.pkg.entries.get(part)
        if data is None:
            raise ValueError(f"{self.part} 引用的图片 {part} 不在文件中")
        ext = part.rsplit(".", 1)[-1].lower() if "." in part.rsplit("/", 1)[-1] else ""
        if ext not in MEDIA_TYPES:
            raise ValueError(f"{self.part} 中的图片 {part} 格式不受支持（可用 PNG、JPEG、GIF、BMP、TIFF、EMF、WMF、SVG）")
        if ext == "jpg":
            ext = "jpeg"
        name = f"media/house-{self.kind}{len(self.media) + 1}.{ext}"
        self.media.append((name, data))
        tok = self._token(RT + "image", name, False)
        return tok

    def fragment(self, elements: list, **kw) -> Fragment:
        from lxml import etree
        wrapper = etree.Element(_q("frag", KG_NS), nsmap={"kg": KG_NS, "w": W_NS, "r": R_NS, "wp": WP_NS,
                                                          "a": A_NS, "pic": PIC_NS})
        for el in elements:
            wrapper.append(el)
        etree.cleanup_namespaces(wrapper, top_nsmap={"w": W_NS, "r": R_NS, "wp": WP_NS, "a": A_NS, "pic": PIC_NS})
        data = etree.tostring(wrapper, encoding="UTF-8")
        return Fragment(xml=data, rels=tuple(self.out_rels), media=tuple(self.media), docprs=self.docprs, **kw)


def _safe_url(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)


def _field_codes(el) -> list[str]:
    """The instructions of every field under ``el``: w:fldSimple, and complex fields (fldChar
    begin … separate/end) whose instruction Word may split over many w:instrText runs; nested
    fields give their own instruction."""
    codes: list[str] = []
    stack: list[list[str] | None] = []
    for sub in el.iter():
        if not isinstance(sub.tag, str):
            continue
        if sub.tag == _q("fldSimple"):
            codes.append(sub.get(_q("instr")) or "")
        elif sub.tag == _q("fldChar"):
            kind = sub.get(_q("fldCharType"))
            if kind == "begin":
                stack.append([])
            elif kind in ("separate", "end") and stack:
                if stack[-1] is not None:
                    codes.append("".join(stack[-1]))
                    stack[-1] = None
                if kind == "end":
                    stack.pop()
        elif sub.tag in (_q("instrText"), _q("delInstrText")):
            if stack and stack[-1] is not None:
                stack[-1].append(sub.text or "")
            else:
                codes.append(sub.text or "")
    codes += ["".join(buf) for buf in stack if buf is not None]
    return codes


def _drop(el) -> None:
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def _document_part(pkg: _Package) -> str | None:
    data = pkg.entries.get("_rels/.rels")
    if data:
        try:
            for rel in _xml(data):
                if (rel.get("Type") or "").endswith("/officeDocument"):
                    return (rel.get("Target") or "").lstrip("/")
        except Exception:  # noqa: BLE001, S110 - broken package rels: the conventional name below
            pass
    return "word/document.xml" if "word/document.xml" in pkg.entries else None


@dataclass(frozen=True)
class HouseParts:
    logo: Fragment | None = None          # default-header pictures
    first_logo: Fragment | None = None    # what the cover page's header shows (None: nothing)
    cover: Fragment | None = None


def extract(entries: dict[str, bytes]) -> HouseParts:
    """The header logo and the cover of a reference document. Raises ValueError (in Chinese) for
    a reference document whose logo or cover cannot be copied safely."""
    pkg = _Package(entries)
    doc_part = _document_part(pkg)
    if not doc_part or doc_part not in entries:
        return HouseParts()
    try:
        root = _xml(entries[doc_part])
    except Exception:  # noqa: BLE001 - like a broken styles part: treated as missing (no logo, no cover)
        return HouseParts()
    body = root.find(_q("body"))
    if body is None:
        return HouseParts()
    sect = body.find(_q("sectPr"))
    doc_rels = pkg.rels(doc_part)
    logo = first_logo = None
    if sect is not None:
        refs = {r.get(_q("type")) or "default": r.get(_q("id", R_NS)) for r in sect.findall(_q("headerReference"))}
        title_pg = sect.find(_q("titlePg"))
        has_title_pg = title_pg is not None and title_pg.get(_q("val")) not in ("0", "false", "off")
        logo = _header_pictures(pkg, doc_rels, refs.get("default"), "logo")
        if has_title_pg:
            first_logo = _header_pictures(pkg, doc_rels, refs.get("first"), "firstlogo")
        else:
            first_logo = logo
    cover = _cover(pkg, doc_part, body)
    return HouseParts(logo=logo, first_logo=first_logo, cover=cover)


def _header_pictures(pkg: _Package, doc_rels: dict, rid: str | None, kind: str) -> Fragment | None:
    if not rid or rid not in doc_rels:
        return None
    _, part, external = doc_rels[rid]
    if external or part not in pkg.entries:
        return None
    try:
        hdr = _xml(pkg.entries[part])
    except Exception:  # noqa: BLE001 - a broken header part: no logo
        return None
    runs = []
    for r in hdr.iter(_q("r")):
        if any(_local(a) == "txbxContent" for a in r.iterancestors()):
            continue                          # a picture inside a header text box: not a logo
        if any(_local(c) in ("drawing", "pict") and _ns(c) == W_NS for c in r):
            runs.append(r)
    if not runs:
        return None
    cp = _Copier(pkg, part, kind, allow_links=False)
    copies = []
    for r in runs:
        c = copy.deepcopy(r)
        cp.clean(c)
        # the run keeps only its pictures (and its formatting): no stray text from the header
        for child in list(c):
            if _ns(child) == W_NS and _local(child) not in ("rPr", "drawing", "pict"):
                c.remove(child)
        cp.relink(c)
        copies.append(c)
    return cp.fragment(copies)


def _is_page_break(br) -> bool:
    return br.get(_q("type")) == "page"


def _own(el, tag: str):
    """Descendants ``tag`` of paragraph ``el`` that belong to it (not to a nested text box)."""
    for sub in el.iter(_q(tag)):
        p = sub.getparent()
        while p is not None and p is not el and _local(p) != "txbxContent":
            p = p.getparent()
        if p is el:
            yield sub


def _cover(pkg: _Package, doc_part: str, body) -> Fragment | None:
    # flatten block-level content controls (Word's own cover pages live in one)
    children = []

    def walk(parent):
        for child in parent:
            if child.tag == _q("sdt"):
                content = child.find(_q("sdtContent"))
                if content is not None:
                    walk(content)
            elif child.tag != _q("sectPr"):
                children.append(child)
    walk(body)
    cover: list = []
    found = False
    for k, child in enumerate(children):
        if child.tag == _q("p"):
            ppr = child.find(_q("pPr"))
            pbb = ppr.find(_q("pageBreakBefore")) if ppr is not None else None
            if pbb is not None and pbb.get(_q("val")) not in ("0", "false", "off") and k > 0:
                found = True
                break
            brs = [b for b in _own(child, "br") if _is_page_break(b)]
            if brs:
                p = copy.deepcopy(child)
                _truncate_at_break(p)
                if _has_content(p):
                    cover.append(p)
                found = True
                break
            cover.append(copy.deepcopy(child))
            if ppr is not None and ppr.find(_q("sectPr")) is not None:
                found = True
                break
        elif child.tag == _q("tbl"):
            cover.append(copy.deepcopy(child))
        else:
            cover.append(copy.deepcopy(child))
    if not found or not cover:
        return None
    cp = _Copier(pkg, doc_part, "cover", allow_links=True)
    for el in cover:
        cp.clean(el)
    fields = set()
    for el in cover:
        for p in el.iter(_q("p")):
            fields |= _normalize_placeholders(p)
    if not fields:
        return None                                  # sample text, not a cover
    for el in cover:
        cp.relink(el)
    return cp.fragment(cover, ends_with_table=cover[-1].tag == _q("tbl"), fields=frozenset(fields))


def _truncate_at_break(p) -> None:
    """Keep what comes before the paragraph's first page break."""
    br = next(b for b in _own(p, "br") if _is_page_break(b))
    run = br.getparent()
    # drop the break and everything after it in its run
    after = False
    for child in list(run):
        if child is br:
            after = True
        if after:
            run.remove(child)
    # drop the runs (and other content) after the break's run
    node = run
    while node is not None and node is not p:
        parent = node.getparent()
        drop = False
        for child in list(parent):
            if child is node:
                drop = True
                continue
            if drop and child.tag != _q("pPr"):
                parent.remove(child)
        node = parent


def _has_content(p) -> bool:
    if any((t.text or "").strip() for t in p.iter(_q("t"))):
        return True
    return any(True for _ in p.iter(_q("drawing"))) or any(True for _ in p.iter(_q("pict")))


def _normalize_placeholders(p) -> set[str]:
    """Merge each ``{{ name }}`` of paragraph ``p`` into the text node where it starts, as the
    token ``{{name}}``; returns the names. Raises ValueError for unknown names and ``{% %}``."""
    texts = list(_own(p, "t"))
    full = "".join(t.text or "" for t in texts)
    if "{" not in full:
        return set()
    shown = full.strip()[:60]
    if "{%" in full or "{#" in full:
        raise ValueError(f"封面段落“{shown}”中含有 {{% %}} 或 {{# #}}：封面只支持 {{{{ 占位符 }}}}")
    matches = list(_PLACEHOLDER.finditer(full))
    names = set()
    for m in matches:
        name = m.group(1)
        if name not in COVER_FIELDS:
            raise ValueError(f"封面段落“{shown}”中的占位符 {{{{ {name} }}}} 无法识别；可用："
                             + "、".join(COVER_FIELDS))
        names.add(name)
    rest = _PLACEHOLDER.sub("", full)
    if "{{" in rest or "}}" in rest:
        raise ValueError(f"封面段落“{shown}”中有未闭合的 {{{{ 或 }}}}")
    for m in reversed(matches):            # right to left: earlier offsets stay valid
        s, e = m.span()
        token = "{{" + m.group(1) + "}}"
        first = True
        pos = 0
        for t in texts:
            text = t.text or ""
            ts, te = pos, pos + len(text)
            pos = te
            if te <= s or ts >= e:
                continue
            a, b = max(s, ts) - ts, min(e, te) - ts
            t.text = text[:a] + (token if first else "") + text[b:]
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            first = False
    return names


def cover_values(cover) -> dict[str, str]:
    """The placeholder values for a kitgen.ooxml.model.Cover."""
    values = {"company": cover.company, "title": cover.title, "subtitle": cover.subtitle or "",
              "number": cover.number, "version": cover.version, "effective_date": cover.effective_date,
              "editor": "", "reviewer": "", "approver": ""}
    for label, value in cover.control_rows or []:
        key = CONTROL_KEYS.get(label)
        if key:
            values[key] = value or ""
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _fill(root, values: dict[str, str]) -> None:
    from kitgen.ooxml.xmltext import check_text
    for t in list(root.iter(_q("t"))):
        text = t.text or ""
        if "{{" not in text:
            continue
        new = _TOKEN.sub(lambda m: values.get(m.group(1), ""), text)
        check_text(new)
        t.text = new
        if _FILL_IN.search(new):
            _highlight_run(t)


def _highlight_run(t) -> None:
    """Split the run of text node ``t`` so that each 【待填写：…】 is its own highlighted run."""
    from lxml import etree
    run = t.getparent()
    if run is None or run.tag != _q("r") or len([c for c in run if c.tag == _q("t")]) != 1:
        return
    parent = run.getparent()
    text = t.text or ""
    pieces = []
    pos = 0
    for m in _FILL_IN.finditer(text):
        if m.start() > pos:
            pieces.append((text[pos:m.start()], False))
        pieces.append((m.group(), True))
        pos = m.end()
    if pos < len(text):
        pieces.append((text[pos:], False))
    idx = parent.index(run)
    for k, (piece, mark) in enumerate(pieces):
        nr = copy.deepcopy(run)
        nt = nr.find(_q("t"))
        nt.text = piece
        nt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        if mark:
            rpr = nr.find(_q("rPr"))
            if rpr is None:
                rpr = etree.Element(_q("rPr"))
                nr.insert(0, rpr)
            for old in rpr.findall(_q("highlight")):
                rpr.remove(old)
            hl = etree.Element(_q("highlight"))
            hl.set(_q("val"), "yellow")
            # CT_RPr order: highlight comes before u, effect, bdr, shd, fitText, vertAlign, … lang
            after = next((c for c in rpr if _local(c) in _AFTER_HIGHLIGHT), None)
            if after is not None:
                after.addprevious(hl)
            else:
                rpr.append(hl)
        parent.insert(idx + k, nr)
    parent.remove(run)


_AFTER_HIGHLIGHT = {"u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
                    "eastAsianLayout", "specVanish", "oMath"}
