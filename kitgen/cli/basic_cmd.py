"""The profile and library commands: validate, init, catalog, industries, build."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kitgen.cli.common import (JSON_FORMAT, echo, echo_problems, catalog_option, handle_errors, json_printable,
                               terminate_as_interrupt)

outlets_anywhere_option = click.option(
    "--outlets-anywhere", "outlets_anywhere", is_flag=True,
    help="允许配置中的 outlets_file 指向配置文件所在文件夹以外的文件（默认只读取该文件夹及其子文件夹中的文件）。")


@click.command()
@click.argument("profiles", nargs=-1, required=True, type=click.Path(path_type=Path))
@catalog_option
@click.option("-q", "--quiet", is_flag=True, help="只报告错误，不列出将留待问卷补充的信息和推导的删减。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出每个配置的结果、问题和将留待补充的信息。")
@outlets_anywhere_option
@handle_errors
def validate(profiles: tuple[Path, ...], catalog_path: Path | None, quiet: bool, as_json: bool = False,
             outlets_anywhere: bool = False) -> None:
    """检查一个或多个配置文件，列出全部问题（行号、字段、应如何填写）；有效的配置另列出文件包将留待
    “08 待补充信息.xlsx”补充的信息和由配置推导的删减，便于先补全配置。"""
    from kitgen.api import load_profile, open_facts
    from kitgen.core.catalog import load_catalog
    from kitgen.errors import InvalidInput
    from kitgen.content.overlay import catalog_path as overlay_catalog
    from kitgen.content.overlay import resolve
    failed: list[InvalidInput] = []
    results = []
    for path in profiles:
        try:       # a catalog.yaml in the profile's overlays (kitgen.toml, .kitgen/) applies; --catalog wins
            cat = load_catalog(overlay_catalog(resolve(path, []) if catalog_path is None else [], catalog_path))
            profile = load_profile(path, cat, outlets_anywhere=outlets_anywhere)
        except InvalidInput as err:
            failed.append(err)
            results.append({"path": str(path), "valid": False, "problems": [
                {"file": p.file, "line": p.line, "path": p.path, "message": p.message, "hint": p.hint}
                for p in err.problems]})
            if not as_json:
                echo_problems(err)
            continue
        entry = {"path": str(path), "valid": True, "company": profile.company.name, "role": profile.role,
                 "industry": profile.industry, "outlets": len(profile.outlets), "problems": [],
                 "warnings": [{"file": w.file, "line": w.line, "path": w.path, "message": w.message, "hint": w.hint}
                              for w in profile.warnings]}
        results.append(entry)
        if not as_json:
            echo(f"{path}: 配置有效 —— {profile.company.name}，{len(profile.outlets)} 个网点")
            for w in profile.warnings:
                echo(f"  注意：{w}")
        if quiet:
            continue
        asks, deletions = open_facts(profile, cat)
        if as_json:
            entry["open"] = [{"key": r["key"], "label": r["label"], "count": r["count"]} for r in asks]
            entry["deletions"] = [{"id": d.id, "name": d.name, "reason": d.reason} for d in deletions]
            continue
        from kitgen.core.facts import profile_key
        own = [r for r in asks if profile_key(r["key"])]
        other = len(asks) - len(own)
        if own:
            click.secho(f"  提示：配置未提供以下 {len(own)} 项，文件中将以【待填写】标出并列入“08 待补充信息.xlsx”"
                        "（可先在配置中补上）：", fg="yellow")
            for r in own:
                click.secho(f"    {r['key']:<40} {r['label']}（{r['count']} 处）", fg="yellow")
        if other:
            click.secho(f"  提示：另有 {other} 项企业内部信息（时限、人员、金额等）将列入待补充信息表，"
                        "可在配置的 answers: 中预先填写", fg="yellow")
        for d in deletions:
            if d.id.rsplit(".", 1)[0] in {x.id for x in deletions}:
                continue                  # its parent's line says it
            click.secho(f"  提示：删减 {d.id} {d.name}：{d.reason}", fg="yellow")
    if as_json:
        click.echo(json_printable(json.dumps({"format": JSON_FORMAT, "valid": not failed, "profiles": results},
                                             ensure_ascii=False, indent=2)))
    if failed:
        sys.exit(failed[0].exit_code)


@click.command()
@click.argument("path", required=False, default="client.yaml", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
@handle_errors
def init(path: Path, force: bool) -> None:
    """生成带注释的配置样例（默认 client.yaml），可直接通过 validate。"""
    from kitgen.cli.schema_cmd import schema_text
    from kitgen.core.schema import SCHEMA_FILE
    from kitgen.resources import data_dir
    if path.exists() and not force:
        raise click.UsageError(f"{path} 已存在；为避免覆盖您的内容，请换一个文件名或加 --force")
    if path.is_dir():
        raise click.UsageError(f"{path} 是一个文件夹；请给出配置文件的文件名，如 {path / 'client.yaml'}")
    parent = path.parent
    if not parent.is_dir():
        what = "不是文件夹" if parent.exists() else "不存在"
        raise click.UsageError(f"文件夹 {parent} {what}；请先建立该文件夹，或换一个路径")
    # the first line points VS Code's YAML extension at the schema written beside it (completion, key checks)
    modeline = f"# yaml-language-server: $schema={SCHEMA_FILE}\n".encode()
    try:
        path.write_bytes(modeline + (data_dir() / "starter.yaml").read_bytes())
        schema_path = path.parent / SCHEMA_FILE
        text = schema_text()
        if not schema_path.exists() or schema_path.read_text("utf-8", errors="replace") != text:
            schema_path.write_text(text, "utf-8")
    except OSError as e:
        raise click.UsageError(f"无法写出 {path}：{e.strerror or e}") from None
    click.echo(f"已生成 {path}（及供编辑器补全、检查键名的 {SCHEMA_FILE}）。请按注释填写后运行：kitgen validate {path}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@catalog_option
@handle_errors
def catalog(as_json: bool, catalog_path: Path | None) -> None:
    """显示指标目录（一级 / 二级 / 三级）及每条的可靠程度。"""
    from kitgen.core.catalog import PROVENANCE, load_catalog
    cat = load_catalog(catalog_path)
    if as_json:
        click.echo(json_printable(json.dumps({
            "format": JSON_FORMAT, "id": cat.id, "title": cat.title, "points_provisional": cat.points_provisional, "notice": cat.notice,
            "indicators": [{"id": i.id, "level": i.level, "parent": i.parent, "name": i.name, "summary": i.summary,
                            "provenance": i.provenance, "points": i.points, "points_provenance": i.points_provenance,
                            "deletable": i.deletable} for i in cat.indicators.values()]}, ensure_ascii=False, indent=2)))
        return
    counts = [len(cat.level(n)) for n in (1, 2, 3)]
    echo(f"{cat.title}：一级 {counts[0]} 项 / 二级 {counts[1]} 项 / 三级 {counts[2]} 项")
    if cat.notice:
        echo(cat.notice)
    for ind in cat.indicators.values():
        pts = f" {ind.points:g}分" if ind.points is not None else ""
        flag = "" if ind.points_provenance != "placeholder" or ind.points is None else "（占位）"
        indent = "  " * (ind.level - 1)
        echo(f"{indent}{ind.id} {ind.name}{pts}{flag}  [{ind.provenance}]")
    click.echo("\n可靠程度：" + "；".join(f"{k}＝{v}" for k, v in PROVENANCE.items()))
    if cat.points_provisional:
        click.echo("注意：条款分值为占位值（仅一级分值与 5.1.2.2 有二手来源），自评得分仅供参考。")


@click.command()
@handle_errors
def industries() -> None:
    """列出可用的行业代码（行业包：library/packs/<代码>/，咨询机构覆盖层的 packs/ 可增加行业）。"""
    from kitgen.content.overlay import pack_roots, resolve
    from kitgen.core.industries import load_industries
    for ind in load_industries(pack_roots(resolve(Path("client.yaml"), []))).values():
        extras = []
        extras.append("实物交付" if ind.physical_delivery else "无实物交付")
        extras.append("默认回收" if ind.recycling else "默认不回收")
        if ind.three_guarantees:
            extras.append(f"三包：{ind.three_guarantees}")
        click.echo(f"{ind.id:<20} {ind.name}（{'；'.join(extras)}）")


def _out_path(value: str) -> Path:
    if not value or not value.strip():
        raise click.BadParameter("输出目录不能为空；请给出一个文件夹，如 -o 文件包/客户简称", param_hint="'-o'")
    return Path(value)


@click.command()
@click.argument("profiles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(), callback=lambda _c, _p, v: _out_path(v),
              help="输出目录；多个配置时每个配置生成在其下的同名子目录。")
@catalog_option
@click.option("--overlay", "overlays", multiple=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="咨询机构的覆盖层目录（条款、模板、目录）；可重复，后者优先。配置文件旁的 kitgen.toml 与 .kitgen/ "
                   "会自动使用（先于 --overlay）。")
@click.option("--reference-doc", "reference_doc", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="参考文档 .docx：其样式、页面设置、页眉徽标和封面用于所有文件（优先于覆盖层的 templates/base.docx）。")
@click.option("--force", is_flag=True, help="覆盖企业已修改过的文件（默认保留，并把新版本写在旁边）。")
@click.option("--zip", "make_zip", is_flag=True, help="另外生成文件包的 zip 压缩包。")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="并行生成的进程数。")
@click.option("--answers", "answers", type=click.Path(dir_okay=False, path_type=Path),
              help="填好“答案”列的待补充信息表（08 待补充信息.xlsx，或 kitgen answers 读回的表；也可为 .yaml）："
                   "答案填入每份文件中该项的位置。")
@outlets_anywhere_option
@handle_errors
def build(profiles: tuple[Path, ...], out_dir: Path, catalog_path: Path | None, overlays: tuple[Path, ...],
          reference_doc: Path | None, force: bool, make_zip: bool, jobs: int, answers: Path | None,
          outlets_anywhere: bool = False) -> None:
    """由配置生成文件包（手册、程序文件、制度、记录表格、申请资料、指标对照表、kit.json）。"""
    from kitgen.cli.build_cmd import run_build
    extra: list = list(overlays)
    if reference_doc is not None:      # a house-style document is an overlay holding only base.docx
        from kitgen.content.overlay import reference_overlay
        extra.append(reference_overlay(reference_doc))
    with terminate_as_interrupt():      # TERM/HUP stop a build as Ctrl-C does: no staging folder left behind
        code = run_build(list(profiles), out_dir, catalog_path, extra, force, make_zip, jobs, answers,
                         outlets_anywhere=outlets_anywhere)
    sys.exit(code)
