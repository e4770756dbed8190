"""Scale data for the benchmarks: a province's target tables of three budget years in one database.

    .venv/bin/python bench/generate.py [--tables 20000] [--database-url URL] [--seed 8]

The database named by ``--database-url`` (or DATABASE_URL; by default ``bench/data/bench.sqlite3``)
is emptied and rebuilt: migrations, reference data, then regions, 主管部门, 预算单位, users in every
role, budget-year settings, and ``--tables`` project target tables with 8–30 三级 rows each drawn from
the vocabulary of real tables, goals, spending plans, whole-department targets, tables in every status
with the review records the workflow would have written for that status (submission snapshots
included), some copied from last year and a few adjusted after approval. Scores and findings come from
the real checks (projects_recheck). Only a database whose name contains "bench" is accepted, because
everything in it is deleted.

Rows are written with bulk_create in batches, not through the workflow functions one table at a time
(which would take hours); field history is not generated. The same seed gives the same data.
Every generated account's password is ``BENCH_PASSWORD``; ``bench/accounts.py`` picks the accounts the
benchmarks log in as.
"""

import argparse
import datetime
import os
import random
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SQLITE = ROOT / "bench" / "data" / "bench.sqlite3"
BENCH_PASSWORD = "bench-perfgoals-2024"
BATCH = 2000

REGION_NAMES = [
    "兴庆区", "西夏区", "金凤区", "永宁县", "贺兰县", "灵武市", "大武口区", "惠农区", "平罗县", "利通区",
    "红寺堡区", "盐池县", "同心县", "青铜峡市", "原州区", "西吉县", "隆德县", "泾源县", "彭阳县", "沙坡头区",
    "中宁县", "海原县", "定州市", "辛集市", "安国市", "涿州市", "高碑店市", "满城区", "清苑区", "徐水区",
]
DEPARTMENT_NAMES = [
    "教育局", "卫生健康局", "农业农村局", "交通运输局", "民政局", "公安局", "财政局", "纪律检查委员会",
    "人力资源和社会保障局", "自然资源局", "住房和城乡建设局", "水务局", "林业和草原局", "市场监督管理局",
    "文化旅游广电局", "应急管理局", "生态环境局", "司法局", "审计局", "统计局", "发展和改革局", "医疗保障局",
    "退役军人事务局", "科学技术局", "商务局",
]
UNIT_SUFFIXES = ["事务中心", "服务中心", "综合执法大队", "信息中心", "综合保障中心", "监测站", "管理所", "培训中心"]

# (project subject, the work counted, a small unit, a big unit): the kinds of project real tables hold.
SUBJECTS = [
    ("基层干部业务培训", "培训", "期", "人次"), ("农村公路养护", "养护里程", "公里", "公里"),
    ("巡察工作", "巡察", "轮次", "个单位"), ("信息系统运行维护", "系统维护", "个", "次"),
    ("城乡居民医疗救助", "救助", "人次", "户"), ("耕地地力保护补贴", "补贴发放", "户", "亩"),
    ("中小学校舍维修", "校舍维修", "所", "平方米"), ("养老服务补贴", "补贴对象", "人", "人"),
    ("档案数字化", "档案扫描", "卷", "页"), ("森林防火", "巡护", "次", "公顷"),
    ("食品安全抽检", "抽检批次", "批次", "家"), ("政务服务大厅运行", "窗口服务", "个", "件"),
    ("纪检监察事务工作", "审查调查", "件", "人次"), ("安保", "安保服务", "个", "人次"),
    ("特邀监察员", "特邀监察员", "名", "次"), ("办案场所运行", "留置场所", "个", "人次"),
    ("农村饮水安全维修养护", "维修工程", "处", "人"), ("高标准农田建设", "建设面积", "处", "亩"),
    ("动物疫病防控", "免疫", "次", "头（只）"), ("村级公益事业一事一议", "建设项目", "个", "村"),
    ("困难群众临时救助", "救助", "户", "人次"), ("义务教育营养改善", "受益学生", "所", "人"),
    ("基本公共卫生服务", "健康档案", "份", "人"), ("就业创业补贴", "补贴发放", "人", "人次"),
    ("防汛抗旱", "物资储备", "批", "处"), ("城市道路照明维护", "路灯维护", "盏", "公里"),
    ("环境空气质量监测", "监测点位", "个", "次"), ("法律援助", "法律援助案件", "件", "人次"),
    ("统计调查", "调查样本", "户", "个"), ("退役军人优抚", "优抚对象", "人", "人次"),
]
QUALITY = ["合格率", "验收合格率", "正常运行率", "覆盖率", "达标率", "准确率", "完成率"]
TIMELY = ["按期完成率", "完成时间", "资金拨付及时率"]
ECONOMIC = ["带动增收", "节约运行成本", "降低群众支出"]
SOCIAL = ["群众知晓率", "服务对象投诉下降率", "问题整改率", "受益人数", "办事效率提升"]
ECOLOGY = ["森林覆盖率", "空气质量优良天数比例", "水土流失治理面积"]
SUSTAIN = ["长效机制建立", "设施使用年限", "制度文件印发"]
VAGUE = ["显著提高", "进一步提高", "明显改善", "有效促进", "效果明显", "持续提升"]
FILLER = ["XX", "≧**%", "-", "null"]
OPINIONS = ["incomplete", "not_quantified", "not_relevant", "value_mismatch", "add_benefit", "add_output", "other"]
COMMENTS = ["请细化量化产出指标。", "成本指标应与资金总额一致。", "效益指标请写明可衡量的目标值。", "请补充满意度指标。"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=20_000, help="project tables in all (default 20000)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--year", type=int, default=None, help="the budget year being prepared (default: from today)")
    return parser.parse_args()


def reset_database(url):
    """Start from an empty database: a new SQLite file, or a dropped and re-created PostgreSQL database."""
    import dj_database_url

    config = dj_database_url.parse(url)
    name = str(config["NAME"])
    if "bench" not in Path(name).name:
        raise SystemExit(f"refusing to empty {name!r}: the benchmark database's name must contain 'bench'")
    if config["ENGINE"].endswith("sqlite3"):
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg2

    connection = psycopg2.connect(
        dbname="postgres", user=config.get("USER") or None, password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None, port=config.get("PORT") or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def setup_django(url):
    os.environ["DJANGO_SETTINGS_MODULE"] = "perfgoals.settings"
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()


def zipf_weights(count, exponent):
    return [1 / (rank + 1) ** exponent for rank in range(count)]


class Generator:
    """Builds everything in memory, year by year, and writes each kind of row in batches."""

    def __init__(self, rng, tables, year):
        self.rng = rng
        self.total = tables
        self.years = [year - 2, year - 1, year]
        self.current = year
        self.now = datetime.datetime.now(datetime.timezone.utc)
        self.parsed = {}

    def uuid(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # Organisations and people

    def organisations(self):
        from projects.models import Department, Region, Unit

        rng = self.rng
        count = max(2, self.total // 400)
        regions = Region.objects.bulk_create(
            Region(code=f"64{9000 + number:04d}", name=REGION_NAMES[number % len(REGION_NAMES)] + ("" if number < len(REGION_NAMES) else f"{number // len(REGION_NAMES) + 1}"))
            for number in range(count)
        )
        region_weights = zipf_weights(count, 0.8)
        departments, units, unit_weights = [], [], []
        for region, region_weight in zip(regions, region_weights):
            department_count = min(len(DEPARTMENT_NAMES), 12 + round(13 * region_weight))
            names = rng.sample(DEPARTMENT_NAMES, department_count)
            for number, name in enumerate(names):
                departments.append((Department(region=region, code=f"{101 + number}", name=name), region_weight / (number + 1) ** 0.8))
        Department.objects.bulk_create([department for department, _ in departments], batch_size=BATCH)
        for department, weight in departments:
            suffixes = rng.sample(UNIT_SUFFIXES, rng.randint(2, 6))
            members = [(f"{department.name}本级", True, 2.0)] + [(f"{department.name}{suffix}", False, 1.0) for suffix in suffixes]
            for number, (name, office, share) in enumerate(members, 1):
                units.append(
                    Unit(region=department.region, department=department, code=f"{department.code}{number:03d}", name=name, is_department_office=office)
                )
                unit_weights.append(weight * share / len(members))
        Unit.objects.bulk_create(units, batch_size=BATCH)
        self.regions, self.departments, self.units, self.unit_weights = regions, [d for d, _ in departments], units, unit_weights

    def people(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from perfgoals.roles import Role
        from projects.models import UserScope

        User = get_user_model()
        groups = {role: Group.objects.get_or_create(name=role.label)[0] for role in Role}
        password = make_password(BENCH_PASSWORD)
        accounts = [(User(username="bench_admin", password=password, first_name="基准管理员", is_staff=True, is_superuser=True), Role.ADMINISTRATOR, {})]
        for region in self.regions:
            for number in (1, 2):
                accounts.append((User(username=f"fin{region.code}_{number}", password=password, first_name=f"{region.name}财政局绩效科{number}"), Role.FINANCE_OFFICER, {"region": region}))
        for department in self.departments:
            accounts.append((User(username=f"dep{department.region.code}_{department.code}", password=password, first_name=f"{department.name}审核人"), Role.DEPARTMENT_REVIEWER, {"region": department.region, "department": department}))
        for unit in self.units:
            accounts.append((User(username=f"unit{unit.region.code}_{unit.code}", password=password, first_name=f"{unit.name}填报人"), Role.UNIT_STAFF, {"region": unit.region, "unit": unit}))
        User.objects.bulk_create([user for user, _, _ in accounts], batch_size=BATCH)
        Membership = User.groups.through
        Membership.objects.bulk_create([Membership(user_id=user.pk, group_id=groups[role].pk) for user, role, _ in accounts], batch_size=BATCH)
        UserScope.objects.bulk_create([UserScope(user=user, **scope) for user, _, scope in accounts if scope], batch_size=BATCH)
        self.admin = accounts[0][0]
        self.finance = {scope["region"].pk: user for user, role, scope in accounts if role == Role.FINANCE_OFFICER}
        self.reviewer = {scope["department"].pk: user for user, role, scope in accounts if role == Role.DEPARTMENT_REVIEWER}
        self.staff = {scope["unit"].pk: user for user, role, scope in accounts if role == Role.UNIT_STAFF}
        return len(accounts)

    def settings(self):
        from indicators.models import Framework
        from projects.models import BudgetYear, CodeItem

        self.frameworks = {framework.code: framework for framework in Framework.objects.all()}
        self.attributes = list(CodeItem.objects.filter(list=CodeItem.List.PROJECT_ATTRIBUTE))
        self.framework_of_year = {year: self.frameworks["2015" if year == self.years[0] else "2021"] for year in self.years}
        self.deadline = {year: datetime.date(year - 1, 11, 30) for year in self.years}
        BudgetYear.objects.bulk_create(
            BudgetYear(year=year, submission_deadline=self.deadline[year], framework=self.framework_of_year[year]) for year in self.years
        )
        from indicators.models import Level2

        self.level2 = {
            (l2.level1.framework.code, l2.level1.name, l2.name): l2 for l2 in Level2.objects.select_related("level1__framework")
        }

    # Tables

    def plan(self):
        """(unit, year, name, copied from (unit, year - 1, name) or None) for every table, oldest year first.

        Each year has a little more than the year before; about half of a unit's tables continue last
        year's projects under the same name (复制上年), the rest are new."""
        rng = self.rng
        shares = (0.30, 0.33, 0.37)
        counts = [round(self.total * share) for share in shares]
        counts[-1] = self.total - sum(counts[:-1])
        names_by_unit_year = {}
        plan = []
        for year, count in zip(self.years, counts):
            chosen = rng.choices(range(len(self.units)), weights=self.unit_weights, k=count)
            per_unit = {}
            for index in chosen:
                per_unit[index] = per_unit.get(index, 0) + 1
            for index, number in sorted(per_unit.items()):
                unit = self.units[index]
                last = list(names_by_unit_year.get((index, year - 1), ()))
                rng.shuffle(last)
                names = []
                for position in range(number):
                    if last and rng.random() < 0.55:
                        name = last.pop()
                        names.append((name, (index, year - 1, name)))
                        continue
                    subject = rng.choice(SUBJECTS)[0]
                    name = f"{subject}经费"
                    taken = {existing for existing, _ in names} | set(names_by_unit_year.get((index, year - 1), ()))
                    serial = 2
                    while name in taken:
                        name = f"{subject}经费（{serial}）"
                        serial += 1
                    names.append((name, None))
                names_by_unit_year[(index, year)] = [name for name, _ in names]
                for name, source in names:
                    plan.append((index, unit, year, name, source))
        return plan

    def value(self, text):
        """The parsed parts of a 指标值, parsed once per distinct text."""
        from indicators.values import parse_value

        parsed = self.parsed.get(text)
        if parsed is None:
            parsed = self.parsed[text] = parse_value(text)
        return parsed

    def rows(self, name, year, funds, framework_code, clean):
        """8–30 三级 rows (level1, level2, name, value, basis) of a realistic table; faults when not ``clean``."""
        rng = self.rng
        subject = next((s for s in SUBJECTS if name.startswith(s[0])), rng.choice(SUBJECTS))
        _, work, small, big = subject
        target = min(30, max(8, round(rng.triangular(8, 30, 10))))
        cost = ("产出指标", "成本指标") if framework_code == "2015" else ("成本指标", "经济成本指标")
        rows = [
            ("产出指标", "数量指标", f"{work}数量", f"≥ {rng.randint(1, 500)} {small}", "plan"),
            ("产出指标", "质量指标", f"{work}{rng.choice(QUALITY)}", f"≥ {rng.choice([85, 90, 95, 98])}%", "industry"),
            ("产出指标", "时效指标", f"{work}{rng.choice(TIMELY)}", rng.choice([f"{year} 年 11 月底前", "≥ 95%", "30 个工作日内"]), "plan"),
            (*cost, f"{subject[0]}成本", f"≤ {funds} 万元", "plan"),
            ("效益指标", "社会效益指标", rng.choice(SOCIAL), f"≥ {rng.randint(50, 95)}%", "history"),
            ("效益指标", "可持续影响指标", rng.choice(SUSTAIN), rng.choice(["≥ 3 年", "建立并印发", "≥ 5 年"]), "other"),
            ("满意度指标", "服务对象满意度指标", "服务对象满意度", f"≥ {rng.choice([85, 90, 95])}%", "industry"),
        ]
        extra = [
            lambda n: ("产出指标", "数量指标", f"{work}{rng.choice(['覆盖', '完成', '受益'])}{rng.choice([small, big])}数{n}", f"≥ {rng.randint(1, 900)} {rng.choice([small, big])}", "plan"),
            lambda n: ("产出指标", "质量指标", f"{work}{rng.choice(QUALITY)}{n}", f"≥ {rng.choice([80, 90, 95, 100])}%", "industry"),
            lambda n: ("效益指标", "社会效益指标", f"{rng.choice(SOCIAL)}{n}", f"≥ {rng.randint(60, 98)}%", "history"),
            lambda n: ("效益指标", "经济效益指标", f"{rng.choice(ECONOMIC)}{n}", f"≥ {rng.randint(1, 50)} 万元", "plan"),
            lambda n: ("效益指标", "生态效益指标", f"{rng.choice(ECOLOGY)}{n}", f"≥ {rng.randint(1, 60)}%", "industry"),
        ]
        number = 1
        while len(rows) < target:
            rows.insert(rng.randint(1, len(rows) - 1), rng.choice(extra)(number))
            number += 1
        rows.sort(key=lambda row: ("产出指标", "成本指标", "效益指标", "满意度指标").index(row[0]))
        if not clean:
            rows = self.faults(rows, year, errors=True)
        elif rng.random() < 0.3:
            rows = self.faults(rows, year, errors=False)
        return rows

    def faults(self, rows, year, *, errors):
        """The faults DOMAIN §3.5 lists; tables already submitted carry only warnings (the workflow
        refuses a submission with errors)."""
        rng = self.rng
        rows = list(rows)
        kinds = ["vague", "old_year", "description"] + (["filler", "level_name", "uniform", "percent"] if errors else [])
        for _ in range(rng.randint(1, 4)):
            index = rng.randrange(len(rows))
            level1, level2, name, value, basis = rows[index]
            fault = rng.choice(kinds)
            if fault == "vague" and level1 == "效益指标":
                rows[index] = (level1, level2, name, rng.choice(VAGUE), basis)
            elif fault == "old_year":
                rows[index] = (level1, level2, f"{year - 1}年{name}", value, basis)
            elif fault == "filler":
                rows[index] = (level1, level2, name, rng.choice(FILLER), basis)
            elif fault == "level_name":
                rows[index] = (level1, level2, level2, value, basis)
            elif fault == "uniform":
                rows = [(l1, l2, n, "100百分比", "") for l1, l2, n, _, _ in rows]
            elif fault == "percent" and level1 == "满意度指标":
                rows[index] = (level1, level2, name, "≥100百分比", basis)
        return rows

    def status_for(self, year, office):
        """A table's status: earlier years are done; the year in preparation is days before its deadline."""
        rng = self.rng
        if year != self.current:
            roll = rng.random()
            return "approved" if roll < 0.93 else "returned" if roll < 0.96 else "draft"
        status = rng.choices(["draft", "department_review", "finance_review", "returned", "approved"], weights=[35, 20, 15, 10, 20])[0]
        if status == "department_review" and office:
            status = "finance_review"
        return status

    def moments(self, year, count):
        """``count`` increasing times of one table's review steps: for the year in preparation, the
        weeks before its deadline, busiest at the end; for earlier years, the autumn before them."""
        rng = self.rng
        if year == self.current:
            end = self.now - datetime.timedelta(minutes=5)
            start = end - datetime.timedelta(days=30 * rng.random() ** 2)
        else:
            deadline = datetime.datetime.combine(self.deadline[year], datetime.time(18), tzinfo=datetime.timezone.utc)
            start = deadline - datetime.timedelta(days=30 * rng.random() ** 2)
            end = deadline + datetime.timedelta(days=45)
        points = sorted(start + (end - start) * rng.random() for _ in range(count))
        return points

    def records(self, table, status, unit, rounds):
        """The review records the workflow writes on the way to ``status`` (projects.workflow):
        (action, from, to, actor, grade, reason, comment, round, is_submit)."""
        rng = self.rng
        staff = self.staff[unit.pk]
        reviewer = self.reviewer[unit.department_id]
        finance = self.finance[unit.region_id]
        skip = unit.is_department_office
        first = "finance_review" if skip else "department_review"
        steps = []
        if status == "draft":
            if rng.random() < 0.05:
                steps += [("submit", "draft", first, staff, "", "", "", 1), ("withdraw", first, "draft", staff, "", "", "", 1)]
            return steps
        source = "draft"
        for number in range(1, rounds + 1):
            steps.append(("submit", source, first, staff, "", "", "", number))
            last_round = number == rounds
            if not last_round or status == "returned":
                if not skip and rng.random() < 0.6:
                    steps.append(("return", first, "returned", reviewer, "fair", rng.choice(OPINIONS), rng.choice(COMMENTS), number))
                else:
                    if not skip:
                        steps.append(("pass", first, "finance_review", reviewer, "good", "", "", number))
                    steps.append(("return", "finance_review", "returned", finance, "fair", rng.choice(OPINIONS), rng.choice(COMMENTS), number))
                source = "returned"
                if last_round:
                    return steps
                continue
            if status == "department_review":
                return steps
            if not skip:
                steps.append(("pass", first, "finance_review", reviewer, rng.choice(["excellent", "good"]), "", "", number))
            if status == "finance_review":
                return steps
            steps.append(("approve", "finance_review", "approved", finance, rng.choice(["excellent", "good"]), "", "", number))
        return steps

    def snapshot(self, table, spec, region_code, department_name, unit_name, rows):
        """The submission snapshot: the table as the interchange export writes it (projects.interchange)."""
        return {
            "uid": str(table.uid), "region": region_code, "department": department_name, "unit": unit_name,
            "year": table.year, "name": table.name, "code": table.code, "attribute": spec["attribute"].code, "period": table.period,
            "funds": {"total": str(table.funds_total), "fiscal": str(table.funds_fiscal), "other": None},
            "fund_use": table.fund_use,
            "spending_plan": [{"month": month, "percent": str(percent)} for month, percent in spec["plan"]],
            "goals": {"annual": spec["goals"], "long_term": []}, "framework": spec["framework"],
            "no_direct_beneficiaries": False, "status": "draft", "version": table.version,
            "indicators": [
                {"uid": str(uid), "level1": l1, "level2": l2, "name": name, "description": "", "value": value,
                 "basis": basis, "basis_text": "", "weight": None, "note": ""}
                for uid, (l1, l2, name, value, basis) in rows
            ],
        }

    def tables(self):
        rng = self.rng
        plan = self.plan()
        by_key = {}
        totals = {"tables": 0, "indicators": 0, "records": 0}
        for year in self.years:
            framework = self.framework_of_year[year]
            specs = []
            for index, unit, table_year, name, source in plan:
                if table_year != year:
                    continue
                previous = by_key.get(source) if source else None
                status = self.status_for(year, unit.is_department_office)
                clean = status not in ("draft", "returned") or rng.random() < 0.5
                if previous is not None and framework.code == previous["framework"]:
                    funds = previous["funds"]
                    rows = [list(row) for row in previous["rows"]]
                    for row in rng.sample(rows, min(len(rows), rng.randint(0, 3))):
                        if row[3].startswith("≥ ") and row[3][2:].split(" ")[0].isdigit():
                            row[3] = f"≥ {int(row[3][2:].split(' ')[0]) + rng.randint(1, 20)}{row[3][2:].partition(' ')[1]}{row[3][2:].partition(' ')[2]}"
                    rows = [tuple(row) for row in rows]
                    if not clean:
                        rows = self.faults(rows, year, errors=True)
                else:
                    funds = Decimal(rng.randint(50, 500_000)) / 100
                    rows = self.rows(name, year, funds, framework.code, clean)
                adjusted = year != self.current and status == "approved" and rng.random() < 0.02
                specs.append({
                    "unit": unit, "name": name, "year": year, "status": status, "funds": funds, "rows": rows,
                    "framework": framework.code, "previous": previous, "adjusted": adjusted,
                    "attribute": rng.choice(self.attributes),
                    "plan": [(3, Decimal(25)), (6, Decimal(50)), (9, Decimal(75)), (12, Decimal(100))] if rng.random() < 0.9 else [(6, Decimal(40)), (12, Decimal(100))],
                    "goals": [f"完成{name.removesuffix('经费')}年度任务，{rows[0][2]}{rows[0][3]}。", f"{rows[-1][2]}{rows[-1][3]}。"],
                })
            self.write_year(specs, by_key, totals)
        return totals

    def write_year(self, specs, by_key, totals):
        from indicators.models import Indicator
        from projects.models import ProjectGoal, ProjectTable, ReviewComment, ReviewRecord, SpendingCheckpoint

        rng = self.rng
        tables = []
        for spec in specs:
            unit, year = spec["unit"], spec["year"]
            status = "superseded" if spec["adjusted"] else spec["status"]
            tables.append(ProjectTable(
                uid=self.uuid(), region_id=unit.region_id, department_id=unit.department_id, unit=unit, year=year,
                name=spec["name"], code=f"{unit.region.code}{year % 100:02d}P{rng.randrange(10**12):012d}",
                attribute=spec["attribute"], period="1 年", funds_total=spec["funds"], funds_fiscal=spec["funds"],
                fund_use=f"用于{spec['name'].removesuffix('经费')}", framework=self.frameworks[spec["framework"]],
                status=status, version=1, copied_from_id=spec["previous"]["table"].pk if spec["previous"] else None,
                updated_by=self.staff[unit.pk],
            ))
        ProjectTable.objects.bulk_create(tables, batch_size=BATCH)
        # Adjusted tables: the approved first version is 已调整, the second version approved after it.
        adjustments = []
        for spec, table in zip(specs, tables):
            spec["table"] = table
            if spec["adjusted"]:
                unit = spec["unit"]
                adjustments.append(ProjectTable(
                    uid=self.uuid(), region_id=unit.region_id, department_id=unit.department_id, unit=unit, year=table.year,
                    name=table.name, code=table.code, attribute=spec["attribute"], period=table.period,
                    funds_total=table.funds_total + 5, funds_fiscal=table.funds_fiscal + 5, fund_use=table.fund_use,
                    framework=table.framework, status="approved", version=2, previous_version=table,
                    updated_by=self.staff[unit.pk],
                ))
        ProjectTable.objects.bulk_create(adjustments, batch_size=BATCH)
        second = {adjusted.previous_version_id: adjusted for adjusted in adjustments}

        indicators, adjusted_rows, goals, points = [], [], [], []
        owners = []
        for spec in specs:
            versions = [spec["table"]] + ([second[spec["table"].pk]] if spec["table"].pk in second else [])
            for version_number, table in enumerate(versions):
                previous_rows = spec["previous"]["indicators"] if spec["previous"] and version_number == 0 else None
                if version_number == 1:
                    previous_rows = spec["indicators"]
                created = []
                for order, (l1, l2, name, value, basis) in enumerate(spec["rows"], 1):
                    parsed = self.value(value)
                    source = previous_rows[order - 1] if previous_rows and order - 1 < len(previous_rows) else None
                    created.append(Indicator(
                        uid=self.uuid(), project=table, level2=self.level2[(spec["framework"], l1, l2)], order=order, name=name,
                        value_text=parsed.raw, value_nature=parsed.nature, value_number=parsed.number, value_unit=parsed.unit,
                        value_prefix=parsed.prefix, value_qualitative=parsed.qualitative, basis=basis, copied_from=source,
                    ))
                (adjusted_rows if version_number else indicators).extend(created)
                owners.append((spec, table, created))
                goals += [ProjectGoal(project=table, order=order, text=text) for order, text in enumerate(spec["goals"], 1)]
                points += [SpendingCheckpoint(project=table, month=month, cumulative_percent=percent) for month, percent in spec["plan"]]
                if version_number == 0:
                    spec["indicators"] = created
        # The second versions' rows point at the first versions', which must be saved first.
        Indicator.objects.bulk_create(indicators, batch_size=BATCH)
        Indicator.objects.bulk_create(adjusted_rows, batch_size=BATCH)
        indicators += adjusted_rows
        ProjectGoal.objects.bulk_create(goals, batch_size=BATCH)
        SpendingCheckpoint.objects.bulk_create(points, batch_size=BATCH)

        records, comments = [], []
        for spec, table, created in owners:
            unit = spec["unit"]
            rows = [(row.uid, spec_row) for row, spec_row in zip(created, spec["rows"])]
            if table.version == 2:
                status, steps = "approved", [("adjust", "approved", "draft", self.staff[unit.pk], "", "", "年中追加预算，任务相应调整", 0)]
                steps += [step for step in self.records(table, "approved", unit, 1)]
            else:
                status = "approved" if spec["adjusted"] else spec["status"]
                rounds = 2 if status != "draft" and rng.random() < 0.15 else 1
                steps = self.records(table, status, unit, rounds)
            moments = self.moments(table.year, len(steps))
            region_code = unit.region.code
            department_name = unit.department.name
            for (action, source, target, actor, grade, reason, comment, round_), at in zip(steps, moments):
                snapshot = self.snapshot(table, spec, region_code, department_name, unit.name, rows) if action == "submit" else None
                if snapshot is not None and round_ == 1 and any(step[0] == "submit" and step[7] == 2 for step in steps):
                    snapshot["indicators"] = snapshot["indicators"][:-1]
                record = ReviewRecord(
                    project=table, actor=actor, at=at, action=action, from_status=source, to_status=target,
                    grade=grade, reason=reason, comment=comment, round=round_, snapshot=snapshot,
                )
                records.append(record)
                if action == "return" and created and rng.random() < 0.5:
                    row = rng.choice(created)
                    comments.append((record, row))
        ReviewRecord.objects.bulk_create(records, batch_size=500)
        ReviewComment.objects.bulk_create(
            [ReviewComment(record=record, indicator=row, indicator_uid=row.uid, reason="not_quantified", text="请写明可衡量的目标值。") for record, row in comments],
            batch_size=BATCH,
        )
        for spec in specs:
            key = (self._unit_index[spec["unit"].pk], spec["year"], spec["name"])
            by_key[key] = {"table": spec["table"], "indicators": spec["indicators"], "rows": spec["rows"], "funds": spec["funds"], "framework": spec["framework"]}
        totals["tables"] += len(tables) + len(adjustments)
        totals["indicators"] += len(indicators)
        totals["records"] += len(records)

    def department_targets(self):
        from projects.models import DepartmentSubTarget, DepartmentTarget

        targets = []
        for department in self.departments:
            for year in self.years:
                status = "approved" if year != self.current else self.rng.choice(["draft", "finance_review", "approved"])
                targets.append(DepartmentTarget(
                    uid=self.uuid(), department=department, year=year, framework=self.framework_of_year[year], status=status,
                    overall_goal=f"围绕{department.name}年度重点工作，保障各项业务正常运转，提升公共服务水平。",
                ))
        DepartmentTarget.objects.bulk_create(targets, batch_size=BATCH)
        DepartmentSubTarget.objects.bulk_create(
            [
                DepartmentSubTarget(target=target, order=order, title=title, goal=f"完成{title}年度任务。", indicator_text=f"{title}完成率 ≥ 95%", safeguards="加强组织领导，落实工作责任。")
                for target in targets
                for order, title in enumerate(("（一）重点业务", "（二）运行保障"), 1)
            ],
            batch_size=BATCH,
        )
        return len(targets)


def main():
    args = parse_args()
    today = datetime.date.today()
    year = args.year or (today.year + 1 if today.month >= 7 else today.year)
    started = time.perf_counter()
    reset_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    call_command("loaddata", str(ROOT / "fixtures" / "reference.json"), verbosity=0)
    print(f"{connection.vendor}: {args.database_url} — migrated in {time.perf_counter() - started:.0f} s", flush=True)

    from projects import tallies

    rng = random.Random(args.seed)
    generator = Generator(rng, args.tables, year)
    step = time.perf_counter()
    # Written in bulk with the tallies paused; they are counted once from the finished tables below.
    with transaction.atomic(), tallies.paused():
        generator.organisations()
        generator._unit_index = {unit.pk: index for index, unit in enumerate(generator.units)}
        accounts = generator.people()
        generator.settings()
        totals = generator.tables()
        targets = generator.department_targets()
    print(
        f"  {len(generator.regions)} regions, {len(generator.departments)} departments, {len(generator.units)} units, "
        f"{accounts} accounts; {totals['tables']} tables ({generator.years[0]}–{generator.years[-1]}), "
        f"{totals['indicators']} indicator rows, {totals['records']} review records, {targets} department targets "
        f"in {time.perf_counter() - step:.0f} s",
        flush=True,
    )

    from projects.findings import projects_recheck
    from projects.models import ProjectTable

    step = time.perf_counter()
    with tallies.paused():
        checked = projects_recheck(ProjectTable.objects.order_by("pk"), chunk_size=500)
    print(f"  checked {checked} tables in {time.perf_counter() - step:.0f} s", flush=True)
    step = time.perf_counter()
    tallies.rebuild()
    print(f"  tallies of every unit and year counted in {time.perf_counter() - step:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  generated in {time.perf_counter() - started:.0f} s (seed {args.seed}; password of every account: {BENCH_PASSWORD})")


if __name__ == "__main__":
    main()
