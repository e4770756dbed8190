"""Scoring of a self-evaluation by the rules of 财预〔2020〕10号, as pure functions with their working.

Every function takes plain values (Decimals, ParsedValues) and returns the score with a Chinese line
saying how it was reached, so the form, the print and the checks show the same working. Nothing here
reads the database.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from indicators.values import Nature

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
LEVEL1_ORDER = ("产出指标", "效益指标", "满意度指标")
# 10号文: a qualitative indicator scores in bands of its points (达成 100–80%, 部分达成 80–60%, 未达成 60–0%).
BANDS = {"met": (Decimal("0.8"), Decimal("1")), "partly": (Decimal("0.6"), Decimal("0.8")), "missed": (Decimal("0"), Decimal("0.6"))}
BAND_LABELS = {"met": "达成", "partly": "部分达成", "missed": "未达成"}
# 优 ≥ 90, 良 80–89, 中 60–79, 差 < 60.
GRADE_FLOORS = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))


@dataclass(frozen=True)
class Score:
    """A score with its working: ``points`` (never above ``weight``) and ``working``, in Chinese."""

    points: Decimal | None
    weight: Decimal
    working: str

    @property
    def lost(self):
        return self.points is not None and self.points < self.weight


def points(value):
    """Round to 0.01 point, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _capped(value, weight):
    return min(points(value), weight) if value >= 0 else Decimal("0.00")


def execution_rate(executed, budget):
    """执行率 = 全年执行数 ÷ 全年预算数, in %, or None when there is no budget to divide by."""
    if executed is None or not budget:
        return None
    return points(Decimal(executed) / Decimal(budget) * HUNDRED)


def execution_score(rate, weight=Decimal(10)):
    """预算执行率得分 = 执行率 × 分值, capped at the 分值 (an overspend earns nothing extra)."""
    weight = Decimal(weight)
    if rate is None:
        return Score(None, weight, "没有全年预算数，不能计算执行率。")
    value = _capped(Decimal(rate) / HUNDRED * weight, weight)
    capped = "（以分值为上限）" if rate > HUNDRED else ""
    return Score(value, weight, f"执行率 {rate}% × {weight} 分 = {value} 分{capped}")


def spread_weights(level1_of_rows, weights):
    """Each row's 分值: each 一级's points spread evenly over its rows, to 0.01, the remainder given
    to the first rows so that each 一级 adds up exactly. A 一级 without rows gives its points to
    the other 一级s in proportion, so the indicators always add up to 100 − 预算执行."""
    indicator_total = sum((Decimal(weights.get(name, 0)) for name in LEVEL1_ORDER), Decimal(0))
    present = [name for name in LEVEL1_ORDER if name in level1_of_rows]
    others = sorted({name for name in level1_of_rows if name not in LEVEL1_ORDER})
    groups = present + others
    if not groups:
        return []
    raw = {name: Decimal(weights.get(name, 0)) for name in groups}
    given = sum(raw.values(), Decimal(0))
    if given == 0:
        raw = {name: Decimal(1) for name in groups}
        given = Decimal(len(groups))
    scaled = {name: points(indicator_total * raw[name] / given) for name in groups}
    scaled[groups[0]] += indicator_total - sum(scaled.values(), Decimal(0))
    result = [Decimal(0)] * len(level1_of_rows)
    for name in groups:
        rows = [index for index, level1 in enumerate(level1_of_rows) if level1 == name]
        share = (scaled[name] / len(rows)).quantize(CENT, rounding=ROUND_DOWN)
        for index in rows:
            result[index] = share
        for index in rows[: int((scaled[name] - share * len(rows)) / CENT)]:
            result[index] += CENT
    return result


def quantitative_score(target, actual, weight):
    """A quantitative indicator, by attainment in the direction of its operator, capped at its weight:
    ≥ (and ＞): actual ÷ target; ≤ (and ＜): target ÷ actual; ＝: met or not. ``target`` and
    ``actual`` are ParsedValues; the actual must be a number in the target's unit."""
    weight = Decimal(weight)
    if actual.number is None:
        return Score(None, weight, f"实际完成值“{actual.raw.strip()}”不是数值，不能按目标值 {target.raw.strip()} 计分。")
    if actual.unit != target.unit:
        return Score(None, weight, f"实际完成值的单位“{actual.unit or '无'}”与指标值的单位“{target.unit or '无'}”不同，不能计分。")
    goal, reached = target.number, actual.number
    if target.nature in (Nature.GE, Nature.GT):
        if reached >= goal:
            return Score(points(weight), weight, f"{reached} ≥ 目标 {goal}，得满分 {points(weight)} 分")
        value = _capped(reached / goal * weight, weight) if goal else Decimal("0.00")
        return Score(value, weight, f"完成 {reached} ÷ 目标 {goal} × {weight} 分 = {value} 分")
    if target.nature in (Nature.LE, Nature.LT):
        if reached <= goal:
            return Score(points(weight), weight, f"{reached} ≤ 目标 {goal}，得满分 {points(weight)} 分")
        value = _capped(goal / reached * weight, weight)
        return Score(value, weight, f"目标 {goal} ÷ 完成 {reached} × {weight} 分 = {value} 分")
    if reached == goal:
        return Score(points(weight), weight, f"{reached} ＝ 目标 {goal}，得满分 {points(weight)} 分")
    return Score(Decimal("0.00"), weight, f"{reached} ≠ 目标 {goal}，未达到，得 0 分")


def band_range(band, weight):
    """The lowest and highest score of a qualitative band."""
    low, high = BANDS[band]
    return points(low * Decimal(weight)), points(high * Decimal(weight))


def qualitative_score(band, chosen, weight):
    """A qualitative indicator: the unit chooses the score inside its band (no choice: the top of it)."""
    weight = Decimal(weight)
    if not band:
        return Score(None, weight, "请选择完成档次（达成 / 部分达成 / 未达成）。")
    low, high = band_range(band, weight)
    label = BAND_LABELS[band]
    if chosen is None:
        return Score(high, weight, f"{label}：{low}–{high} 分，取上限 {high} 分")
    if not low <= Decimal(chosen) <= high:
        return Score(None, weight, f"{label}的得分应在 {low}–{high} 分之间，填写的 {chosen} 分不在其中。")
    return Score(points(chosen), weight, f"{label}：{low}–{high} 分，单位选定 {points(chosen)} 分")


def indicator_score(target, actual, weight, *, band="", chosen=None):
    """The computed score of one indicator: quantitative by attainment, qualitative by band."""
    if target.number is not None and target.nature != Nature.QUALITATIVE:
        return quantitative_score(target, actual, weight)
    return qualitative_score(band, chosen, weight)


def grade_of(total):
    """优 ≥ 90, 良 80–89, 中 60–79, 差 < 60."""
    if total is None:
        return ""
    return next(grade for floor, grade in GRADE_FLOORS if total >= floor)
