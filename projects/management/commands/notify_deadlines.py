import datetime

from django.core.management.base import BaseCommand, CommandError

from projects.desk.deadlines import deadline_notices_send
from projects.tasks.deadlines import notify_deadlines_task


class Command(BaseCommand):
    help = (
        "临近截止提醒：报送截止日期前 PERFGOALS_DEADLINE_NOTICE_DAYS 天（默认 7 天和 1 天），提醒本区划尚未提交该类文件的单位；"
        "同一截止日期、同一单位、同一提前天数只提醒一次，可每天运行（例如 cron）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按这一天计算剩余天数（YYYY-MM-DD，默认今天）")
        parser.add_argument("--enqueue", action="store_true", help="交给后台进程（manage.py db_worker）执行，不在此等待")

    def handle(self, *args, **options):
        day = options["date"]
        if day:
            try:
                datetime.date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--date “{day}”不是日期，应写作 YYYY-MM-DD，例如 2024-03-24。") from None
        if options["enqueue"]:
            result = notify_deadlines_task.enqueue(day)
            self.stdout.write(f"已交给后台进程执行（任务 {result.id}）。")
            return
        sent = deadline_notices_send(today=datetime.date.fromisoformat(day) if day else None)
        for notice in sent:
            self.stdout.write(
                f"{notice.deadline}：提前 {notice.days_ahead} 天提醒 {notice.unit.name}（{notice.notified} 位填报人）"
            )
        self.stdout.write(f"共提醒 {len(sent)} 个单位，{sum(notice.notified for notice in sent)} 位填报人。")
