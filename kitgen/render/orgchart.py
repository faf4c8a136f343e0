"""The organisation chart (申请资料第6项 组织机构图，含售后服务组织机构图) as a PNG, drawn with Pillow.

The chart is built from data only: the company, its top manager, the departments (ctx ``dept``),
the after-sales department with its teams (clauses/dossier.yaml ``org_chart.teams``) and the
outlets grouped direct / entrusted. Up to ``LIST_LIMIT`` outlets are listed by name (entrusted ones
with their partner); beyond that each group lists provinces with their counts, so a network of
thousands of outlets stays one readable picture.

Text needs a CJK font: KITGEN_CJK_FONT (a .ttf/.ttc/.otf path) when set, else what fontconfig
finds for Chinese, else the usual Linux / Windows / macOS paths. Without one the chart is still
drawn, with numbered boxes and a legend (``OrgChart.legend``) that the Word document prints, and
``OrgChart.warning`` says why.

The same chart is also written as Graphviz DOT text (``OrgChart.dot``), kept beside the picture
so a consultant can redraw or edit it.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DPI = 180
WIDTH_CM = 16.0
WIDTH_PX = round(WIDTH_CM / 2.54 * DPI)            # 1134
MARGIN = 24
FONT_PX = 21                                      # ≈ 8.4 pt at 16 cm
SMALL_PX = 18
TITLE_PX = 25
LIST_LIMIT = 12                                   # outlets listed by name up to this many

# colours
INK = (33, 33, 33)
LINE = (90, 90, 90)
CO_FILL, CO_TEXT = (31, 78, 121), (255, 255, 255)
GM_FILL, GM_TEXT = (46, 117, 182), (255, 255, 255)
DEPT_FILL, DEPT_LINE = (221, 235, 247), (46, 117, 182)
SVC_FILL, SVC_LINE = (252, 228, 214), (197, 90, 17)
TEAM_FILL = (255, 242, 204)
GROUP_FILL = (255, 255, 255)
SECTION_LINE = (197, 90, 17)

COMMON_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyh.ttf", "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf", "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
)


# ------------------------------------------------------------------------------------- data
@dataclass
class OutletGroup:
    title: str                         # 直属网点（5个）
    lines: list[tuple[str, str]]       # (text, right-aligned count or "") — names or provinces
    dashed: bool = False               # entrusted: a dashed connector and border
    grouped: bool = False              # lines are provinces with counts


@dataclass
class ChartSpec:
    company: str
    gm: str
    departments: list[str]
    service: str                       # the after-sales department (one of departments)
    service_head: str                  # e.g. 负责人：周晓燕 (or "")
    teams: list[str]
    outlet_parent: str                 # the team the outlets hang under ("" = the service dept)
    groups: list[OutletGroup]
    note: str = ""                     # printed under the chart (legend of line styles etc.)


@dataclass
class OrgChart:
    png: bytes
    width_px: int
    height_px: int
    dot: str
    warning: str = ""                  # non-empty when no CJK font was found
    legend: list[tuple[str, str]] = field(default_factory=list)   # (number, name) in fallback mode
    font: str = ""

    @property
    def width_cm(self) -> float:
        return round(self.width_px / DPI * 2.54, 2)

    @property
    def height_cm(self) -> float:
        return round(self.height_px / DPI * 2.54, 2)


def outlet_groups(outlets, list_limit: int = LIST_LIMIT) -> list[OutletGroup]:
    """Direct and entrusted groups: outlet names (≤ list_limit in all) or provinces with counts.
    One pass over the outlets, whatever their number."""
    direct, entrusted = [], []
    for o in outlets:
        (direct if o.operator == "direct" else entrusted).append(o)
    grouped = len(direct) + len(entrusted) > list_limit
    groups = []
    for kind, items in (("direct", direct), ("entrusted", entrusted)):
        if not items:
            continue
        if kind == "direct":
            title = f"直属网点（{len(items)}个）"
        else:
            partners = len({o.partner for o in items if o.partner})
            title = f"委托网点（{len(items)}个，合作单位{partners}家）"
        if grouped:
            counts: dict[str, int] = {}
            for o in items:
                key = o.province or "未注明省份"
                counts[key] = counts.get(key, 0) + 1
            lines = [(prov, f"{n}个") for prov, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        else:
            lines = [(o.name if kind == "direct" or not o.partner else f"{o.name}（{o.partner}）", "")
                     for o in items]
        groups.append(OutletGroup(title, lines, dashed=kind == "entrusted", grouped=grouped))
    return groups


# ------------------------------------------------------------------------------------- fonts
def _fc_match() -> tuple[str, int] | None:
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{lang}", ":lang=zh-cn"],
                             capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, rest = out.partition("|")
    index, _, langs = rest.partition("|")
    if not path or not Path(path).is_file() or "zh" not in langs:
        return None
    try:
        return path, int(index or 0)
    except ValueError:
        return path, 0


def _sc_index(path: str) -> int:
    """For a font collection, the face whose name says SC (simplified Chinese), else 0."""
    if not path.lower().endswith(".ttc"):
        return 0
    from PIL import ImageFont
    for i in range(10):
        try:
            family = ImageFont.truetype(path, 12, index=i).getname()[0]
        except (OSError, ValueError):
            break
        if family.endswith("SC") or "SC " in family:
            return i
    return 0


def find_cjk_font() -> tuple[str, int] | None:
    """(path, face index) of a font with Chinese glyphs, or None: KITGEN_CJK_FONT, fontconfig,
    then the usual paths."""
    return _find_cjk_font(os.environ.get("KITGEN_CJK_FONT", "").strip())


@lru_cache(maxsize=8)
def _find_cjk_font(env: str) -> tuple[str, int] | None:
    candidates: list[tuple[str, int | None]] = []
    if env:
        candidates.append((env, None))
    found = _fc_match()
    if found:
        candidates.append(found)
    candidates += [(p, None) for p in COMMON_FONTS]
    from PIL import ImageFont
    for path, index in candidates:
        if not path or not Path(path).is_file():
            continue
        try:
            idx = _sc_index(path) if index is None else index
            ImageFont.truetype(path, 12, index=idx)
        except (OSError, ValueError):
            continue
        return path, idx
    return None


def _bold_variant(path: str) -> str | None:
    for a, b in (("Regular", "Bold"), ("-Regular", "-Bold"), ("msyh.", "msyhbd.")):
        if a in path:
            cand = path.replace(a, b)
            if Path(cand).is_file():
                return cand
    return None


class _Fonts:
    def __init__(self, found: tuple[str, int] | None):
        from PIL import ImageFont
        self.cjk = found is not None
        if found:
            path, idx = found
            bold = _bold_variant(path)
            self.regular = ImageFont.truetype(path, FONT_PX, index=idx)
            self.small = ImageFont.truetype(path, SMALL_PX, index=idx)
            self.bold = ImageFont.truetype(bold or path, FONT_PX, index=idx) if bold else self.regular
            self.title = ImageFont.truetype(bold or path, TITLE_PX, index=idx)
        else:
            try:
                self.regular = ImageFont.load_default(FONT_PX)
                self.small = ImageFont.load_default(SMALL_PX)
                self.bold = self.regular
                self.title = ImageFont.load_default(TITLE_PX)
            except TypeError:                       # very old Pillow: a bitmap font, no sizes
                self.regular = self.small = self.bold = self.title = ImageFont.load_default()


# ------------------------------------------------------------------------------------- drawing
@dataclass
class _Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def bottom(self) -> int:
        return self.y + self.h


def _text_w(font, text: str) -> float:
    return font.getlength(text) if text else 0.0


def _line_h(font) -> int:
    try:
        a, d = font.getmetrics()
        return int(a + d)
    except AttributeError:
        return FONT_PX + 4


def _dashed(draw, p0, p1, width=2, dash=9, gap=6, fill=LINE):
    (x0, y0), (x1, y1) = p0, p1
    length = max(abs(x1 - x0), abs(y1 - y0))
    if length == 0:
        return
    dx, dy = (x1 - x0) / length, (y1 - y0) / length
    pos = 0.0
    while pos < length:
        end = min(pos + dash, length)
        draw.line([(x0 + dx * pos, y0 + dy * pos), (x0 + dx * end, y0 + dy * end)], fill=fill, width=width)
        pos = end + gap


def _rect(draw, b: _Box, fill, outline, width=2, dashed=False):
    if dashed:
        draw.rectangle([b.x, b.y, b.x + b.w, b.bottom], fill=fill)
        for p0, p1 in (((b.x, b.y), (b.x + b.w, b.y)), ((b.x + b.w, b.y), (b.x + b.w, b.bottom)),
                       ((b.x + b.w, b.bottom), (b.x, b.bottom)), ((b.x, b.bottom), (b.x, b.y))):
            _dashed(draw, p0, p1, width=width, fill=outline)
    else:
        draw.rectangle([b.x, b.y, b.x + b.w, b.bottom], fill=fill, outline=outline, width=width)


def _fit(font, text: str, max_w: float) -> str:
    if _text_w(font, text) <= max_w:
        return text
    while text and _text_w(font, text + "…") > max_w:
        text = text[:-1]
    return text + "…"


def _wrap(font, text: str, max_w: float, max_lines: int = 2) -> list[str]:
    """Break text into at most max_lines lines (CJK text breaks anywhere), the last one fitted."""
    lines: list[str] = []
    rest = text
    while rest and len(lines) < max_lines - 1 and _text_w(font, rest) > max_w:
        cut = len(rest)
        while cut > 1 and _text_w(font, rest[:cut]) > max_w:
            cut -= 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        lines.append(_fit(font, rest, max_w))
    return lines


_BREAKS = str.maketrans({c: " " for c in "\n\r\t\v\f\x85\u2028\u2029"})
MAX_LABEL = 240          # characters measured for one box (a longer text is cut with … anyway)


def _one_line(text: str) -> str:
    """A box label: one line (PIL's raqm layout fails on a line break), not absurdly long (fitting
    measures it repeatedly)."""
    return text.translate(_BREAKS)[:MAX_LABEL] if isinstance(text, str) else text


def _clean_spec(spec: ChartSpec) -> ChartSpec:
    import dataclasses
    groups = [dataclasses.replace(g, title=_one_line(g.title), lines=[(_one_line(a), _one_line(b)) for a, b in g.lines])
              for g in spec.groups]
    return dataclasses.replace(
        spec, company=_one_line(spec.company), gm=_one_line(spec.gm), departments=[_one_line(d) for d in spec.departments],
        service=_one_line(spec.service), service_head=_one_line(spec.service_head),
        teams=[_one_line(t) for t in spec.teams], outlet_parent=_one_line(spec.outlet_parent), groups=groups)


class _Drawer:
    def __init__(self, spec: ChartSpec, fonts: _Fonts):
        spec = _clean_spec(spec)
        self.spec = spec
        self.f = fonts
        self.legend: list[tuple[str, str]] = []
        self._codes: dict[str, str] = {}

    def label(self, text: str) -> str:
        """The text shown in a box: itself, or a number when no CJK font is available."""
        if self.f.cjk or text.isascii():
            return text
        code = self._codes.get(text)
        if code is None:
            code = self._codes[text] = str(len(self._codes) + 1)
            self.legend.append((code, text))
        return code

    # -- measuring helpers
    def hbox(self, lines: list[str], font, pad_x=14, pad_y=9, min_w=0) -> tuple[int, int]:
        lh = _line_h(font)
        w = max([_text_w(font, t) for t in lines] + [0]) + 2 * pad_x
        return int(max(w, min_w)), int(lh * len(lines) + 2 * pad_y)

    def draw_text_center(self, draw, b: _Box, lines: list[str], font, fill):
        lh = _line_h(font)
        total = lh * len(lines)
        y = b.y + (b.h - total) / 2
        for t in lines:
            draw.text((b.cx - _text_w(font, t) / 2, y), t, font=font, fill=fill)
            y += lh

    def draw_vertical(self, draw, b: _Box, text: str, font, fill):
        step = FONT_PX + 3
        y = b.y + (b.h - step * len(text)) / 2
        for ch in text:
            draw.text((b.cx - _text_w(font, ch) / 2, y), ch, font=font, fill=fill)
            y += step

    # -- rows of boxes
    def row_layout(self, names: list[str], font, left: int, right: int, gap: int = 12):
        """Boxes for a row of names between left and right: horizontal text when it fits, else
        vertical (竖排) text — the usual way a Chinese org chart shows many departments."""
        n = len(names)
        avail = right - left
        shown = [self.label(t) for t in names]
        widths = [self.hbox([t], font)[0] for t in shown]
        h_single = self.hbox(["国"], font)[1]
        if sum(widths) + gap * (n - 1) <= avail:
            total = sum(widths) + gap * (n - 1)
            x = left + (avail - total) // 2
            boxes = []
            for w in widths:
                boxes.append(_Box(int(x), 0, int(w), h_single))
                x += w + gap
            return boxes, shown, False
        # vertical text: equal slots
        slot = avail / n
        bw = int(min(max(FONT_PX + 22, slot * 0.62), slot - 6))
        longest = max(len(t) for t in shown)
        bh = int(longest * (FONT_PX + 3) + 22)
        boxes = [_Box(int(left + slot * i + (slot - bw) / 2), 0, bw, bh) for i in range(n)]
        return boxes, shown, True

    def connect(self, draw, parent: _Box, children: list[_Box], dashed: list[bool] | None = None, mid: int | None = None):
        """Orthogonal connectors: down from the parent, a bus, down to each child."""
        if not children:
            return
        top = min(c.y for c in children)
        y_bus = mid if mid is not None else (parent.bottom + top) // 2
        draw.line([(parent.cx, parent.bottom), (parent.cx, y_bus)], fill=LINE, width=2)
        xs = [c.cx for c in children] + [parent.cx]
        draw.line([(min(xs), y_bus), (max(xs), y_bus)], fill=LINE, width=2)
        for i, c in enumerate(children):
            if dashed and dashed[i]:
                _dashed(draw, (c.cx, y_bus), (c.cx, c.y))
            else:
                draw.line([(c.cx, y_bus), (c.cx, c.y)], fill=LINE, width=2)

    def render(self) -> tuple[bytes, int, int]:
        from PIL import Image, ImageDraw
        s, f = self.spec, self.f
        W = WIDTH_PX
        left, right = MARGIN, W - MARGIN
        V = 34                                            # vertical gap between rows

        # --- measure everything first
        co_lines = _wrap(f.title, self.label(s.company), right - left - 40)
        co_w, co_h = self.hbox(co_lines, f.title, pad_x=26, pad_y=12)
        co = _Box((W - co_w) // 2, MARGIN, co_w, co_h)
        gm_w, gm_h = self.hbox([self.label(s.gm)], f.bold, pad_x=30, min_w=150)
        gm = _Box((W - gm_w) // 2, co.bottom + V, gm_w, gm_h)

        depts, dept_text, dept_vertical = self.row_layout(s.departments, f.regular, left, right)
        dept_y = gm.bottom + V + 6
        for b in depts:
            b.y = dept_y
        svc_i = s.departments.index(s.service) if s.service in s.departments else -1
        dept_bottom = max((b.bottom for b in depts), default=gm.bottom)

        # after-sales section (框) starts under the department row
        sec_top = dept_bottom + V
        sec_title = self.label("售后服务组织机构")
        sec_title_h = _line_h(f.bold) + 8
        svc_lines = [self.label(s.service)] + ([self.label(s.service_head)] if s.service_head else [])
        sv_w, sv_h = self.hbox(svc_lines, f.bold, pad_x=24, min_w=180)
        svc = _Box((W - sv_w) // 2, sec_top + sec_title_h + 14, sv_w, sv_h)

        teams, team_text, team_vertical = self.row_layout(s.teams, f.regular, left + 16, right - 16) if s.teams else ([], [], False)
        team_y = svc.bottom + V
        for b in teams:
            b.y = team_y
        teams_bottom = max((b.bottom for b in teams), default=svc.bottom)

        # outlet groups, side by side
        groups = s.groups
        g_boxes: list[_Box] = []
        g_layout: list[dict] = []
        g_top = teams_bottom + V + 4
        if groups:
            gap = 24
            n = len(groups)
            inner_l, inner_r = left + 16, right - 16
            gw = int((inner_r - inner_l - gap * (n - 1)) / n) if n > 1 else int((inner_r - inner_l) * 0.62)
            x0 = inner_l if n > 1 else (W - gw) // 2
            lh = _line_h(f.small) + 2
            for i, g in enumerate(groups):
                head_h = _line_h(f.bold) + 16
                col_w = 215 if g.grouped else gw - 24
                cols = max(1, int((gw - 24) // col_w)) if g.grouped else 1
                items = self._group_lines(g, (gw - 24) / cols - (8 if cols > 1 else 0))
                rows = (len(items) + cols - 1) // cols
                h = head_h + rows * lh + 14
                g_boxes.append(_Box(int(x0 + i * (gw + gap)), g_top, gw, h))
                g_layout.append({"items": items, "cols": cols, "rows": rows, "lh": lh, "head_h": head_h})
        if not groups:
            none_lines = [self.label("总部集中提供售后服务（未设独立网点）")]
            nw, nh = self.hbox(none_lines, f.regular, pad_x=20)
            g_boxes.append(_Box((W - nw) // 2, g_top, nw, nh))
        groups_bottom = max(b.bottom for b in g_boxes)
        sec_bottom = groups_bottom + 18
        note_lines = _wrap(f.small, self.label(s.note), right - left, max_lines=3) if s.note else []
        H = sec_bottom + 12 + (len(note_lines) * (_line_h(f.small) + 2) if note_lines else 0) + MARGIN

        # --- draw
        img = Image.new("RGB", (W, int(H)), (255, 255, 255))
        d = ImageDraw.Draw(img)
        # section frame
        frame = _Box(left, sec_top, right - left, sec_bottom - sec_top)
        _rect(d, frame, None, SECTION_LINE, width=2, dashed=True)
        tw = _text_w(f.bold, sec_title)
        d.rectangle([left + 16, sec_top - sec_title_h // 2, left + 32 + tw, sec_top + sec_title_h // 2],
                    fill=(255, 255, 255))
        d.text((left + 24, sec_top - _line_h(f.bold) // 2), sec_title, font=f.bold, fill=SECTION_LINE)

        # company → GM → departments
        d.rectangle([co.x, co.y, co.x + co.w, co.bottom], fill=CO_FILL)
        self.draw_text_center(d, co, co_lines, f.title, CO_TEXT)
        d.line([(co.cx, co.bottom), (gm.cx, gm.y)], fill=LINE, width=2)
        d.rectangle([gm.x, gm.y, gm.x + gm.w, gm.bottom], fill=GM_FILL)
        self.draw_text_center(d, gm, [self.label(s.gm)], f.bold, GM_TEXT)
        self.connect(d, gm, depts)
        for i, (b, t) in enumerate(zip(depts, dept_text)):
            svc_box = i == svc_i
            _rect(d, b, SVC_FILL if svc_box else DEPT_FILL, SVC_LINE if svc_box else DEPT_LINE,
                  width=3 if svc_box else 2)
            if dept_vertical:
                self.draw_vertical(d, b, t, f.bold if svc_box else f.regular, INK)
            else:
                self.draw_text_center(d, b, [t], f.bold if svc_box else f.regular, INK)
        # the after-sales department in the row leads down to its own chart
        if svc_i >= 0:
            sb = depts[svc_i]
            y_mid = sec_top + sec_title_h // 2 + 4
            _dashed(d, (sb.cx, sb.bottom), (sb.cx, y_mid), fill=SVC_LINE)
            if sb.cx != svc.cx:
                _dashed(d, (sb.cx, y_mid), (svc.cx, y_mid), fill=SVC_LINE)
            _dashed(d, (svc.cx, y_mid), (svc.cx, svc.y), fill=SVC_LINE)
        _rect(d, svc, SVC_FILL, SVC_LINE, width=3)
        self.draw_text_center(d, svc, svc_lines, f.bold, INK)

        # teams
        self.connect(d, svc, teams)
        for b, t in zip(teams, team_text):
            _rect(d, b, TEAM_FILL, SVC_LINE, width=2)
            if team_vertical:
                self.draw_vertical(d, b, t, f.regular, INK)
            else:
                self.draw_text_center(d, b, [t], f.regular, INK)

        # outlets under the outlet-management team (or the department)
        parent = svc
        if s.outlet_parent and s.outlet_parent in s.teams:
            parent = teams[s.teams.index(s.outlet_parent)]
        if groups:
            y_bus = teams_bottom + (g_top - teams_bottom) // 2
            if parent is svc and teams:
                # run the line down beside the team row, not through it
                x_side = right - 8
                d.line([(svc.x + svc.w, svc.y + svc.h // 2), (x_side, svc.y + svc.h // 2)], fill=LINE, width=2)
                d.line([(x_side, svc.y + svc.h // 2), (x_side, y_bus)], fill=LINE, width=2)
                xs = [b.cx for b in g_boxes] + [x_side]
                d.line([(min(xs), y_bus), (max(xs), y_bus)], fill=LINE, width=2)
                for b, g in zip(g_boxes, groups):
                    (_dashed if g.dashed else (lambda dr, a, c: dr.line([a, c], fill=LINE, width=2)))(
                        d, (b.cx, y_bus), (b.cx, b.y))
            else:
                self.connect(d, parent, g_boxes, [g.dashed for g in groups], mid=y_bus)
            for b, g, lay in zip(g_boxes, groups, g_layout):
                _rect(d, b, GROUP_FILL, LINE, width=2, dashed=g.dashed)
                title = self.label(g.title)
                d.rectangle([b.x + 1, b.y + 1, b.x + b.w - 1, b.y + lay["head_h"] - 4], fill=(242, 242, 242))
                d.text((b.x + (b.w - _text_w(f.bold, title)) / 2, b.y + 7), _fit(f.bold, title, b.w - 16),
                       font=f.bold, fill=INK)
                cols, rows, lh = lay["cols"], lay["rows"], lay["lh"]
                col_w = (b.w - 24) / cols
                for k, (text, count) in enumerate(lay["items"]):
                    c, r = divmod(k, rows)
                    x = b.x + 12 + c * col_w
                    y = b.y + lay["head_h"] + r * lh
                    d.text((x, y), text, font=f.small, fill=INK)
                    if count:
                        d.text((x + col_w - 12 - _text_w(f.small, count), y), count, font=f.small, fill=INK)
        else:
            b = g_boxes[0]
            self.connect(d, parent, [b])
            _rect(d, b, GROUP_FILL, LINE, width=2)
            self.draw_text_center(d, b, [self.label("总部集中提供售后服务（未设独立网点）")], f.regular, INK)

        if note_lines:
            y = sec_bottom + 12
            for t in note_lines:
                d.text((left, y), t, font=f.small, fill=(89, 89, 89))
                y += _line_h(f.small) + 2

        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True, dpi=(DPI, DPI))
        return buf.getvalue(), W, int(H)

    def _group_lines(self, g: OutletGroup, max_w: float) -> list[tuple[str, str]]:
        out = []
        f = self.f.small
        for text, count in g.lines:
            text = self.label(text)
            room = max_w - (_text_w(f, count) + 10 if count else 0)
            if _text_w(f, text) <= room:
                out.append((text, count))
            elif not g.grouped and "（" in text:
                name, _, partner = text.partition("（")
                out.append((_fit(f, name, room), count))
                out.append((_fit(f, "　（" + partner, room), ""))
            else:
                out.append((_fit(f, text, room), count))
        return out


def draw_chart(spec: ChartSpec, font: tuple[str, int] | None | bool = True) -> OrgChart:
    """Draw ``spec``; font=True finds a CJK font, None forces the no-font fallback."""
    found = find_cjk_font() if font is True else font
    fonts = _Fonts(found or None)
    drawer = _Drawer(spec, fonts)
    png, w, h = drawer.render()
    warning = ""
    if not fonts.cjk:
        warning = ("生成本图时未找到中文字体（可设置环境变量 KITGEN_CJK_FONT 指向 .ttf/.ttc 字体文件），"
                   "图中各框以编号表示，编号对应的名称见下表；也可依据同目录的源文件重新绘制。")
    return OrgChart(png=png, width_px=w, height_px=h, dot=dot_source(spec), warning=warning,
                    legend=drawer.legend, font=found[0] if found else "")


# ------------------------------------------------------------------------------------- DOT source
def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot_source(spec: ChartSpec) -> str:
    """The chart as Graphviz DOT, with a Chinese header saying what it is and how to use it."""
    out = [
        "// 组织机构图源文件（DOT 格式，UTF-8 编码），按本公司的组织设置编制。",
        "// 用途：修改机构名称或层级后重新出图，或作为在 Word / Visio / WPS 中重绘的依据。",
        "// 出图：安装 Graphviz 后执行  dot -Tpng -Gdpi=180 本文件 -o 组织机构图.png",
        "// 实线表示直属管理关系，虚线表示委托合作（业务指导与监督）关系。",
        "digraph 组织机构图 {",
        '  graph [rankdir=TB, splines=ortho, nodesep=0.3, ranksep=0.5, fontname="Noto Sans CJK SC,Microsoft YaHei,SimHei"];',
        ('  node [shape=box, style="filled", fillcolor="#DDEBF7", color="#2E75B6", '
         'fontname="Noto Sans CJK SC,Microsoft YaHei,SimHei", fontsize=11];'),
        '  edge [arrowhead=none, color="#595959"];',
        f'  company [label={_q(spec.company)}, fillcolor="#1F4E79", fontcolor="white", fontsize=13];',
        f'  gm [label={_q(spec.gm)}, fillcolor="#2E75B6", fontcolor="white"];',
        "  company -> gm;",
    ]
    for i, name in enumerate(spec.departments):
        extra = ', fillcolor="#FCE4D6", color="#C55A11", penwidth=2' if name == spec.service else ""
        out.append(f"  dept{i} [label={_q(name)}{extra}];")
        out.append(f"  gm -> dept{i};")
    svc_label = spec.service + (f"\n{spec.service_head}" if spec.service_head else "")
    out.append('  subgraph cluster_service {')
    out.append('    label="售后服务组织机构"; style=dashed; color="#C55A11";')
    out.append(f'    svc [label={_q(svc_label)}, fillcolor="#FCE4D6", color="#C55A11", penwidth=2];')
    for i, team in enumerate(spec.teams):
        out.append(f'    team{i} [label={_q(team)}, fillcolor="#FFF2CC", color="#C55A11"];')
        out.append(f"    svc -> team{i};")
    parent = "svc"
    if spec.outlet_parent in spec.teams:
        parent = f"team{spec.teams.index(spec.outlet_parent)}"
    for i, g in enumerate(spec.groups):
        lines = [g.title] + [f"{t} {c}".strip() for t, c in g.lines]
        style = ', style="filled,dashed"' if g.dashed else ""
        out.append(f'    group{i} [label={_q(chr(10).join(lines))}, fillcolor="white"{style}];')
        out.append(f"    {parent} -> group{i}" + (" [style=dashed];" if g.dashed else ";"))
    if not spec.groups:
        out.append('    hq [label="总部集中提供售后服务（未设独立网点）", fillcolor="white"];')
        out.append(f"    {parent} -> hq;")
    out.append("  }")
    if spec.service in spec.departments:
        out.append(f"  dept{spec.departments.index(spec.service)} -> svc [style=dashed, color=\"#C55A11\"];")
    out.append("}")
    return "\n".join(out) + "\n"
