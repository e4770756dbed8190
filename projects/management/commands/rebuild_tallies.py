from django.core.management.base import BaseCommand

from projects import tallies


class Command(BaseCommand):
    help = (
        "重算所有单位年度统计（总览、各部门进度和催报读取的表数、金额、审核发现和报送进度）。"
        "Rebuild every unit-year tally from the tables, e.g. after a migration or bulk-loaded data; "
        "--check only lists the unit-years whose tallies differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只检查，不重算：列出统计与表不一致的单位年度")

    def handle(self, *args, **options):
        if options["check"]:
            differing = tallies.drift()
            for unit_id, year in differing:
                self.stdout.write(f"单位 {unit_id} {year} 年的统计与表不一致。")
            if differing:
                raise SystemExit(1)
            self.stdout.write("统计与表一致。")
            return
        tallies.rebuild()
        if options["verbosity"]:
            self.stdout.write("已重算所有单位年度统计。")
