"""Reading text out of cells the way units type it.

Published tables are inconsistent about width (：/:, （/(, ＞=/>=), break words over lines inside a cell
(产出指\\n标), decorate headers (“项目资金（万元）”, “数量指标（必填硬性指标）”) and glue codes to names
([042]财政局, 222001纪律检查委员会本级). These helpers turn a cell into comparable keys without ever
changing the text that is kept as data.
"""

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Decorations after a label or level name: units, fill-in rules, core markers.
_LABEL_SUFFIX = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]$")
_COLON_END = re.compile(r"[:：]+$")
_MARKERS = "★☆*＊※"
# Outline numbering before a label (after width folding): (一) (1) 一、 1、 1. — never the "1." of a decimal such as 1.5.
_NUMBERING = re.compile(r"^(?:\([一二三四五六七八九十0-9]{1,3}\)|[一二三四五六七八九十]{1,3}[、.]|[0-9]{1,2}、|[0-9]{1,2}\.(?![0-9]))")


def cell_text(value, number_format="General"):
    """The text a person sees in a cell: numbers without float noise, percents as percents, dates
    as dates. None is ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return f"{value.year}年{value.month}月{value.day}日"
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, (int, float, Decimal)):
        number = number_value(value)
        if "%" in (number_format or ""):
            return f"{plain_decimal(number * 100)}%"
        return plain_decimal(number)
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def number_value(value):
    """The exact decimal a numeric cell shows: floats go through their shortest repr, so 19.56 stays
    19.56 and never becomes 19.559999999999998721."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def plain_decimal(number):
    text = format(number.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def join_lines(text):
    """One logical line from a cell whose words were broken over several: lines are joined with
    nothing between Chinese characters and with one space between two Latin words."""
    parts = [part.strip() for part in text.split("\n")]
    parts = [part for part in parts if part]
    if not parts:
        return ""
    joined = parts[0]
    for part in parts[1:]:
        if joined[-1].isascii() and joined[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            joined += " " + part
        else:
            joined += part
    return joined


@functools.lru_cache(maxsize=16384)  # every cell of a sheet is tried as a label; most texts recur
def label_key(text):
    """The comparable form of a header label: width-folded, without spaces, line breaks, trailing
    colons, outline numbering ((一) 1、 二、), a leading 其中, or a trailing bracketed remark such as
    （万元） or （必填）: “(一)财政拨款小计”, “1、一般公共预算”, “二、其他:” and “其中：上级资金” are labels."""
    key = _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))
    previous = None
    while previous != key:
        previous = key
        key = _COLON_END.sub("", key)
        key = _LABEL_SUFFIX.sub("", key)
        if len(key) > 2:
            key = _NUMBERING.sub("", key)
        if key.startswith("其中") and len(key) > 2:
            key = key[2:].lstrip(":：,，")
    return key


@functools.lru_cache(maxsize=4096)
def level_key(text):
    """The comparable form of a 一级/二级 name: a label key without core markers or numbering."""
    key = label_key(text).strip(_MARKERS)
    key = re.sub(r"^[0-9一二三四五六七八九十]+[、.．)]", "", key)
    return key


def money_scale(text):
    """Divisor to turn amounts under this label into 万元: 1 for 万元 (or nothing said), 10000 for 元."""
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))
    if re.search(r"(单位[:：]?|[(（])元[)）]?$|[(（]元[)）]", folded) and "万元" not in folded:
        return Decimal(10000)
    return Decimal(1)


_MONEY = re.compile(r"^([-+]?\d[\d,]*(?:\.\d+)?)\s*(万元|元)?$")
_ONLY_MONEY = re.compile(r"^([-+]?\d[\d,]*(?:\.\d+)?)\s*(亿元|亿|万元|万|千元|元)?$")
# An amount inside text: a number with its unit, or a bare number standing alone (not 2024年, 3个, 95%).
_AMOUNT = re.compile(
    r"(?<![\d.])([-+]?\d[\d,]*(?:\.\d+)?)(?:\s*(亿元|亿|万元|万|千元|元)|(?=$|[\s,;。、)\]】/|]))"
)
_UNIT_SCALE = {"亿元": Decimal("0.0001"), "亿": Decimal("0.0001"), "万元": 1, "万": 1, "千元": Decimal(10), "元": Decimal(10000)}
_BREAKDOWN = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]|(?:其中|含|包括|包含|明细)[:：]?.*$")
_REMARK_EDGES = "，,；;。:：、/ \t\n"


class AmbiguousMoney(ValueError):
    """A cell with two different amounts side by side (“120万元 150万元”): which one is meant is not
    for the import to guess."""

    def __init__(self, text, first, second):
        super().__init__(text)
        self.first, self.second = first, second


@dataclass(frozen=True)
class MoneyReading:
    """What a money cell says: the amount (``scale`` divides it into 万元; None when the cell names no
    unit, so the column's or section's unit applies) and the words around it, kept as a remark."""

    number: Decimal | None
    scale: Decimal | int | None = None
    remark: str = ""
    amount_text: str = ""  # the amount as read, with its unit (“120万元”), for the preview's hint


def read_money(value, number_format="General"):
    """An amount read the way a finance officer reads a cell: the first amount with its unit (万, 万元,
    元, 千元, 亿元), the rest of the text as a remark (a breakdown in brackets, 资金用途, a note). The
    same figure typed twice is one amount; two different amounts outside a breakdown raise
    AmbiguousMoney; a cell with no amount at all raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return MoneyReading(None)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return MoneyReading(number_value(value))
    original = join_lines(str(value)).strip()
    folded = _width_folded(original)  # one character for one: positions in it are positions in the original
    match = _ONLY_MONEY.match(folded)
    if match:
        number, unit = _amount(match.group(1), folded), match.group(2)
        return MoneyReading(number, _UNIT_SCALE.get(unit) if unit else None, "", folded)
    outside = _BREAKDOWN.sub(lambda m: " " * len(m.group(0)), folded)  # same length: positions still match
    amounts = list(_AMOUNT.finditer(outside))
    if not amounts:
        raise ValueError(folded)
    first = amounts[0]
    number, unit = _amount(first.group(1), folded), first.group(2)
    scale = _UNIT_SCALE.get(unit) if unit else None
    in_wan = number / (scale or 1)
    for other in amounts[1:]:
        other_number = _amount(other.group(1), folded)
        other_scale = _UNIT_SCALE.get(other.group(2)) if other.group(2) else scale
        if other_number / (other_scale or 1) != in_wan:
            raise AmbiguousMoney(original, first.group(0).strip(), other.group(0).strip())
    cut = [(first.start(), first.end())] + [(other.start(), other.end()) for other in amounts[1:]]  # the same figure again
    rest = "".join(" " if any(start <= i < end for start, end in cut) else char for i, char in enumerate(original))
    remark = _SPACE.sub(" ", rest).strip(_REMARK_EDGES)
    if remark[:1] in "(（[【" and remark[-1:] in ")）]】" and remark.count("(") + remark.count("（") == 1:
        remark = remark[1:-1].strip(_REMARK_EDGES)
    try:  # “66万元（66万元）”: the bracket only repeats the amount
        repeated = read_money(remark) if remark else None
    except ValueError:
        repeated = None
    if repeated is not None and not repeated.remark and repeated.number / (repeated.scale or scale or 1) == in_wan:
        remark = ""
    return MoneyReading(number, scale, remark, first.group(0).strip())


def _width_folded(text):
    """``text`` with full-width letters, digits and punctuation folded to their narrow forms, one
    character for one (NFKC where it gives a single character)."""
    folded = []
    for char in text:
        narrow = unicodedata.normalize("NFKC", char)
        folded.append(narrow if len(narrow) == 1 else char)
    return "".join(folded)


def _amount(text, cell):
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as error:
        raise ValueError(cell) from error


def parse_money(value, number_format="General"):
    """An amount in 万元 from a cell holding only an amount (number, or text such as "19.56", "66万元",
    "1,234.5"), or None when the cell is empty. Raises ValueError when the cell holds something else
    (a list's cell is one amount; a form's header cell is read by ``read_money``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, 1
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return number_value(value), 1
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", str(value)))
    match = _MONEY.match(folded)
    if not match:
        raise ValueError(folded)
    number = _amount(match.group(1), folded)
    return number, (Decimal(10000) if match.group(2) == "元" else 1)


_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)\s*%?$")


def parse_percent(value, number_format="General"):
    """A cumulative percentage from a cell: 25, "25%", or 0.25 shown as a percent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = number_value(value)
        return number * 100 if "%" in (number_format or "") else number
    match = _PERCENT.match(_SPACE.sub("", unicodedata.normalize("NFKC", str(value))))
    if not match:
        raise ValueError(str(value))
    return Decimal(match.group(1))


_CODE_NAME = re.compile(r"^[\[【(（]\s*([0-9A-Za-z]+)\s*[\]】)）]\s*[-—–－]?\s*(.+)$")
_CODE_PREFIX = re.compile(r"^([0-9]{3,})\s*[-—–－]?\s*(\D.*)$")
_CODE_SUFFIX = re.compile(r"^(.+?)\s*[\[【(（]\s*([0-9]{3,})\s*[\]】)）]$")


def split_code_name(text):
    """(code, name) from how units print an organisation: “[042]财政局”, “222001纪律检查委员会本级”,
    “财政局（042）” or just a name (code "")."""
    text = join_lines(text or "").strip()
    for pattern, code_first in ((_CODE_NAME, True), (_CODE_PREFIX, True), (_CODE_SUFFIX, False)):
        match = pattern.match(text)
        if match:
            code, name = match.groups() if code_first else reversed(match.groups())
            return code, name.strip()
    return "", text


def year_in(text):
    """The budget year a title or header states: “（2023 年度）”, “2023年”, “2023年度部门…”."""
    folded = unicodedata.normalize("NFKC", text or "")
    match = re.search(r"(?<!\d)(20\d\d)\s*年", folded)
    return int(match.group(1)) if match else None


def is_cjk(text):
    return bool(_CJK.search(text or ""))
