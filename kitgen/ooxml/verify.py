"""Every file of a kit is checked before anything is written (publish calls ``verify_files``).

What a file must pass:

- **Paths**: relative, "/"-separated, no empty/"."/".." component, no backslash, drive letter or
  control character, each component at most 255 bytes in UTF-8, and unique even on a
  case-insensitive file system (Windows, macOS); ``kit.json`` is kitgen's own.
- **Office files** (.docx, .xlsx): a zip without duplicate or escaping entry names that unpacks to
  less than 200 MB; every XML part parses with a safe parser (no DTD, no entity expansion, no
  network); no control character in the text (C0 other than tab/LF/CR, DEL, C1, U+FFFE/U+FFFF);
  ``[Content_Types].xml`` gives a content type to every part and overrides only parts that exist;
  the package's main part is there with the right content type; every relationship part belongs
  to an existing part, its ids are unique and every internal target exists; every relationship id
  a part uses (r:id, r:embed …) is declared in that part's relationships. Word documents also get
  unique ids across the document's stories (body, headers, footers, notes, comments):
  ``w:bookmarkStart/@w:id``, ``wp:docPr/@id``, ``w14:paraId`` (and paraId below 0x80000000).
- **Text files** (.txt, .csv, .md) are UTF-8 without control characters; **.json** parses.

A failure raises :class:`kitgen.errors.BuildFailed` naming the file, the part and the problem
(exit code 4); nothing has been written by then.
"""
from __future__ import annotations

import io
import json
import posixpath
import re
import threading
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote


__all__ = ["MAX_UNCOMPRESSED", "Finding", "check_file", "check_package"]

MAX_UNCOMPRESSED = 256 * 1024 * 1024       # = safe_read.MAX_TOTAL (kitgen/limits.py ZIP_MAX_TOTAL)
MAX_COMPONENT_BYTES = 255                # ext4, NTFS (in UTF-16 units, stricter here), APFS
CONTENT_TYPES = "[Content_Types].xml"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOC = R_NS + "/officeDocument"
_NS = {"w": W_NS, "wp": WP_NS, "w14": W14_NS, "r": R_NS, "rel": PKG_REL_NS, "ct": CT_NS}

# the main part's content type, per extension
MAIN_TYPES = {
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",),
}
TEXT_EXTS = {".txt", ".csv", ".md"}
HINT = "可正常打开的文件；这是 kitgen 或所用覆盖层（条款、模板、参考文档）的缺陷，请连同配置文件一并报告"

# C1 controls (U+0080..U+009F) in UTF-8
_C1_BYTES = re.compile(rb"\xc2[\x80-\x9f]")
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_DRIVE = re.compile(r"^[A-Za-z]:")
_XPATH_CACHE: dict = {}


def _xp(expr: str):
    from lxml import etree
    fn = _XPATH_CACHE.get(expr)
    if fn is None:
        fn = _XPATH_CACHE[expr] = etree.XPath(expr, namespaces=_NS)
    return fn


_LOCAL = threading.local()            # lxml parsers are not to be shared between threads


def _parser():
    parser = getattr(_LOCAL, "tree_parser", None)
    if parser is None:
        from lxml import etree
        parser = _LOCAL.tree_parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=True,
            remove_blank_text=False, collect_ids=False)
    return parser


@dataclass(frozen=True)
class Finding:
    """One thing wrong in a file: the same fields and wording as kitgen's Problem (line is None)."""
    file: str
    line: None
    path: str            # the part (word/document.xml …), "" for the whole file
    message: str
    hint: str = ""

    def __str__(self) -> str:
        field = f" {self.path}:" if self.path else ""
        hint = f" (应为{self.hint})" if self.hint else ""
        return f"{self.file}:{field} {self.message}{hint}"


class _Collector:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Finding] = []

    def add(self, part: str, message: str, hint: str = HINT) -> None:
        self.problems.append(Finding(self.file, None, part, f"生成的文件未通过校验：{message}", hint))


# ------------------------------------------------------------------------------------ files
def check_file(path: str, data, cache: dict | None = None) -> list[Finding]:
    """The problems of one file, judged by its extension."""
    if not isinstance(data, (bytes, bytearray)):
        return [Finding(path, None, "", f"生成的文件未通过校验：内容不是字节串（{type(data).__name__}）", HINT)]
    ext = posixpath.splitext(path)[1].lower()
    if ext in MAIN_TYPES:
        return check_package(path, bytes(data), ext, cache)
    if ext == ".json":
        try:
            json.loads(bytes(data).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            return [Finding(path, None, "", f"生成的文件未通过校验：不是有效的 UTF-8 JSON（{exc}）", HINT)]
        return []
    if ext in TEXT_EXTS:
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            return [Finding(path, None, "", "生成的文件未通过校验：不是 UTF-8 文本", HINT)]
        bad = _BAD_CHARS.search(text)
        if bad:
            return [Finding(path, None, "", f"生成的文件未通过校验：含有控制字符 U+{ord(bad.group()):04X}", HINT)]
    return []


def _zip_name_problem(name: str) -> str | None:
    if not name or name.startswith("/") or "\\" in name or _DRIVE.match(name):
        return "zip 条目名称不合法"
    if any(c in ("", ".", "..") for c in name.rstrip("/").split("/")):
        return "zip 条目名称含有 “..” 或空的部分"
    if _BAD_CHARS.search(name):
        return "zip 条目名称含有控制字符"
    return None


def check_package(path: str, data: bytes, ext: str = ".docx", cache: dict | None = None) -> list[Finding]:
    """The problems of one Office (OPC) package: see the module docstring. ``cache`` (bytes →
    result) lets parts shared by many files of a kit (styles, theme, numbering …) be checked once."""
    c = _Collector(path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        c.add("", f"不是有效的 zip 文件（{exc}）")
        return c.problems
    parts: dict[str, bytes] = {}
    with zf:
        infos = zf.infolist()
        if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
            c.add("", f"解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB")
            return c.problems
        folded: set[str] = set()
        for info in infos:
            if info.is_dir():
                continue
            name = info.filename
            why = _zip_name_problem(name)
            if why:
                c.add(name, why)
                continue
            if name.casefold() in folded:
                c.add(name, "zip 中有重复的条目（部件名不区分大小写）")
                continue
            folded.add(name.casefold())
            try:
                parts[name] = zf.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
                c.add(name, f"zip 条目无法解压（{exc}）")
    if c.problems:
        return c.problems

    trees = {}                                   # parsed relationship parts and content types
    analysed: dict[str, _Part] = {}
    for name, content in parts.items():
        low = name.lower()
        if not low.endswith((".xml", ".rels")):
            continue
        tree = low.endswith(".rels") or name == CONTENT_TYPES
        ids = ext == ".docx" and not tree and not _shared(name)
        if cache is not None and not tree and not ids:
            part = cache.get(content)
            if part is None:
                part = cache[content] = _analyse(content)
        else:
            part = _analyse(content, tree=tree, ids=ids)
        if part.message:
            c.add(name, part.message)
            continue
        analysed[name] = part
        if tree:
            trees[name] = part.root
    if c.problems:
        return c.problems

    # content types
    ct = trees.get(CONTENT_TYPES)
    types: dict[str, str] = {}
    if ct is None:
        c.add(CONTENT_TYPES, "缺少 [Content_Types].xml")
    else:
        defaults = {(e.get("Extension") or "").lower(): e.get("ContentType") or ""
                    for e in ct.iterchildren(f"{{{CT_NS}}}Default")}
        overrides: dict[str, str] = {}
        for e in ct.iterchildren(f"{{{CT_NS}}}Override"):
            pn = e.get("PartName") or ""
            overrides[pn.lower()] = e.get("ContentType") or ""
        existing = {"/" + n.lower() for n in parts}
        for pn in sorted(overrides):
            if pn not in existing:
                c.add(CONTENT_TYPES, f"内容类型覆盖了不存在的部件 {pn}")
        for name in parts:
            if name == CONTENT_TYPES:
                continue
            ctype = overrides.get("/" + name.lower())
            if ctype is None:
                base = name.rsplit("/", 1)[-1]
                ctype = defaults.get(base.rsplit(".", 1)[1].lower()) if "." in base else None
            if ctype is None:
                c.add(name, "部件没有登记在 [Content_Types].xml 中（既无 Override 也无对应扩展名的 Default）")
            else:
                types[name] = ctype

    # relationships
    rel_ids: dict[str, set[str]] = {}            # source part → its relationship ids
    main = None
    for name in sorted(trees):
        if not name.endswith(".rels"):
            continue
        folder, _, base = name.rpartition("/")
        if not (folder == "_rels" or folder.endswith("/_rels")) or not base.endswith(".rels"):
            c.add(name, "关系部件不在 _rels 文件夹中")
            continue
        src_dir = folder[: -len("_rels")].rstrip("/")
        source = posixpath.join(src_dir, base[: -len(".rels")]) if base != ".rels" else ""
        if source and source not in parts:
            c.add(name, f"关系部件所属的部件 {source} 不存在")
        ids: set[str] = set()
        for rel in trees[name].iterchildren(f"{{{PKG_REL_NS}}}Relationship"):
            rid = rel.get("Id") or ""
            target = rel.get("Target") or ""
            if not rid:
                c.add(name, "关系缺少 Id")
            elif rid in ids:
                c.add(name, f"关系编号 {rid} 重复")
            ids.add(rid)
            if rel.get("TargetMode") == "External":
                continue
            resolved = _resolve(src_dir, target)
            if resolved is None or resolved not in parts:
                c.add(name, f"关系 {rid} 指向的部件 {target or '（空）'} 不存在")
                continue
            if source == "" and rel.get("Type") == OFFICE_DOC:
                main = resolved
        rel_ids[source] = ids

    expected = MAIN_TYPES.get(ext)
    if expected:
        if main is None:
            c.add("_rels/.rels", "缺少指向主文档的关系（officeDocument）")
        elif types.get(main) is not None and types[main] not in expected:
            c.add(main, f"主文档的内容类型是 {types[main]}，应为 {expected[0]}")

    # relationship ids used by the parts
    for name, part in analysed.items():
        if not part.rids:
            continue
        declared = rel_ids.get(name, set())
        missing = sorted({v for v in part.rids if v and v not in declared})
        if missing:
            c.add(name, f"使用了未声明的关系编号：{'、'.join(missing[:5])}")

    if ext == ".docx":
        _docx_ids(c, analysed, types)
    return c.problems


def _resolve(src_dir: str, target: str) -> str | None:
    target = unquote(target.split("#", 1)[0])
    if not target:
        return None
    if target.startswith("/"):
        name = target.lstrip("/")
    else:
        name = posixpath.join(src_dir, target) if src_dir else target
    name = posixpath.normpath(name)
    if name.startswith("../") or name == ".." or name == ".":
        return None
    return name


# parts that many files of a kit share byte for byte (the base template's): checked once per build
_SHARED_NAME = re.compile(r"(word/(styles|numbering|fontTable|settings|webSettings|stylesWithEffects)\.xml"
                          r"|word/theme/[^/]+\.xml|xl/styles\.xml|docProps/[^/]+\.xml|customXml/[^/]+\.xml)", re.IGNORECASE)


def _shared(name: str) -> bool:
    return _SHARED_NAME.fullmatch(name) is not None


class _Part:
    """What the checks need from one XML part."""
    __slots__ = ("ids", "message", "rids", "root")

    def __init__(self, root=None, message: str = "", rids=(), ids=None):
        self.root = root                  # the lxml tree (relationship parts, content types only)
        self.message = message            # why the part is bad ("" when it is good)
        self.rids = list(rids)            # relationship ids the part uses (r:id, r:embed …)
        self.ids = ids or {}              # Word ids: "bookmark" / "docpr" / "paraid" → values in order


_ID_KINDS = ("bookmark", "docpr", "paraid")
_WS = frozenset(b" \t\r\n")
_PATTERNS: dict = {}


def _patterns(w: bytes | None, wp: bytes | None, w14: bytes | None, r: bytes | None):
    """kind → (literal needle, pattern matched at each hit, the hit must follow white space)."""
    key = (w, wp, w14, r)
    pats = _PATTERNS.get(key)
    if pats is None:
        q = rb"""\s*=\s*(["'])(.*?)\1"""
        e = re.escape
        pats = _PATTERNS[key] = {
            "bookmark": (b"<" + w + b":bookmarkStart",
                         re.compile(b"<" + e(w) + rb":bookmarkStart\b[^>]*?\s" + e(w) + b":id" + q, re.DOTALL), False)
            if w else None,
            "docpr": (b"<" + wp + b":docPr", re.compile(b"<" + e(wp) + rb":docPr\b[^>]*?\sid" + q, re.DOTALL), False)
            if wp else None,
            "paraid": (w14 + b":paraId", re.compile(e(w14) + b":paraId" + q, re.DOTALL), True) if w14 else None,
            "rid": (r + b":", re.compile(e(r) + rb":[A-Za-z][\w.-]*" + q, re.DOTALL), True) if r else None,
        }
    return pats


def _values(spec, content: bytes) -> list[str]:
    """The values of one kind of id: bytes.find jumps between hits (much faster than a regex
    scanning the whole part), the pattern is matched only where the needle is."""
    if spec is None:
        return []
    needle, pattern, attribute = spec
    out = []
    find, match = content.find, pattern.match
    pos = find(needle)
    while pos >= 0:
        if not attribute or (pos > 0 and content[pos - 1] in _WS):
            m = match(content, pos)
            if m:
                out.append(m.group(2).decode("utf-8", "replace"))
        pos = find(needle, pos + 1)
    return out


_DECL = re.compile(rb"""xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(["'])(.*?)\2""", re.DOTALL)


class _NoTree:
    """An lxml parser target that builds nothing: libxml2 still checks that the part is
    well-formed (errors raise; namespace errors go to the parser's error log)."""

    def close(self) -> None:
        return None


def _checking_parser():
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        from lxml import etree
        parser = _LOCAL.parser = etree.XMLParser(
            target=_NoTree(), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    return parser


def _analyse(content: bytes, tree: bool = False, ids: bool = False) -> _Part:
    """Check one XML part. Fast path: libxml2 without building a tree (well-formed, namespaces
    bound) plus byte-level scans for the ids; anything unusual (a DTD, comment or CDATA, a
    character reference, a suspicious byte, an ambiguous namespace prefix, any parser message)
    goes to the exact path, which builds the tree."""
    # (single-byte searches first: they run at memchr speed; libxml2 itself refuses C0 controls
    # and U+FFFE/U+FFFF, so DEL and C1 controls, raw or as character references, are what is left)
    if tree or (b"!" in content and b"<!" in content) or (b"#" in content and b"&#" in content) \
            or b"\x7f" in content or (b"\xc2" in content and _C1_BYTES.search(content)):
        return _analyse_lxml(content, ids)
    from lxml import etree
    parser = _checking_parser()
    try:
        etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        return _analyse_lxml(content, ids)
    if len(parser.error_log):
        return _analyse_lxml(content, ids)
    by_prefix: dict = {}
    for m in _DECL.finditer(content):
        by_prefix.setdefault(m.group(1), set()).add(m.group(3).decode("utf-8", "replace"))
    prefixes = {}
    for uri in (W_NS, WP_NS, W14_NS, R_NS):
        bound = [p for p, uris in by_prefix.items() if uri in uris]
        if len(bound) > 1 or any(len(by_prefix[p]) > 1 for p in bound) or None in bound:
            return _analyse_lxml(content, ids)       # the same namespace under two prefixes (or none)
        prefixes[uri] = bound[0] if bound else None
    pats = _patterns(prefixes[W_NS], prefixes[WP_NS], prefixes[W14_NS], prefixes[R_NS])
    found = {}
    if ids:
        found = {kind: _values(pats[kind], content) for kind in _ID_KINDS}
    return _Part(None, "", _values(pats["rid"], content), found)


def _analyse_lxml(content: bytes, ids: bool = False) -> _Part:
    from lxml import etree
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        return _Part(message=f"XML 无法解析（{exc}）")
    if root.getroottree().docinfo.doctype or root.getroottree().docinfo.internalDTD is not None:
        return _Part(message="XML 含有 DTD 声明（<!DOCTYPE>），Office 文件不应含有")
    message = _control_chars(root)
    if message:
        return _Part(message=message)
    found = {}
    if ids:
        found = {"bookmark": [str(v) for v in _xp("//w:bookmarkStart/@w:id")(root)],
                 "docpr": [str(v) for v in _xp("//wp:docPr/@id")(root)],
                 "paraid": [str(v) for v in _xp("//@w14:paraId")(root)]}
    return _Part(root, "", [str(v) for v in _xp("//@r:*")(root)], found)


def _control_chars(root) -> str:
    for text in root.itertext():
        bad = _BAD_CHARS.search(text)
        if bad:
            snippet = text[max(0, bad.start() - 15): bad.start() + 15]
            return f"文字中含有控制字符 U+{ord(bad.group()):04X}：{_BAD_CHARS.sub('�', snippet)!r}"
    for el in root.iter():
        for key, value in el.attrib.items():
            bad = _BAD_CHARS.search(value)
            if bad:
                return f"属性 {key} 含有控制字符 U+{ord(bad.group()):04X}"
    return ""


_STORY_TYPES = ("document.main+xml", "header+xml", "footer+xml", "footnotes+xml", "endnotes+xml",
                "comments+xml", "document.glossary+xml", "template.main+xml", "document.macroEnabled.main+xml")


def _docx_ids(c: _Collector, analysed: dict, types: dict[str, str]) -> None:
    """Ids Word wants unique across the whole document (every story part)."""
    stories = sorted(n for n, part in analysed.items() if part.ids and types.get(n, "").endswith(_STORY_TYPES)
                     and "glossary" not in types.get(n, ""))
    labels = {"bookmark": "书签编号 w:bookmarkStart/@w:id", "docpr": "图片编号 wp:docPr/@id",
              "paraid": "段落编号 w14:paraId"}
    for kind in _ID_KINDS:
        seen: dict[str, str] = {}
        for name in stories:
            for value in analysed[name].ids.get(kind, ()):
                if value in seen:
                    where = "" if seen[value] == name else f"（另见 {seen[value]}）"
                    c.add(name, f"{labels[kind]} = {value} 重复{where}")
                    break
                seen[value] = name
                if kind == "paraid":
                    try:
                        ok = int(value, 16) < 0x80000000
                    except ValueError:
                        ok = False
                    if not ok:
                        c.add(name, f"{labels[kind]} = {value} 不是小于 80000000 的十六进制数")
                        break
