"""A demo township in one command: N demo villages of the demo township (different codes and seeds, every one
enrolled with the app's published demo township key), their packages exported and imported into a township
database — so township mode can be tried on real-looking data."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from app.actor import Actor
from app.db import Database, open_database
from app.errors import DomainError
from app.i18n import tr
from app.progress import ProgressFn, report, scaled
from app.services.demo import DEMO_SETUP, FEWEST_PEOPLE, generate_demo
from app.sync import keys, package, township

# Village names for the demo's villages (the first is the demo village's own).
VILLAGE_NAMES = [
    "红星村",
    "白塔村",
    "东湾村",
    "西坪村",
    "南沟村",
    "北梁村",
    "柳树村",
    "杏园村",
    "石门村",
    "河口村",
    "上庄村",
    "下庄村",
    "新华村",
    "团结村",
    "前进村",
    "和平村",
    "永丰村",
    "长青村",
    "龙泉村",
    "金山村",
    "青石村",
    "黄河村",
    "三合村",
    "四方村",
    "五星村",
    "六盘村",
    "七里村",
    "八里村",
    "九龙村",
    "十里村",
    "王家村",
    "李家村",
    "张家村",
    "刘家村",
    "陈家村",
    "杨家村",
    "赵家村",
    "周家村",
    "吴家村",
    "孙家村",
    "马家村",
    "朱家村",
    "胡家村",
    "郭家村",
    "何家村",
    "高家村",
    "林家村",
    "罗家村",
    "郑家村",
    "梁家村",
    "谢家村",
    "宋家村",
    "唐家村",
    "许家村",
    "韩家村",
    "冯家村",
    "邓家村",
    "曹家村",
    "彭家村",
    "曾家村",
]
MAX_VILLAGES = 99
DEMO_TOWNSHIP_SETUP = township.TownshipSetup(
    township_name=DEMO_SETUP.township_name,
    township_code=DEMO_SETUP.township_code,
    officer_name="王建华",
    username="township",
    password=DEMO_SETUP.password,
)


@dataclass(frozen=True)
class DemoTownship:
    villages: int
    people: int
    imported: int


def village_code(n: int) -> str:
    return f"{DEMO_SETUP.township_code[:9]}{201 + n:03d}"


def fill_demo_township(
    db: Database,
    actor: Actor,
    *,
    villages: int,
    people: int,
    today: dt.date,
    progress: ProgressFn | None = None,
    packages_to: Path | None = None,
) -> DemoTownship:
    """Make `villages` demo villages sharing `people` people, export each one's package and import them all
    into the township database `db` (set up already, with the published demo township keys). The packages
    are kept in `packages_to` when given (a benchmark imports them again)."""
    if not 1 <= villages <= MAX_VILLAGES:
        raise DomainError("township_ui.demo_villages_range", "villages", maximum=MAX_VILLAGES)
    each = max(people // villages, FEWEST_PEOPLE)
    with tempfile.TemporaryDirectory(prefix="fhdesk-demo-township-") as tmp:
        root = Path(tmp)
        stick = Path(packages_to) if packages_to is not None else root / "stick"
        stick.mkdir(parents=True, exist_ok=True)
        demo_text = keys.demo_township_keys().text()
        for n in range(villages):
            report(
                progress, 0.8 * n / villages, tr("township_ui.demo_progress_village", n=n + 1, total=villages)
            )
            code = village_code(n)
            name = VILLAGE_NAMES[n] if n < len(VILLAGE_NAMES) else f"{n + 1}号村"
            vdb = open_database(root / f"{code}.sqlite")
            try:
                setup = replace(DEMO_SETUP, village_code=code, village_name=name)
                generate_demo(vdb, people=each, seed=1 + n, today=today, setup=setup)
                system = Actor.system(code)
                public = keys.ensure_own_keys(vdb, system)
                keys.enrol_township(vdb, system, demo_text, allow_demo=True)
                package.export_package(vdb, system, stick, month=package.last_month(today))
            finally:
                vdb.dispose()
            keys.enrol_village(db, actor, public.text())
        outcomes = township.import_packages(
            db, actor, [stick], quarantine=root / "quarantine", progress=scaled(progress, 0.8, 1.0)
        )
    return DemoTownship(villages, each * villages, sum(1 for o in outcomes if o.outcome == "applied"))


def install_demo_keys(db: Database, actor: Actor) -> None:
    """The township database takes the published demo township key pair (the villages' packages are
    encrypted to it)."""
    sign = next(
        line.strip()
        for line in (keys.DEMO_TOWNSHIP / "township.ed25519").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    identity = next(
        line.strip()
        for line in (keys.DEMO_TOWNSHIP / "township.agekey").read_text(encoding="utf-8").splitlines()
        if line.startswith("AGE-SECRET-KEY-")
    )
    db.run(actor, keys.do_install_own_keys, sign, identity)
