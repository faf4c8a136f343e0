"""`kitgen build --zip`: a zip whose Chinese names open correctly in Windows Explorer."""
from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner

from kitgen.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]


def test_zip_has_every_file_with_utf8_flagged_chinese_names(tmp_path):
    out = tmp_path / "客户文件包"
    result = CliRunner().invoke(cli, ["build", str(ROOT / "samples/electronics-retailer.yaml"), "-o", str(out), "--zip"])
    assert result.exit_code == 0, result.output
    zpath = tmp_path / "客户文件包.zip"
    assert "压缩包" in result.output and zpath.is_file()
    with zipfile.ZipFile(zpath) as zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        on_disk = {f"客户文件包/{p.relative_to(out).as_posix()}" for p in out.rglob("*") if p.is_file()}
        assert names == on_disk
        assert "客户文件包/02 售后服务管理手册.docx" in names
        for info in infos:
            if not info.filename.isascii():
                assert info.flag_bits & 0x800, info.filename       # the UTF-8 (EFS) flag
        assert zf.testzip() is None
