"""The demo village: realistic, deterministic households, care records, supplies and follow-ups, bulk-loaded."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.clock import CHINA_TZ
from app.db import Database
from app.i18n import tr
from app.models import (
    TRAVELLING_MODELS,
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    FollowupAnswer,
    Household,
    Person,
    Pregnancy,
    PrepregnancyCheck,
    StockMovement,
    SupplyItem,
    SupportEntitlement,
    User,
    VillageProfile,
    VillagerGroup,
    VitalEvent,
)
from app.models.base import SyncMixin
from app.models.tracking import append_audit
from app.models.user import SYSTEM_USER_ID
from app.models.vocab import (
    ContraceptiveMethod as CM,
)
from app.models.vocab import (
    DeliveryPlace,
    FollowupStatus,
    FollowupType,
    MaritalStatus,
    MovementType,
    PregnancyOutcome,
    Relation,
    ResidenceStatus,
    ResidenceType,
    RiskGrade,
    Sex,
    SupplyCategory,
    SupportKind,
    UserRole,
    VitalEventType,
)
from app.services import identity
from app.services.names import name_keys
from app.services.validation import full_years
from app.services.village import VillageSetup, set_up_village

ProgressFn = Callable[[float, str], bool]

DEMO_SETUP = VillageSetup(
    village_name="红星村",
    village_code="620422103201",
    township_name="白银镇",
    township_code="620422103000",
    groups=("一组", "二组", "三组", "四组", "五组", "六组"),
    officer_name="李秀英",
    username="demo",
    password="demo1234",
    officer_phone="13993012345",
)

# How far back vital events, closed pregnancies and the stock ledger go.
WINDOW_DAYS = 548  # 18 months
CHECKLIST_VERSION = "1"
INSERT_BATCH = 5000

# ---------------------------------------------------------------- vocabulary of the demo


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Common surnames, the most frequent first (and weighted more), including the polyphonic 曾 单 解 翟 覃.
_SURNAME_TEXT = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解翟"
)
SURNAMES = tuple(dict.fromkeys(_SURNAME_TEXT))
SURNAME_WEIGHTS = tuple(8 if i < 5 else 4 if i < 10 else 2 if i < 30 else 1 for i in range(len(SURNAMES)))

# Given names by sex and the decade a person was born in: (born before, male names, female names).
GIVEN_NAMES: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        1955,
        _words(
            "德福 富贵 长生 福全 守义 振海 有才 占魁 进财 玉山 万福 生荣 俊德 光明 明礼 永昌 世杰 春发 廷贵 宝林 "
            "双喜 金福 克勤 学文 国栋 登科 兴旺 汉清 兆祥 天禄"
        ),
        _words(
            "秀英 桂英 玉兰 秀兰 桂兰 凤英 淑珍 玉珍 翠花 秀珍 兰英 桂芳 玉梅 凤兰 金花 春花 秀芳 彩霞 改英 粉兰 "
            "爱兰 菊花 梅英 巧云 存英 月娥 兰香 玉英 桂香 引弟"
        ),
    ),
    (
        1970,
        _words(
            "建国 建华 国强 卫东 志强 红军 立新 建平 志刚 海军 跃进 解放 援朝 新民 卫国 胜利 学军 保国 建设 振华 "
            "国庆 向东 东升 建民 秀峰 文斌 明亮 庆丰 永福 建忠"
        ),
        _words(
            "红梅 丽华 红霞 海燕 春梅 小红 秀梅 玉霞 晓红 淑芬 美玲 彩云 桂琴 丽萍 爱华 卫红 建英 玉芳 金凤 秀云 "
            "春燕 红英 亚琴 玉琴 丽 霞 艳 萍 燕 芳"
        ),
    ),
    (
        1985,
        _words(
            "勇 军 强 伟 斌 刚 平 明 东 峰 波 林 涛 海龙 永平 建军 志军 小军 红兵 永强 国华 宏伟 海峰 伟东 晓明 "
            "振宇 建伟 立军 文华 学斌"
        ),
        _words(
            "丽娟 艳红 小燕 红艳 静 敏 娟 丽 霞 燕 萍 玲 芳 红 梅 丽霞 晓燕 海霞 小梅 春霞 玉娟 秀娟 彩霞 永霞 "
            "爱萍 淑娟 艳梅 丽红 晓丽 凤琴"
        ),
    ),
    (
        2000,
        _words(
            "伟 磊 涛 鹏 超 杰 斌 强 浩 亮 鑫 龙 飞 健 宇 俊杰 建伟 海涛 志鹏 晓东 文博 小龙 国栋 鹏飞 旭东 "
            "亚军 晓峰 宏亮 永杰 文杰"
        ),
        _words(
            "静 敏 丽 娟 婷 艳 芳 雪 晶 倩 燕 丹 琳 佳 晓燕 丽娜 雪梅 春燕 婷婷 文静 小燕 艳红 娜 莉 亚楠 晓敏 "
            "丽丽 玉洁 晓霞 蓉"
        ),
    ),
    (
        9999,
        _words(
            "浩然 子轩 宇轩 俊熙 博文 子豪 一鸣 浩宇 皓轩 明轩 天佑 宇航 思远 嘉豪 梓睿 铭 瑞 辰 航 博 毅 家乐 "
            "泽宇 沐阳 文轩 奕辰 睿 昊天 俊宇 锦程"
        ),
        _words(
            "欣怡 梓涵 子涵 雨桐 诗涵 可欣 一诺 佳怡 梦瑶 思彤 语嫣 紫萱 欣妍 雨萱 若汐 梓萱 悦 涵 琪 瑶 萱 彤 "
            "佳琪 雅琪 诗琪 依诺 可馨 雨欣 梦琪 思雨"
        ),
    ),
)

# Where people go to work, and where wives and in-migrant families come from (area code, place).
DESTINATIONS = (
    "甘肃省兰州市",
    "甘肃省兰州市",
    "甘肃省兰州市",
    "甘肃省白银市",
    "甘肃省白银市",
    "陕西省西安市",
    "宁夏回族自治区银川市",
    "广东省广州市",
    "广东省深圳市",
    "广东省东莞市",
    "北京市",
    "上海市",
    "新疆维吾尔自治区乌鲁木齐市",
    "天津市",
    "江苏省苏州市",
    "四川省成都市",
    "浙江省宁波市",
)
ORIGINS = (
    ("620421", "甘肃省白银市靖远县"),
    ("620423", "甘肃省白银市景泰县"),
    ("620402", "甘肃省白银市白银区"),
    ("620403", "甘肃省白银市平川区"),
    ("621121", "甘肃省定西市通渭县"),
    ("621102", "甘肃省定西市安定区"),
    ("620522", "甘肃省天水市秦安县"),
    ("640402", "宁夏回族自治区固原市原州区"),
    ("620121", "甘肃省兰州市永登县"),
    ("621122", "甘肃省定西市陇西县"),
)
HOSPITALS = (
    "会宁县人民医院",
    "会宁县妇幼保健院",
    "白银市第一人民医院",
    "白银市妇幼保健院",
    "白银镇中心卫生院",
)
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 177 180 "
    "181 182 183 185 186 187 188 189 191 193 198 199"
)
RISK_NOTES = (
    "瘢痕子宫（既往剖宫产）",
    "轻度贫血",
    "妊娠期糖尿病",
    "妊娠期高血压",
    "既往自然流产史",
    "甲状腺功能减退",
)
METHOD_LABELS = {
    CM.IUD: "宫内节育器",
    CM.IMPLANT: "皮下埋植",
    CM.FEMALE_STERILISATION: "输卵管绝育",
    CM.MALE_STERILISATION: "输精管绝育",
    CM.PILL: "口服避孕药",
    CM.INJECTABLE: "避孕针",
    CM.CONDOM: "避孕套",
    CM.SPERMICIDE: "外用避孕药",
}

# Antenatal check windows in days after the LMP: (earliest, due, latest) — see domain.md.
ANC_WINDOWS = (
    (FollowupType.ANC1, 0, 84, 90),
    (FollowupType.ANC2, 112, 112, 146),
    (FollowupType.ANC3, 147, 147, 174),
    (FollowupType.ANC4, 196, 196, 258),
    (FollowupType.ANC5, 259, 259, 286),
)
# Contraceptive checks after an IUD or implant insertion: 1, 3 and 12 months, then yearly.
CHECK_MONTHS = (1, 3, 12)


@dataclass(frozen=True)
class _Supply:
    code: str
    name: str
    form: str
    unit: str
    category: str
    days_per_unit: int
    reorder_level: int
    pack: int  # receipts come in whole boxes
    shelf_days: int


SUPPLIES = (
    _Supply("C01", "避孕套", "男用乳胶避孕套", "只", SupplyCategory.CONTRACEPTIVE, 0, 300, 100, 5 * 365),
    _Supply("C02", "口服避孕药", "复方左炔诺孕酮片", "板", SupplyCategory.CONTRACEPTIVE, 28, 30, 10, 3 * 365),
    _Supply(
        "C03", "避孕针", "醋酸甲羟孕酮注射液 150mg", "支", SupplyCategory.CONTRACEPTIVE, 90, 5, 10, 3 * 365
    ),
    _Supply("C04", "外用避孕栓", "壬苯醇醚栓", "盒", SupplyCategory.CONTRACEPTIVE, 0, 5, 10, 2 * 365),
    _Supply(
        "C05", "紧急避孕药", "左炔诺孕酮片 1.5mg", "板", SupplyCategory.CONTRACEPTIVE, 0, 10, 10, 3 * 365
    ),
    _Supply("C06", "女用避孕套", "聚氨酯女用避孕套", "只", SupplyCategory.CONTRACEPTIVE, 0, 20, 20, 5 * 365),
    _Supply("C07", "外用避孕药膜", "壬苯醇醚膜", "盒", SupplyCategory.CONTRACEPTIVE, 0, 5, 10, 2 * 365),
    _Supply("F01", "叶酸片 0.4mg", "叶酸片 0.4mg×31片", "瓶", SupplyCategory.FOLIC_ACID, 31, 20, 20, 2 * 365),
)


class Cancelled(Exception):
    """The person cancelled the demo generation; nothing of it was saved."""


@dataclass(frozen=True)
class DemoSummary:
    """How many rows the demo wrote, per table."""

    households: int
    people: int
    vital_events: int
    pregnancies: int
    prepregnancy_checks: int
    contraceptive_episodes: int
    folic_acid_courses: int
    followups: int
    followup_answers: int
    supply_items: int
    stock_movements: int
    support_entitlements: int


# The tables the demo fills, in the order they are inserted: parents first. The two references that go
# backwards (household.head_person_id, person.born_of_pregnancy_id) are inserted NULL and set afterwards by
# primary key: deferring the foreign keys instead makes SQLite scan the (unindexed) child column of every
# parent row inserted while a violation is outstanding — quadratic, 55 s instead of 3 s at 50,000 people.
_MODELS: tuple[type[SyncMixin], ...] = (
    Household,
    Person,
    VitalEvent,
    Pregnancy,
    PrepregnancyCheck,
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    FollowupAnswer,
    SupplyItem,
    StockMovement,
    SupportEntitlement,
)
_BACKWARD_KEYS = {"household": "head_person_id", "person": "born_of_pregnancy_id"}
_SUMMARY_FIELDS = (
    "households",
    "people",
    "vital_events",
    "pregnancies",
    "prepregnancy_checks",
    "contraceptive_episodes",
    "folic_acid_courses",
    "followups",
    "followup_answers",
    "supply_items",
    "stock_movements",
    "support_entitlements",
)


def _column_defaults(model: type[SyncMixin]) -> dict[str, Any]:
    """Every column of the table with its scalar default (or None), so that all rows share one key set."""
    out: dict[str, Any] = {}
    for column in model.__table__.columns:
        default = column.default
        value = default.arg if default is not None and default.is_scalar else None
        out[column.key] = value.value if hasattr(value, "value") else value
    return out


# ---------------------------------------------------------------- small date helpers


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- in-memory people


class _Home:
    __slots__ = ("row", "members", "group_name", "number")

    def __init__(self, row: dict[str, Any], group_name: str, number: int) -> None:
        self.row = row
        self.members: list[_Member] = []
        self.group_name = group_name
        self.number = number


class _Member:
    __slots__ = ("row", "home", "surname", "husband", "children", "last_birth", "busy")

    def __init__(self, row: dict[str, Any], home: _Home, surname: str) -> None:
        self.row = row
        self.home = home
        self.surname = surname
        self.husband: _Member | None = None
        self.children = 0
        self.last_birth: dt.date | None = None
        self.busy = False  # already given a pregnancy, a death, a marriage or a move in this demo

    @property
    def birth(self) -> dt.date:
        return self.row["birth_date"]

    @property
    def sex(self) -> str:
        return self.row["sex"]

    @property
    def present(self) -> bool:
        """Still part of the village's population (not dead, not moved away)."""
        return self.row["residence_status"] not in (ResidenceStatus.DECEASED, ResidenceStatus.MOVED_AWAY)

    @property
    def married(self) -> bool:
        return self.row["marital_status"] in (MaritalStatus.FIRST_MARRIAGE, MaritalStatus.REMARRIED)


class _Progress:
    """Calls the caller's progress function; a False answer cancels."""

    def __init__(self, fn: ProgressFn | None) -> None:
        self.fn = fn

    def __call__(self, fraction: float, message: str) -> None:
        if self.fn is not None and self.fn(min(max(fraction, 0.0), 1.0), message) is False:
            raise Cancelled()


# ---------------------------------------------------------------- the builder


class _Builder:
    """Makes every row of the demo in memory, as plain dicts ready for Core inserts."""

    def __init__(
        self,
        *,
        people: int,
        seed: int,
        today: dt.date,
        village_code: str,
        village_name: str,
        groups: Sequence[tuple[int, str]],
        existing_items: dict[str, str],
    ) -> None:
        self.target = people
        self.scale = people / 3000
        self.rng = random.Random(seed)
        # Ids come from their own stream (mixed with the village code, so that two demo villages of one township
        # never share an id), which keeps the content independent of how many ids were drawn.
        self.id_rng = random.Random(f"fhdesk-demo-ids:{seed}:{village_code}")
        self.today = today
        self.start = today - _days(WINDOW_DAYS)
        self.code = village_code
        self.area = village_code[:6]
        self.village_name = village_name
        self.groups = list(groups)
        self.existing_items = existing_items
        self.defaults = {m.__tablename__: _column_defaults(m) for m in _MODELS}
        self.rows: dict[str, list[dict[str, Any]]] = {m.__tablename__: [] for m in _MODELS}
        self.homes: list[_Home] = []
        self.members: list[_Member] = []
        self._keys: dict[str, tuple[str, str]] = {}
        self._id_numbers: set[str] = set()
        self._group_counts: dict[int, int] = defaultdict(int)
        self._birth_reg_seq = 0
        self.item_ids: dict[str, str] = {}
        self.demand: dict[str, list[tuple[dt.date, int, dict[str, Any]]]] = defaultdict(list)

    # ------------------------------------------------ rows, ids and stamps

    def stamp(self, day: dt.date) -> dt.datetime:
        """When a record was typed in: a moment of office hours (China time) on `day`, as aware UTC."""
        day = min(day, self.today)
        minute = self.rng.randint(8 * 60 + 30, 18 * 60)
        local = dt.datetime(
            day.year,
            day.month,
            day.day,
            minute // 60,
            minute % 60,
            self.rng.randrange(60),
            self.rng.randrange(1000) * 1000,
            tzinfo=CHINA_TZ,
        )
        return local.astimezone(dt.UTC)

    def new_id(self, at: dt.datetime) -> str:
        """A UUIDv7 whose timestamp is `at` and whose random bits come from the seeded stream."""
        ms = (at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(milliseconds=1)
        bits = self.id_rng.getrandbits(74)
        value = ((ms & 0xFFFF_FFFF_FFFF) << 80) | (0x7 << 76) | ((bits >> 62) << 64) | (0b10 << 62)
        value |= bits & ((1 << 62) - 1)
        return str(uuid.UUID(int=value))

    def add(self, table: str, on: dt.date, **fields: Any) -> dict[str, Any]:
        at = self.stamp(on)
        row = {
            **self.defaults[table],
            "id": self.new_id(at),
            "rev": 1,
            "owner": self.code,
            "created_at": at,
            "updated_at": at,
            **fields,
        }
        self.rows[table].append(row)
        return row

    # ------------------------------------------------ people

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def given_name(self, sex: str, birth: dt.date) -> str:
        for before, male, female in GIVEN_NAMES:
            if birth.year < before:
                return self.rng.choice(male if sex == Sex.MALE else female)
        raise AssertionError("unreachable")

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]

    def birth_for_age(self, age: int) -> dt.date:
        """A birth date making the person `age` full years old today."""
        return _add_years(self.today, -age) - _days(self.rng.randrange(1, 365))

    def id_number(self, area: str, birth: dt.date, sex: str) -> str:
        while True:
            number = identity.make(area, birth, self.rng.randrange(500), Sex(sex))
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return number

    def keys(self, name: str) -> tuple[str, str]:
        found = self._keys.get(name)
        if found is None:
            k = name_keys(name)
            found = self._keys[name] = (k.pinyin, k.initials)
        return found

    def person(
        self,
        home: _Home,
        surname: str,
        sex: str,
        birth: dt.date,
        relation: str,
        *,
        on: dt.date,
        marital: str = MaritalStatus.UNMARRIED,
        marriage: dt.date | None = None,
        residence: str = ResidenceStatus.RESIDENT,
        place: str | None = None,
        area: str | None = None,
        with_id: bool = True,
        phone: str | None = None,
        name: str | None = None,
    ) -> _Member:
        name = name or surname + self.given_name(sex, birth)
        pinyin, initials = self.keys(name)
        row = self.add(
            "person",
            on,
            household_id=home.row["id"],
            name=name,
            name_pinyin=pinyin,
            name_initials=initials,
            sex=sex,
            birth_date=birth,
            id_number=self.id_number(area or self.area, birth, sex) if with_id else None,
            relation=relation,
            marital_status=marital,
            marriage_date=marriage,
            phone=phone,
            residence_status=residence,
            residence_place=place,
        )
        member = _Member(row, home, surname)
        home.members.append(member)
        self.members.append(member)
        return member

    def home(self, on: dt.date, residence_type: str = ResidenceType.LOCAL) -> _Home:
        # Fill the groups evenly, with a little randomness in where the next household lands.
        group_no, group_name = min(self.groups, key=lambda g: (self._group_counts[g[0]], self.rng.random()))
        self._group_counts[group_no] += 1
        number = self._group_counts[group_no]
        row = self.add(
            "household",
            on,
            household_no="",
            group_no=group_no,
            address=f"{self.village_name}{group_name} {number} 号",
            residence_type=residence_type,
        )
        home = _Home(row, group_name, number)
        self.homes.append(home)
        return home

    def set_head(self, home: _Home, head: _Member) -> None:
        home.row["head_person_id"] = head.row["id"]
        home.row["phone"] = head.row["phone"]

    def migrant_status(self, age: int, sex: str) -> tuple[str, str | None]:
        """Young adults often work in the cities (外出流动); middle-aged men sometimes do too."""
        if age < 16:
            p = 0.0
        elif age < 18:
            p = 0.1
        elif age <= 30:
            p = 0.55
        elif age <= 45:
            p = 0.35 if sex == Sex.MALE else 0.18
        elif age <= 55:
            p = 0.12 if sex == Sex.MALE else 0.04
        else:
            p = 0.0
        if self.rng.random() < p:
            return ResidenceStatus.OUT_MIGRANT, self.rng.choice(DESTINATIONS)
        return ResidenceStatus.RESIDENT, None

    def marriage_date(self, husband_birth: dt.date, wife_birth: dt.date, upper: dt.date) -> dt.date | None:
        """A wedding after both reached the legal age (22 and 20), usually soon after, before `upper`."""
        lower = max(_add_years(husband_birth, 22), _add_years(wife_birth, 20))
        if lower > upper:
            return None
        span = min((upper - lower).days, 6 * 365)
        return lower + _days(int(span * self.rng.random() ** 1.8))

    def child_births(self, mother_birth: dt.date, marriage: dt.date, latest: dt.date) -> list[dt.date]:
        year = mother_birth.year
        choices = (
            (2, 3, 3, 4, 4, 5) if year < 1965 else (1, 2, 2, 2, 3, 3) if year < 1980 else (1, 1, 2, 2, 2, 3)
        )
        wanted = self.rng.choice(choices if year < 1995 else (1, 1, 2, 2))
        births: list[dt.date] = []
        t = marriage + _days(self.rng.randint(300, 900))
        while len(births) < wanted and t <= latest and full_years(mother_birth, t) <= 40:
            births.append(t)
            t += _days(self.rng.randint(700, 2200))
        return births

    def couple(
        self,
        home: _Home,
        head_age: int,
        *,
        on: dt.date,
        residence_type: str,
        origin: tuple[str, str],
        spouse_alive: bool = True,
    ) -> tuple[_Member, _Member | None, dt.date | None]:
        """The head (a man) and, usually, his wife; returns (head, wife, marriage date)."""
        surname = self.surname()
        head_birth = self.birth_for_age(head_age)
        wife_age = max(22, head_age - max(0, round(self.rng.gauss(2, 2.5))))
        wife_birth = self.birth_for_age(wife_age)
        marriage = self.marriage_date(head_birth, wife_birth, self.start - _days(30))
        in_migrant = residence_type == ResidenceType.IN_MIGRANT
        if in_migrant:
            h_res, h_place = ResidenceStatus.IN_MIGRANT, origin[1]
            w_res, w_place = h_res, h_place
        else:
            h_res, h_place = self.migrant_status(head_age, Sex.MALE)
            w_res, w_place = self.migrant_status(wife_age, Sex.FEMALE)
            if h_res == ResidenceStatus.OUT_MIGRANT and w_res == ResidenceStatus.OUT_MIGRANT:
                w_place = h_place
        if marriage is None:
            head = self.person(
                home,
                surname,
                Sex.MALE,
                head_birth,
                Relation.HEAD,
                on=on,
                residence=h_res,
                place=h_place,
                area=origin[0] if in_migrant else None,
                phone=self.phone(),
            )
            self.set_head(home, head)
            return head, None, None
        status = MaritalStatus.REMARRIED if self.rng.random() < 0.04 else MaritalStatus.FIRST_MARRIAGE
        if not spouse_alive:
            status = MaritalStatus.WIDOWED
        head = self.person(
            home,
            surname,
            Sex.MALE,
            head_birth,
            Relation.HEAD,
            on=on,
            marital=status,
            marriage=marriage,
            residence=h_res,
            place=h_place,
            area=origin[0] if in_migrant else None,
            phone=self.phone(),
        )
        self.set_head(home, head)
        if not spouse_alive:
            return head, None, marriage
        wife_area = origin[0] if in_migrant or self.rng.random() < 0.4 else self.area
        if not in_migrant and wife_area == self.area and self.rng.random() < 0.5:
            wife_area = self.rng.choice(ORIGINS)[0]
        wife = self.person(
            home,
            self.surname(),
            Sex.FEMALE,
            wife_birth,
            Relation.SPOUSE,
            on=on,
            marital=status,
            marriage=marriage,
            residence=w_res,
            place=w_place,
            area=wife_area,
            phone=self.phone() if self.rng.random() < 0.75 else None,
        )
        wife.husband = head
        return head, wife, marriage

    def children(
        self,
        home: _Home,
        father: _Member,
        mother: _Member,
        marriage: dt.date,
        *,
        on: dt.date,
        grandchildren: bool,
        residence_type: str,
        keep_married_son: bool,
    ) -> _Member | None:
        """The couple's children living in the household; returns a married son who stays (three generations)."""
        in_migrant = residence_type == ResidenceType.IN_MIGRANT
        births = self.child_births(mother.birth, marriage, self.start - _days(1))
        mother.children = len(births)
        mother.last_birth = births[-1] if births else None
        stayed: _Member | None = None
        for birth in births:
            sex = Sex.MALE if self.rng.random() < 0.53 else Sex.FEMALE
            age = full_years(birth, self.today)
            if sex == Sex.MALE:
                relation = Relation.GRANDSON if grandchildren else Relation.SON
            else:
                relation = Relation.GRANDDAUGHTER if grandchildren else Relation.DAUGHTER
            married_p = min(
                0.95, max(0.0, (age - (20 if sex == Sex.FEMALE else 23)) / (6 if sex == Sex.FEMALE else 8))
            )
            if age >= 18 and self.rng.random() < 0.12:
                continue  # went to college or settled in a city long ago: no longer on the register
            if age >= 20 and self.rng.random() < married_p:
                if sex == Sex.MALE and keep_married_son and stayed is None and age >= 24:
                    stayed = self.person(home, father.surname, sex, birth, relation, on=on)
                    continue
                continue  # married out, or set up a household of their own elsewhere in the village
            residence, place = (
                (ResidenceStatus.IN_MIGRANT, mother.row["residence_place"])
                if in_migrant
                else (self.migrant_status(age, sex))
            )
            with_id = age >= 5 or self.rng.random() < 0.85
            phone = self.phone() if age >= 18 and self.rng.random() < 0.6 else None
            self.person(
                home,
                father.surname,
                sex,
                birth,
                relation,
                on=on,
                residence=residence,
                place=place,
                with_id=with_id,
                phone=phone,
                area=mother.row["id_number"][:6] if in_migrant else None,
            )
        return stayed

    def household(self) -> None:
        on = self.start - _days(
            self.rng.randint(60, 200)
        )  # the paper register was typed in before the window
        r = self.rng.random()
        in_migrant = r > 0.97
        residence_type = ResidenceType.IN_MIGRANT if in_migrant else ResidenceType.LOCAL
        origin = self.rng.choice(ORIGINS)
        home = self.home(on, residence_type)
        rng = self.rng
        if in_migrant:
            head, wife, marriage = self.couple(
                home, rng.randint(26, 45), on=on, residence_type=residence_type, origin=origin
            )
            if wife is not None and marriage is not None:
                self.children(
                    home,
                    head,
                    wife,
                    marriage,
                    on=on,
                    grandchildren=False,
                    residence_type=residence_type,
                    keep_married_son=False,
                )
        elif r < 0.05:  # an old widow or widower on their own
            age = min(97, 66 + int(rng.expovariate(1 / 10)))
            sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
            birth = self.birth_for_age(age)
            marriage = _add_years(birth, rng.randint(20, 24)) + _days(rng.randrange(300))
            head = self.person(
                home,
                self.surname(),
                sex,
                birth,
                Relation.HEAD,
                on=on,
                marital=MaritalStatus.WIDOWED,
                marriage=marriage,
                phone=self.phone() if rng.random() < 0.8 else None,
            )
            self.set_head(home, head)
        elif r < 0.07:  # an unmarried man (光棍), not rare in poor villages
            age = rng.randint(30, 62)
            residence, place = self.migrant_status(age, Sex.MALE)
            head = self.person(
                home,
                self.surname(),
                Sex.MALE,
                self.birth_for_age(age),
                Relation.HEAD,
                on=on,
                residence=residence,
                place=place,
                phone=self.phone(),
            )
            self.set_head(home, head)
        elif r < 0.22:  # an old couple whose children have all left
            head, wife, marriage = self.couple(
                home, rng.randint(60, 86), on=on, residence_type=residence_type, origin=origin
            )
            if wife is not None:
                wife.children = rng.choice((1, 2, 2, 3, 3, 4))
        elif r < 0.55:  # three generations: the old couple, a married son, his wife and their children
            head, wife, marriage = self.couple(
                home,
                rng.randint(52, 78),
                on=on,
                residence_type=residence_type,
                origin=origin,
                spouse_alive=rng.random() < 0.88,
            )
            if marriage is not None:
                mother = wife or head  # a widower's children are still his
                son = self.children(
                    home,
                    head,
                    mother,
                    marriage,
                    on=on,
                    grandchildren=False,
                    residence_type=residence_type,
                    keep_married_son=True,
                )
                if son is not None:
                    self.son_family(home, son, on)
        else:  # a couple with their children, sometimes with a widowed parent
            head, wife, marriage = self.couple(
                home, round(rng.triangular(25, 62, 51)), on=on, residence_type=residence_type, origin=origin
            )
            if wife is not None and marriage is not None:
                self.children(
                    home,
                    head,
                    wife,
                    marriage,
                    on=on,
                    grandchildren=False,
                    residence_type=residence_type,
                    keep_married_son=False,
                )
            if full_years(head.birth, self.today) < 55 and rng.random() < 0.22:
                age = min(93, full_years(head.birth, self.today) + rng.randint(24, 32))
                sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
                birth = self.birth_for_age(age)
                self.person(
                    home,
                    head.surname if sex == Sex.MALE else self.surname(),
                    sex,
                    birth,
                    Relation.MOTHER if sex == Sex.FEMALE else Relation.FATHER,
                    on=on,
                    marital=MaritalStatus.WIDOWED,
                    marriage=_add_years(birth, rng.randint(20, 24)) + _days(rng.randrange(300)),
                )

    def son_family(self, home: _Home, son: _Member, on: dt.date) -> None:
        """The married son who stayed, his wife (daughter-in-law) and their children."""
        son_age = full_years(son.birth, self.today)
        wife_age = max(22, son_age - self.rng.randint(0, 4))
        wife_birth = self.birth_for_age(wife_age)
        marriage = self.marriage_date(son.birth, wife_birth, self.start - _days(30))
        if marriage is None:
            return
        son.row.update(
            marital_status=MaritalStatus.FIRST_MARRIAGE, marriage_date=marriage, phone=self.phone()
        )
        residence, place = self.migrant_status(son_age, Sex.MALE)
        son.row.update(residence_status=residence, residence_place=place)
        if residence == ResidenceStatus.OUT_MIGRANT and self.rng.random() < 0.5:
            w_res, w_place = residence, place  # both work away; the grandparents raise the children
        else:
            w_res, w_place = ResidenceStatus.RESIDENT, None
        area = self.area if self.rng.random() < 0.5 else self.rng.choice(ORIGINS)[0]
        wife = self.person(
            home,
            self.surname(),
            Sex.FEMALE,
            wife_birth,
            Relation.DAUGHTER_IN_LAW,
            on=on,
            marital=MaritalStatus.FIRST_MARRIAGE,
            marriage=marriage,
            residence=w_res,
            place=w_place,
            area=area,
            phone=self.phone() if self.rng.random() < 0.8 else None,
        )
        wife.husband = son
        self.children(
            home,
            son,
            wife,
            marriage,
            on=on,
            grandchildren=True,
            residence_type=ResidenceType.LOCAL,
            keep_married_son=False,
        )

    def number_households(self) -> None:
        width = max(2, len(str(max(self._group_counts.values(), default=1))))
        for home in self.homes:
            home.row["household_no"] = f"{home.row['group_no']:02d}{home.number:0{width}d}"

    # ------------------------------------------------ picking people

    def sample(self, candidates: list[_Member], weights: Iterable[float], k: int) -> list[_Member]:
        """k distinct candidates, drawn with probability proportional to their weight (Efraimidis-Spirakis)."""
        keyed = [(self.rng.random() ** (1 / w), i) for i, w in enumerate(weights) if w > 0]
        keyed.sort(reverse=True)
        return [candidates[i] for _, i in keyed[:k]]

    def age(self, m: _Member, on: dt.date | None = None) -> int:
        return full_years(m.birth, on or self.today)

    def event(self, m: _Member, kind: str, day: dt.date, place: str | None = None, notes: str = "") -> None:
        self.add(
            "vital_event",
            day + _days(self.rng.randint(0, 6)),
            person_id=m.row["id"],
            household_id=m.home.row["id"],
            event_type=kind,
            event_date=day,
            place=place,
            notes=notes,
        )

    def window_day(self, earliest: dt.date | None = None, latest: dt.date | None = None) -> dt.date:
        """A day of the window (the last 18 months up to today), between `earliest` and `latest`."""
        lo = max(self.start, earliest or self.start)
        hi = min(self.today, latest or self.today)
        if lo > hi:
            raise ValueError(f"empty range {lo}..{hi}")
        return lo + _days(self.rng.randint(0, (hi - lo).days))

    # ------------------------------------------------ vital events of the window

    def deaths(self) -> None:
        people = [m for m in self.members if m.present]
        weights = [math.exp((self.age(m) - 62) / 9) if self.age(m) >= 40 else 0.002 for m in people]
        for m in self.sample(people, weights, max(3, round(self.target * 0.0105))):
            day = self.window_day(earliest=m.birth)
            m.row.update(residence_status=ResidenceStatus.DECEASED, death_date=day)
            m.busy = True
            self.event(m, VitalEventType.DEATH, day)
            if m.row["relation"] in (Relation.HEAD, Relation.SPOUSE) and m.married:
                for other in m.home.members:
                    if (
                        other is not m
                        and other.row["relation"] in (Relation.HEAD, Relation.SPOUSE)
                        and other.married
                        and other.present
                    ):
                        other.row["marital_status"] = MaritalStatus.WIDOWED
            if m.row["relation"] == Relation.HEAD and day <= self.today - _days(30):
                self.new_head(m)  # the officer named the new head; a recent death is still on the to-do list

    # Relations of the members when a son takes over from his late father or mother.
    _SON_TAKES_OVER = {
        Relation.DAUGHTER_IN_LAW: Relation.SPOUSE,
        Relation.GRANDSON: Relation.SON,
        Relation.GRANDDAUGHTER: Relation.DAUGHTER,
        Relation.SON: Relation.SIBLING,
        Relation.DAUGHTER: Relation.SIBLING,
        Relation.SPOUSE: Relation.MOTHER,
    }

    def new_head(self, late: _Member) -> None:
        """The household of a late head gets a new one: the spouse, or else the eldest son living there."""
        home = late.home
        present = [m for m in home.members if m is not late and m.present]
        spouse = [m for m in present if m.row["relation"] == Relation.SPOUSE]
        sons = sorted(
            (m for m in present if m.row["relation"] == Relation.SON and self.age(m) >= 18),
            key=lambda m: m.birth,
        )
        if spouse:
            heir = spouse[0]
            late.row["relation"] = Relation.SPOUSE
        elif sons:
            heir = sons[0]
            for m in present:
                if m is not heir:
                    m.row["relation"] = self._SON_TAKES_OVER.get(m.row["relation"], Relation.OTHER)
            late.row["relation"] = Relation.FATHER if late.sex == Sex.MALE else Relation.MOTHER
        else:
            return  # nobody left to take over: the household is empty
        heir.row["relation"] = Relation.HEAD
        if heir.row["phone"] is None and self.rng.random() < 0.8:
            heir.row["phone"] = self.phone()
        phone = home.row["phone"]
        self.set_head(home, heir)
        home.row["phone"] = heir.row["phone"] or phone

    def marriages(self) -> None:
        n = max(2, round(self.target * 0.007))
        sons = [
            m
            for m in self.members
            if m.present
            and not m.busy
            and m.row["relation"] == Relation.SON
            and m.row["marital_status"] == MaritalStatus.UNMARRIED
            and 23 <= self.age(m) <= 34
        ]
        daughters = [
            m
            for m in self.members
            if m.present
            and not m.busy
            and m.row["relation"] == Relation.DAUGHTER
            and m.row["marital_status"] == MaritalStatus.UNMARRIED
            and 21 <= self.age(m) <= 32
        ]
        for son in self.sample(sons, [1.0] * len(sons), (n + 1) // 2):
            son.busy = True
            day = self.window_day(earliest=_add_years(son.birth, 22))
            origin = self.rng.choice(ORIGINS)
            bride_birth = _add_years(day, -self.rng.randint(20, 27)) - _days(self.rng.randrange(1, 365))
            son.row.update(
                marital_status=MaritalStatus.FIRST_MARRIAGE,
                marriage_date=day,
                residence_status=ResidenceStatus.RESIDENT,
                residence_place=None,
            )
            bride = self.person(
                son.home,
                self.surname(),
                Sex.FEMALE,
                bride_birth,
                Relation.DAUGHTER_IN_LAW,
                on=day,
                marital=MaritalStatus.FIRST_MARRIAGE,
                marriage=day,
                area=origin[0],
                phone=self.phone(),
            )
            bride.husband = son
            bride.busy = True
            self.event(son, VitalEventType.MARRIAGE, day)
            self.event(bride, VitalEventType.MARRIAGE, day)
            self.event(bride, VitalEventType.MOVE_IN, day, place=origin[1], notes="婚入")
        for daughter in self.sample(daughters, [1.0] * len(daughters), n // 2):
            daughter.busy = True
            day = self.window_day(earliest=_add_years(daughter.birth, 20))
            place = self.rng.choice(ORIGINS)[1]
            daughter.row.update(
                marital_status=MaritalStatus.FIRST_MARRIAGE,
                marriage_date=day,
                residence_status=ResidenceStatus.MOVED_AWAY,
                residence_place=place,
            )
            self.event(daughter, VitalEventType.MARRIAGE, day)
            self.event(
                daughter,
                VitalEventType.MOVE_OUT,
                day + _days(self.rng.randint(0, 20)) if day + _days(20) <= self.today else day,
                place=place,
                notes="婚出",
            )

    def moves(self) -> None:
        n = max(2, round(self.target * 0.004))
        young = [
            m
            for m in self.members
            if m.present
            and not m.busy
            and 19 <= self.age(m) <= 40
            and m.row["relation"] in (Relation.SON, Relation.DAUGHTER)
        ]
        for i, m in enumerate(self.sample(young, [1.0] * len(young), n)):
            m.busy = True
            day = self.window_day()
            place = self.rng.choice(DESTINATIONS)
            permanent = i % 2 == 0
            m.row.update(
                residence_status=ResidenceStatus.MOVED_AWAY if permanent else ResidenceStatus.OUT_MIGRANT,
                residence_place=place,
            )
            self.event(
                m, VitalEventType.MOVE_OUT, day, place=place, notes="迁出落户" if permanent else "外出务工"
            )
        for _ in range(max(1, round(self.scale))):  # an in-migrant family arrives to work in the village
            day = self.window_day()
            origin = self.rng.choice(ORIGINS)
            home = self.home(day, ResidenceType.IN_MIGRANT)
            head_birth = self.birth_for_age(self.rng.randint(28, 42))
            wife_birth = _add_years(head_birth, self.rng.randint(0, 3)) + _days(self.rng.randrange(200))
            marriage = self.marriage_date(head_birth, wife_birth, self.start - _days(30)) or self.start
            surname = self.surname()
            common = {
                "on": day,
                "residence": ResidenceStatus.IN_MIGRANT,
                "place": origin[1],
                "area": origin[0],
            }
            head = self.person(
                home,
                surname,
                Sex.MALE,
                head_birth,
                Relation.HEAD,
                marital=MaritalStatus.FIRST_MARRIAGE,
                marriage=marriage,
                phone=self.phone(),
                **common,
            )
            self.set_head(home, head)
            wife = self.person(
                home,
                self.surname(),
                Sex.FEMALE,
                wife_birth,
                Relation.SPOUSE,
                marital=MaritalStatus.FIRST_MARRIAGE,
                marriage=marriage,
                phone=self.phone(),
                **common,
            )
            wife.husband = head
            arrivals = [head, wife]
            child_birth = marriage + _days(self.rng.randint(300, 700))
            if child_birth < self.start:
                sex = Sex.MALE if self.rng.random() < 0.5 else Sex.FEMALE
                arrivals.append(
                    self.person(
                        home,
                        surname,
                        sex,
                        child_birth,
                        Relation.SON if sex == Sex.MALE else Relation.DAUGHTER,
                        **common,
                    )
                )
                wife.children, wife.last_birth = 1, child_birth
            for m in arrivals:
                m.busy = True
                self.event(m, VitalEventType.MOVE_IN, day, place=origin[1], notes="流入务工")

    # ------------------------------------------------ pregnancies

    def mothers(self) -> list[_Member]:
        """Married women of child-bearing age living in the village whose husband is around."""
        return [
            m
            for m in self.members
            if m.sex == Sex.FEMALE
            and m.present
            and not m.busy
            and m.married
            and 21 <= self.age(m) <= 42
            and m.row["residence_status"] != ResidenceStatus.OUT_MIGRANT
            and m.husband is not None
            and m.husband.present
        ]

    def mother_weight(self, m: _Member) -> float:
        age = self.age(m)
        by_age = 1.0 if 24 <= age <= 33 else 0.5 if age <= 37 else 0.15
        by_children = (3.0, 2.0, 0.35, 0.08)[min(m.children, 3)]
        return by_age * by_children

    def birth_reg_no(self, day: dt.date) -> str:
        self._birth_reg_seq += 1
        return f"{self.area}{day.year}{self._birth_reg_seq:05d}"

    def pregnancy(
        self, mother: _Member, lmp: dt.date, registration: dt.date, **fields: Any
    ) -> dict[str, Any]:
        age = self.age(mother, registration)
        notes = [] if age < 35 else ["高龄孕妇（≥35 岁）"]
        if self.rng.random() < 0.12:
            notes.append(self.rng.choice(RISK_NOTES))
        parity = mother.children
        gravidity = parity + 1 + (1 if self.rng.random() < 0.15 else 0)
        registered = self.rng.random() < 0.8
        reg_day = min(registration + _days(self.rng.randint(0, 30)), self.today)
        row = self.add(
            "pregnancy",
            registration,
            woman_id=mother.row["id"],
            lmp=lmp,
            edd=lmp + _days(280),
            registration_date=registration,
            gravidity=gravidity,
            parity=parity,
            risk_notes="；".join(notes),
            planned_facility=self.rng.choice(HOSPITALS),
            birth_reg_no=self.birth_reg_no(reg_day) if registered else None,
            birth_reg_date=reg_day if registered else None,
            child_order=parity + 1 if registered else None,
            **fields,
        )
        mother.busy = True
        return row

    def registration_offset(self) -> int:
        return self.rng.randint(42, 84) if self.rng.random() < 0.85 else self.rng.randint(91, 150)

    def births(self) -> list[tuple[_Member, dict[str, Any], _Member]]:
        """Live births of the window: the closed pregnancy, the newborn and its birth event."""
        n = max(4, round(self.target * 0.015))
        candidates = self.mothers()
        picked = self.sample(candidates, [self.mother_weight(m) for m in candidates], n * 2)
        out = []
        for mother in picked:
            if len(out) == n:
                break
            birth = self.window_day(latest=self.today - _days(1))
            lmp = birth - _days(
                self.rng.randint(262, 290) if self.rng.random() < 0.94 else self.rng.randint(238, 258)
            )
            if mother.last_birth is not None and mother.last_birth > lmp - _days(365):
                continue
            registration = min(lmp + _days(self.registration_offset()), birth)
            hospital = self.rng.random() < 0.97
            facility = self.rng.choice(HOSPITALS) if hospital else None
            discharge = birth + _days(self.rng.randint(1, 6)) if hospital else None
            if discharge is not None and discharge > self.today:
                discharge = None  # still in hospital
            preg = self.pregnancy(
                mother,
                lmp,
                registration,
                outcome=PregnancyOutcome.LIVE_BIRTH,
                outcome_date=birth,
                delivery_place=DeliveryPlace.HOSPITAL if hospital else DeliveryPlace.HOME,
                delivery_facility=facility,
                live_births=1,
                discharge_date=discharge,
            )
            father = mother.husband
            assert father is not None
            sex = Sex.MALE if self.rng.random() < 0.52 else Sex.FEMALE
            grand = mother.row["relation"] == Relation.DAUGHTER_IN_LAW
            relation = {
                (Sex.MALE, False): Relation.SON,
                (Sex.FEMALE, False): Relation.DAUGHTER,
                (Sex.MALE, True): Relation.GRANDSON,
                (Sex.FEMALE, True): Relation.GRANDDAUGHTER,
            }[sex, grand]
            baby = self.person(
                mother.home,
                father.surname,
                sex,
                birth,
                relation,
                on=birth + _days(7),
                with_id=self.rng.random() < 0.15,
                residence=ResidenceStatus.IN_MIGRANT
                if mother.row["residence_status"] == ResidenceStatus.IN_MIGRANT
                else ResidenceStatus.RESIDENT,
                place=mother.row["residence_place"],
                area=mother.row["id_number"][:6] if mother.row["id_number"] else None,
            )
            baby.row["born_of_pregnancy_id"] = preg["id"]
            baby.busy = True
            self.event(baby, VitalEventType.BIRTH, birth, notes=facility or "")
            mother.children += 1
            mother.last_birth = birth
            out.append((mother, preg, baby))
        return out

    def miscarriages(self, n: int) -> list[tuple[_Member, dict[str, Any]]]:
        candidates = self.mothers()
        out = []
        for mother in self.sample(candidates, [self.mother_weight(m) for m in candidates], n):
            end = self.window_day(earliest=self.start + _days(60), latest=self.today - _days(14))
            lmp = end - _days(self.rng.randint(50, 84))
            registration = min(lmp + _days(self.rng.randint(40, 55)), end)
            preg = self.pregnancy(
                mother,
                lmp,
                registration,
                outcome=PregnancyOutcome.MISCARRIAGE,
                outcome_date=end,
                delivery_place=DeliveryPlace.HOSPITAL,
                delivery_facility=self.rng.choice(HOSPITALS),
            )
            preg.update(birth_reg_no=None, birth_reg_date=None, child_order=None)
            out.append((mother, preg))
        return out

    def open_pregnancies(self) -> list[tuple[_Member, dict[str, Any]]]:
        """Pregnancies at every stage, from a few weeks to past the due date."""
        n = max(6, round(self.target * 0.009))
        candidates = [
            m for m in self.mothers() if m.last_birth is None or m.last_birth < self.today - _days(700)
        ]
        picked = self.sample(candidates, [self.mother_weight(m) for m in candidates], n)
        lo, hi = 28, 287  # 4+0 weeks (a test turns positive) to 41+0 weeks
        out = []
        for i, mother in enumerate(picked):
            ga = lo + int((i + self.rng.random()) / len(picked) * (hi - lo))
            if i == 0:
                ga = self.rng.randint(lo, 70)
            elif i == len(picked) - 1:
                ga = self.rng.randint(262, hi)
            lmp = self.today - _days(ga)
            registration = lmp + _days(min(ga, self.registration_offset()))
            out.append((mother, self.pregnancy(mother, lmp, registration)))
        return out

    # ------------------------------------------------ follow-ups

    def followup(
        self,
        person_id: str,
        kind: str,
        source_table: str,
        source_id: str,
        occurrence: int,
        earliest: dt.date,
        due: dt.date,
        latest: dt.date,
        status: str,
        done: dt.date | None,
        created: dt.date,
        result: str = "",
        reason: str = "",
    ) -> dict[str, Any]:
        row = self.add(
            "followup",
            done or created,
            person_id=person_id,
            followup_type=kind,
            source_table=source_table,
            source_id=source_id,
            occurrence=occurrence,
            earliest_date=earliest,
            due_date=due,
            latest_date=latest,
            status=status,
            done_date=done,
            result=result,
            status_reason=reason,
            checklist_version=CHECKLIST_VERSION if done else None,
        )
        if done is not None:
            self.answers(row, kind)
        return row

    def resolve(
        self,
        earliest: dt.date,
        latest: dt.date,
        floor: dt.date | None = None,
        p_done: float = 0.88,
        p_missed: float = 0.06,
    ) -> tuple[str, dt.date | None]:
        """A plausible status for a window seen from today: past ones mostly done, some missed or overdue."""
        lo = max(earliest, floor or earliest)
        rng = self.rng
        if latest < self.today:
            r = rng.random()
            if r < p_done:
                hi = max(lo, min(latest, self.today))
                return FollowupStatus.DONE, min(lo + _days(rng.randint(0, (hi - lo).days)), self.today)
            return (FollowupStatus.MISSED, None) if r < p_done + p_missed else (FollowupStatus.DUE, None)
        if earliest <= self.today and lo <= self.today and rng.random() < 0.45:
            return FollowupStatus.DONE, lo + _days(rng.randint(0, (self.today - lo).days))
        return FollowupStatus.DUE, None

    def answers(self, followup: dict[str, Any], kind: str) -> None:
        rng = self.rng
        if kind.startswith("anc"):
            items = {
                "blood_pressure": f"{rng.randint(100, 135)}/{rng.randint(62, 88)}",
                "weight_kg": f"{rng.uniform(48, 78):.1f}",
                "hemoglobin_g_l": str(rng.randint(98, 138)),
                "referred": "yes" if rng.random() < 0.04 else "no",
            }
        elif kind in (FollowupType.POSTPARTUM_VISIT, FollowupType.POSTPARTUM_42D):
            items = {
                "breastfeeding": rng.choice(("exclusive", "exclusive", "exclusive", "mixed", "none")),
                "recovery_ok": "yes" if rng.random() < 0.95 else "no",
                "mood_ok": "yes" if rng.random() < 0.9 else "no",
                "newborn_ok": "yes" if rng.random() < 0.97 else "no",
            }
        elif kind == FollowupType.CONTRACEPTIVE_CHECK:
            items = {
                "side_effects": "none" if rng.random() < 0.85 else rng.choice(("bleeding", "pain")),
                "satisfied": "yes" if rng.random() < 0.9 else "no",
                "wants_change": "yes" if rng.random() < 0.05 else "no",
            }
        elif kind == FollowupType.FOLIC_ADHERENCE:
            items = {
                "taking": rng.choices(("daily", "sometimes", "stopped"), (75, 18, 7))[0],
                "bottles_left": str(rng.randint(0, 1)),
            }
        elif kind == FollowupType.INJECTION:
            items = {"injected": "yes"}
        elif kind == FollowupType.SUPPORT_VISIT:
            items = {"care": rng.choice(("生活照料", "大病治疗", "精神慰藉")), "needs_help": "no"}
        else:
            items = {"pregnant": "no"}
        on = followup["done_date"]
        for key, value in items.items():
            self.add("followup_answer", on, followup_id=followup["id"], item_key=key, value=value)

    def anc(self, woman: _Member, preg: dict[str, Any]) -> None:
        lmp, reg, end = preg["lmp"], preg["registration_date"], preg["outcome_date"]
        for kind, e, d, la in ANC_WINDOWS:
            earliest, due, latest = lmp + _days(e), lmp + _days(d), lmp + _days(la)
            if kind != FollowupType.ANC1 and latest < reg:
                continue  # the window had passed before the pregnancy was registered
            args = (woman.row["id"], kind, "pregnancy", preg["id"], 1, earliest, due, latest)
            if end is not None and earliest > end:
                self.followup(*args, FollowupStatus.CANCELLED, None, end, reason="妊娠已结束")
                continue
            if kind == FollowupType.ANC1 and reg > latest:  # late registration: flagged, never refused
                self.followup(*args, FollowupStatus.DONE, reg, reg, result="晚建册")
                continue
            if end is not None and latest >= end:  # the pregnancy ended inside this window
                done = end >= max(earliest, reg) and self.rng.random() < 0.8
                day = (
                    max(earliest, reg) + _days(self.rng.randint(0, (end - max(earliest, reg)).days))
                    if done
                    else None
                )
                self.followup(
                    *args,
                    FollowupStatus.DONE if done else FollowupStatus.CANCELLED,
                    day,
                    reg,
                    reason="" if done else "妊娠已结束",
                )
                continue
            status, day = self.resolve(
                earliest, latest, reg, p_done=0.9 if end else 0.86, p_missed=0.1 if end else 0.06
            )
            self.followup(*args, status, day, reg)

    def postpartum(self, woman: _Member, preg: dict[str, Any]) -> None:
        delivered = preg["outcome_date"]
        anchor = preg["discharge_date"] or delivered
        status, day = self.resolve(anchor, anchor + _days(7), anchor + _days(2), p_done=0.92, p_missed=0.08)
        self.followup(
            woman.row["id"],
            FollowupType.POSTPARTUM_VISIT,
            "pregnancy",
            preg["id"],
            1,
            anchor,
            anchor + _days(3),
            anchor + _days(7),
            status,
            day,
            delivered,
        )
        start = delivered + _days(42)
        status, day = self.resolve(start, delivered + _days(56), p_done=0.85, p_missed=0.1)
        self.followup(
            woman.row["id"],
            FollowupType.POSTPARTUM_42D,
            "pregnancy",
            preg["id"],
            1,
            start,
            start,
            delivered + _days(56),
            status,
            day,
            delivered,
        )

    def windowed(
        self,
        person_id: str,
        kind: str,
        table: str,
        source_id: str,
        occurrence: int,
        due: dt.date,
        before: int,
        after: int,
        created: dt.date,
    ) -> None:
        earliest, latest = due - _days(before), due + _days(after)
        status, day = self.resolve(earliest, latest, created)
        self.followup(
            person_id,
            kind,
            table,
            source_id,
            occurrence,
            earliest,
            due,
            latest,
            status,
            day,
            min(created, earliest),
        )

    # ------------------------------------------------ care records

    def folic_course(self, woman: _Member, start: dt.date, end: dt.date | None, course_end: dt.date) -> None:
        """A course of folic acid with its monthly bottles (stock issues) and adherence follow-ups."""
        high = self.rng.random() < 0.04
        last = min(end or self.today, self.today)
        bottles = [start + _days(31 * i) for i in range(max(1, (last - start).days // 31 + 1))]
        bottles = [b for b in bottles if b <= self.today]
        course = self.add(
            "folic_acid_course",
            start,
            woman_id=woman.row["id"],
            start_date=start,
            end_date=end,
            dose_mg=4.0 if high else 0.4,
            bottles_issued=len(bottles) * (10 if high else 1),
            high_risk_reason="既往神经管缺陷妊娠史" if high else "",
        )
        for b in bottles:
            if b >= self.start:
                self.demand["F01"].append(
                    (
                        b,
                        10 if high else 1,
                        {"person_id": woman.row["id"], "folic_acid_course_id": course["id"]},
                    )
                )
        for k in range(1, 13):
            due = _add_months(start, k)
            if due > course_end or due > self.today + _days(45):
                break
            if due < self.start:
                continue
            self.windowed(
                woman.row["id"],
                FollowupType.FOLIC_ADHERENCE,
                "folic_acid_course",
                course["id"],
                k,
                due,
                3,
                14,
                start,
            )

    def prepregnancy(self, woman: _Member, check: dt.date, pregnancy: dict[str, Any] | None) -> None:
        husband = woman.husband
        high = self.rng.random() < 0.08
        row = self.add(
            "prepregnancy_check",
            check,
            woman_id=woman.row["id"],
            partner_id=husband.row["id"] if husband is not None and husband.present else None,
            check_date=check,
            risk_grade=RiskGrade.HIGH if high else RiskGrade.GENERAL,
            counselling="风险评估为高风险，已转诊县妇幼保健院进一步咨询"
            if high
            else "已告知检查结果，建议每日增补叶酸 0.4mg 至孕满 3 个月",
            pregnancy_id=pregnancy["id"] if pregnancy else None,
        )
        known = pregnancy["registration_date"] if pregnancy else None
        for k in range(1, 5):
            due = _add_months(check, 3 * k)
            if due > self.today + _days(60) or (known is not None and due - _days(14) > known):
                break
            earliest, latest = due - _days(14), due + _days(30)
            if known is not None and known <= latest:
                self.followup(
                    woman.row["id"],
                    FollowupType.PREPREG_EARLY,
                    "prepregnancy_check",
                    row["id"],
                    k,
                    earliest,
                    due,
                    latest,
                    FollowupStatus.DONE,
                    max(known, earliest),
                    check,
                    result="已孕",
                )
                break
            status, day = self.resolve(earliest, latest, check)
            self.followup(
                woman.row["id"],
                FollowupType.PREPREG_EARLY,
                "prepregnancy_check",
                row["id"],
                k,
                earliest,
                due,
                latest,
                status,
                day,
                check,
                result="未孕" if day else "",
            )
        if pregnancy is not None:
            edd = pregnancy["edd"]
            outcome = pregnancy["outcome_date"]
            if outcome is not None:
                done = min(self.today, outcome + _days(self.rng.randint(3, 30)))
                self.followup(
                    woman.row["id"],
                    FollowupType.PREPREG_OUTCOME,
                    "prepregnancy_check",
                    row["id"],
                    1,
                    edd,
                    edd,
                    edd + _days(42),
                    FollowupStatus.DONE,
                    done,
                    check,
                    result=pregnancy["outcome"],
                )
            else:
                self.followup(
                    woman.row["id"],
                    FollowupType.PREPREG_OUTCOME,
                    "prepregnancy_check",
                    row["id"],
                    1,
                    edd,
                    edd,
                    edd + _days(42),
                    FollowupStatus.DUE,
                    None,
                    check,
                )

    def episode(
        self, person: _Member, method: str, start: dt.date, stop: dt.date | None = None, reason: str = ""
    ) -> dict[str, Any]:
        counselled = start - _days(self.rng.randint(0, 14)) if self.rng.random() < 0.93 else None
        if counselled is not None and counselled < person.birth:
            counselled = start
        row = self.add(
            "contraceptive_method",
            start,
            person_id=person.row["id"],
            method=method,
            start_date=start,
            stop_date=stop,
            stop_reason=reason,
            counselled_on=counselled,
            counselling_notes=f"介绍了各种避孕方法的效果和注意事项，本人知情选择{METHOD_LABELS[method]}"
            if counselled
            else "",
        )
        self.supply_demand(person, row, method, start, stop)
        if method in (CM.IUD, CM.IMPLANT):
            self.insertion_checks(person, row, start, stop)
        return row

    def insertion_checks(
        self, person: _Member, episode: dict[str, Any], start: dt.date, stop: dt.date | None
    ) -> None:
        months: list[int] = list(CHECK_MONTHS)
        while months[-1] < 12 * 40:
            months.append(months[-1] + 12)
        for k, m in enumerate(months, 1):
            due = _add_months(start, m)
            if due > self.today + _days(90) or (stop is not None and due > stop):
                break
            if due < self.start:
                continue
            self.windowed(
                person.row["id"],
                FollowupType.CONTRACEPTIVE_CHECK,
                "contraceptive_method",
                episode["id"],
                k,
                due,
                14,
                30,
                start,
            )

    def supply_demand(
        self, person: _Member, episode: dict[str, Any], method: str, start: dt.date, stop: dt.date | None
    ) -> None:
        """The issues a method needs while it is used inside the window (pills, condoms, injections...)."""
        code = {CM.PILL: "C02", CM.CONDOM: "C01", CM.INJECTABLE: "C03", CM.SPERMICIDE: "C04"}.get(method)
        if code is None:
            return
        end = min(stop or self.today, self.today)
        rng = self.rng
        day = start if start >= self.start else self.start + _days(rng.randint(0, 60))
        link = {"person_id": person.row["id"], "contraceptive_episode_id": episode["id"]}
        if code == "C04" and rng.random() < 0.5:
            code = "C07"
        k = 0
        while day <= end:
            k += 1
            if code == "C02":
                self.demand[code].append((day, 3, link))
                day += _days(rng.randint(80, 92))
            elif code == "C01":
                self.demand[code].append((day, rng.choice((10, 20, 20, 30)), link))
                day += _days(rng.randint(25, 50))
            elif code == "C03":
                self.demand[code].append((day, 1, link))
                nxt = day + _days(rng.randint(84, 91))
                earliest, latest = day + _days(84), day + _days(91)
                if nxt <= end:  # the next injection was given: that is the follow-up done
                    status, done, reason = FollowupStatus.DONE, nxt, ""
                elif stop is not None:
                    status, done, reason = FollowupStatus.CANCELLED, None, "已停用"
                elif latest < self.today:
                    status, done, reason = rng.choice((FollowupStatus.DUE, FollowupStatus.MISSED)), None, ""
                else:
                    status, done, reason = FollowupStatus.DUE, None, ""
                if day >= self.start:
                    self.followup(
                        person.row["id"],
                        FollowupType.INJECTION,
                        "contraceptive_method",
                        episode["id"],
                        k,
                        earliest,
                        earliest,
                        latest,
                        status,
                        done,
                        day,
                        reason=reason,
                    )
                day = nxt
            else:
                self.demand[code].append((day, 1, link))
                day += _days(rng.randint(45, 90))

    def contraception(self, after_birth: dict[str, tuple[dt.date, dt.date | None]]) -> None:
        """Methods chosen by married women 15-49 not trying for a child; history where a pregnancy intervened.

        `after_birth`: woman id -> (lmp, outcome date) of her pregnancy in the window.
        """
        rng = self.rng
        for m in self.members:
            if m.sex != Sex.FEMALE or not m.present or not m.married or not 15 <= self.age(m) <= 49:
                continue
            preg = after_birth.get(m.row["id"])
            age = self.age(m)
            if preg is not None:
                lmp, outcome = preg
                if rng.random() < 0.6:  # a method stopped to become pregnant
                    method = rng.choice((CM.IUD, CM.CONDOM, CM.CONDOM, CM.PILL))
                    stop = lmp - _days(rng.randint(20, 200))
                    start = max(stop - _days(rng.randint(200, 1500)), m.row["marriage_date"] or stop)
                    if start <= stop:
                        self.episode(m, method, start, stop, "计划怀孕")
                if outcome is not None and outcome + _days(50) <= self.today and rng.random() < 0.7:
                    method = rng.choice((CM.IUD, CM.IUD, CM.CONDOM, CM.IMPLANT, CM.PILL, CM.INJECTABLE))
                    self.episode(
                        m, method, self.window_day(earliest=outcome + _days(42), latest=outcome + _days(150))
                    )
                continue
            if m.busy:
                continue
            if m.husband is not None and m.husband.present and rng.random() < 0.012 and m.children >= 2:
                start = min((m.last_birth or self.start) + _days(rng.randint(60, 900)), self.today)
                self.episode(m.husband, CM.MALE_STERILISATION, start)
                continue
            if rng.random() > 0.82:
                continue
            if age >= 38:
                method = rng.choices(
                    (
                        CM.FEMALE_STERILISATION,
                        CM.IUD,
                        CM.CONDOM,
                        CM.PILL,
                        CM.INJECTABLE,
                        CM.IMPLANT,
                        CM.SPERMICIDE,
                    ),
                    (33, 45, 12, 3, 3, 2, 2),
                )[0]
            else:
                method = rng.choices(
                    (
                        CM.IUD,
                        CM.CONDOM,
                        CM.PILL,
                        CM.INJECTABLE,
                        CM.IMPLANT,
                        CM.FEMALE_STERILISATION,
                        CM.SPERMICIDE,
                    ),
                    (40, 28, 10, 8, 8, 3, 3),
                )[0]
            if m.children == 0 and method in (CM.IUD, CM.FEMALE_STERILISATION, CM.IMPLANT):
                method = CM.CONDOM
            base = m.last_birth or m.row["marriage_date"] or self.start
            start = base + _days(rng.randint(45, 900))
            if start > self.today:
                start = self.window_day(earliest=base)
            if method in (CM.IUD, CM.IMPLANT) and rng.random() < 0.2 and start - _days(400) > base:
                self.episode(m, CM.CONDOM, base + _days(45), start - _days(1), "改用长效方法")
            earliest_switch = max(start + _days(30), self.start + _days(90))
            if (
                method in (CM.PILL, CM.CONDOM)
                and m.children > 0
                and earliest_switch < self.today
                and (rng.random() < 0.12)
            ):  # switched to an IUD inside the window
                switch = self.window_day(earliest=earliest_switch)
                self.episode(m, method, start, switch - _days(1), "改用宫内节育器")
                self.episode(m, CM.IUD, switch)
                continue
            self.episode(m, method, start)

    def planners(self) -> None:
        """Couples preparing a pregnancy: a pre-pregnancy check and folic acid, no contraception."""
        n = max(2, round(self.target * 0.004))
        candidates = [m for m in self.mothers() if self.age(m) <= 36 and m.children <= 1]
        for woman in self.sample(candidates, [1.0] * len(candidates), n):
            woman.busy = True
            check = self.window_day(earliest=self.today - _days(300))
            self.prepregnancy(woman, check, None)
            start = check + _days(self.rng.randint(0, 14))
            if start <= self.today:
                self.folic_course(woman, start, None, _add_months(start, 12))

    def support(self) -> None:
        rng = self.rng
        elders = [
            m for m in self.members if m.present and m.row["relation"] == Relation.HEAD and self.age(m) >= 60
        ]
        n = max(3, round(self.target * 0.006))
        picked = self.sample(elders, [1.0] * len(elders), n)
        kinds = [SupportKind.SPECIAL_DEATH, SupportKind.SPECIAL_DISABILITY] * max(1, round(self.scale))
        for i, head in enumerate(picked):
            kind = kinds[i] if i < len(kinds) else SupportKind.REWARD
            special = kind != SupportKind.REWARD
            confirmed = self.today.year if self.today.month >= 4 else self.today.year - 1
            notes = {
                SupportKind.SPECIAL_DEATH: "独生子女因病去世，夫妻双方均已年满 49 周岁",
                SupportKind.SPECIAL_DISABILITY: "独生子女三级以上残疾",
                SupportKind.REWARD: "农村部分计划生育家庭奖励扶助",
            }[kind]
            contact = self.surname() + self.given_name(
                Sex.FEMALE if rng.random() < 0.5 else Sex.MALE, dt.date(1975, 1, 1)
            )
            row = self.add(
                "support_entitlement",
                dt.date(confirmed, rng.randint(3, 4), rng.randint(1, 28)),
                household_id=head.home.row["id"],
                person_id=head.row["id"],
                kind=kind,
                year_confirmed=confirmed,
                contact_name=contact,
                contact_phone=self.phone(),
                visit_interval_months=1 if special else 12,
                notes=notes,
            )
            if special:
                for k in range(1, 7):
                    due = _add_months(self.today, k - 6).replace(day=15)
                    earliest = due.replace(day=1)
                    latest = due.replace(day=calendar.monthrange(due.year, due.month)[1])
                    status, day = self.resolve(earliest, latest, p_done=0.95, p_missed=0.05)
                    self.followup(
                        head.row["id"],
                        FollowupType.SUPPORT_VISIT,
                        "support_entitlement",
                        row["id"],
                        k,
                        earliest,
                        due,
                        latest,
                        status,
                        day,
                        earliest,
                    )

    # ------------------------------------------------ supplies

    def supplies(self) -> None:
        rng = self.rng
        catalogue_day = self.start - _days(40)
        for s in SUPPLIES:
            if s.code in self.existing_items:
                self.item_ids[s.code] = self.existing_items[s.code]
                continue
            row = self.add(
                "supply_item",
                catalogue_day,
                code=s.code,
                name=s.name,
                form=s.form,
                unit=s.unit,
                category=s.category,
                days_per_unit=s.days_per_unit,
                reorder_level=s.reorder_level,
            )
            self.item_ids[s.code] = row["id"]
        # The free self-service point (免费自助发放机) and emergency pills handed out on request.
        for code, every, lo, hi in (("C01", 30, 30, 80), ("C05", 60, 1, 4), ("C06", 90, 2, 6)):
            day = self.start + _days(rng.randint(0, every))
            while day <= self.today:
                self.demand[code].append(
                    (day, max(1, round(rng.randint(lo, hi) * self.scale)), {"self": True})
                )
                day += _days(every + rng.randint(-5, 5))
        for s in SUPPLIES:
            self.ledger(s)

    def ledger(self, s: _Supply) -> None:
        """Receipts every quarter sized on the coming demand, issues first-expiry-first-out from lots that have
        not expired, a loss when a lot expires with stock left. No lot ever goes below zero."""
        rng = self.rng
        item = self.item_ids[s.code]
        demand = sorted(self.demand.get(s.code, []), key=lambda d: d[0])
        receipts = []
        day = self.start - _days(10)
        while day <= self.today:
            receipts.append(day)
            day += _days(91)
        lots: dict[str, list[Any]] = {}  # lot -> [expiry, balance, received on]
        last_issue: dict[str, str] = {}  # contraceptive episode -> lot of its last issue (for a return)

        def move(kind: str, lot: str, qty: int, on: dt.date, **extra: Any) -> dict[str, Any]:
            direction = 1 if kind in (MovementType.RECEIPT, MovementType.RETURN) else -1
            lots[lot][1] += direction * qty
            assert lots[lot][1] >= 0
            return self.add(
                "stock_movement",
                on,
                item_id=item,
                lot=lot,
                expiry_date=lots[lot][0],
                movement_type=kind,
                direction=direction,
                quantity=qty,
                movement_date=on,
                **extra,
            )

        def receive(on: dt.date, qty: int, doc: str, shelf_left: int | None = None) -> None:
            made = on - _days(rng.randint(30, 200))
            lot = f"{made:%y%m%d}{rng.randint(1, 9)}"
            while lot in lots:
                lot = lot[:-1] + str(rng.randint(0, 9))
            expiry = on + _days(shelf_left) if shelf_left is not None else made + _days(s.shelf_days)
            lots[lot] = [expiry, 0, on]
            move(MovementType.RECEIPT, lot, qty, on, document_no=doc, reason="乡镇计生办配发")

        def pack(qty: float) -> int:
            return max(s.pack, math.ceil(qty / s.pack) * s.pack)

        events: list[tuple[dt.date, int, int, dict[str, Any]]] = []
        for i, r in enumerate(receipts):
            nxt = receipts[i + 1] if i + 1 < len(receipts) else self.today + _days(91)
            need = sum(q for d, q, _ in demand if r <= d < nxt)
            events.append((r, 0, pack(need * 1.2 + s.reorder_level), {}))
        events += [(d, 2, q, link) for d, q, link in demand]
        events.sort(key=lambda e: (e[0], e[1]))
        n_receipts = 0
        for on, order, qty, link in events:
            if order == 0:
                n_receipts += 1
                # The first C07 lot was old stock that expires inside the window (it ends as a loss); the last
                # C05 lot is close to its expiry date (the report lists lots expiring within 90 days).
                short = None
                if s.code == "C07" and n_receipts == 1:
                    short = WINDOW_DAYS // 2
                elif s.code == "C05" and n_receipts == len(receipts):
                    short = (self.today - on).days + 75
                receive(on, qty, f"RK{on:%Y%m%d}{s.code}", short)
                continue
            self.expire(s, lots, on, move)
            left = qty
            while left > 0:
                usable = sorted((exp, lot) for lot, (exp, bal, _) in lots.items() if bal > 0 and exp > on)
                if not usable:
                    receive(
                        on, pack(left + s.reorder_level), f"LS{on:%Y%m%d}{s.code}"
                    )  # fetched from the township
                    continue
                exp, lot = usable[0]
                take = min(left, lots[lot][1])
                if link.get("self"):
                    move(MovementType.ISSUE_SELF_SERVICE, lot, take, on, reason="免费自助发放机补货")
                else:
                    move(MovementType.ISSUE_PERSON, lot, take, on, **link)
                    if "contraceptive_episode_id" in link:
                        last_issue[link["contraceptive_episode_id"]] = lot
                left -= take
        self.expire(s, lots, self.today, move)
        if s.code == "C01":  # boxes damaged by damp in the store room, and a difference found at stock-taking
            on = self.window_day(earliest=self.today - _days(200))
            for lot, (exp, bal, received) in sorted(lots.items()):
                if bal >= 20 and received <= on < exp:
                    move(MovementType.LOSS, lot, 12, on, document_no=f"BS{on:%Y%m%d}", reason="受潮损坏")
                    move(MovementType.ADJUSTMENT, lot, 2, self.today, reason="盘点差异")
                    break
        if s.code == "C02":  # a woman who switched method brought back an unused blister pack
            stopped = [
                r
                for r in self.rows["contraceptive_method"]
                if r["method"] == CM.PILL
                and r["stop_date"]
                and r["stop_date"] >= self.start
                and r["id"] in last_issue
            ]
            if stopped:
                r = stopped[0]
                lot = last_issue[r["id"]]
                move(
                    MovementType.RETURN,
                    lot,
                    1,
                    r["stop_date"],
                    person_id=r["person_id"],
                    contraceptive_episode_id=r["id"],
                    reason="停用后退回",
                )

    def expire(self, s: _Supply, lots: dict[str, list[Any]], on: dt.date, move: Callable[..., Any]) -> None:
        for lot, (exp, bal, _) in sorted(lots.items()):
            if bal > 0 and exp <= on:
                day = min(exp + _days(self.rng.randint(0, 10)), self.today)
                move(
                    MovementType.LOSS,
                    lot,
                    bal,
                    max(day, exp),
                    document_no=f"BS{exp:%Y%m%d}{s.code}",
                    reason="过期报损",
                )

    # ------------------------------------------------ the whole village

    def build(self, report: _Progress) -> None:
        rng = self.rng
        extras = (
            max(4, round(self.target * 0.015))
            + max(2, round(self.target * 0.007)) // 2
            + 3 * max(1, round(self.scale))
        )
        step = max(50, self.target // 20)
        next_report = step
        while len(self.members) < self.target - extras:
            self.household()
            if len(self.members) >= next_report:
                report(0.5 * len(self.members) / self.target, tr("demo.step.households"))
                next_report += step
        report(0.5, tr("demo.step.events"))
        self.deaths()
        births = self.births()
        misses = self.miscarriages(max(1, round(len(births) * 0.08)))
        opened = self.open_pregnancies()
        self.marriages()
        self.moves()
        self.number_households()
        report(0.55, tr("demo.step.care"))
        window_pregnancy: dict[str, tuple[dt.date, dt.date | None]] = {}
        for mother, preg, _baby in births:
            self.anc(mother, preg)
            self.postpartum(mother, preg)
            window_pregnancy[mother.row["id"]] = (preg["lmp"], preg["outcome_date"])
        for mother, preg in misses:
            self.anc(mother, preg)
            window_pregnancy[mother.row["id"]] = (preg["lmp"], preg["outcome_date"])
        for mother, preg in opened:
            self.anc(mother, preg)
            window_pregnancy[mother.row["id"]] = (preg["lmp"], None)
        # Folic acid and pre-pregnancy checks around the pregnancies of the window.
        for mother, preg in [(m, p) for m, p, _ in births] + misses + opened:
            lmp = preg["lmp"]
            planned = rng.random() < 0.4
            if planned and lmp - _days(150) >= self.start - _days(200):
                self.prepregnancy(mother, lmp - _days(rng.randint(40, 150)), preg)
            start = lmp - _days(rng.randint(60, 100)) if planned else preg["registration_date"]
            course_end = min(lmp + _days(90), preg["outcome_date"] or lmp + _days(90))
            if start <= course_end and course_end >= self.start and rng.random() < 0.85:
                self.folic_course(mother, start, course_end if course_end <= self.today else None, course_end)
        self.planners()
        report(0.6, tr("demo.step.care"))
        self.contraception(window_pregnancy)
        self.support()
        report(0.65, tr("demo.step.supplies"))
        self.supplies()
        report(0.7, tr("demo.step.saving"))

    def sign(self, user_id: str) -> None:
        for rows in self.rows.values():
            for row in rows:
                row["created_by"] = row["updated_by"] = user_id

    def summary(self) -> DemoSummary:
        counts = [len(self.rows[m.__tablename__]) for m in _MODELS]
        return DemoSummary(**dict(zip(_SUMMARY_FIELDS, counts, strict=True)))


# ---------------------------------------------------------------- entry points


def _acting_user(db: Database) -> str:
    """The first officer of the village (the demo's rows are theirs), or the app itself if there is none."""
    with db.read() as s:
        found = s.execute(
            sa.select(User.id)
            .where(User.active, User.role.in_([UserRole.ADMIN, UserRole.OFFICER]))
            .order_by(User.created_at, User.id)
            .limit(1)
        ).scalar()
    return found or SYSTEM_USER_ID


def generate_demo(
    db: Database,
    *,
    people: int = 3000,
    seed: int = 1,
    today: dt.date,
    progress: ProgressFn | None = None,
    user_id: str | None = None,
) -> DemoSummary:
    """Fill a village without households with a realistic demo population of about `people` persons.

    The same seed, `today` and starting database give identical rows (ids included). Everything is written in
    one transaction; `progress(fraction, message)` returning False cancels it and raises Cancelled. A village
    that is not set up yet is set up first as 红星村 (officer `demo`, password `demo1234`) — that set-up is its
    own step and stays when the generation is cancelled after it.
    """
    if people < 20:
        raise ValueError("a demo village needs at least 20 people")
    report = _Progress(progress)
    report(0.0, tr("demo.step.households"))
    with db.read() as s:
        if s.execute(sa.select(Household.id).limit(1)).first():
            raise ValueError("the demo goes only into a village without households")
        profile = s.get(VillageProfile, 1)
        if profile is not None:
            code, name = profile.code, profile.name
            groups = [
                (n, g)
                for n, g in s.execute(
                    sa.select(VillagerGroup.number, VillagerGroup.name)
                    .where(VillagerGroup.deleted_at.is_(None))
                    .order_by(VillagerGroup.number)
                )
            ]
        else:
            code, name = DEMO_SETUP.village_code, DEMO_SETUP.village_name
            groups = list(enumerate(DEMO_SETUP.groups, start=1))
        items = {c: i for c, i in s.execute(sa.select(SupplyItem.code, SupplyItem.id))}
    if not groups:
        raise ValueError("the village has no villager groups")
    builder = _Builder(
        people=people,
        seed=seed,
        today=today,
        village_code=code,
        village_name=name,
        groups=groups,
        existing_items=items,
    )
    builder.build(report)
    if profile is None:
        officer = set_up_village(db, DEMO_SETUP)
        user_id = user_id or officer
    user_id = user_id or _acting_user(db)
    builder.sign(user_id)
    total = sum(len(rows) for rows in builder.rows.values())
    written = 0
    with db.write(user_id) as s:
        for model in _MODELS:
            rows = builder.rows[model.__tablename__]
            later = _BACKWARD_KEYS.get(model.__tablename__)
            for i in range(0, len(rows), INSERT_BATCH):
                batch = rows[i : i + INSERT_BATCH]
                if later:
                    batch = [{**r, later: None} for r in batch]
                s.execute(sa.insert(model.__table__), batch)
                written += len(batch)
                report(0.7 + 0.3 * written / total, tr("demo.step.saving"))
        for table, column in _BACKWARD_KEYS.items():
            t = sa.table(table, sa.column("id"), sa.column(column))
            pairs = [
                {"b_id": r["id"], "b_value": r[column]} for r in builder.rows[table] if r[column] is not None
            ]
            if pairs:
                s.execute(
                    t.update()
                    .where(t.c.id == sa.bindparam("b_id"))
                    .values({column: sa.bindparam("b_value")}),
                    pairs,
                )
        append_audit(
            s,
            action="bulk",
            table="demo",
            record_id=code,
            rev=0,
            changes={"people": len(builder.rows["person"]), "seed": seed, "today": today.isoformat()},
        )
        report(1.0, tr("demo.step.done"))
    return builder.summary()


def table_digest(db: Database) -> str:
    """SHA-256 over every row of every travelling table, sorted by id, in a canonical text form."""
    h = hashlib.sha256()
    with db.engine.connect() as conn:
        for model in TRAVELLING_MODELS:
            table = model.__tablename__
            result = conn.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY id')
            h.update(json.dumps([table, list(result.keys())], ensure_ascii=False).encode())
            for row in result:
                h.update(
                    json.dumps(list(row), ensure_ascii=False, separators=(",", ":"), default=str).encode()
                )
                h.update(b"\n")
    return h.hexdigest()
