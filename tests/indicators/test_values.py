"""Tests for parse_value: every 指标值 printed in the seed tables, the variants DOMAIN §3.2 names, and
properties that must hold for any text (never raises, never loses a character)."""

import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.values import Nature, ParsedValue, parse_value

EQ, GE, LE, GT, LT, QUAL = "eq", "ge", "le", "gt", "lt", "qual"


def parts(parsed):
    """The parsed parts compared by the table-driven tests."""
    return (parsed.nature, parsed.number, parsed.unit, parsed.prefix, parsed.qualitative)


def q(text):
    """Expected parts of a 定性 value."""
    return (QUAL, None, "", "", text.strip())


# Every 指标值 printed in /work/shared/seeds (Pingluo 2023 tables, then 定州).
SEED_VALUES = [
    # 000: 纪检监察事务工作经费
    ("1 家", (EQ, Decimal("1"), "家", "", "")),
    ("1个", (EQ, Decimal("1"), "个", "", "")),
    ("1家", (EQ, Decimal("1"), "家", "", "")),
    ("≥90%", (GE, Decimal("90"), "%", "", "")),
    ("2023年", (EQ, Decimal("2023"), "年", "", "")),
    ("66万元", (EQ, Decimal("66"), "万元", "", "")),
    ("显著提高", q("显著提高")),
    ("效果提升", q("效果提升")),
    ("有效改变", q("有效改变")),
    ("有效提高", q("有效提高")),
    ("≥95%", (GE, Decimal("95"), "%", "", "")),
    # 000: 监督检查审查调查专项经费
    ("≥ 1 次", (GE, Decimal("1"), "次", "", "")),
    ("≥ 6 次", (GE, Decimal("6"), "次", "", "")),
    ("13 个乡镇和 8 个派驻纪检监察组", q("13 个乡镇和 8 个派驻纪检监察组")),
    ("下发通报 ≥ 1 期", (GE, Decimal("1"), "期", "下发通报", "")),
    ("2023 年底", (EQ, Decimal("2023"), "年底", "", "")),
    ("≥ 95%", (GE, Decimal("95"), "%", "", "")),
    ("50 万元", (EQ, Decimal("50"), "万元", "", "")),
    ("持续提升", q("持续提升")),
    # 000: 县委巡查专项经费
    ("2 轮次", (EQ, Decimal("2"), "轮次", "", "")),
    ("1 个", (EQ, Decimal("1"), "个", "", "")),
    ("≥99%", (GE, Decimal("99"), "%", "", "")),
    ("≥98%", (GE, Decimal("98"), "%", "", "")),
    ("44万", (EQ, Decimal("44"), "万", "", "")),
    ("有效提升", q("有效提升")),
    ("持续发挥", q("持续发挥")),
    # 000: 特邀监察员经费
    ("10 名", (EQ, Decimal("10"), "名", "", "")),
    ("100%", (EQ, Decimal("100"), "%", "", "")),
    ("1 年", (EQ, Decimal("1"), "年", "", "")),
    ("2023 年内", (EQ, Decimal("2023"), "年内", "", "")),
    ("1.2 万元每年", (EQ, Decimal("1.2"), "万元每年", "", "")),
    ("显著提升", q("显著提升")),
    # 000: 政府长聘人员经费
    ("1 人", (EQ, Decimal("1"), "人", "", "")),
    ("1 辆", (EQ, Decimal("1"), "辆", "", "")),
    ("32952 元", (EQ, Decimal("32952"), "元", "", "")),
    ("全力保障", q("全力保障")),
    # 001: 定州 (every value is one of these two)
    ("100百分比", (EQ, Decimal("100"), "%", "", "")),
    ("≥100百分比", (GE, Decimal("100"), "%", "", "")),
]

# The variants DOMAIN §3.2 and the brief name beyond what the seeds print.
VARIANTS = [
    ("≧95%", (GE, Decimal("95"), "%", "", "")),
    ("≧**%", q("≧**%")),
    ("⩾95%", (GE, Decimal("95"), "%", "", "")),
    (">=95%", (GE, Decimal("95"), "%", "", "")),
    ("＞=95%", (GE, Decimal("95"), "%", "", "")),
    ("＞＝95％", (GE, Decimal("95"), "%", "", "")),
    ("≤5天", (LE, Decimal("5"), "天", "", "")),
    ("≦5天", (LE, Decimal("5"), "天", "", "")),
    ("⩽5天", (LE, Decimal("5"), "天", "", "")),
    ("<=5天", (LE, Decimal("5"), "天", "", "")),
    ("＜=5天", (LE, Decimal("5"), "天", "", "")),
    (">0", (GT, Decimal("0"), "", "", "")),
    ("＞0 个", (GT, Decimal("0"), "个", "", "")),
    ("<3%", (LT, Decimal("3"), "%", "", "")),
    ("＜ 3 %", (LT, Decimal("3"), "%", "", "")),
    ("=100%", (EQ, Decimal("100"), "%", "", "")),
    ("＝100%", (EQ, Decimal("100"), "%", "", "")),
    ("==100%", (EQ, Decimal("100"), "%", "", "")),
    ("100％", (EQ, Decimal("100"), "%", "", "")),
    ("  ≥   95   百分比  ", (GE, Decimal("95"), "%", "", "")),
    ("１００百分比", (EQ, Decimal("100"), "%", "", "")),
    ("1,000 元", (EQ, Decimal("1000"), "元", "", "")),
    ("1,234,567.89元", (EQ, Decimal("1234567.89"), "元", "", "")),
    ("19.56 万元", (EQ, Decimal("19.56"), "万元", "", "")),
    ("１９．５６万元", (EQ, Decimal("19.56"), "万元", "", "")),
    ("1.20 万元", (EQ, Decimal("1.20"), "万元", "", "")),
    ("2 万元 每年", (EQ, Decimal("2"), "万元每年", "", "")),
    ("30", (EQ, Decimal("30"), "", "", "")),
    ("人次 ≥ 500 人次", (GE, Decimal("500"), "人次", "人次", "")),
    ("不低于95%", (GE, Decimal("95"), "%", "", "")),
    ("满意度不低于 90%", (GE, Decimal("90"), "%", "满意度", "")),
    ("不超过 5 天", (LE, Decimal("5"), "天", "", "")),
    ("约50万元", (EQ, Decimal("50"), "万元", "约", "")),
    ("-5%", (EQ, Decimal("-5"), "%", "", "")),
    ("≤ −5％", (LE, Decimal("-5"), "%", "", "")),
    ("\u3000≥\u3000１\u3000次\u3000", (GE, Decimal("1"), "次", "", "")),
    ("3 人次/年", (EQ, Decimal("3"), "人次/年", "", "")),
]


@pytest.mark.parametrize("text, expected", SEED_VALUES, ids=[t for t, _ in SEED_VALUES])
def test_every_seed_value_is_parsed_into_its_parts(text, expected):
    parsed = parse_value(text)
    assert parsed.raw == text
    assert parts(parsed) == expected


@pytest.mark.parametrize("text, expected", VARIANTS, ids=[t for t, _ in VARIANTS])
def test_operator_spacing_width_and_unit_variants_are_parsed(text, expected):
    parsed = parse_value(text)
    assert parsed.raw == text
    assert parts(parsed) == expected


@pytest.mark.parametrize(
    "text",
    [
        "13 个乡镇和 8 个派驻纪检监察组",
        "90-100%",
        "2022-2023年",
        "1,2,3",
        "1,0000元",
        "第1季度完成2次",
        "1 次，确保各单位按期完成整改",  # a phrase, not a unit
        "5 个以上乡镇全部完成规范化建设",  # longer than a unit
        "95%（含）",
        "≧**%",
        "≥",
        "—",
        "3.",
        "12345678901234567890元",  # more than Indicator.value_number can hold
        "0.0000001",
    ],
)
def test_values_without_one_clear_number_and_unit_stay_qualitative_with_their_text(text):
    parsed = parse_value(text)
    assert parsed.raw == text
    assert parts(parsed) == q(text)
    assert parsed.operator_text == parsed.number_text == parsed.unit_text == ""


def test_full_width_ge_with_spaces_is_parsed():
    parsed = parse_value("≧ １ 次")
    assert (parsed.nature, parsed.number, parsed.unit) == (Nature.GE, Decimal("1"), "次")
    assert (parsed.operator_text, parsed.number_text, parsed.unit_text) == ("≧", "１", "次")


def test_percent_word_is_stored_as_percent_but_raw_keeps_the_word():
    parsed = parse_value("≥100百分比")
    assert parsed.unit == "%"
    assert parsed.unit_text == "百分比"
    assert parsed.raw == "≥100百分比"


def test_decimal_is_exact_not_float():
    parsed = parse_value("0.1 万元")
    assert isinstance(parsed.number, Decimal)
    assert parsed.number == Decimal("0.1")
    assert str(parsed.number) == "0.1"


def test_prefix_and_operator_are_split_where_the_operator_is():
    parsed = parse_value("下发通报 ≥ 1 期")
    assert (parsed.prefix, parsed.operator_text, parsed.number_text, parsed.unit_text) == ("下发通报", "≥", "1", "期")


def test_longest_operator_spelling_wins():
    assert parse_value(">=1").operator_text == ">="
    assert parse_value("不大于1").operator_text == "不大于"
    assert parse_value("大于等于1").nature == Nature.GE


@pytest.mark.parametrize("text", ["", " ", "\t\n", "\u3000", None])
def test_empty_whitespace_or_none_gives_an_empty_value(text):
    parsed = parse_value(text)
    assert parsed == ParsedValue(raw=text or "")
    assert parsed.nature == ""
    assert parsed.number is None


def test_raw_is_kept_exactly_with_its_whitespace():
    text = "  ≥ 95%\n"
    assert parse_value(text).raw == text


def test_qualitative_text_is_stripped_but_raw_is_not():
    parsed = parse_value("  显著提高 ")
    assert parsed.qualitative == "显著提高"
    assert parsed.raw == "  显著提高 "


def test_a_number_from_a_spreadsheet_cell_is_read_as_its_text():
    parsed = parse_value(95)
    assert (parsed.raw, parsed.nature, parsed.number) == ("95", Nature.EQ, Decimal("95"))


def test_control_characters_and_very_long_text_do_not_raise():
    assert parse_value("\x00\x01≥\x7f95%\x1b").nature == Nature.QUALITATIVE
    long_text = "显著提高" * 50_000
    assert parse_value(long_text).qualitative == long_text
    assert parse_value("≥" + "9" * 100_000).nature == Nature.QUALITATIVE


def test_parsed_value_is_immutable():
    parsed = parse_value("1 次")
    with pytest.raises(AttributeError):
        parsed.number = Decimal("2")


def test_nature_values_match_the_stored_choices():
    assert {n.value for n in Nature} == {EQ, GE, LE, GT, LT, QUAL}
    for text, (nature, *_rest) in SEED_VALUES + VARIANTS:
        assert parse_value(text).nature in Nature.values


def _compact(s):
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize("text", [t for t, _ in SEED_VALUES + VARIANTS])
def test_no_character_is_lost_for_the_listed_values(text):
    parsed = parse_value(text)
    if parsed.number is not None:
        pieces = parsed.prefix + parsed.operator_text + parsed.number_text + parsed.unit_text
        assert _compact(pieces) == _compact(text)
    elif parsed.nature:
        assert parsed.qualitative == text.strip()


@given(st.one_of(st.none(), st.text(), st.text(alphabet="≥≧＞>=＝<≤ 0123456789０１２３４５６７８９.,%％百分比万元次个年底 \u3000-")))
def test_parse_value_never_raises_and_never_loses_a_character(text):
    parsed = parse_value(text)
    typed = text or ""
    assert parsed.raw == typed
    assert parsed.nature in Nature.values or parsed.nature == ""
    if not typed.strip():
        assert parsed == ParsedValue(raw=typed)
    elif parsed.number is not None:
        assert parsed.number_text in typed
        # The Decimal is the typed number, digits and all (full-width digits read as ASCII).
        assert parsed.number == Decimal(unicodedata.normalize("NFKC", parsed.number_text).replace(",", "").replace("\u2212", "-"))
        pieces = parsed.prefix + parsed.operator_text + parsed.number_text + parsed.unit_text
        assert _compact(pieces) == _compact(typed)
        assert parsed.qualitative == ""
    else:
        assert parsed.nature == Nature.QUALITATIVE
        assert parsed.qualitative == typed.strip()
        assert parsed.number is None
