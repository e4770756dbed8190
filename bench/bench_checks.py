"""Benchmark of the quality checks (智能审核). Prints figures; it is not a test.

    .venv/bin/python bench/bench_checks.py [--tables 10000] [--runs 5] [--stored 500] [--database-url URL]

1. Generates `--tables` realistic target tables in memory (8–30 三级 rows each, vocabulary of real
   tables, about a third of them with the faults the checks look for) and times check_table over
   all of them, several runs, reporting the median in tables per second.
2. Sets up a database of its own (migrate + reference data), stores `--stored` of those tables with
   their rows, goals and spending plans, and times projects_recheck over them: reading, checking and
   writing findings, score and grade through the database. The database is in-memory SQLite, or with
   ``--database-url postgres://…`` a PostgreSQL database created on that server and dropped afterwards.
   The first recheck writes every table's findings; the later ones, timed separately, find them as
   they are (a recheck after a rule change finds most tables unchanged).
"""

import argparse
import contextlib
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import percentile  # noqa: E402
from bench.databases import is_postgresql, postgresql_database  # noqa: E402

SUBJECTS = [
    ("基层干部业务培训", "培训", "期", "人次"),
    ("农村公路养护", "养护里程", "公里", "公里"),
    ("巡察工作", "巡察", "轮次", "个单位"),
    ("信息系统运行维护", "系统维护", "个", "次"),
    ("城乡居民医疗救助", "救助", "人次", "户"),
    ("耕地地力保护补贴", "补贴发放", "户", "亩"),
    ("中小学校舍维修", "校舍维修", "所", "平方米"),
    ("养老服务补贴", "补贴对象", "人", "人"),
    ("档案数字化", "档案扫描", "卷", "页"),
    ("森林防火", "巡护", "次", "公顷"),
    ("食品安全抽检", "抽检批次", "批次", "家"),
    ("政务服务大厅运行", "窗口服务", "个", "件"),
]
QUALITY = ["合格率", "验收合格率", "正常运行率", "覆盖率", "达标率", "准确率"]
TIMELY = ["按期完成率", "完成时间", "及时率"]
SOCIAL = ["群众知晓率", "服务对象投诉下降率", "问题整改率", "受益人数"]
SUSTAIN = ["长效机制建立", "设施使用年限", "制度文件印发"]
VAGUE = ["显著提高", "进一步提高", "明显改善", "有效促进", "效果明显", "持续提升"]
FILLER = ["XX", "**%", "", "-", "null"]


def _money(rng):
    return Decimal(rng.randint(50, 500000)) / 100


def generate_table(rng, number):
    """One table: realistic rows, and with probability ~1/3 a handful of the usual faults."""
    subject, work, unit_small, unit_big = rng.choice(SUBJECTS)
    year = rng.choice([2023, 2024, 2025])
    funds = _money(rng)
    rows = []

    def add(level1, level2, name, value, description=""):
        rows.append((level1, level2, name, value, description))

    for n in range(rng.randint(2, 8)):
        add("产出指标", "数量指标", f"{work}数量{n + 1}", f"≥ {rng.randint(1, 500)} {rng.choice([unit_small, unit_big])}")
    for n in range(rng.randint(1, 6)):
        add("产出指标", "质量指标", f"{work}{rng.choice(QUALITY)}{n + 1}", f"≥ {rng.choice([85, 90, 95, 98])}%")
    for n in range(rng.randint(1, 4)):
        add("产出指标", "时效指标", f"{work}{rng.choice(TIMELY)}{n + 1}", rng.choice([f"{year} 年 11 月底前", "≥ 95%", "30 个工作日内"]))
    add("产出指标", "成本指标", f"{subject}经费", f"≤ {funds} 万元")
    for n in range(rng.randint(1, 5)):
        add("效益指标", "社会效益指标", f"{rng.choice(SOCIAL)}{n + 1}", f"≥ {rng.randint(50, 95)}%")
    for n in range(rng.randint(1, 3)):
        add("效益指标", "可持续影响指标", f"{rng.choice(SUSTAIN)}{n + 1}", rng.choice(["≥ 3 年", "建立并印发", "≥ 5 年"]))
    add("满意度指标", "服务对象满意度指标", "服务对象满意度", f"≥ {rng.choice([85, 90, 95])}%")

    goals = [f"完成{work} {rng.randint(1, 50)} {unit_small}，服务对象满意度达到 90% 以上。"]
    if rng.random() < 0.35:
        rows, goals = _with_faults(rng, rows, goals, year, subject)
    return {"name": f"{subject}经费{number}", "year": year, "funds": funds, "goals": goals, "rows": rows[:30]}


def _with_faults(rng, rows, goals, year, subject):
    """One to five of the faults DOMAIN §3.5 lists, as found in real tables."""
    rows = list(rows)
    for _ in range(rng.randint(1, 5)):
        index = rng.randrange(len(rows))
        level1, level2, name, value, description = rows[index]
        fault = rng.choice(["vague", "filler", "level_name", "uniform", "old_year", "description", "duplicate"])
        if fault == "vague":
            rows[index] = (level1, level2, name, rng.choice(VAGUE), description)
        elif fault == "filler":
            rows[index] = (level1, level2, name, rng.choice(FILLER), description)
        elif fault == "level_name":
            rows[index] = (level1, level2, level2, value, description)
        elif fault == "uniform":
            rows = [(l1, l2, n, "100百分比", d) for l1, l2, n, _, d in rows]
        elif fault == "old_year":
            goals = [f"{year - 1}年{subject}经费"]
        elif fault == "description":
            rows[index] = (level1, level2, name, value, name)
        else:
            rows.append(rows[index])
    return rows, goals


def table_data(spec, framework):
    from indicators.checks import IndicatorData, TableData

    return TableData(
        year=spec["year"],
        name=spec["name"],
        framework=framework,
        funds_total=spec["funds"],
        funds_fiscal=spec["funds"],
        goals=spec["goals"],
        spending_plan=((3, Decimal(25)), (6, Decimal(50)), (9, Decimal(75)), (12, Decimal(100))),
        indicators=[
            IndicatorData(index=i, uid=f"{spec['name']}-{i}", level1=l1, level2=l2, name=n, value_text=v, description=d)
            for i, (l1, l2, n, v, d) in enumerate(spec["rows"], 1)
        ],
    )


def bench_in_memory(specs, framework, runs):
    from indicators.checks import check_table

    tables = [table_data(spec, framework) for spec in specs]
    rows = sum(len(table.indicators) for table in tables)
    timings, grades = [], {}
    for _ in range(runs):
        start = time.perf_counter()
        results = [check_table(table) for table in tables]
        timings.append(time.perf_counter() - start)
    for result in results:
        grades[result.grade_label] = grades.get(result.grade_label, 0) + 1
    median = statistics.median(timings)
    print(f"check_table：{len(tables)} 张表，{rows} 条三级指标，{runs} 次运行")
    print(f"  中位数 {median:.3f} 秒 → {len(tables) / median:,.0f} 张表/秒（{rows / median:,.0f} 条指标/秒）")
    slow = percentile(timings, 0.95)
    print(f"  95 分位 {slow:.3f} 秒 → {len(tables) / slow:,.0f} 张表/秒；最快 {min(timings):.3f} 秒，最慢 {max(timings):.3f} 秒")
    print("  等级分布：" + "，".join(f"{grade} {grades.get(grade, 0)}" for grade in ("优", "良", "中", "差")))


def store(specs):
    """Write the tables with the ORM's bulk operations, as an import would."""
    from indicators.models import Framework, Indicator, Level2
    from projects.models import Department, ProjectGoal, ProjectTable, Region, SpendingCheckpoint, Unit

    framework = Framework.objects.get(code="2015")
    level2s = {(l2.level1.name, l2.name): l2 for l2 in Level2.objects.filter(level1__framework=framework).select_related("level1")}
    region = Region.objects.create(code="999999", name="基准测试县")
    department = Department.objects.create(region=region, name="基准测试部门")
    units = [Unit.objects.create(region=region, department=department, name=f"基准测试单位{n}") for n in range(20)]
    ProjectTable.objects.bulk_create(
        ProjectTable(
            region=region, department=department, unit=units[n % len(units)], year=spec["year"], name=spec["name"],
            framework=framework, funds_total=spec["funds"], funds_fiscal=spec["funds"],
        )
        for n, spec in enumerate(specs)
    )
    tables = list(ProjectTable.objects.order_by("pk"))
    indicators, goals, plans = [], [], []
    for table, spec in zip(tables, specs):
        goals += [ProjectGoal(project=table, order=n, text=text) for n, text in enumerate(spec["goals"], 1)]
        plans += [SpendingCheckpoint(project=table, month=m, cumulative_percent=p) for m, p in ((3, 25), (6, 50), (9, 75), (12, 100))]
        for order, (l1, l2, name, value, description) in enumerate(spec["rows"], 1):
            row = Indicator(project=table, level2=level2s[(l1, l2)], order=order, name=name, description=description)
            row.set_value(value)
            indicators.append(row)
    Indicator.objects.bulk_create(indicators, batch_size=500)
    ProjectGoal.objects.bulk_create(goals, batch_size=500)
    SpendingCheckpoint.objects.bulk_create(plans, batch_size=500)
    return len(tables), len(indicators)


def bench_database(specs, runs):
    from django.db import connection

    from projects.findings import projects_recheck
    from indicators.models import CheckFinding
    from projects.models import ProjectTable

    count, rows = store(specs)

    def timed():
        start, cpu = time.perf_counter(), time.process_time()
        projects_recheck(ProjectTable.objects.all())
        return time.perf_counter() - start, time.process_time() - cpu

    first = timed()
    timings = [timed() for _ in range(runs)]
    median = statistics.median(wall for wall, _ in timings)
    cpu = statistics.median(cpu for _, cpu in timings)
    where = "内存 SQLite" if connection.vendor == "sqlite" else connection.vendor
    print(f"projects_recheck（{where}）：{count} 张表，{rows} 条三级指标，写入 {CheckFinding.objects.count()} 条审核发现")
    print(f"  首次（写入全部发现）{first[0]:.3f} 秒 → {count / first[0]:,.0f} 张表/秒（本进程 CPU {first[1]:.3f} 秒）")
    print(
        f"  再次（发现不变）{runs} 次中位数 {median:.3f} 秒 → {count / median:,.0f} 张表/秒"
        f"（本进程 CPU {cpu:.3f} 秒 → {count / cpu:,.0f} 张表/秒）"
    )
    slow = percentile([wall for wall, _ in timings], 0.95)
    print(f"  再次 95 分位 {slow:.3f} 秒 → {count / slow:,.0f} 张表/秒")


@contextlib.contextmanager
def own_database(database_url):
    """In-memory SQLite, or a PostgreSQL database of this run's own on the server of ``database_url``."""
    if not is_postgresql(database_url):
        yield "sqlite://:memory:"
        return
    with postgresql_database(database_url, "checks") as url:
        yield url


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stored", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to create the database on")
    args = parser.parse_args()

    with own_database(args.database_url) as database_url:
        from bench.bench_pages import production_environment

        production_environment(database_url)  # DEBUG off, as a deployment runs: no query log kept
        import django

        django.setup()
        from django.core.management import call_command

        from indicators.frameworks import framework_snapshot

        rng = random.Random(args.seed)
        call_command("migrate", verbosity=0)
        call_command("loaddata", str(ROOT / "fixtures" / "reference.json"), verbosity=0)
        framework = framework_snapshot().check_data["2015"]
        specs = [generate_table(rng, number) for number in range(args.tables)]
        bench_in_memory(specs, framework, args.runs)
        bench_database(specs[: args.stored], max(1, args.runs // 2 + 1))


if __name__ == "__main__":
    main()
