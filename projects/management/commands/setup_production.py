import getpass
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from perfgoals.roles import Role
from projects.reference import load_reference_data


class Command(BaseCommand):
    help = (
        "生产环境初始化：装载参考数据（两套指标体系、代码表、四个角色组），并建立一个系统管理员。"
        "不建立任何演示账户。可重复运行：已有的参考数据和管理员不会重复建立。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help="管理员用户名（默认 admin）")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="不询问密码：生成一个随机密码并只显示这一次",
        )

    def handle(self, *args, username, interactive, **options):
        with transaction.atomic():
            load_reference_data()
        self.stdout.write("参考数据已就绪：指标体系、代码表和角色组。")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"管理员 {username} 已存在，未修改其密码。")
            return
        password = self.ask_password(username) if interactive else secrets.token_urlsafe(15)
        with transaction.atomic():
            user = User.objects.create_user(username, password=password, first_name="系统管理员")
            user.is_staff = user.is_superuser = True
            user.save()
            user.groups.set([Group.objects.get(name=Role.ADMINISTRATOR.label)])
        self.stdout.write(f"已建立管理员 {username}。")
        if not interactive:
            self.stdout.write(f"初始密码（只显示这一次，请登录后立即修改）：{password}")

    def ask_password(self, username):
        for _ in range(3):
            password = getpass.getpass(f"管理员 {username} 的密码：")
            if password != getpass.getpass("再输入一次："):
                self.stderr.write("两次输入的密码不一致，请重新输入。")
                continue
            try:
                validate_password(password, get_user_model()(username=username))
            except ValidationError as error:
                self.stderr.write("密码不符合要求：" + "；".join(error.messages))
                continue
            return password
        raise CommandError("三次未能设定密码，未建立管理员。可加 --noinput 生成随机密码。")
