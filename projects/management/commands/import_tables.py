import getpass

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from projects import audit
from projects import excel, interchange
from projects.review import document_diff


class Command(BaseCommand):
    help = (
        "导入绩效目标表：JSON 交换格式或 Excel（本系统导出的各版式，以及各单位报送的常见表样）。"
        "全部文件都没有问题才写入，有任何问题则一条也不写，并逐条说明位置（工作表、单元格）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["auto", "json", "xlsx"], default="auto", help="文件格式，默认按扩展名判断")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将新建、更新的表，不写入")
        parser.add_argument("--year", type=int, help="文件中读不出预算年度时使用的年度")
        parser.add_argument("--unit", metavar="CODE", help="按此单位代码导入 Excel 中的全部项目表（表中所印单位名称与登记名称不一致时）")
        parser.add_argument("files", nargs="+", metavar="FILE", help="要导入的文件（可多个）")

    def handle(self, *args, **options):
        plans = []
        problems = []
        for path in options["files"]:
            kind = options["format"]
            if kind == "auto":
                kind = "json" if path.lower().endswith(".json") else "xlsx"
            try:
                plans.append((path, self.read(path, kind, options)))
            except (excel.BadWorkbook, interchange.InterchangeError) as error:
                messages = error.problems if isinstance(error, interchange.InterchangeError) else [str(error)]
                problems.extend(f"{path}：{message}" for message in messages)
        if problems:
            raise CommandError("未导入，数据库未做任何修改：\n" + "\n".join(problems))
        totals = interchange.ImportResult()
        try:
            with transaction.atomic():
                for path, plan in plans:
                    result = excel.import_plan(plan, dry_run=options["dry_run"]) if isinstance(plan, excel.ImportPlan) else (
                        interchange.import_document(plan)
                    )
                    self.report(path, result, plan, options)
                    for name in ("created", "updated", "unchanged", "indicators"):
                        setattr(totals, name, getattr(totals, name) + getattr(result, name))
                if options["dry_run"]:
                    transaction.set_rollback(True)
                else:
                    audit.record(
                        "import",
                        username=f"命令行：{getpass.getuser()}",
                        source="命令行",
                        files=[path for path, _ in plans],
                        created=totals.created,
                        updated=totals.updated,
                        unchanged=totals.unchanged,
                    )
        except interchange.InterchangeError as error:
            raise CommandError("未导入，数据库未做任何修改：\n" + "\n".join(error.problems)) from error
        except DatabaseError as error:
            # The one transaction was rolled back: say so rather than end in a traceback.
            raise CommandError(f"未导入，数据库未做任何修改：写入时数据库出错（{error}），请稍后再试。") from error

    def read(self, path, kind, options):
        try:
            if kind == "json":
                with open(path, encoding="utf-8") as handle:
                    return interchange.load(handle)
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"无法读取 {path}：{error.strerror}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} 不是 UTF-8 编码的文本文件。") from error
        plan = excel.read_file(data, year=options["year"], keep_status=True, max_bytes=1 << 62, unit_code=options.get("unit"))
        if plan.problems:
            hints = ["（可用 --year 指定预算年度）"] if plan.missing_year else []
            if plan.unit_suggestions:
                hints.append("（可用 --unit 指定单位代码，例如 " + "、".join(f"--unit {code}（{name}）" for code, name in plan.unit_suggestions.items()) + "）")
            raise interchange.InterchangeError([str(problem) for problem in plan.problems] + hints)
        for warning in plan.warnings:
            self.stderr.write(f"{path}：提示：{warning}")
        return plan

    def report(self, path, result, plan, options):
        if not options["verbosity"]:
            return
        verb = "检查通过（未写入）" if options["dry_run"] else "已导入"
        self.stdout.write(
            f"{verb} {path}：新建 {result.created} 张，更新 {result.updated} 张，未变 {result.unchanged} 张，"
            f"共 {result.indicators} 条三级指标。"
        )
        # What each stored table would become, old → new: the preview of a dry run.
        for model, stored, incoming in result.compared.values() if options["dry_run"] else ():
            title = incoming.get("name") or f"{incoming.get('department') or ''}部门整体绩效目标"
            self.stdout.write(f"  将修改“{title}”（{incoming.get('year')} 年）：")
            for line in document_diff(stored, incoming, model=model).lines():
                self.stdout.write(f"    {line}")
