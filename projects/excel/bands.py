"""Score bands printed in the 一级 of the post-2021 form (财预〔2021〕101号 and the local forms after it):
`成本指标(0-20)分`, `产出指标（40-50分）`, `效益指标(30分)`. The band is the share of the 100 points the 一级's
rows may carry; each 三级's own points are its 分值 (read as its 权重).

A 分值 merged over several rows is that group's score, divided among them. The band is kept as weights:
a 一级 whose rows print their 分值 is checked against its band (a sum outside it is a hint); a 一级 whose
rows print none and whose band is one figure has that figure divided among its rows; a band that is a
range with no 分值 under it leaves the weights empty and says so. Every band read is a hint, so nothing
about the scores is decided silently.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

# After NFKC folding: a name, then the band in brackets or not, with 分 inside or after the brackets.
_BAND = re.compile(
    r"^(?P<name>.*?[^\d\s(.])\s*"
    r"(?:\(\s*(?P<lo>\d+(?:\.\d+)?)\s*分?\s*(?:[-~—–至到]\s*(?P<hi>\d+(?:\.\d+)?)\s*)?分?\s*\)\s*分?"
    r"|(?P<lo2>\d+(?:\.\d+)?)\s*(?:[-~—–至到]\s*(?P<hi2>\d+(?:\.\d+)?)\s*)?分)$"
)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Band:
    low: Decimal
    high: Decimal

    def __str__(self):
        low, high = _text(self.low), _text(self.high)
        return f"{low} 分" if low == high else f"{low}–{high} 分"

    def holds(self, points):
        return self.low <= points <= self.high


@functools.lru_cache(maxsize=4096)  # called on every grid row; a table's 一级 texts recur
def split_band(text):
    """(the name without its band, Band or None): `产出指标(40-50)分` → ("产出指标", 40–50 分). A text
    without a band, or whose figures are no score (above 100, the low above the high), is returned
    unchanged with None."""
    folded = unicodedata.normalize("NFKC", text or "").strip()
    found = _BAND.match(folded)
    if not found:
        return text, None
    low = Decimal(found.group("lo") or found.group("lo2"))
    high = Decimal(found.group("hi") or found.group("hi2") or low)
    if "分" not in folded[len(found.group("name")):] and not (found.group("hi") or found.group("hi2")):
        return text, None  # “(1)”: a number, not a score
    if low > high or high > 100:
        return text, None
    return found.group("name").strip(), Band(low, high)


def apply_bands(sheet_reader, table, rows):
    """Keep each 一级's band as its rows' weights (see the module's docstring); ``rows`` are the grid's
    rows as read, each with the band of its 一级 under ``_band`` (removed here)."""
    groups = {}  # (printed 一级, band) → its rows, in order
    for row in rows:
        band = row.pop("_band", None)
        if band is not None:
            groups.setdefault((row.pop("_band_text"), band), []).append(row)
        else:
            row.pop("_band_text", None)
    for (printed, band), members in groups.items():
        cell = members[0]["_cells"].get("level1", "")
        name = members[0]["level1"]
        weights = [Decimal(row["weight"]) for row in members if row["weight"] is not None]
        if weights:
            total = sum(weights, Decimal(0))
            note = f"一级指标“{printed}”读作“{name}”（分值区间 {band}），其三级指标的分值读作权重，合计 {_text(total)} 分"
            if len(weights) < len(members):
                note += f"；其中 {len(members) - len(weights)} 条三级指标未填分值"
            if not band.holds(total):
                note += f"；合计不在 {band} 之内，请核对"
            sheet_reader.warn(table, cell, note + "。")
        elif band.low == band.high:
            shares = _split(band.low, len(members))
            for row, share in zip(members, shares):
                row["weight"] = _text(share)
            each = "、".join(dict.fromkeys(_text(share) for share in shares))
            sheet_reader.warn(table, cell, f"一级指标“{printed}”读作“{name}”，其 {band} 平均分给 {len(members)} 条三级指标作为权重（{each} 分）。")
        else:
            sheet_reader.warn(table, cell, f"一级指标“{printed}”读作“{name}”；分值区间 {band} 下的三级指标没有填写分值，权重未填，"
                              "请在导入后逐条填写。")


def share_merged_points(sheet_reader, table, rows):
    """A 分值 cell merged over several rows (one score for a 一级 or 二级, as some forms print it) is
    divided among those rows, said in a hint; read as it stands it would count once per row."""
    groups = {}
    for row in rows:
        cell = row.pop("_points_cell", None)
        if cell is not None:
            groups.setdefault(cell, []).append(row)
    for cell, members in groups.items():
        if len(members) < 2 or members[0]["weight"] is None:
            continue
        points = Decimal(members[0]["weight"])
        shares = _split(points, len(members))
        for row, share in zip(members, shares):
            row["weight"] = _text(share)
        each = "、".join(dict.fromkeys(_text(share) for share in shares))
        sheet_reader.warn(table, cell, f"分值 {_text(points)} 分合并于 {len(members)} 条三级指标，平均分给各条作为权重（{each} 分）。")


def _split(points, count):
    """``points`` in ``count`` shares of whole cents adding up exactly (the last takes what is left)."""
    share = (points / count).quantize(_CENT, rounding=ROUND_DOWN)
    return [share] * (count - 1) + [points - share * (count - 1)]


def _text(number):
    text = format(Decimal(number).normalize(), "f")
    return "0" if text in {"-0", ""} else text


# What a 指标性质 cell may hold that belongs in front of the figure; 定量/定性 say nothing of the value.
_OPERATORS = {"≥": "≥", ">=": "≥", "大于等于": "≥", "不低于": "≥", "≤": "≤", "<=": "≤", "小于等于": "≤", "不高于": "≤",
              "=": "=", "等于": "=", ">": ">", "大于": ">", "<": "<", "小于": "<"}


def joined_value(texts):
    """The 指标值 of a row that prints it in three cells (指标性质 ≥ | 指标值 100 | 度量单位 人) as one: “≥100人”;
    an operator or unit the value already shows is not added twice."""
    value = texts.get("value", "")
    if not value:
        return value
    operator = _OPERATORS.get(unicodedata.normalize("NFKC", texts.get("operator", "")).strip(), "")
    unit = texts.get("unit", "").strip()
    if operator and not unicodedata.normalize("NFKC", value).lstrip().startswith(("≥", "≤", ">", "<", "=")):
        value = operator + value
    if unit and not value.endswith(unit):
        value += unit
    return value


def joined_value_hint(columns):
    names = "、".join(f"“{name}”" for key, name in (("operator", "指标性质"), ("unit", "度量单位")) if key in columns)
    return f"{names}列并入指标值（例如“≥”“100”“人”读作“≥100人”）。"
