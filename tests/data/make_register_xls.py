"""Build tests/data/register_wps.xls: an old-format (.xls, BIFF8) household register as WPS and old Excel save
them, for tests/integration/test_registers_import.py.

Made once with LibreOffice Calc (Debian 12's `libreoffice-calc`, `soffice --headless --convert-to xls`) from a
workbook this script writes with openpyxl: a title row, a two-row header under merged cells (人员信息 over 姓名,
身份证号, 出生日期), a villager-group column as numbers, phone numbers as number cells, a birth date as a date
cell, one ID number with a wrong check character, and a totals row. Run it again only to change the file:
`.venv/bin/python tests/data/make_register_xls.py` (needs `soffice` on the PATH).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from app.services import identity  # noqa: E402
from app.vocab import Sex  # noqa: E402

OUT = Path(__file__).resolve().with_name("register_wps.xls")


def rows() -> list[list[object]]:
    def rid(birth: dt.date, seq: int, sex: Sex) -> str:
        return identity.make("620422", birth, seq, sex)

    bad = rid(dt.date(1979, 9, 9), 65, Sex.MALE)
    bad = bad[:-1] + ("1" if bad[-1] != "1" else "2")
    return [
        [
            "8-01",
            1,
            "马春生",
            rid(dt.date(1968, 4, 12), 60, Sex.MALE),
            dt.date(1968, 4, 12),
            "户主",
            13709876543,
        ],
        ["8-01", 1, "杜秋菊", rid(dt.date(1970, 11, 3), 61, Sex.FEMALE), "1970.11.3", "妻", ""],
        ["8-01", 1, "马小宝", rid(dt.date(2012, 6, 30), 62, Sex.MALE), "20120630", "子", ""],
        ["8-02", 2, "牛大力", rid(dt.date(1975, 1, 8), 63, Sex.MALE), "1975年1月8日", "户主", 13512345678],
        ["8-02", 2, "牛小花", rid(dt.date(2001, 3, 15), 64, Sex.FEMALE), "2001-3-15", "女", ""],
        ["8-03", 2, "侯错号", bad, "1979-09-09", "户主", ""],
    ]


def main() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("soffice (LibreOffice) is not installed")
    wb = Workbook()
    ws = wb.active
    ws.title = "人口登记"
    ws.append(["某村户籍人口花名册（WPS）"])
    ws.append(["户号", "组别", "人员信息", "", "", "与户主关系", "联系电话"])
    ws.append(["", "", "姓名", "身份证号", "出生日期", "", ""])
    for col in ("A", "B", "F", "G"):
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("C2:E2")
    for r in rows():
        ws.append(r)
    ws.append(["合计", "", "6人", "", "", "", ""])
    for row in ws.iter_rows(min_row=4, min_col=4, max_col=4):
        row[0].number_format = "@"  # ID numbers as text, as any register that keeps them whole
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / OUT.with_suffix(".xlsx").name
        wb.save(source)
        subprocess.run(
            [soffice, "--headless", "--convert-to", "xls:MS Excel 97", "--outdir", tmp, str(source)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        shutil.copyfile(Path(tmp) / OUT.name, OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
