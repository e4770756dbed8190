from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from perfgoals.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份整个数据库到一个文件（SQLite：在线备份；PostgreSQL：pg_dump 自定义格式）。应用运行时也可备份。"

    def add_arguments(self, parser):
        parser.add_argument("output", help="备份文件路径")

    def handle(self, *args, **options):
        try:
            size = backup(connection, options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"已备份到 {options['output']}（{size / 1024 / 1024:.1f} MB）。")
