"""Names and telephone numbers of the demo's villagers: surnames, given names by decade, mobile prefixes."""

from __future__ import annotations

import datetime as dt
import random

from app.vocab import Sex


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

MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 177 180 "
    "181 182 183 185 186 187 188 189 191 193 198 199"
)


def draw_surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]


def draw_given_name(rng: random.Random, sex: str, birth: dt.date) -> str:
    """A given name of the sex, in fashion in the decade of the birth."""
    for before, male, female in GIVEN_NAMES:
        if birth.year < before:
            return rng.choice(male if sex == Sex.MALE else female)
    raise AssertionError("unreachable")


def draw_phone(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
