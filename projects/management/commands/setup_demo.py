from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators.library.usage import usage_refresh
from perfgoals.roles import Role
from projects import interchange
from projects.models import ProjectTable, Region, Unit, UserScope
from projects.reference import FIXTURES, demo_accounts, demo_units, load_reference_data

SEED_FILES = ["pingluo-2023.json", "dingzhou-2022.json"]


class Command(BaseCommand):
    help = (
        "装载参考数据（指标体系、代码表）、两份种子文件和演示账户。可重复运行：已有的数据不会重复装载。"
        "演示账户的密码公开在仓库中，DEBUG 关闭时拒绝运行（生产环境请用 setup_production）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production-demo",
            action="store_true",
            help="DEBUG 关闭时仍装载演示数据和演示账户（仅用于演示服务器）。",
        )

    def handle(self, *args, **options):
        if settings.PERFGOALS_PRODUCTION and not options["allow_production_demo"]:
            raise CommandError(
                "DEBUG 已关闭：这看起来是生产环境。setup_demo 会建立 admin 等 9 个演示账户，其密码公开在仓库中，"
                "任何人都能用它们登录。生产环境请运行 manage.py setup_production（只装载参考数据并建立一个管理员）；"
                "确实要在演示服务器上装载演示数据，请加 --allow-production-demo。"
            )
        with transaction.atomic():
            load_reference_data()
            for name in SEED_FILES:
                self.load_seed(FIXTURES / "seeds" / name, options["verbosity"])
            self.load_units()
            self.load_users()
            usage_refresh()  # the library's figures from the seed tables just loaded
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

    def load_units(self):
        """Each demo department's subordinate unit (beside its 本级 from the seed files)."""
        for entry in demo_units():
            region = Region.objects.get(code=entry["region"])
            Unit.objects.get_or_create(
                region=region,
                name=entry["name"],
                defaults={"department": region.departments.get(name=entry["department"]), "code": entry["code"]},
            )

    def load_users(self):
        User = get_user_model()
        groups = {group.name: group for group in Group.objects.all()}
        for entry in demo_accounts():
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
