import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from projects import audit
from projects import excel, interchange
from projects.models import DepartmentTarget, ProjectTable


class Command(BaseCommand):
    help = (
        "导出范围内的全部绩效目标表。--format json 写出 JSON 交换格式（每个字段）；--format xlsx 按 --layout "
        "写出可直接打印的 Excel（pingluo 平罗式 / dingzhou 定州式 / department 部门整体 / flat 指标清单）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "xlsx"], default="json", help="导出格式")
        parser.add_argument(
            "--layout", choices=sorted(excel.LAYOUTS), default="pingluo", help="Excel 版式（仅 xlsx），默认 pingluo"
        )
        parser.add_argument("--region", help="行政区划代码，例如 640221")
        parser.add_argument("--department", help="主管部门代码或名称")
        parser.add_argument("--year", type=int, help="预算年度")
        parser.add_argument("-o", "--output", help="输出文件；省略时写到标准输出（xlsx 必须指定）")

    def handle(self, *args, **options):
        tables = ProjectTable.objects.all()
        targets = DepartmentTarget.objects.all()
        if options["region"]:
            tables = tables.filter(region__code=options["region"])
            targets = targets.filter(department__region__code=options["region"])
        if options["department"]:
            match = options["department"]
            tables = tables.filter(Q(department__code=match) | Q(department__name=match))
            targets = targets.filter(Q(department__code=match) | Q(department__name=match))
        if options["year"]:
            tables = tables.filter(year=options["year"])
            targets = targets.filter(year=options["year"])
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("导出 xlsx 时请用 -o 指定输出文件。")
        audit.record(
            "export",
            username=f"命令行：{getpass.getuser()}",
            source="命令行",
            format=options["format"],
            region=options["region"],
            department=options["department"],
            year=options["year"],
            output=options["output"] or "标准输出",
        )
        if options["format"] == "xlsx":
            content = excel.export_tables(tables, targets, options["layout"])
            self.write(options, content, "wb")
            return
        text = interchange.dumps(interchange.export_document(tables, targets))
        if options["output"]:
            self.write(options, text, "w")
        else:
            sys.stdout.write(text)

    def write(self, options, content, mode):
        try:
            with open(options["output"], mode, **({"encoding": "utf-8"} if mode == "w" else {})) as handle:
                handle.write(content)
        except OSError as error:
            raise CommandError(f"无法写入 {options['output']}：{error.strerror}") from error
        if options["verbosity"]:
            self.stderr.write(f"已导出到 {options['output']}")
