"""`kitgen assess` (write the self-assessment workbook) and `kitgen score` (score it). Thin wrappers."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kitgen.cli.common import JSON_FORMAT, catalog_option, echo, handle_errors, json_printable

ASSESS_EPILOG = """\b
工作簿各表：自评表（每个适用的三级条款一行：编号、名称、要求概述、可靠程度、分值、
对应的文件包文件、证明记录，以及要填写的“结果”和“说明”）、特别扣分项、特别加分项（至多一项）、
删减（不计分的指标）、参数与说明。填好后运行 kitgen score 该文件.xlsx。
\b
退出码：0 成功；2 用法错误（如输出文件已存在且未加 --force）；3 配置或指标目录有误。"""

SCORE_EPILOG = """\b
输入：kitgen assess 生成并填好的 .xlsx，或 YAML：
  profile: client.yaml          # 相对本 YAML 文件；删减和目标星级取自配置
  results: {"5.1.1.1": true, "5.1.2.2": 0.5}   # true / false / 0~1 的比例
  special_deductions: [三包凭证未注明维修网点地址]
  special_bonus: 全国首家提供以旧换新上门回收的企业     # 至多一项
未列出的条款按不符合计，并在报告中列为“未评价”。
\b
计分：得分 = 实得分 ÷ 适用条款总分 × 100（删减条款两边都不计）− 特别扣分项数 + 特别加分（至多 1）；
达标级 ≥ 70，三星级 ≥ 80，四星级 ≥ 90，五星级 ≥ 95；特别扣分项 ≥ 5 项无论得分均不合格。
\b
退出码：0 已算出得分（无论星级高低、是否合格）；3 输入有误（未知条款编号、比例不在 0~1、
为删减的条款填了结果、特别加分项多于一项等，报告文件和行号）；2 用法错误。"""


@click.command(epilog=ASSESS_EPILOG)
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="输出的 Excel 文件（默认：当前文件夹下的“配置名-自评表.xlsx”）。")
@click.option("--force", is_flag=True, help="覆盖已存在的自评表（其中已填写的结果会丢失）。")
@catalog_option
@handle_errors
def assess(profile: Path, out_path: Path | None, force: bool, catalog_path: Path | None) -> None:
    """生成自评工作簿：每个适用的三级条款一行，对应文件包中的文件，供企业逐条填写结果。"""
    from kitgen.api import load_profile, plan
    from kitgen.core.catalog import load_catalog
    from kitgen.assess.score import assessment_workbook
    out_path = out_path or Path(f"{profile.stem}-自评表.xlsx")
    if out_path.exists() and not force:
        raise click.UsageError(f"{out_path} 已存在（可能已填写了结果）；为避免覆盖，请换一个文件名（-o）或加 --force")
    from kitgen.content import overlay
    # the consultancy's overlays beside the profile bring their catalog and clauses, as in build
    overlays = overlay.resolve(profile, [])
    cat = load_catalog(overlay.catalog_path(overlays, catalog_path))
    prof = load_profile(profile, cat)
    the_plan = plan(prof, cat, overlays, require_coverage=False)
    data = assessment_workbook(the_plan, profile_label=str(profile))
    try:
        out_path.write_bytes(data)
    except OSError as e:
        raise click.UsageError(f"无法写出 {out_path}：{e.strerror or e}") from None
    n = sum(1 for i in cat.indicators.values() if i.level == 3 and i.id not in the_plan.deletions)
    click.echo(f"已生成自评表：{out_path}（{n} 个适用条款）。填写“结果”列后运行：kitgen score {out_path}")
    if cat.points_provisional:
        click.echo("注意：条款分值为占位值，自评得分仅供参考。")


@click.command(epilog=SCORE_EPILOG)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 500), help="列出失分最多的前几项条款。")
@catalog_option
@handle_errors
def score(file: Path, as_json: bool, top: int, catalog_path: Path | None) -> None:
    """按 GB/T 27922-2011 的计分规则算出自评得分、星级、与目标星级的差距和失分最多的条款。"""
    from kitgen.core.catalog import load_catalog
    from kitgen.assess.score import load_input, score_input, text_report
    cat = load_catalog(catalog_path)
    inp = load_input(file, cat)
    rep = score_input(inp)
    if as_json:
        data = {"format": JSON_FORMAT, **rep.as_dict()}
        data["company"], data["source"] = inp.company, inp.source
        click.echo(json_printable(json.dumps(data, ensure_ascii=False, indent=2)))
    else:
        echo(text_report(rep, inp.company, inp.source, top=top))
