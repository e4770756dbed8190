from django.core.management.base import BaseCommand

from indicators.library.reference import load_common_library


class Command(BaseCommand):
    help = "载入随系统提供的通用指标库（2015、2021 两套指标体系），已有的条目保持不变。"

    def handle(self, *args, **options):
        created = load_common_library()
        self.stdout.write(f"新增 {created} 条通用指标。")
