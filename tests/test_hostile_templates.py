"""Issue 14, item 10: an overlay's clause texts run in the sandbox with bounds on what they may
build and the work they may do; past a bound the build fails (exit 4) naming the clause."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kitgen import limits
from kitgen.cli.main import cli
from kitgen.core import textrender
from kitgen.errors import BuildFailed, Problem

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "appliance-producer.yaml"
WHERE = Problem("clauses/procedures/x.yaml", 7, "proc-x.body[0]", "")

ATTACKS = {
    "format width": "{{ '{:>999999999}'.format(1) }}",
    "format precision": "{{ '{:.999999999f}'.format(1.5) }}",
    "format_map": "{{ '{a:^999999999}'.format_map({'a': 1}) }}",
    "zfill": "{{ '1'.zfill(999999999) }}",
    "ljust": "{{ 'x'.ljust(999999999, '-') }}",
    "rjust": "{{ 'x'.rjust(999999999) }}",
    "center method": "{{ 'x'.center(999999999) }}",
    "center filter": "{{ 'x'|center(999999999) }}",
    "indent": "{{ 'a\nb\nc'|indent(999999999) }}",
    "indent string": "{{ ('a\n' * 100000)|indent('x' * 10000) }}",
    "expandtabs": "{{ 'a\tb'.expandtabs(999999999) }}",
    "printf filter": "{{ '%0999999999d'|format(1) }}",
    "printf operator": "{{ '%.999999999f' % 1.5 }}",
    "printf star": "{{ '%*d' % (999999999, 1) }}",
    "doubling with ~": "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "doubling with +": "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "replace blow-up": "{{ ('x' * 100000).replace('x', 'y' * 100000) }}",
    "replace filter": "{{ ('x' * 100000)|replace('x', 'y' * 100000) }}",
    "join blow-up": "{{ range(100000)|join('-' * 100000) }}",
    "three nested loops": "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
                          "{% endfor %}{% endfor %}{% endfor %}",
    "output in a loop": "{% for a in range(100000) %}{{ 'x' * 100000 }}{% endfor %}",
    "literal in a loop": "{% for a in range(100000) %}" + "x" * 1000 + "{% endfor %}",
    "macro fan-out": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(30) }}",
    "batch padding": "{{ [1]|batch(999999999, 'x')|list }}",
    "slice count": "{{ [1]|slice(999999999)|list }}",
    "tojson indent": "{{ range(1000)|list|tojson(999999999) }}",
}


@pytest.fixture()
def memory_cap():
    """A guard for the test run itself: should a bound regress, the attack fails with MemoryError
    instead of taking the machine's memory."""
    try:
        import resource
    except ImportError:                 # pragma: no cover - Windows
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") if Path("/proc/self/statm").exists() else open(__file__) as fh:
        first = fh.read().split()[0]
    used = int(first) * 4096 if first.isdigit() else 0
    cap = used + 3 * 1024 ** 3 if used else resource.RLIM_INFINITY
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.mark.parametrize("name", list(ATTACKS))
def test_each_attack_fails_fast_naming_the_clause(name, memory_cap):
    start = time.perf_counter()
    with pytest.raises(BuildFailed) as info:
        textrender.render(ATTACKS[name], {}, WHERE)
    elapsed = time.perf_counter() - start
    p = info.value.problems[0]
    assert p.file == WHERE.file and p.path == WHERE.path and "限制" in p.message, p
    assert elapsed < 5, f"{name} took {elapsed:.1f}s"


def test_a_condition_is_bounded_too():
    with pytest.raises(BuildFailed, match="限制"):
        textrender.condition("('x'.zfill(999999999))|length > 1", {}, WHERE)


@pytest.mark.parametrize("text,out", [
    ("{{ '{:>6}'.format(42) }}|{{ '%05.1f'|format(3.14159) }}|{{ 'ab' ~ 1 }}", "    42|003.1|ab1"),
    ("{% for i in range(3) %}{{ i }}{% endfor %}{{ 'x'.center(5, '*') }}", "012**x**"),
    ("{{ 'a\nb'|indent(2, true) }}|{{ [1, 2]|join('、') }}|{{ ('x' * 3)|replace('x', 'yz') }}", "  a\n  b|1、2|yzyzyz"),
])
def test_ordinary_templates_are_unchanged(text, out):
    assert textrender.render(text, {}, WHERE) == out


def test_one_build_shares_a_budget(monkeypatch):
    """Many clauses, each just under the per-text bound, cannot keep a build busy for minutes."""
    monkeypatch.setattr(limits, "TEMPLATE_MAX_STEPS", 1000)
    monkeypatch.setattr(limits, "TEMPLATE_MAX_BUILD_STEPS", 5000)
    text = "{% for i in range(900) %}{% endfor %}ok"
    with textrender.build_budget():
        for _ in range(5):
            assert textrender.render(text, {}, WHERE) == "ok"
        with pytest.raises(BuildFailed, match="本次生成"):
            textrender.render(text, {}, WHERE)


def test_a_hostile_overlay_clause_fails_the_build_with_exit_4(tmp_path):
    overlay = tmp_path / "o" / "clauses" / "procedures"
    overlay.mkdir(parents=True)
    (overlay / "proc-complaint.yaml").write_text(
        "- id: proc-complaint.purpose\n  doc: proc-complaint\n  order: 10\n  heading: 目的\n"
        "  indicators: [\"5.3.2\"]\n  body:\n"
        "    - p: \"{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
        "{% endfor %}{% endfor %}{% endfor %}\"\n", "utf-8")
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path / "kit"), "--overlay",
                                      str(tmp_path / "o")])
    assert result.exit_code == 4, result.output
    assert "proc-complaint.yaml" in result.output and "proc-complaint.purpose" in result.output
    assert "运算量" in result.output
    assert time.perf_counter() - start < 30
    assert not (tmp_path / "kit").exists()


def test_a_hostile_application_form_fails_the_build_with_exit_4(tmp_path):
    """The certification body's template (docxtpl) runs in the same sandbox with the same budget."""
    import io
    import zipfile
    root = Path(__file__).resolve().parents[1]
    src = (root / "library" / "templates" / "application_form.docx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<w:p><w:r><w:t>{{ 'x'.zfill(999999999) }}</w:t></w:r></w:p></w:body>")
            zout.writestr(info, data)
    overlay = tmp_path / "o" / "templates"
    overlay.mkdir(parents=True)
    (overlay / "application_form.docx").write_bytes(out.getvalue())
    result = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path / "kit"), "--overlay",
                                      str(tmp_path / "o")])
    assert result.exit_code == 4, result.output
    assert "application_form.docx" in result.output and "限制" in result.output
