"""Where syllables start in a stored full reading (kept without syllable marks), for the search's ranking:
typed letters from a syllable's start rank above the same letters inside a syllable."""

from __future__ import annotations

import pytest

from app.services.names import name_keys, on_syllable_boundary, syllable_starts


@pytest.mark.parametrize(
    ("name", "cuts"),
    [
        ("张三", [0, 5]),  # zhang|san
        ("李秀英", [0, 2, 5]),  # li|xiu|ying
        ("曾国藩", [0, 4, 7]),  # zeng|guo|fan, never zen|gguo
        ("南宁", [0, 3]),  # nan|ning, never na|nning
        ("西安", [0, 2]),  # xi|an: two characters, two syllables
        ("欧阳娜娜", [0, 2, 6, 8]),  # ou|yang|na|na
        ("吕鑫", [0, 2]),  # lv|xin
        ("王长安", [0, 4, 9]),  # wang|chang|an (and wang|zhang|an), never chan|gan
    ],
)
def test_syllables_of_a_stored_reading(name, cuts):
    keys = name_keys(name)
    for reading in keys.pinyin.split():
        assert sorted(syllable_starts(reading, keys.initials)) == cuts, reading


def test_without_a_consistent_cut_only_the_start_counts():
    assert syllable_starts("abc", "xy") == {0}
    assert syllable_starts("zhangsan", "") == {0}


@pytest.mark.parametrize(
    ("typed", "name", "on_boundary"),
    [
        ("guofan", "曾国藩", True),
        ("fan", "曾国藩", True),
        ("zeng", "曾国藩", True),
        ("cengguo", "曾国藩", True),  # the everyday reading of the surname is stored too
        ("engguo", "曾国藩", False),
        ("gguo", "曾国藩", False),
        ("an", "张三", False),  # zh-an-g, s-an
        ("san", "张三", True),
        ("an", "张安", True),  # zhang|an
        ("an", "王爱", False),  # wang|ai
    ],
)
def test_typed_letters_on_a_syllable_boundary(typed, name, on_boundary):
    keys = name_keys(name)
    assert on_syllable_boundary(typed, keys.pinyin, keys.initials) == on_boundary
