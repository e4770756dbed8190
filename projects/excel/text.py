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
from decimal import Decimal, InvalidOperation

_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Decorations after a label or level name: units, fill-in rules, core markers.
_LABEL_SUFFIX = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]$")
_COLON_END = re.compile(r"[:：]+$")
_MARKERS = "★☆*＊※"


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
    colons, a leading 其中, or a trailing bracketed remark such as （万元） or （必填）."""
    key = _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))
    key = _COLON_END.sub("", key)
    previous = None
    while previous != key:
        previous = key
        key = _LABEL_SUFFIX.sub("", key)
        key = _COLON_END.sub("", key)
    if key.startswith("其中"):
        key = _COLON_END.sub("", key[2:].lstrip(":：,，"))
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


def parse_money(value, number_format="General"):
    """An amount in 万元 from a cell (number, or text such as "19.56", "66万元", "1,234.5"), or None
    when the cell is empty. Raises ValueError when the cell holds something else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, 1
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return number_value(value), 1
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", str(value)))
    match = _MONEY.match(folded)
    if not match:
        raise ValueError(folded)
    try:
        number = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation as error:
        raise ValueError(folded) from error
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
