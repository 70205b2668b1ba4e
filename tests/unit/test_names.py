"""Pinyin search keys: what an officer can type to find a name (the same substring test as the search box)."""

from __future__ import annotations

import pytest

from app.services.names import NameKeys, looks_like_pinyin, name_keys


def found(name: str, typed: str) -> bool:
    """Would a search for `typed` find `name`? (characters, full pinyin or initials, as app.services.search)."""
    keys = name_keys(name)
    return typed in name or typed in keys.pinyin or typed in keys.initials


@pytest.mark.parametrize("typed", ["zhangsan", "zs", "张", "张三", "zhang", "san"])
def test_zhang_san_is_found(typed):
    assert found("张三", typed)


def test_keys_of_zhang_san():
    assert name_keys("张三").pinyin == "zhangsan"
    assert name_keys("张三").initials == "zs"


def test_unrelated_typing_does_not_find_zhang_san():
    assert not found("张三", "ls")
    assert not found("张三", "lisi")
    assert not found("张三", "sz")


@pytest.mark.parametrize("name", ["曾国藩", "曾家明", "曾小红"])
def test_surname_zeng_read_as_zeng_and_ceng_still_matches(name):
    keys = name_keys(name)
    assert keys.pinyin.split()[0].startswith("zeng")  # the surname reading comes first
    assert found(name, "zeng")
    assert found(name, "ceng")  # the everyday reading an officer might type
    assert found(name, "z" + keys.initials.split()[0][1:])
    assert found(name, "c" + keys.initials.split()[0][1:])


def test_zeng_jia_ming_all_four_ways():
    assert found("曾家明", "zengjiaming")
    assert found("曾家明", "cengjiaming")
    assert found("曾家明", "zjm")
    assert found("曾家明", "cjm")


def test_surname_shan():
    assert name_keys("单田芳").pinyin.split()[0] == "shantianfang"
    assert found("单田芳", "shantianfang")
    assert found("单田芳", "stf")


def test_surname_zhai():
    assert name_keys("翟志刚").pinyin.split()[0] == "zhaizhigang"
    assert found("翟志刚", "zzg")


def test_surname_ou():
    assert name_keys("区志强").pinyin.split()[0] == "ouzhiqiang"
    assert found("区志强", "ozq")


def test_compound_surnames():
    assert name_keys("欧阳修").pinyin == "ouyangxiu"
    assert found("欧阳修", "oyx")
    assert found("欧阳修", "ouyang")
    assert name_keys("长孙无忌").pinyin.split()[0] == "zhangsunwuji"  # not "chang"
    assert found("长孙无忌", "zswj")


def test_spaces_in_a_name_are_ignored():
    assert name_keys("张 三") == name_keys("张三")
    assert name_keys("　张三 ") == name_keys("张三")  # a full-width space too


def test_empty_name_has_empty_keys():
    assert name_keys("") == name_keys("   ")
    assert name_keys("").pinyin == ""
    assert name_keys("").initials == ""


def test_few_variants_are_kept():
    for name in ["曾家明", "王小明", "单长青", "区志强"]:
        assert 1 <= len(name_keys(name).pinyin.split()) <= 4


def test_looks_like_pinyin():
    assert looks_like_pinyin("zs")
    assert looks_like_pinyin("zhangsan")
    assert not looks_like_pinyin("张")
    assert not looks_like_pinyin("0101")
    assert not looks_like_pinyin("zhang san")


def test_rare_readings_do_not_make_false_matches():
    # pypinyin lists 平 as "pian" too; an officer typing "lyp" or "liangyongping" should find only this reading
    assert name_keys("梁永平") == NameKeys("liangyongping", "lyp")
    assert name_keys("李秀英").pinyin == "lixiuying"


def test_common_two_way_given_name_characters_keep_both_readings():
    assert name_keys("李乐").pinyin.split() == ["lile", "liyue"]
