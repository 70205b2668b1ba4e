"""Places of the demo: where villagers go to work, where wives and in-migrants come from, the hospitals."""

from __future__ import annotations

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
