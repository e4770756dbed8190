import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from projects import interchange
from projects.models import DepartmentTarget, ProjectTable


class Command(BaseCommand):
    help = "导出范围内的全部绩效目标表（每个字段），格式见 README。Export every table in scope."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json"], default="json", help="导出格式")
        parser.add_argument("--region", help="行政区划代码，例如 640221")
        parser.add_argument("--department", help="主管部门代码或名称")
        parser.add_argument("--year", type=int, help="预算年度")
        parser.add_argument("-o", "--output", help="输出文件；省略时写到标准输出")

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
        text = interchange.dumps(interchange.export_document(tables, targets))
        if options["output"]:
            try:
                with open(options["output"], "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as error:
                raise CommandError(f"无法写入 {options['output']}：{error.strerror}") from error
            if options["verbosity"]:
                self.stderr.write(f"已导出到 {options['output']}")
        else:
            sys.stdout.write(text)
