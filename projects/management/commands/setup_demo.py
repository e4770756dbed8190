import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from perfgoals.roles import Role
from projects import interchange
from projects.models import ProjectTable, Region, UserScope

FIXTURES = settings.BASE_DIR / "fixtures"
SEED_FILES = ["pingluo-2023.json", "dingzhou-2022.json"]


class Command(BaseCommand):
    help = "装载参考数据（指标体系、代码表）、两份种子文件和演示账户。可重复运行：已有的数据不会重复装载。"

    def handle(self, *args, **options):
        with transaction.atomic():
            call_command("loaddata", str(FIXTURES / "reference.json"), verbosity=0)
            for role in Role:
                Group.objects.get_or_create(name=role.label)
            for name in SEED_FILES:
                self.load_seed(FIXTURES / "seeds" / name, options["verbosity"])
            self.load_users(FIXTURES / "demo_users.json")
        if options["verbosity"]:
            self.stdout.write("参考数据、种子文件和演示账户已就绪。")

    def load_seed(self, path, verbosity):
        document = interchange.load(path.read_text(encoding="utf-8"))
        first = document["project_tables"][0]
        if ProjectTable.objects.filter(
            region__code=first["region"], unit__name=first["unit"], year=first["year"], name=first["name"]
        ).exists():
            if verbosity:
                self.stdout.write(f"{path.name} 已装载，跳过。")
            return
        try:
            result = interchange.import_document(document)
        except interchange.InterchangeError as error:
            raise CommandError(f"种子文件 {path.name} 无法装载：\n" + "\n".join(error.problems)) from error
        if verbosity:
            targets = f"，{len(result.targets)} 份部门整体绩效目标" if result.targets else ""
            self.stdout.write(f"{path.name}：{len(result.tables)} 张项目表{targets}，{result.indicators} 条三级指标。")

    def load_users(self, path):
        User = get_user_model()
        groups = {group.name: group for group in Group.objects.all()}
        for entry in json.loads(path.read_text(encoding="utf-8")):
            user, created = User.objects.get_or_create(username=entry["username"])
            if created:
                user.set_password(entry["password"])
            user.first_name = entry["name"]
            is_admin = entry["role"] == Role.ADMINISTRATOR.label
            user.is_staff = user.is_superuser = is_admin
            user.save()
            user.groups.set([groups[entry["role"]]])
            scope = entry.get("scope")
            if scope:
                region = Region.objects.get(code=scope["region"])
                UserScope.objects.update_or_create(
                    user=user,
                    defaults={
                        "region": region,
                        "department": region.departments.get(name=scope["department"]) if "department" in scope else None,
                        "unit": region.units.get(name=scope["unit"]) if "unit" in scope else None,
                    },
                )
