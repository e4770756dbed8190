"""System checks of the installation's data, run by ``check --deploy`` and ``manage.py deploy``."""

from django.core.checks import Warning, register
from django.db import DatabaseError

from projects.models import ProjectTable, TableTally
from projects.reference import demo_accounts_with_published_passwords


@register("security", deploy=True)
def demo_accounts_check(app_configs=None, **kwargs):
    """Warn while any demo account still opens with the password published in the repository: on a real
    server anyone who has read the README could sign in as it."""
    try:
        names = demo_accounts_with_published_passwords()
    except DatabaseError:
        return []  # no database yet (before the first migrate): nothing can sign in
    if not names:
        return []
    return [
        Warning(
            f"演示账户仍使用仓库中公开的密码：{', '.join(names)}。任何看过 README 的人都能用它们登录。"
            "请删除这些账户或修改其密码（manage.py changepassword 用户名）；生产环境应使用 setup_production 建立。",
            hint="Demo accounts with the repository's published passwords exist; delete them or change their passwords.",
            id="perfgoals.W001",
        )
    ]


@register("database", deploy=True)
def tallies_check(app_configs=None, **kwargs):
    """Warn when tables exist but no unit-year tally does (data loaded past the application, e.g. by
    loaddata, after the migrate that would have counted them): the overview, the progress list and 催报 read them."""
    try:
        missing = ProjectTable.objects.exists() and not TableTally.objects.exists()
    except DatabaseError:
        return []  # no database yet (before the first migrate)
    if not missing:
        return []
    return [
        Warning(
            "项目表已有数据，但单位年度统计为空：总览、各部门进度和催报将显示为零。请运行 manage.py rebuild_tallies。",
            hint="Tables exist without unit-year tallies; run manage.py rebuild_tallies (migrate counts them when none exist; this is data loaded past the application).",
            id="perfgoals.W002",
        )
    ]
