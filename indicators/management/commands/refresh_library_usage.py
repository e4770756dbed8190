from django.core.management.base import BaseCommand

from indicators.library.usage import usage_refresh


class Command(BaseCommand):
    help = "重新统计指标库每条指标在已批复的表中的使用表数与常见取值（供填报时的指标推荐使用）。"

    def handle(self, *args, **options):
        written = usage_refresh()
        self.stdout.write(f"已统计 {written} 组指标使用情况。")
