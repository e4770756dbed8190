import json

from django.core.management.base import BaseCommand

from projects.findings import projects_check, tables_in_scope


class Command(BaseCommand):
    help = "检查范围内的项目绩效目标表，逐表列出问题、得分和等级（不保存结果）。Check tables and print findings."

    def add_arguments(self, parser):
        parser.add_argument("--region", help="行政区划代码，例如 640221")
        parser.add_argument("--department", help="主管部门代码或名称")
        parser.add_argument("--year", type=int, help="预算年度")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")

    def handle(self, *args, **options):
        tables = tables_in_scope(region=options["region"], department=options["department"], year=options["year"])
        tables = tables.order_by("region__code", "department__name", "year", "name", "version")
        results = projects_check(tables)
        if options["format"] == "json":
            data = [self.as_dict(table, result) for table, result in results]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        written = 0
        for table, result in results:  # printed as checked, so a whole region streams
            self.write_text(table, result)
            written += 1
        if not written:
            self.stdout.write("范围内没有项目绩效目标表。")

    def as_dict(self, table, result):
        return {
            "uid": str(table.uid),
            "region": table.region.code,
            "department": table.department.name,
            "unit": table.unit.name,
            "year": table.year,
            "name": table.name,
            "version": table.version,
            "score": result.score,
            "grade": result.grade_label,
            "blocks_submission": result.blocks_submission,
            "findings": [finding.as_dict() for finding in result.findings],
        }

    def write_text(self, table, result):
        counts = "，".join(f"{label} {result.count(severity)} 条" for severity, label in (("error", "错误"), ("warning", "警告"), ("info", "提示")))
        self.stdout.write(f"【{table.year}年 {table.name or '（未命名项目）'}】{table.department.name} / {table.unit.name}")
        self.stdout.write(f"  得分 {result.score}，等级 {result.grade_label}；{counts}")
        for finding in result.findings:
            self.stdout.write(f"  [{finding.severity_label}] {finding.message}（{finding.opinion_label}）")
            self.stdout.write(f"      建议：{finding.suggestion}")
        self.stdout.write("")
