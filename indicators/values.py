"""Parsing of 指标值 (indicator values) as units type them.

A value is kept exactly as typed; the parser only adds its parts beside it: 指标性质 (＝ ≥ ≤ ＞ ＜ or
定性), the number, the unit (计量单位), any text typed before the operator (下发通报 ≥ 1 期) and, for a
定性 value, the qualitative text.

The parser is deliberately conservative: anything that is not one clear "operator number unit" is
kept as 定性 text rather than guessed at, so a later quality check (or a person) can look at it.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db import models


class Nature(models.TextChoices):
    EQ = "eq", "＝"
    GE = "ge", "≥"
    LE = "le", "≤"
    GT = "gt", "＞"
    LT = "lt", "＜"
    QUALITATIVE = "qual", "定性"


@dataclass(frozen=True)
class ParsedValue:
    """One 指标值: `raw` exactly as typed, plus the parts read from it.

    `operator_text`, `number_text` and `unit_text` are the pieces as they were typed (stripped of
    surrounding whitespace), so it can always be checked that prefix + operator + number + unit is
    the raw text: the normalised `nature`, `number` and `unit` never hide what the user wrote.
    """

    raw: str
    nature: str = ""
    number: Decimal | None = None
    unit: str = ""
    prefix: str = ""
    qualitative: str = ""
    operator_text: str = ""
    number_text: str = ""
    unit_text: str = ""


# Operator spellings seen in tables, half- and full-width, plus the common written-out forms
# (不低于95% means ≥95%; leaving 不低于 as a prefix of an "＝" value would misstate the target).
_OPERATORS = {
    Nature.GE: ("≥", "≧", "⩾", ">=", "＞=", ">＝", "＞＝", "大于等于", "大于或等于", "不低于", "不少于", "不小于"),
    Nature.LE: ("≤", "≦", "⩽", "<=", "＜=", "<＝", "＜＝", "小于等于", "小于或等于", "不高于", "不多于", "不大于", "不超过"),
    Nature.GT: (">", "＞", "大于", "高于", "多于", "超过"),
    Nature.LT: ("<", "＜", "小于", "低于", "少于"),
    Nature.EQ: ("=", "＝", "==", "＝＝", "等于"),
}
# Longest first, so "≥" is not read as "＝" preceded by ">" and "不低于" not as "低于".
_OPERATOR_SPELLINGS = sorted(
    ((spelling, nature) for nature, spellings in _OPERATORS.items() for spelling in spellings),
    key=lambda pair: -len(pair[0]),
)

_DIGIT = "[0-9０-９]"
# An optional minus (not when it joins two numbers, as in 90-100), then either digits grouped by
# thousands (1,000) or plain digits, and an optional decimal part (half- or full-width point).
_NUMBER = re.compile(
    rf"(?:(?<![0-9０-９])[-−－])?"
    rf"(?:{_DIGIT}{{1,3}}(?:,{_DIGIT}{{3}})+(?!{_DIGIT})|{_DIGIT}+)"
    rf"(?:[.．]{_DIGIT}+)?"
)
_TO_ASCII = str.maketrans("０１２３４５６７８９．−－", "0123456789.--", ",")

_PERCENT_UNITS = {"%", "％", "百分比"}
_UNIT_SYMBOLS = set("%％‰/／·²³°℃")
# A unit is a short word (次, 万元每年, 人次/年); anything longer is a phrase, i.e. a 定性 value.
_MAX_UNIT_LENGTH = 6
# Indicator.value_number is DecimalField(max_digits=24, decimal_places=6): a number it cannot store
# is kept as 定性 text instead of failing on save.
_MAX_INTEGER_DIGITS = 18
_MAX_DECIMAL_PLACES = 6


def parse_value(text):
    """Split a typed 指标值 into its parts without ever losing or rejecting what was typed.

    Never raises: None is read as "", other non-strings (a number from a spreadsheet cell) as
    their str(). Empty input gives an empty nature; text without exactly one number followed by a
    short unit is 定性 (qualitative) with the stripped text.
    """
    raw = "" if text is None else text if isinstance(text, str) else str(text)
    stripped = raw.strip()
    if not stripped:
        return ParsedValue(raw=raw)
    qualitative = ParsedValue(raw=raw, nature=Nature.QUALITATIVE, qualitative=stripped)

    numbers = list(_NUMBER.finditer(stripped))
    if len(numbers) != 1:  # no number (显著提高, ≧**%) or several (13 个乡镇和 8 个…)
        return qualitative
    match = numbers[0]
    number = _to_decimal(match.group())
    unit_text = stripped[match.end():].strip()
    unit = _normalize_unit(unit_text)
    if number is None or unit is None:
        return qualitative

    before = stripped[: match.start()].rstrip()
    nature, operator_text = Nature.EQ, ""
    for spelling, spelling_nature in _OPERATOR_SPELLINGS:
        if before.endswith(spelling):
            nature, operator_text = spelling_nature, spelling
            break
    return ParsedValue(
        raw=raw,
        nature=nature,
        number=number,
        unit=unit,
        prefix=before[: len(before) - len(operator_text)].strip(),
        operator_text=operator_text,
        number_text=match.group(),
        unit_text=unit_text,
    )


def _to_decimal(number_text):
    """The exact Decimal for a number as typed, or None if Indicator.value_number cannot hold it."""
    number = Decimal(number_text.translate(_TO_ASCII))
    exponent = number.as_tuple().exponent
    if -exponent > _MAX_DECIMAL_PLACES or len(number.as_tuple().digits) + exponent > _MAX_INTEGER_DIGITS:
        return None
    return number


def _normalize_unit(unit_text):
    """The unit to store, or None when the text after the number is a phrase rather than a unit.

    Whitespace and invisible format characters inside the unit are dropped (万元 每年 → 万元每年);
    %, ％ and 百分比 all become "%". A unit is letters (any script) and a few unit symbols only.
    """
    unit = "".join(ch for ch in unit_text if not ch.isspace() and unicodedata.category(ch) != "Cf")
    if unit in _PERCENT_UNITS:
        return "%"
    if len(unit) > _MAX_UNIT_LENGTH:
        return None
    if any(not unicodedata.category(ch).startswith("L") and ch not in _UNIT_SYMBOLS for ch in unit):
        return None
    return unit
