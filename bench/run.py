#!/usr/bin/env python3
"""kitgen benchmark: one command, one table of medians.

    python bench/run.py              # the full run (a few minutes)
    python bench/run.py --quick      # a small smoke run (seconds)
    python bench/run.py --no-node    # leave docxtemplater out (no Node.js needed)
    python bench/run.py --json out.json --profile

Run it with the Python of the environment kitgen is installed in (the venv's python); it runs
`kitgen` from that environment. What it measures, in one run on this machine:

1. a full kit for each samples/*.yaml: wall time and peak memory (RSS) of `kitgen build` in a
   subprocess (its own peak, from os.wait4 in a small spawner process);
2. the same profile (samples/appliance-producer.yaml) with 100, 1,000, 3,000 and 10,000 generated
   outlets (realistic Chinese names, provinces, cities, partners) read from an .xlsx through
   `outlets_file`, to show how the cost grows;
3. the outlet list alone, a Word table of the 9 columns of the 网点清单 for N outlets, rendered by
   kitgen (kitgen.ooxml.docx_writer.write_docx of a model.Document holding one model.Table), by
   docxtemplater on Node (a {#outlets}…{/outlets} row loop) and by bare docxtpl
   ({%tr for o in outlets %}, autoescape=True); the templates are generated here with kitgen's own
   writer so the three outputs carry the same table XML. Two measures: the render inside a warm
   process (template read + render + zip + write, median of repeats after a warm-up; Node's
   start-up left out) and a whole cold process (start-up, imports, one render);
4. `kitgen --help` start-up (subprocess);
5. `kitgen check` on the 3,000-outlet kit (reported as not available while the command is missing);
6. all samples at once with `-j 1` and `-j 2` (full run only).

Docxtemplater is installed into bench/node_modules by `npm install --prefix bench` the first time
(the npm registry must be reachable). Timings are not tests: only tests/test_bench_smoke.py runs
this file (--quick --no-node) to check that the harness works.

The engines live in bench/engines.py (Python) and bench/docxtemplater_table.js (Node); each can be
run alone, which is how the cold-process measure runs them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engines import ENGINES as PY_ENGINES
from engines import KEYS, table_document

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SAMPLES = ROOT / "samples"
SCALE_PROFILE = SAMPLES / "appliance-producer.yaml"
NODE_SCRIPT = BENCH / "docxtemplater_table.js"
ENGINES_SCRIPT = BENCH / "engines.py"

# the outlets spreadsheet a consultant fills in (outlets_file), Chinese headers
FILE_COLUMNS = ["网点名称", "类型", "直属/委托", "合作单位", "省", "市", "地址", "电话", "人数"]
FILE_KEYS = ["name", "kind", "operator", "partner", "province", "city", "address", "phone", "staff"]
TEMPLATE_SAMPLE = 200        # rows the writer samples to decide which columns are centred

# issue 16's targets (medians on the 2-core machine)
TARGETS = {"warm_s": 0.9, "first_s": 1.3, "help_s": 0.1, "floor_x": 8.0, "check10k_s": 0.5, "check10k_mb": 100.0,
           "edited_x": 1.5, "max_outlets": 100_000, "max_s": 25.0, "max_mb": 1536.0, "parallel_x": 1.8}
EDITED_DOC = "02 售后服务管理手册.docx"     # the document edited for the "check after one edit" measure
# `kitgen build` with the outlet limit raised to the documented maximum (kitgen/limits.py MAX_OUTLETS),
# for the 100,000-outlet measure when the installed kitgen still refuses that many
RAISED = ("import sys, kitgen.limits as l; l.MAX_OUTLETS = {n}; l.OUTLETS_MAX_ROWS_READ = 5 * {n}; "
          "from kitgen.cli.main import cli; cli(sys.argv[1:], prog_name='kitgen')")


# ----------------------------------------------------------------------------------------------
# Generated outlets: deterministic, realistic (fictional) Chinese names and places

# province → [(city, area code, [districts])]
GEO = {
    "浙江省": [("杭州市", "0571", ["西湖区", "拱墅区", "滨江区", "余杭区", "萧山区"]),
              ("宁波市", "0574", ["鄞州区", "海曙区", "江北区", "慈溪市"]),
              ("温州市", "0577", ["鹿城区", "瓯海区", "龙湾区"]), ("金华市", "0579", ["婺城区", "义乌市"])],
    "江苏省": [("南京市", "025", ["秦淮区", "鼓楼区", "江宁区", "建邺区"]),
              ("苏州市", "0512", ["姑苏区", "吴中区", "工业园区", "昆山市"]),
              ("无锡市", "0510", ["梁溪区", "滨湖区", "新吴区"]), ("徐州市", "0516", ["云龙区", "鼓楼区"])],
    "广东省": [("广州市", "020", ["天河区", "越秀区", "海珠区", "白云区", "番禺区"]),
              ("深圳市", "0755", ["南山区", "福田区", "龙岗区", "宝安区"]),
              ("佛山市", "0757", ["禅城区", "顺德区", "南海区"]), ("东莞市", "0769", ["南城街道", "长安镇"])],
    "山东省": [("济南市", "0531", ["历下区", "槐荫区", "历城区"]), ("青岛市", "0532", ["市南区", "崂山区", "黄岛区"]),
              ("潍坊市", "0536", ["奎文区", "潍城区"]), ("临沂市", "0539", ["兰山区", "罗庄区"])],
    "河南省": [("郑州市", "0371", ["金水区", "二七区", "中原区", "管城回族区"]), ("洛阳市", "0379", ["西工区", "洛龙区"]),
              ("南阳市", "0377", ["宛城区", "卧龙区"])],
    "四川省": [("成都市", "028", ["锦江区", "武侯区", "成华区", "青羊区", "高新区"]), ("绵阳市", "0816", ["涪城区", "游仙区"]),
              ("宜宾市", "0831", ["翠屏区", "叙州区"])],
    "湖北省": [("武汉市", "027", ["江汉区", "洪山区", "武昌区", "汉阳区"]), ("宜昌市", "0717", ["西陵区", "伍家岗区"]),
              ("襄阳市", "0710", ["樊城区", "襄城区"])],
    "湖南省": [("长沙市", "0731", ["雨花区", "岳麓区", "开福区", "天心区"]), ("株洲市", "0731", ["天元区", "芦淞区"]),
              ("衡阳市", "0734", ["蒸湘区", "雁峰区"])],
    "河北省": [("石家庄市", "0311", ["长安区", "桥西区", "裕华区"]), ("保定市", "0312", ["竞秀区", "莲池区"]),
              ("唐山市", "0315", ["路北区", "路南区"])],
    "福建省": [("福州市", "0591", ["鼓楼区", "仓山区", "晋安区"]), ("厦门市", "0592", ["思明区", "湖里区", "集美区"]),
              ("泉州市", "0595", ["丰泽区", "鲤城区", "晋江市"])],
    "安徽省": [("合肥市", "0551", ["蜀山区", "包河区", "庐阳区"]), ("芜湖市", "0553", ["镜湖区", "鸠江区"])],
    "江西省": [("南昌市", "0791", ["东湖区", "青山湖区", "红谷滩区"]), ("赣州市", "0797", ["章贡区", "南康区"])],
    "陕西省": [("西安市", "029", ["雁塔区", "碑林区", "未央区", "长安区"]), ("宝鸡市", "0917", ["渭滨区", "金台区"])],
    "辽宁省": [("沈阳市", "024", ["和平区", "沈河区", "铁西区"]), ("大连市", "0411", ["中山区", "沙河口区", "甘井子区"])],
    "黑龙江省": [("哈尔滨市", "0451", ["南岗区", "道里区", "香坊区"]), ("大庆市", "0459", ["萨尔图区", "让胡路区"])],
    "广西壮族自治区": [("南宁市", "0771", ["青秀区", "兴宁区", "西乡塘区"]), ("柳州市", "0772", ["城中区", "鱼峰区"])],
    "内蒙古自治区": [("呼和浩特市", "0471", ["新城区", "赛罕区"]), ("包头市", "0472", ["昆都仑区", "青山区"])],
    "新疆维吾尔自治区": [("乌鲁木齐市", "0991", ["天山区", "沙依巴克区", "新市区"])],
    "云南省": [("昆明市", "0871", ["五华区", "盘龙区", "官渡区"]), ("大理白族自治州", "0872", ["大理市"])],
    "上海市": [("上海市", "021", ["浦东新区", "闵行区", "徐汇区", "宝山区", "嘉定区", "松江区"])],
    "北京市": [("北京市", "010", ["朝阳区", "海淀区", "丰台区", "大兴区", "通州区"])],
    "重庆市": [("重庆市", "023", ["渝中区", "江北区", "渝北区", "九龙坡区", "南岸区"])],
}
ROADS = ["人民路", "解放路", "建设大道", "中山路", "长江路", "黄河路", "新华路", "胜利路", "和平路", "文化路",
         "工业大道", "滨江路", "朝阳路", "迎宾大道", "青年路", "学府路", "光明街", "兴业路", "振兴路", "环城东路"]
TRADE = ["恒信", "安达", "佳和", "顺通", "鑫盛", "华宇", "德润", "宏达", "联创", "诚信", "永安", "万家", "鸿运", "瑞丰", "嘉禾"]
SUFFIX = ["服务站", "服务中心", "特约维修站", "销售服务中心", "服务网点"]
KINDS = [("服务", 55), ("销售服务", 35), ("销售", 10)]


def make_outlets(n: int, seed: int = 27922) -> list[dict[str, str]]:
    """``n`` outlets; the first k of make_outlets(n) are make_outlets(k) (same seed)."""
    rng = random.Random(seed)
    places = [(prov, city, code, dist) for prov, cities in GEO.items() for city, code, dists in cities for dist in dists]
    kinds = [k for k, w in KINDS for _ in range(w)]
    partners: dict[str, list[str]] = {}
    seen: set[str] = set()
    out = []
    while len(out) < n:
        prov, city, code, dist = rng.choice(places)
        short = city[:-1] if city.endswith("市") and len(city) > 2 else city[:2]
        road = rng.choice(ROADS)
        kind = rng.choice(kinds)
        base = f"{short}{dist}{road}"
        suffix = rng.choice(SUFFIX)
        name = base + suffix
        k = 2
        while name in seen:
            name = f"{base}第{k}{suffix}"
            k += 1
        seen.add(name)
        direct = rng.random() < 0.3
        partner = ""
        if not direct:      # one partner runs several outlets of a city
            pool = partners.setdefault(city, [])
            if not pool or (len(pool) < 6 and rng.random() < 0.25):
                pool.append(f"{short}市{rng.choice(TRADE)}{rng.choice(['家电', '电器', '机电'])}服务有限公司"
                            if not city.endswith(("州", "区")) else f"{short}{rng.choice(TRADE)}电器服务有限公司")
            partner = rng.choice(pool)
        digits = 8 if len(code) == 3 else 7
        phone = f"{code}-{rng.randint(2, 8)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
        out.append({"no": str(len(out) + 1), "name": name, "kind": kind, "operator": "直属" if direct else "委托",
                    "partner": partner,
                    "province": prov, "city": city, "address": f"{dist}{road}{rng.randint(1, 1999)}号",
                    "phone": phone, "staff": str(rng.randint(2, 30))})
    return out


def write_outlets_xlsx(path: Path, outlets: list[dict[str, str]]) -> None:
    """A workbook laid out as Excel or WPS saves one (shared strings, a <dimension>), written by
    kitgen's own xlsx writer: header row, then one row an outlet, staff as a number."""
    from kitgen.ooxml.xlsx_writer import Sheet, write_xlsx
    rows = [[int(o["staff"]) if k == "staff" else o[k] for k in FILE_KEYS] for o in outlets]
    path.write_bytes(write_xlsx([Sheet(name="网点清单", header=FILE_COLUMNS, rows=rows)], title="网点清单"))


def write_outlets_csv(path: Path, outlets: list[dict[str, str]]) -> None:
    import csv
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(FILE_COLUMNS)
        for o in outlets:
            w.writerow([o[k] for k in FILE_KEYS])


def write_scale_profile(path: Path, outlets_file: str) -> None:
    """samples/appliance-producer.yaml with its inline outlets replaced by ``outlets_file``."""
    import yaml
    data = yaml.safe_load(SCALE_PROFILE.read_text("utf-8"))
    data.pop("outlets", None)
    data["outlets_file"] = outlets_file
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


# ----------------------------------------------------------------------------------------------
# The outlet table, three engines

def make_templates(workdir: Path, sample: list[dict[str, str]]) -> dict[str, Path]:
    """Template .docx files for docxtemplater and docxtpl, written by kitgen's own writer so the
    three engines produce the same table XML: kitgen writes header + the real first rows (which
    decide the centred columns) + the template rows, then the real rows are cut out again."""
    from kitgen.render.word import write_docx
    real = [[o[k] for k in KEYS] for o in sample[:TEMPLATE_SAMPLE]]
    dxt_row = ["{#outlets}{" + KEYS[0] + "}"] + ["{" + k + "}" for k in KEYS[1:-1]] + ["{" + KEYS[-1] + "}{/outlets}"]
    tpl_rows = [["{%tr for o in outlets %}"], ["{{ o." + k + " }}" for k in KEYS], ["{%tr endfor %}"]]
    out = {}
    for engine, extra in (("docxtemplater", [dxt_row]), ("docxtpl", tpl_rows)):
        doc = table_document([])
        table = doc.blocks[0]
        table.rows = real + extra
        data = write_docx(doc)
        with zipfile.ZipFile(io_bytes(data)) as zf:
            entries = [(i, zf.read(i)) for i in zf.infolist()]
        fixed = []
        for info, content in entries:
            if info.filename == "word/document.xml":
                content = _cut_rows(content.decode("utf-8"), 1, len(real)).encode("utf-8")
            fixed.append((info, content))
        path = workdir / f"template-{engine}.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, content in fixed:
                zf.writestr(info, content)
        out[engine] = path
    return out


def io_bytes(data: bytes):
    import io
    return io.BytesIO(data)


def _cut_rows(xml: str, start: int, count: int) -> str:
    """Remove table rows start .. start+count-1 (0 = the header row) of the document's one table."""
    starts = [m.start() for m in re.finditer(r"<w:tr>", xml)]
    if len(starts) < start + count + 1:
        raise RuntimeError("template table has fewer rows than expected")
    return xml[:starts[start]] + xml[starts[start + count]:]


def check_output(path: Path, outlets: list[dict[str, str]], engine: str) -> None:
    """The rendered table has a header and one row per outlet, first and last outlet included."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    rows = xml.count("<w:tr>") + xml.count("<w:tr ")
    problems = []
    if rows != len(outlets) + 1:
        problems.append(f"{rows} table rows, expected {len(outlets) + 1}")
    for o in (outlets[0], outlets[-1]):
        if esc(o["name"]) not in xml or esc(o["address"]) not in xml:
            problems.append(f"outlet {o['name']} missing")
    if "{" in xml and ("{#outlets}" in xml or "{{ o." in xml or "{%" in xml):
        problems.append("template tags left in the output")
    if problems:
        raise RuntimeError(f"{engine}: wrong output in {path.name}: " + "; ".join(problems))


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ----------------------------------------------------------------------------------------------
# Measuring

class Run:
    __slots__ = ("cpu", "err", "out", "rc", "rss_mb", "wall")

    def __init__(self, wall: float, rss_mb: float, rc: int, out: str, err: str, cpu: float = 0.0):
        self.wall, self.rss_mb, self.rc, self.out, self.err, self.cpu = wall, rss_mb, rc, out, err, cpu


# Runs the measured command and reports its wall time and peak RSS. A child's ru_maxrss starts from
# the RSS of the process that spawned it (Linux keeps the high-water mark across exec, and
# subprocess uses vfork), so the command is spawned by this small helper rather than by the
# benchmark process, which holds rendered tables and generated outlets.
_SPAWNER = """
import os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
pid = os.posix_spawnp(cmd[0], cmd, os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
with open(out, "w") as fh:
    fh.write("%r %d %d %r" % (wall, ru.ru_maxrss, os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime))
"""


def measure(cmd: list[str], cwd: Path | None = None, env: dict | None = None, timeout: float = 900) -> Run:
    """Run ``cmd``: its wall time, its own peak RSS (from wait4), exit code and output."""
    with tempfile.TemporaryDirectory() as tmp:
        res = Path(tmp) / "result"
        fo, fe = Path(tmp) / "out", Path(tmp) / "err"
        with fo.open("wb") as o, fe.open("wb") as e:
            proc = subprocess.Popen([sys.executable, "-S", "-c", _SPAWNER, str(res), *cmd], stdout=o, stderr=e,
                                    stdin=subprocess.DEVNULL, cwd=cwd, env=env, start_new_session=True)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
        out = fo.read_bytes().decode("utf-8", "replace")
        err = fe.read_bytes().decode("utf-8", "replace")
        if not res.is_file():
            return Run(float("nan"), 0.0, proc.returncode or 1, out, err or "timed out or could not start", 0.0)
        wall, rss_kb, rc, cpu = res.read_text().split()
    return Run(float(wall), int(rss_kb) / 1024, int(rc), out, err, float(cpu))


def _edit_docx(path: Path) -> None:
    """The company's edit: one sentence added to the document's first paragraph of text."""
    from kitgen.ooxml.ziputil import read_entries, write_zip
    entries = read_entries(path.read_bytes())
    out = []
    for name, data in entries:
        if name == "word/document.xml":
            data = data.replace(b'<w:t xml:space="preserve">', '<w:t xml:space="preserve">（已修订）'.encode(), 1)
        out.append((name, data))
    path.write_bytes(write_zip(out))


def med(xs):
    return statistics.median(xs) if xs else None


def kitgen_cmd() -> list[str]:
    """The `kitgen` console script of this Python's environment, or `python -m kitgen.cli.main`."""
    script = Path(sys.executable).parent / ("kitgen.exe" if os.name == "nt" else "kitgen")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "kitgen.cli.main"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def first_error(run: Run) -> str:
    lines = [ln.strip() for ln in (run.err + "\n" + run.out).splitlines() if ln.strip()]
    picked = [ln for ln in lines if "错误" in ln or "Error" in ln or ln.startswith(("生成失败", "输入文件"))]
    text = (picked or lines or [f"exit {run.rc}"])[0]
    return text[:160]


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.runs = args.runs or (1 if self.quick else 5)
        self.workdir = Path(tempfile.mkdtemp(prefix="kitgen-bench-"))
        self.kitgen = kitgen_cmd()
        # every measured kitgen run uses the benchmark's own snapshot folder (kitgen.core.snapshot)
        self.cache = self.workdir / "cache"
        self.env = dict(os.environ, KITGEN_CACHE_DIR=str(self.cache))
        self.env.pop("KITGEN_NO_CACHE", None)
        # kitgen as installed: its modules' bytecode is on disk (pip compiles it at install), also when
        # it runs from a checkout on a machine with PYTHONDONTWRITEBYTECODE set
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        import kitgen as _k
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(_k.__file__).parent)],
                       env=self.env, capture_output=True, check=False)
        self.results: dict = {"builds": [], "scale": [], "table": [], "help": None, "check": None,
                              "parallel": [], "node": None, "errors": [], "first": None, "floor": None,
                              "max": None}
        self.sample_kit: Path | None = None
        self.failed = False
        self.check_kit: tuple[int, Path] | None = None

    # -- sections
    def build_samples(self) -> None:
        samples = sorted(SAMPLES.glob("*.yaml"))
        if self.quick:                  # the smoke run: one sample is enough to show the harness works
            samples = [p for p in samples if p == SCALE_PROFILE] or samples[:1]
        for prof in samples:
            keep = self.workdir / "sample-kit" if prof == SCALE_PROFILE else None
            row = self._builds(prof.stem, prof, self.runs, keep=keep, warmup=True)
            self.results["builds"].append(row)
            if keep is not None and row["error"] is None:
                self.sample_kit = keep

    def first_build(self) -> None:
        """The first build on a machine: no snapshot yet (a fresh cache folder each run), alternating
        with a warm build so that both see the same load."""
        first, warm, error = [], [], None
        for i in range(self.runs):
            for kind in ("first", "warm"):
                log(f"  {kind} build ({i + 1}/{self.runs})")
                out = self.workdir / "kits" / f"{kind}-{i}"
                env = dict(self.env, KITGEN_CACHE_DIR=str(self.workdir / f"fresh-cache-{i}")) if kind == "first" else self.env
                r = measure(self.kitgen + ["build", str(SCALE_PROFILE), "-o", str(out)], env=env)
                shutil.rmtree(out, ignore_errors=True)
                if r.rc != 0:
                    error = f"exit {r.rc}: {first_error(r)}"
                    self._fail(f"first build: {error}")
                    break
                (first if kind == "first" else warm).append(r.wall)
            if error:
                break
        ratios = [a / b for a, b in zip(first, warm)]
        self.results["first"] = {"runs": len(first), "wall_s": med(first), "warm_s": med(warm),
                                 "ratio": med(ratios), "error": error}

    def floor(self) -> None:
        """The floor of a build: deflating the kit's parts (at the level kitgen's zips use) plus
        parsing the YAML it reads (the profile and the library), in this process, median of 5."""
        import zlib
        import yaml
        from kitgen.ooxml import ziputil
        from kitgen.resources import library_dir
        if self.sample_kit is None:
            return
        parts = []
        for path in sorted(self.sample_kit.rglob("*")):
            if path.suffix in (".docx", ".xlsx"):
                with zipfile.ZipFile(path) as zf:
                    parts += [zf.read(i) for i in zf.infolist()]
        # the YAML a build of that profile reads: the profile, the library, its own trade's pack
        industry = str(yaml.safe_load(SCALE_PROFILE.read_text("utf-8")).get("industry") or "")
        lib = library_dir()
        files = [p for p in sorted(lib.rglob("*.yaml"))
                 if p.relative_to(lib).parts[0] != "packs" or p.relative_to(lib).parts[1:2] == (industry,)]
        texts = [p.read_bytes() for p in [SCALE_PROFILE, *files]]
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        def deflate():
            for data in parts:
                level = ziputil._LARGE_LEVEL if len(data) > ziputil._LARGE_PART else ziputil._COMPRESSLEVEL
                c = zlib.compressobj(level, zlib.DEFLATED, -15)
                c.compress(data)
                c.flush()

        def parse():
            for t in texts:
                yaml.load(t, Loader=loader)
        times = {}
        for name, fn in (("deflate", deflate), ("yaml", parse)):
            ts = []
            for _ in range(5):
                t = time.perf_counter()
                fn()
                ts.append(time.perf_counter() - t)
            times[name] = med(ts)
        self.results["floor"] = {"deflate_s": times["deflate"], "yaml_s": times["yaml"],
                                 "floor_s": times["deflate"] + times["yaml"], "parts": len(parts),
                                 "parts_mb": sum(map(len, parts)) / 1e6, "yaml_files": len(texts)}

    def max_outlets(self) -> None:
        """The documented maximum (100,000 outlets): built as installed; when kitgen refuses that
        many, built again with the limit raised in the process (said in the report), then checked."""
        n = TARGETS["max_outlets"]
        d = self.workdir / f"max-{n}"
        d.mkdir(parents=True)
        log(f"  {n:,} outlets: generating")
        write_outlets_xlsx(d / f"outlets-{n}.xlsx", make_outlets(n))
        prof = d / f"lanshu-{n}.yaml"
        write_scale_profile(prof, f"outlets-{n}.xlsx")
        out = d / "kit"
        log(f"  {n:,} outlets: build")
        r = measure(self.kitgen + ["build", str(prof), "-o", str(out)], env=self.env, timeout=1800)
        row: dict = {"outlets": n, "raised": False}
        if r.rc != 0:
            lines = [ln.strip() for ln in (r.err + "\n" + r.out).splitlines() if ln.strip()]
            row["refused"] = " ".join(lines[:2])[:200]
            log(f"  {n:,} outlets: refused ({row['refused']}); again with the limit raised")
            shutil.rmtree(out, ignore_errors=True)
            r = measure([sys.executable, "-c", RAISED.format(n=n), "build", str(prof), "-o", str(out)],
                        env=self.env, timeout=1800)
            row["raised"] = True
        row.update({"rc": r.rc, "wall_s": r.wall, "cpu_s": r.cpu, "rss_mb": r.rss_mb})
        if r.rc != 0:
            row["error"] = first_error(r)
        else:
            log(f"  {n:,} outlets: check")
            c = measure(self.kitgen + ["check", str(out), "--json"], env=self.env)
            try:
                rep = json.loads(c.out)
                bad = [f for f in rep["findings"] if f["kind"] in ("unreadable", "missing", "manifest")]
                row["check"] = {"rc": c.rc, "wall_s": c.wall, "rss_mb": c.rss_mb, "bad": len(bad),
                                "files_read": len(rep.get("files_read", []))}
            except (ValueError, KeyError) as exc:
                row["check"] = {"rc": c.rc, "error": f"{type(exc).__name__}: {first_error(c)}"}
        shutil.rmtree(d, ignore_errors=True)
        self.results["max"] = row

    def _builds(self, label: str, profile: Path, runs: int, keep: Path | None = None, warmup: bool = False) -> dict:
        walls, rss = [], []
        error = None
        if warmup:                      # one build not counted: the snapshot and the page cache are warm
            out = self.workdir / "kits" / f"{label}-warmup"
            measure(self.kitgen + ["build", str(profile), "-o", str(out)], env=self.env)
            shutil.rmtree(out, ignore_errors=True)
        for i in range(runs):
            log(f"  build {label} ({i + 1}/{runs})")
            out = self.workdir / "kits" / f"{label}-{i}"
            r = measure(self.kitgen + ["build", str(profile), "-o", str(out)], env=self.env)
            if r.rc != 0:
                error = f"exit {r.rc}: {first_error(r)}"
                self.failed = True
                self.results["errors"].append(f"build {label}: {error}")
                break
            walls.append(r.wall)
            rss.append(r.rss_mb)
            if keep is not None and i == runs - 1:
                if keep.exists():
                    shutil.rmtree(keep)
                out.rename(keep)
            else:
                shutil.rmtree(out, ignore_errors=True)
        return {"case": label, "runs": len(walls), "wall_s": med(walls), "min_s": min(walls) if walls else None,
                "rss_mb": max(rss) if rss else None, "error": error}

    def build_scale(self) -> None:
        sizes = self.args.sizes
        outlets = make_outlets(max(sizes))
        for n in sizes:
            d = self.workdir / f"scale-{n}"
            d.mkdir(parents=True)
            fname = f"outlets-{n}.{self.args.outlets_format}"
            (write_outlets_xlsx if self.args.outlets_format == "xlsx" else write_outlets_csv)(d / fname, outlets[:n])
            prof = d / f"lanshu-{n}.yaml"
            write_scale_profile(prof, fname)
            keep = self.workdir / f"kit-{n}"
            row = self._builds(f"{n} outlets", prof, self.runs, keep=keep)
            row["outlets"] = n
            self.results["scale"].append(row)
            if row["error"] is None and (self.check_kit is None or n <= 10000):
                self.check_kit = (n, keep)

    def table(self) -> None:
        sizes = self.args.table_sizes
        # the values as the dossier prints them (a direct outlet's partner is "—")
        outlets = [{k: o[k] or "—" for k in KEYS} for o in make_outlets(max(max(sizes), TEMPLATE_SAMPLE))]
        d = self.workdir / "table"
        d.mkdir()
        log("  table: templates")
        templates = make_templates(d, outlets)
        node_ok = self.setup_node() if not self.args.no_node else None
        repeats = self.args.repeats or (3 if self.quick else 5)
        cold_runs = 1 if self.quick else 3
        for n in sizes:
            rows = outlets[:n]
            data_path = d / f"outlets-{n}.json"
            data_path.write_text(json.dumps({"outlets": rows}, ensure_ascii=False), "utf-8")
            row: dict = {"rows": n}
            engines = list(PY_ENGINES) + (["docxtemplater"] if node_ok else [])
            times: dict[str, list[float]] = {e: [] for e in engines}
            paired: list[float] = []           # kitgen ÷ docxtemplater within one round
            failed: set[str] = set()
            for k in range(repeats + 1):         # round 0 is the warm-up; the engines alternate each round
                order = engines[k % len(engines):] + engines[:k % len(engines)]
                got: dict[str, float] = {}
                for engine in order:
                    if engine in failed:
                        continue
                    log(f"  table {n} rows: {engine} (round {k})")
                    out = d / f"{engine}-{n}.docx"
                    try:
                        if engine == "docxtemplater":
                            r = measure(["node", str(NODE_SCRIPT), str(templates["docxtemplater"]), str(data_path),
                                         str(out), "2"])
                            if r.rc != 0:
                                raise RuntimeError(first_error(r))
                            info = json.loads(r.out.strip().splitlines()[-1])
                            took = info["times_ms"][1] / 1000        # the second, warm render of that process
                            self.results["node"] = {"docxtemplater": info["version"], "node": info["node"],
                                                    "require_ms": info["require_ms"]}
                        else:
                            t = time.perf_counter()
                            PY_ENGINES[engine](rows, out, templates.get(engine))
                            took = time.perf_counter() - t
                        if k == 0:
                            check_output(out, rows, engine)
                    except Exception as exc:  # noqa: BLE001 - reported in the table
                        self._fail(f"table {n} {engine}: {type(exc).__name__}: {exc}")
                        failed.add(engine)
                        continue
                    if k:
                        times[engine].append(took)
                        got[engine] = took
                    row[f"{engine}_bytes"] = out.stat().st_size
                if "kitgen" in got and "docxtemplater" in got:
                    paired.append(got["kitgen"] / got["docxtemplater"])
            for engine in engines:
                row[engine] = med(times[engine]) if engine not in failed else None
            row["paired_k_dxt"] = med(paired)
            for engine in PY_ENGINES:
                if engine in failed:
                    continue
                cold = [measure([sys.executable, str(ENGINES_SCRIPT), engine, str(data_path),
                                 str(templates.get(engine, "")), str(d / f"cold-{engine}-{n}.docx")])
                        for _ in range(cold_runs)]
                bad = [c for c in cold if c.rc != 0]
                if bad:
                    self._fail(f"table {n} {engine} (cold process): {first_error(bad[0])}")
                else:
                    row[f"{engine}_cold"] = med([c.wall for c in cold])
                    row[f"{engine}_cold_mb"] = max(c.rss_mb for c in cold)
            if node_ok and "docxtemplater" not in failed:
                cold = [measure(["node", str(NODE_SCRIPT), str(templates["docxtemplater"]), str(data_path),
                                 str(d / f"cold-docxtemplater-{n}.docx"), "1"]) for _ in range(cold_runs)]
                if all(c.rc == 0 for c in cold):
                    row["docxtemplater_cold"] = med([c.wall for c in cold])
                    row["docxtemplater_cold_mb"] = max(c.rss_mb for c in cold)
            self.results["table"].append(row)
        if node_ok:
            starts = [measure(["node", "-e", "0"]).wall for _ in range(5)]
            self.results["node_start_s"] = med(starts)
        elif node_ok is False:
            self.results["node_skipped"] = self.node_reason

    def setup_node(self) -> bool:
        """docxtemplater + pizzip in bench/node_modules (npm install --prefix bench when missing)."""
        self.node_reason = ""
        if not shutil.which("node"):
            self.node_reason = "node not found: docxtemplater left out (install Node.js 18+ and npm)"
            log("  " + self.node_reason)
            return False
        have = all((BENCH / "node_modules" / p / "package.json").is_file() for p in ("docxtemplater", "pizzip"))
        if have:
            return True
        npm = shutil.which("npm")
        if not npm:
            self.node_reason = "npm not found: cannot install docxtemplater, left out of the comparison"
            log("  " + self.node_reason)
            return False
        log("  installing docxtemplater + pizzip: npm install --prefix bench")
        r = subprocess.run([npm, "install", "--prefix", str(BENCH), "--no-audit", "--no-fund"],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0:
            self.node_reason = "npm install --prefix bench failed: " + (r.stderr.strip().splitlines() or ["?"])[-1]
            log("  " + self.node_reason)
            return False
        return True

    def help_startup(self) -> None:
        n = 5 if self.quick else 11
        measure(self.kitgen + ["--help"], env=self.env)          # warm-up (page cache)
        runs = [measure(self.kitgen + ["--help"], env=self.env) for _ in range(n)]
        bad = [r for r in runs if r.rc != 0]
        if bad:
            self._fail(f"kitgen --help: exit {bad[0].rc}: {first_error(bad[0])}")
            return
        self.results["help"] = {"runs": n, "wall_s": med([r.wall for r in runs]), "min_s": min(r.wall for r in runs),
                                "rss_mb": max(r.rss_mb for r in runs)}
        py = [measure([sys.executable, "-c", "pass"]).wall for _ in range(n)]
        self.results["python_start_s"] = med(py)

    def check(self) -> None:
        probe = measure(self.kitgen + ["check", "--help"])
        if probe.rc != 0:
            self.results["check"] = {"available": False, "note": "kitgen check not available yet"}
            return
        if self.check_kit is None:
            self.results["check"] = {"available": True, "note": "no kit to check (the builds failed)"}
            return
        n, kit = self.check_kit
        edited = self.workdir / f"kit-{n}-edited"
        shutil.copytree(kit, edited)
        doc = edited / EDITED_DOC
        _edit_docx(doc)
        from kitgen.ooxml.safe_read import file_text, read_regular
        reads = []
        for _ in range(5):                 # what reading that one document costs (in a warm process)
            t = time.perf_counter()
            file_text(doc, read_regular(doc))
            reads.append(time.perf_counter() - t)
        plain, after, codes, note, read_counts = [], [], set(), "", set()
        for _ in range(self.runs):         # unedited and edited kits alternate
            for which, folder in (("plain", kit), ("edited", edited)):
                r = measure(self.kitgen + ["check", str(folder), "--json"], env=self.env)
                codes.add(r.rc)
                (plain if which == "plain" else after).append(r)
                if which == "edited":
                    try:
                        read_counts.add(len(json.loads(r.out).get("files_read", [])))
                    except ValueError:
                        pass
        if any(c not in (0, 5) for c in codes):
            note = f"exit {sorted(codes)}: {first_error(plain[0])}"
            self._fail(f"kitgen check: {note}")
        self.results["check"] = {"available": True, "outlets": n, "runs": len(plain),
                                 "wall_s": med([r.wall for r in plain]), "rss_mb": max(r.rss_mb for r in plain),
                                 "edited_s": med([r.wall for r in after]), "edited_mb": max(r.rss_mb for r in after),
                                 "read_doc_s": med(reads), "edited_doc": EDITED_DOC,
                                 "files_read_edited": sorted(read_counts), "exit": sorted(codes), "note": note}

    def parallel(self) -> None:
        # two clients per sample profile (copies, with the outlet files they name): 10 profiles
        src = self.workdir / "clients"
        shutil.copytree(SAMPLES, src)
        samples = []
        for prof in sorted(src.glob("*.yaml")):
            for k in (1, 2):
                copy = prof.with_name(f"{prof.stem}-{k}.yaml")
                shutil.copy(prof, copy)
                samples.append(str(copy))
            prof.unlink()
        runs = max(1, min(self.runs, 3))
        got: dict[int, dict] = {j: {"walls": [], "rss": [], "cpu": [], "error": None} for j in (1, 2)}
        for i in range(runs):                       # -j 1 and -j 2 alternate: paired ratios
            for j in ((1, 2) if i % 2 == 0 else (2, 1)):
                g = got[j]
                if g["error"]:
                    continue
                log(f"  {len(samples)} profiles -j {j} ({i + 1}/{runs})")
                out = self.workdir / f"par-{j}-{i}"
                r = measure(self.kitgen + ["build", *samples, "-o", str(out), "-j", str(j)], env=self.env)
                shutil.rmtree(out, ignore_errors=True)
                if r.rc != 0:
                    g["error"] = f"exit {r.rc}: {first_error(r)}"
                    self._fail(f"build -j {j}: {g['error']}")
                    continue
                g["walls"].append(r.wall)
                g["rss"].append(r.rss_mb)
                g["cpu"].append(r.cpu)
        pairs = [a / b for a, b in zip(got[1]["walls"], got[2]["walls"])]
        for j in (1, 2):
            g = got[j]
            self.results["parallel"].append({"jobs": j, "profiles": len(samples), "runs": len(g["walls"]),
                                             "wall_s": med(g["walls"]), "min_s": min(g["walls"]) if g["walls"] else None,
                                             "cpu_s": med(g["cpu"]), "rss_mb": max(g["rss"]) if g["rss"] else None,
                                             "error": g["error"], "speedup": med(pairs) if j == 2 else None})

    def profile(self) -> None:
        """cProfile of one in-process build of the 10,000- (or largest) outlet profile: top functions."""
        import cProfile
        import pstats
        n = max(self.args.sizes)
        prof = self.workdir / f"scale-{n}" / f"lanshu-{n}.yaml"
        if not prof.is_file():
            return
        from kitgen.api import build
        out = self.workdir / "profiled-kit"
        pr = cProfile.Profile()
        try:
            pr.enable()
            build(prof, out)
            pr.disable()
        except Exception as exc:  # noqa: BLE001
            pr.disable()
            self.results["profile"] = f"build failed: {type(exc).__name__}: {exc}"
            return
        st = pstats.Stats(pr)
        total = st.total_tt
        rows = []
        for (file, line, fn), (cc, nc, tt, ct, callers) in st.stats.items():
            rows.append((ct, tt, nc, f"{_short(file)}:{line}({fn})"))
        top_cum = sorted(rows, reverse=True)[:25]
        top_self = sorted(rows, key=lambda r: r[1], reverse=True)[:15]
        self.results["profile"] = {"outlets": n, "total_s": total,
                                   "cumulative": [(round(c, 3), round(t, 3), nc, name) for c, t, nc, name in top_cum],
                                   "self": [(round(t, 3), round(c, 3), nc, name) for c, t, nc, name in top_self]}

    def _fail(self, msg: str) -> None:
        self.failed = True
        self.results["errors"].append(msg)
        log("  FAILED " + msg)

    # -- run and report
    def run(self) -> int:
        t0 = time.perf_counter()
        self.results["machine"] = machine_info(self.kitgen)
        try:
            if not self.args.only or "help" in self.args.only:
                log("kitgen --help start-up")
                self.help_startup()
            if not self.args.only or "samples" in self.args.only:
                log("sample kits")
                self.build_samples()
            if not self.args.only or "first" in self.args.only:
                log("first build on a machine (no snapshot)")
                self.first_build()
            if not self.args.only or "floor" in self.args.only or "samples" in self.args.only:
                log("the floor (deflate + YAML)")
                self.floor()
            if not self.args.only or "scale" in self.args.only:
                log("kits with generated outlets")
                self.build_scale()
            if not self.args.only or "table" in self.args.only:
                log("outlet table: kitgen / docxtpl / docxtemplater")
                self.table()
            if not self.args.only or "check" in self.args.only:
                log("kitgen check")
                self.check()
            if (not self.quick and not self.args.only) or (self.args.only and "parallel" in self.args.only):
                log("many profiles: -j 1 / -j 2")
                self.parallel()
            if (not self.quick and not self.args.only and not self.args.no_max) or \
                    (self.args.only and "max" in self.args.only):
                log(f"the documented maximum: {TARGETS['max_outlets']:,} outlets")
                self.max_outlets()
            if self.args.profile:
                log("profiling one build (cProfile)")
                self.profile()
        finally:
            if not self.args.keep:
                shutil.rmtree(self.workdir, ignore_errors=True)
            else:
                log(f"work files kept in {self.workdir}")
        self.results["elapsed_s"] = time.perf_counter() - t0
        try:
            self.results["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
        except OSError:
            pass
        print(report(self.results, self.runs, self.quick))
        if self.args.json:
            Path(self.args.json).write_text(json.dumps(self.results, ensure_ascii=False, indent=2, default=str) + "\n",
                                            "utf-8")
        return 1 if self.failed else 0


def _short(file: str) -> str:
    for base in (str(ROOT) + os.sep, sys.prefix + os.sep):
        if file.startswith(base):
            return file[len(base):]
    m = re.search(r"site-packages/(.*)", file)
    return m.group(1) if m else file


# ----------------------------------------------------------------------------------------------
# Machine and report

def machine_info(kitgen: list[str]) -> dict:
    info: dict = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "python": platform.python_version(),
                  "platform": platform.platform(), "nproc": os.cpu_count()}
    try:
        info["nproc_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        m = re.search(r"^model name\s*:\s*(.+)$", cpu, re.MULTILINE)
        info["cpu"] = m.group(1).strip() if m else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        mem = Path("/proc/meminfo").read_text()
        m = re.search(r"^MemTotal:\s*(\d+) kB", mem, re.MULTILINE)
        info["memory_gb"] = round(int(m.group(1)) / 1024 / 1024, 1) if m else None
    except OSError:
        pass
    try:
        info["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    if shutil.which("node"):
        info["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    try:
        from importlib.metadata import version
        for pkg in ("kitgen", "docxtpl", "python-docx", "lxml", "openpyxl"):
            try:
                info[pkg] = version(pkg)
            except Exception:  # noqa: BLE001
                pass
    except ImportError:
        pass
    info["PYTHONDONTWRITEBYTECODE"] = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    try:
        import kitgen as _k
        info["kitgen_from"] = str(Path(_k.__file__).parent)
    except ImportError:
        pass
    return info


def _s(x, unit="s") -> str:
    if x is None:
        return "—"
    if unit == "ms":
        return f"{x * 1000:.0f} ms" if x >= 0.1 else f"{x * 1000:.1f} ms"
    return f"{x:.2f} s" if x >= 0.1 else f"{x * 1000:.0f} ms"


def _mb(x) -> str:
    return "—" if x is None else f"{x:.0f} MB"


def _paired(t: dict) -> str:
    return f"{t['paired_k_dxt']:.2f}×" if t.get("paired_k_dxt") else "—"


def _ratio(a, b) -> str:
    return "—" if not a or not b else f"{a / b:.2f}×"


def report(res: dict, runs: int, quick: bool) -> str:
    mc = res.get("machine", {})
    lines = []
    add = lines.append
    add("")
    add(f"kitgen benchmark — {mc.get('date')}{'  (--quick)' if quick else ''}")
    add(f"machine: {mc.get('nproc')} CPUs ({mc.get('cpu')}), {mc.get('memory_gb')} GB, Python {mc.get('python')}, "
        f"Node {mc.get('node', '—')}, load average at start {mc.get('load_avg')}")
    add(f"kitgen from {mc.get('kitgen_from')}; medians of {runs} run(s) unless stated; peak = peak RSS of the "
        "process (the largest of the runs)")
    load = mc.get("load_avg") or [0]
    end = res.get("load_avg_end") or [0]
    if max(load[0], end[0]) > 0.5 * (mc.get("nproc") or 1):
        add(f"WARNING: the machine was busy (load average {load[0]} at start, {end[0]} at the end, "
            f"{mc.get('nproc')} CPUs): other processes took CPU time, the timings are inflated")
    add("")
    w = 52
    add(f"{'measure':<{w}} {'median':>10} {'peak':>8}  note")
    add("-" * (w + 30))

    def row(name, t, mb=None, note=""):
        add(f"{name:<{w}} {t:>10} {mb or '':>8}  {note}")

    h = res.get("help")
    if h:
        row(f"kitgen --help (start-up, {h['runs']} runs)", _s(h["wall_s"], "ms"), _mb(h["rss_mb"]),
            f"python -c pass: {_s(res.get('python_start_s'), 'ms')}")
    for b in res["builds"]:
        row(f"kit: samples/{b['case']}.yaml", _s(b["wall_s"]), _mb(b["rss_mb"]), b["error"] or "")
    f = res.get("first")
    if f:
        row("kit: appliance-producer, first build (no snapshot yet)", _s(f["wall_s"]), "",
            f["error"] or f"warm builds alternating with it: {_s(f['warm_s'])}; paired ratio {f['ratio']:.2f}×"
            if f["ratio"] else (f["error"] or ""))
    fl = res.get("floor")
    if fl:
        row("floor: deflate the kit's parts + parse the YAML", _s(fl["floor_s"]), "",
            f"deflate {_s(fl['deflate_s'])} ({fl['parts']} parts, {fl['parts_mb']:.1f} MB), "
            f"YAML {_s(fl['yaml_s'])} ({fl['yaml_files']} files)")
    for b in res["scale"]:
        row(f"kit: appliance-producer + {b['outlets']:,} outlets (xlsx)", _s(b["wall_s"]), _mb(b["rss_mb"]),
            b["error"] or "")
    mx = res.get("max")
    if mx:
        how = " (limit raised for the measure)" if mx.get("raised") else ""
        note = mx.get("error") or f"CPU {mx['cpu_s']:.1f} s"
        if mx.get("refused"):
            note += f"; as installed: {mx['refused']}"
        row(f"kit: {mx['outlets']:,} outlets{how}", _s(mx["wall_s"]), _mb(mx["rss_mb"]), note, )
        ck = mx.get("check")
        if ck and "wall_s" in ck:
            row(f"kitgen check of that kit", _s(ck["wall_s"]), _mb(ck["rss_mb"]),
                f"exit {ck['rc']}, files read {ck['files_read']}, unreadable/missing {ck['bad']}")
    c = res.get("check")
    if c:
        if not c.get("available") or "wall_s" not in c:
            row("kitgen check (large kit)", "n/a", "", c["note"])
        else:
            row(f"kitgen check (kit with {c['outlets']:,} outlets)", _s(c["wall_s"]), _mb(c["rss_mb"]),
                f"exit {c['exit']} {c['note']}".strip())
            row(f"kitgen check, same kit, one document edited", _s(c["edited_s"]), _mb(c["edited_mb"]),
                f"files read {c['files_read_edited']}; reading {c['edited_doc']} alone: {_s(c['read_doc_s'], 'ms')}")
    base = next((p["wall_s"] for p in res["parallel"] if p["jobs"] == 1), None)
    for p in res["parallel"]:
        note = p["error"] or (f"CPU {p['cpu_s']:.1f} s, best {p['min_s']:.2f} s"
                              + (f"; paired speed-up {p['speedup']:.2f}× (-j 1 ÷ -j 2, alternating runs)"
                                 if p.get("speedup") else ""))
        row(f"{p['profiles']} profiles (samples ×2), one command, -j {p['jobs']}", _s(p["wall_s"]),
            _mb(p["rss_mb"]), note)

    if res["table"]:
        add("")
        add("outlet table, Word, 9 columns (网点清单): render + zip + write inside a warm process, "
            "median after a warm-up")
        add("(kitgen's figure includes its own verification of the file; the engines alternate in each round,")
        add(" kitgen÷dxt is the median of the rounds' paired ratios)")
        add(f"{'rows':>7} {'kitgen':>10} {'docxtpl':>10} {'docxtemplater':>14} {'kitgen÷dxt':>11} "
            f"{'docxtpl÷kitgen':>15} {'docx size k/t/d (KB)':>22}")
        for t in res["table"]:
            sizes = "/".join("—" if t.get(f"{e}_bytes") is None else f"{t[f'{e}_bytes'] / 1024:.0f}"
                             for e in ("kitgen", "docxtpl", "docxtemplater"))
            add(f"{t['rows']:>7,} {_s(t.get('kitgen'), 'ms'):>10} {_s(t.get('docxtpl'), 'ms'):>10} "
                f"{_s(t.get('docxtemplater'), 'ms'):>14} {_paired(t):>11} "
                f"{_ratio(t.get('docxtpl'), t.get('kitgen')):>15} {sizes:>22}")
        add("same table, whole cold process (start-up + imports + one render), median; peak RSS")
        add(f"{'rows':>7} {'kitgen':>18} {'docxtpl':>18} {'node+docxtemplater':>20}")
        def cold(t, e):
            v = t.get(f"{e}_cold")
            return "—" if v is None else f"{_s(v, 'ms')} {t[f'{e}_cold_mb']:.0f} MB"
        for t in res["table"]:
            add(f"{t['rows']:>7,} {cold(t, 'kitgen'):>18} {cold(t, 'docxtpl'):>18} {cold(t, 'docxtemplater'):>20}")
        if res.get("node_start_s") is not None:
            add(f"node start-up alone (node -e 0): {_s(res['node_start_s'], 'ms')}; require(docxtemplater, pizzip): "
                f"{res['node']['require_ms']:.0f} ms; docxtemplater {res['node']['docxtemplater']} on Node "
                f"{res['node']['node']}")
        elif res.get("node_skipped"):
            add(f"docxtemplater: {res['node_skipped']}")
        else:
            add("docxtemplater: left out (--no-node)")

    add("")
    add("targets (2-core machine, medians)")
    for name, verdict in targets(res):
        add(f"  {verdict:<5} {name}")
    prof = res.get("profile")
    if isinstance(prof, dict):
        add("")
        add(f"cProfile of one in-process build, {prof['outlets']:,} outlets (total {prof['total_s']:.2f} s "
            "under the profiler); top by cumulative time:")
        for cum, tt, nc, name in prof["cumulative"]:
            add(f"  {cum:7.3f} s cum {tt:7.3f} s self {nc:>8} calls  {name}")
        add("top by own time:")
        for tt, cum, nc, name in prof["self"]:
            add(f"  {tt:7.3f} s self {cum:7.3f} s cum {nc:>8} calls  {name}")
    elif prof:
        add(f"profile: {prof}")
    if res["errors"]:
        add("")
        add("failures:")
        for e in res["errors"]:
            add(f"  {e}")
    add("")
    add(f"benchmark took {res.get('elapsed_s', 0):.0f} s")
    return "\n".join(lines)


def _verdict(ok) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def targets(res: dict) -> list[tuple[str, str]]:
    """Issue 16's targets: (what, with the measured figure; PASS / FAIL / n/a)."""
    T = TARGETS
    out = []
    sample = next((b for b in res["builds"] if b["case"] == SCALE_PROFILE.stem and b["wall_s"]), None)
    walls = [b["wall_s"] for b in res["builds"] if b["wall_s"]]
    warm = sample["wall_s"] if sample else med(walls)
    out.append((f"warm sample kit ≤ {T['warm_s']} s: {_s(warm)} (appliance-producer; all samples: "
                f"{', '.join(_s(w) for w in walls) or '—'})", _verdict(None if warm is None else warm <= T["warm_s"])))
    f = res.get("first") or {}
    out.append((f"first build on a machine ≤ {T['first_s']} s: {_s(f.get('wall_s'))}",
                _verdict(None if f.get("wall_s") is None else f["wall_s"] <= T["first_s"])))
    h = res.get("help")
    out.append((f"kitgen --help ≤ {T['help_s']} s: {_s(h['wall_s'], 'ms') if h else '—'}",
                _verdict(None if not h else h["wall_s"] <= T["help_s"])))
    fl = res.get("floor")
    x = warm / fl["floor_s"] if fl and warm else None
    out.append((f"whole build ≤ {T['floor_x']:.0f}× the floor: {'—' if x is None else f'{x:.1f}×'} "
                f"({_s(warm)} ÷ {_s(fl['floor_s']) if fl else '—'})", _verdict(None if x is None else x <= T["floor_x"])))
    c = res.get("check") or {}
    if c.get("wall_s") is not None:
        ok = c["outlets"] >= 10000 and c["wall_s"] <= T["check10k_s"] and c["rss_mb"] <= T["check10k_mb"]
        out.append((f"kitgen check, unedited {c['outlets']:,}-outlet kit ≤ {T['check10k_s']} s and ≤ "
                    f"{T['check10k_mb']:.0f} MB: {_s(c['wall_s'])}, {_mb(c['rss_mb'])}",
                    _verdict(ok if c["outlets"] >= 10000 else None)))
        extra = c["edited_s"] - c["wall_s"]
        ok = c["files_read_edited"] == [1] and extra <= T["edited_x"] * c["read_doc_s"] + 0.02
        out.append((f"kitgen check, one edited document ≈ reading it: +{_s(max(extra, 0), 'ms')} over the unedited "
                    f"check, reading the document alone {_s(c['read_doc_s'], 'ms')}, files read {c['files_read_edited']} "
                    f"(≤ {T['edited_x']}× + 20 ms)", _verdict(ok)))
    else:
        out.append(("kitgen check targets (not measured in this run)", "n/a"))
    mx = res.get("max")
    if mx:
        ck = mx.get("check") or {}
        passes = mx["rc"] == 0 and ck.get("rc") in (0, 5) and ck.get("bad") == 0
        ok = passes and mx["wall_s"] <= T["max_s"] and mx["rss_mb"] <= T["max_mb"] and not mx.get("raised")
        raised = "; kitgen as installed refuses it (limits.MAX_OUTLETS), figures with the limit raised" \
            if mx.get("raised") else ""
        out.append((f"{mx['outlets']:,} outlets ≤ {T['max_s']:.0f} s and ≤ {T['max_mb'] / 1024:.1f} GB, passes check: "
                    f"{_s(mx['wall_s'])}, {_mb(mx['rss_mb'])}, check {'passed' if passes else 'FAILED'}{raised}",
                    _verdict(ok)))
    else:
        out.append((f"{T['max_outlets']:,} outlets (not measured in this run)", "n/a"))
    par = next((p for p in res["parallel"] if p["jobs"] == 2), None)
    if par and par.get("speedup"):
        out.append((f"-j 2 on {par['profiles']} profiles ≥ {T['parallel_x']}× -j 1: {par['speedup']:.2f}× (paired)",
                    _verdict(par["speedup"] >= T["parallel_x"])))
    else:
        out.append(("-j 2 ≥ 1.8× -j 1 (not measured in this run)", "n/a"))
    for t in res["table"]:
        if t.get("paired_k_dxt"):
            out.append((f"outlet table, {t['rows']:,} rows, kitgen (verification included) ÷ docxtemplater: "
                        f"{t['paired_k_dxt']:.2f}× (paired)", _verdict(t["paired_k_dxt"] <= 1.0)))
    return out


# ----------------------------------------------------------------------------------------------
# Entry points

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="kitgen benchmark: prints a table of medians (see bench/RESULTS.md)")
    ap.add_argument("--quick", action="store_true",
                    help="a small smoke run: one sample, 100 outlets, tables of 100 and 1,000 rows, 1 run each")
    ap.add_argument("--no-node", action="store_true", help="leave docxtemplater (Node.js) out")
    ap.add_argument("--runs", type=int, default=0, help="runs per build measure (default 5, --quick 1)")
    ap.add_argument("--repeats", type=int, default=0, help="in-process repeats per table render (default 5, --quick 3)")
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None,
                    help="outlet counts for the kit builds (default 100,1000,3000,10000; --quick 100)")
    ap.add_argument("--table-sizes", type=lambda s: [int(x) for x in s.split(",")], default=None,
                    help="outlet counts for the table comparison (default 100,1000,3000,10000; --quick 100,1000)")
    ap.add_argument("--outlets-format", choices=("xlsx", "csv"), default="xlsx", help="outlets_file format (xlsx)")
    ap.add_argument("--only", type=lambda s: s.split(","), default=None,
                    help="comma-separated sections: help,samples,first,floor,scale,table,check,parallel,max")
    ap.add_argument("--no-max", action="store_true", help="leave out the 100,000-outlet build (about a minute)")
    ap.add_argument("--profile", action="store_true", help="also cProfile one in-process build of the largest kit")
    ap.add_argument("--json", metavar="FILE", help="write every number to FILE as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (kits, templates, outputs)")
    args = ap.parse_args(argv)
    try:
        import kitgen  # noqa: F401
    except ImportError:
        print(f"kitgen is not installed for this Python ({sys.executable}). Run the benchmark with the Python of "
              "kitgen's environment, e.g.: .venv/bin/python bench/run.py", file=sys.stderr)
        return 2
    if args.sizes is None:
        args.sizes = [100] if args.quick else [100, 1000, 10000]
    if args.table_sizes is None:
        args.table_sizes = [100, 1000] if args.quick else [100, 1000, 3000, 10000]
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
