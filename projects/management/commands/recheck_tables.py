from django.core.management.base import BaseCommand

from projects.findings import projects_recheck, tables_in_scope


class Command(BaseCommand):
    help = "重新检查范围内的项目绩效目标表并保存得分、等级和问题清单（审核规则修改后运行）。Recheck and store."

    def add_arguments(self, parser):
        parser.add_argument("--region", help="行政区划代码，例如 640221")
        parser.add_argument("--department", help="主管部门代码或名称")
        parser.add_argument("--year", type=int, help="预算年度")

    def handle(self, *args, **options):
        tables = tables_in_scope(region=options["region"], department=options["department"], year=options["year"])
        count = projects_recheck(tables)
        if options["verbosity"]:
            self.stdout.write(f"已重新检查 {count} 张项目绩效目标表。")
