"""Importing a township-sized register (issue 17): 50,000 rows (12,500 households of four, a method on every
married woman's row), as a dry run (read, find the header, check every row) and as the whole import (backup,
one transaction, follow-ups, integrity_check) into an empty encrypted village — beside calamine's bare read of
the same file in the same run. Target: the import under 30 s."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from app import config
from app.actor import Actor
from app.db import open_database
from app.services import identity
from app.services import registers_import as ri
from app.services.vault import new_key
from app.services.village import VillageSetup, set_up_village
from app.vocab import Sex, UserRole
from bench.common import BenchResult, timed

TODAY = dt.date(2026, 11, 24)
ROWS = 50_000
GROUPS = 10
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
)
GIVEN = "建国秀英桂兰志强海燕小红春花玉梅国庆永刚晓丽明华丽娟文军红梅丽萍"
SETUP = VillageSetup(
    village_name="红星村",
    village_code="620422103201",
    township_name="白银镇",
    township_code="620422103000",
    groups=tuple(f"{n}组" for n in range(1, GROUPS + 1)),
    officer_name="李秀英",
    username="lixiuying",
    password="secret123",
)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def write_register(path: Path, rows: int = ROWS, seed: int = 1) -> None:
    """A household register as a village keeps it: title row, shuffled columns, dates in several forms."""
    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("户籍人口")
    ws.append(["红星村户籍人口登记表"])
    ws.append(["序号", "组别", "户号", "姓名", "与户主关系", "性别", "出生日期", "公民身份号码", "婚姻状况",
               "联系电话", "居住状况", "避孕措施", "备注"])  # fmt: skip
    seq: dict[dt.date, int] = {}
    n = 0
    household = 0
    while n < rows:
        household += 1
        group = household % GROUPS + 1
        number = f"{group:02d}-{household:05d}"
        head_birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 40))
        members = [
            ("户主", Sex.MALE, head_birth, "初婚"),
            ("妻", Sex.FEMALE, head_birth + dt.timedelta(days=rng.randrange(-900, 900)), "初婚"),
            ("子", Sex.MALE, head_birth + dt.timedelta(days=rng.randrange(8000, 12000)), "未婚"),
            ("女", Sex.FEMALE, head_birth + dt.timedelta(days=rng.randrange(8000, 12000)), "未婚"),
        ]
        for relation, sex, birth, marital in members:
            if n >= rows:
                break
            birth = min(birth, TODAY - dt.timedelta(days=400))
            k = seq.get(birth, 0)
            seq[birth] = k + 1
            id_number = identity.make("620422", birth, k % 500, sex)
            shown = (birth.strftime("%Y%m%d"), f"{birth.year}-{birth.month}-{birth.day}", birth)[n % 3]
            phone = f"13{rng.randrange(10**9):09d}" if relation == "户主" else ""
            method = rng.choice(("上环", "避孕套", "口服避孕药", "皮下埋植")) if relation == "妻" else ""
            n += 1
            ws.append([n, f"{group}组", number, _name(rng), relation, "男" if sex == Sex.MALE else "女", shown,
                       id_number, marital, phone, "常住", method, ""])  # fmt: skip
    wb.save(path)


def _village(folder: Path, key: bytes) -> tuple[Path, Actor]:
    config.prepare_data_dir(folder)
    path = config.database_path(folder)
    db = open_database(path, key=key)
    actor = Actor(set_up_village(db, SETUP), UserRole.ADMIN, SETUP.village_code)
    db.dispose()
    return path, actor


def _bare_read(path: Path) -> int:
    book = CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_name(n).to_python(skip_empty_area=False)) for n in book.sheet_names)


def run() -> list[BenchResult]:
    results = []
    with tempfile.TemporaryDirectory(prefix="fhdesk-bench-import-") as tmp:
        root = Path(tmp)
        register = root / "register.xlsx"
        write_register(register)
        key = new_key()
        path, actor = _village(root / "village", key)
        db = open_database(path, key=key)
        try:
            bare = min(timed(lambda: _bare_read(register))[0] for _ in range(2))
            dry, plan = timed(lambda: ri.preview(db, actor, ri.open_source(register), TODAY))
            assert plan.added == ROWS and plan.refused == 0, (plan.added, plan.refused)
            results.append(
                BenchResult(f"import dry run, {ROWS:,} rows", dry, "calamine bare read of the file", bare)
            )
            whole, result = timed(
                lambda: ri.import_register(db, actor, ri.open_source(register), TODAY, key=key)
            )
            assert result.plan.added == ROWS
            results.append(
                BenchResult(
                    f"import, {ROWS:,} rows (backup, write, follow-ups, integrity_check; target < 30 s)",
                    whole,
                    "calamine bare read of the file",
                    bare,
                )
            )
            again, second = timed(
                lambda: ri.import_register(db, actor, ri.open_source(register), TODAY, key=key)
            )
            assert (second.plan.added, second.plan.updated) == (0, 0)
            results.append(
                BenchResult(
                    f"the same file again, {ROWS:,} rows (a no-op)", again, "calamine bare read", bare
                )
            )
        finally:
            db.dispose()
    return results
