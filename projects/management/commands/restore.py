import os

from django.core.management.base import BaseCommand, CommandError

from perfgoals.backup import KEY_TABLES, BackupError, restore


class Command(BaseCommand):
    help = (
        "把备份文件恢复到一个空数据库（默认是 DATABASE_URL 指向的数据库）。"
        "目标数据库不是空的时候拒绝恢复，以免覆盖现有数据。恢复后列出主要数据的条数。"
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="backup 命令写出的备份文件")
        parser.add_argument("--database-url", help="目标数据库，例如 postgres://perfgoals@127.0.0.1:5432/perfgoals_restored")

    def handle(self, *args, **options):
        url = options["database_url"] or os.environ.get("DATABASE_URL")
        if not url:
            raise CommandError("请用 --database-url 或 DATABASE_URL 指定要恢复到的空数据库。")
        try:
            counts = restore(options["input"], url)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("恢复完成：" + "，".join(f"{KEY_TABLES[table]} {count} 条" for table, count in counts.items()))
