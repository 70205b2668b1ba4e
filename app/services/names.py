"""Pinyin search keys for Chinese names: full pinyin (with the correct surname reading) and initials.

An officer types "zeng" for 曾, "zs" for 张三 or "张" — all must find the person. pypinyin reads common
polyphonic surnames wrongly (曾 → ceng, 单 → dan); the surname table below fixes the first characters.
Keys are stored space-separated so that a plain substring search matches any variant.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from app.services.validation import printable

# Surname readings that differ from the character's everyday reading (domain knowledge, not a library gap
# we could fill otherwise: pypinyin has no surname mode). Two-character surnames first.
SURNAME_READINGS: dict[str, list[str]] = {
    "长孙": ["zhang", "sun"],
    "尉迟": ["yu", "chi"],
    "万俟": ["mo", "qi"],
    "单于": ["chan", "yu"],
    "单": ["shan"],
    "曾": ["zeng"],
    "解": ["xie"],
    "仇": ["qiu"],
    "区": ["ou"],
    "查": ["zha"],
    "覃": ["qin"],
    "朴": ["piao"],
    "翟": ["zhai"],
    "乐": ["yue"],
    "缪": ["miao"],
    "盖": ["ge"],
    "种": ["chong"],
    "召": ["shao"],
    "繁": ["po"],
    "员": ["yun"],
    "哈": ["ha"],
    "秘": ["bi"],
    "折": ["she"],
    "黑": ["he"],
    "燕": ["yan"],
    "纪": ["ji"],
    "祭": ["zhai"],
    "句": ["gou"],
    "都": ["du"],
    "洗": ["xian"],
    "宁": ["ning"],
    "任": ["ren"],
    "华": ["hua"],
    "尉": ["yu"],
    "过": ["guo"],
    "莘": ["shen"],
    "谌": ["chen"],
    "应": ["ying"],
    "隗": ["wei"],
    "沈": ["shen"],
    "柏": ["bai"],
    "薄": ["bo"],
    "贲": ["ben"],
    "阚": ["kan"],
    "冼": ["xian"],
    "藏": ["zang"],
}
# Given-name characters commonly read two ways (李乐 may be "li le" or "li yue"). Other characters keep
# pypinyin's contextual reading only: its full heteronym lists are mostly rare readings (梁永平 would also
# become "liangyongpian") that make searches match the wrong people.
GIVEN_NAME_READINGS: dict[str, list[str]] = {
    "乐": ["le", "yue"],
    "长": ["chang", "zhang"],
    "重": ["zhong", "chong"],
    "朝": ["zhao", "chao"],
    "行": ["xing", "hang"],
    "参": ["can", "shen"],
    "觉": ["jue", "jiao"],
    "传": ["chuan", "zhuan"],
    "调": ["tiao", "diao"],
    "曾": ["zeng", "ceng"],
    "少": ["shao"],
    "会": ["hui", "kuai"],
}
MAX_VARIANTS = 4


@dataclass(frozen=True)
class NameKeys:
    pinyin: str  # space-separated full readings, e.g. "zengguofan cengguofan"
    initials: str  # space-separated initials, e.g. "zgf cgf"


def _readings(name: str) -> list[list[str]]:
    """Per-character candidate readings, surname-corrected reading first."""
    # Imported here: pypinyin's phrase dictionary takes 0.2 s to load, which start-up should not pay.
    from pypinyin import Style, lazy_pinyin

    surname_len = 2 if name[:2] in SURNAME_READINGS else (1 if name[:1] in SURNAME_READINGS else 0)
    per_char: list[list[str]] = []
    if surname_len:
        for syllable in SURNAME_READINGS[name[:surname_len]]:
            per_char.append([syllable])
    rest = name[surname_len:]
    if rest:
        primary = lazy_pinyin(rest, style=Style.NORMAL, errors="ignore", v_to_u=False)
        if len(primary) == len(rest):
            for char, first in zip(rest, primary, strict=True):
                per_char.append([first] + [a for a in GIVEN_NAME_READINGS.get(char, ()) if a != first])
        else:  # non-Chinese characters mixed in: keep the plain reading only
            per_char.extend([p] for p in primary)
    # The surname's everyday reading is kept as a variant too (an officer may type "ceng").
    if surname_len == 1:
        everyday = lazy_pinyin(name[0], style=Style.NORMAL, errors="ignore")
        if everyday and everyday[0] not in per_char[0]:
            per_char[0] = per_char[0] + everyday
    return per_char


def _variants(per_char: list[list[str]]) -> Iterator[list[str]]:
    """The main reading first, then each alternative reading of one character at a time, surname first.

    (A full product puts every given-name variant before the surname's everyday reading, so MAX_VARIANTS
    cut "ceng" off 曾家明.)"""
    main = [options[0] for options in per_char]
    yield main
    for i, options in enumerate(per_char):
        for alt in options[1:]:
            yield main[:i] + [alt] + main[i + 1 :]


def name_keys(name: str) -> NameKeys:
    name = "".join(name.split())
    if not name:
        return NameKeys("", "")
    per_char = _readings(name)
    full: list[str] = []
    initials: list[str] = []
    for combo in _variants(per_char):
        f = "".join(combo).lower()
        i = "".join(s[0] for s in combo if s).lower()
        if f not in full:
            full.append(f)
        if i not in initials:
            initials.append(i)
        if len(full) >= MAX_VARIANTS:
            break
    return NameKeys(" ".join(full), " ".join(initials))


def looks_like_pinyin(text: str) -> bool:
    return text.isascii() and text.isalpha()


def search_needle(text: str) -> str:
    """What a filter box holds, ready for a substring match: no spaces, lower case, without LIKE's wildcards
    (% and _ never occur in names, numbers or pinyin, and would otherwise match anything), and without the
    control and invisible characters no stored text holds (a pasted lone surrogate would even stop the
    database from reading the query)."""
    return "".join(printable(text).split()).lower().replace("%", "").replace("_", "").replace("\\", "")


# The shape of a Mandarin syllable: an optional initial, vowels, an optional n, ng or r (v stands for ü).
_SYLLABLE = re.compile(r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv]+(?:ng|n|r)?")
LONGEST_SYLLABLE = 6  # zhuang, chuang, shuang


@lru_cache(maxsize=65536)
def syllable_starts(reading: str, initials: str) -> frozenset[int]:
    """Where a syllable may start in `reading`, one full reading of a name as stored ("zengguofan"), given the
    name's stored initials ("zgf cgf"): the positions where `reading` can be cut into as many syllables as the
    name has characters, each shaped like a Mandarin syllable, syllable j starting with a letter some reading
    gives character j. (The stored keys keep no syllable marks, so that a plain substring search finds
    "zengguofan" for "zengguo".) Without any such cut, only the start counts."""
    columns = [variant for variant in initials.split() if variant]
    if not reading or not columns:
        return frozenset({0})
    count = len(columns[0])
    letters = [{variant[j] for variant in columns if len(variant) == count} for j in range(count)]
    n = len(reading)

    def fits(start: int, end: int, j: int) -> bool:
        return reading[start] in letters[j] and _SYLLABLE.fullmatch(reading, start, end) is not None

    # ahead[j]: positions reachable after j syllables; behind[j]: positions from which syllables j.. finish
    ahead = [{0}] + [set() for _ in range(count)]
    for j in range(count):
        for start in ahead[j]:
            for end in range(start + 1, min(n, start + LONGEST_SYLLABLE) + 1):
                if fits(start, end, j):
                    ahead[j + 1].add(end)
    if n not in ahead[count]:
        return frozenset({0})
    behind: list[set[int]] = [set() for _ in range(count)] + [{n}]
    for j in range(count - 1, -1, -1):
        for start in ahead[j]:
            ends = range(start + 1, min(n, start + LONGEST_SYLLABLE) + 1)
            if any(end in behind[j + 1] and fits(start, end, j) for end in ends):
                behind[j].add(start)
    return frozenset(start for j in range(count) for start in behind[j])


def on_syllable_boundary(needle: str, pinyin: str, initials: str) -> bool:
    """Does `needle` begin at a syllable of one of the full readings in `pinyin` (stored space-separated)?
    "guofan" does for 曾国藩 (zeng|guo|fan); "engguo" does not."""
    for reading in pinyin.split():
        at = reading.find(needle)
        while at >= 0:
            if at in syllable_starts(reading, initials):
                return True
            at = reading.find(needle, at + 1)
    return False
