from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "部署：迁移数据库、收集静态文件，并运行 Django 的部署检查（有问题时以非零状态退出）。"

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=verbosity)
        call_command("collectstatic", interactive=False, verbosity=min(verbosity, 1))
        # Raises SystemCheckError (a CommandError) listing every problem when the settings are unsafe.
        call_command("check", deploy=True, fail_level="WARNING")
        self.stdout.write("部署完成：数据库已迁移，静态文件已收集，部署检查通过。")
