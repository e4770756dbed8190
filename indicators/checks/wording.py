"""Text helpers shared by the rules: how a row is named in a message, how names are compared, and
the vocabulary (units of time and money, bounded rates) the rules recognise."""

import functools
import re
import unicodedata
from decimal import Decimal

_LABEL_LENGTH = 24
_PUNCTUATION = re.compile(r"[\s\"'“”‘’「」『』《》〈〉（）()\[\]【】,，、.。:：;；!！?？·]+")


def row_label(row):
    """第 N 行（三级指标名）: how every message names a row, as the unit sees it in the editor."""
    name = " ".join(row.name.split())
    if not name:
        return f"第 {row.index} 行（未填写三级指标名称）"
    if len(name) > _LABEL_LENGTH:
        name = name[:_LABEL_LENGTH] + "……"
    return f"第 {row.index} 行（{name}）"


def rows_text(rows):
    """第 1、2、5 行 for a handful of rows; 第 1–9 行 for a run; the count beyond eight."""
    indexes = sorted(row.index for row in rows)
    if len(indexes) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"第 {indexes[0]}–{indexes[-1]} 行"
    shown = "、".join(str(index) for index in indexes[:8])
    more = f"等 {len(indexes)} 行" if len(indexes) > 8 else " 行"
    return f"第 {shown}{more}"


def quoted(text):
    return f"“{text.strip()}”"


@functools.lru_cache(maxsize=65536)
def normalized(text):
    """A name as compared: full-width folded to half-width, case, spaces and punctuation ignored.
    Cached: the same names come back row after row and table after table."""
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def has_digit(text):
    return any(unicodedata.category(ch) == "Nd" for ch in text or "")


def amount_text(amount):
    """An amount in 万元 as users write it: no trailing zeros, no exponent."""
    text = format(Decimal(amount).normalize(), "f")
    return "0" if text in {"-0", ""} else text


# Units a 时效 value may be measured in.
TIME_UNITS = {"年", "月", "个月", "日", "天", "周", "个工作日", "工作日", "小时", "分钟", "季度", "个季度", "年度", "周年"}
# Dates and deadlines written as text: 2023年, 2023 年底, 11月底前, 年内, 上半年.
TIME_TEXT = re.compile(
    r"(?:19|20)\d{2}\s*年|\d{1,2}\s*月\s*(?:底|末|份|前|内|\d{1,2}\s*日)|"
    r"年底|年内|年末|月底|月末|季度末|上半年|下半年|\d+\s*(?:个)?(?:工作日|日|天|小时|周|个月)\s*(?:内|前|以内)"
)

# Money units a 成本 value may use and what one unit is in 万元.
MONEY_UNITS = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal("1"), "万": Decimal("1"), "亿元": Decimal("10000")}
# A money unit "per year" is still the year's amount; per person, per item and so on is a unit price.
PER_YEAR = {"", "每年", "/年", "／年", "年"}


def money_unit(unit):
    """(万元 per unit, is_total) when `unit` is money, else None. 万元每年 is a total; 元/人 is not."""
    for base in sorted(MONEY_UNITS, key=len, reverse=True):
        if unit.startswith(base):
            rest = unit[len(base):]
            return MONEY_UNITS[base], rest in PER_YEAR
    return None


# Names of rates that cannot exceed 100%: 满意度, 合格率, 完成率 … but not growth (增长率, 提升比).
_BOUNDED_RATE = re.compile(r"满意|率|比例|占比|覆盖面")
_UNBOUNDED = re.compile(r"增长|增幅|增速|提升比|提高比|增加值|增长比|提升值|同比|环比")


def is_bounded_rate(name):
    return bool(_BOUNDED_RATE.search(name)) and not _UNBOUNDED.search(name)


def is_satisfaction(row):
    return "满意" in row.name or row.level1 == "满意度指标"
