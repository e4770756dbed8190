"""The finance bureau's management page (issue 17, point 6): units, departments and users with role and
data range in one form, a sheet of units and users imported all or nothing, unlocking and password resets."""

import re

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from perfgoals.roles import Role, role_of
from projects.models import AuditEvent, Department, Unit
from perfgoals.scope import scope_of


def signed_in(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def one_time_passwords(response):
    return re.findall(r'<code class="fs-6">([^<]+)</code>', response.content.decode())


def workbook(units=(), users=()):
    from io import BytesIO

    book = Workbook()
    sheet = book.active
    sheet.title = "单位"
    sheet.append(["区划代码", "主管部门", "单位名称", "单位代码", "部门本级"])
    for row in units:
        sheet.append(list(row))
    people = book.create_sheet("用户")
    people.append(["用户名", "姓名", "角色", "区划代码", "主管部门", "预算单位"])
    for row in users:
        people.append(list(row))
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "人员.xlsx"
    return buffer


def test_an_administrator_creates_a_unit_user_in_one_form_who_then_sees_only_their_unit(seeded):
    unit = Unit.objects.get(name="中共平罗县纪律检查委员会本级")
    response = signed_in("admin").post(reverse("projects:people_user_create"), {
        "username": "pl_new", "name": "新填报人", "role": Role.UNIT_STAFF, "unit": unit.pk, "is_active": "on",
    })
    assert response.status_code == 200
    [password] = one_time_passwords(response)
    assert "只显示这一次" in response.content.decode()
    account = get_user_model().objects.get(username="pl_new")
    assert role_of(account) == Role.UNIT_STAFF and scope_of(account).unit == unit
    assert scope_of(account).region == unit.region and scope_of(account).department == unit.department
    newcomer = Client()
    home = newcomer.post(reverse("login"), {"username": "pl_new", "password": password}, follow=True).content.decode()
    assert "纪检监察事务工作经费" in home and "安保经费" not in home
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PEOPLE, detail__account="pl_new").exists()


def test_the_user_form_names_the_missing_data_range_of_the_role(seeded):
    response = signed_in("admin").post(reverse("projects:people_user_create"), {
        "username": "x1", "name": "某人", "role": Role.DEPARTMENT_REVIEWER,
    })
    assert "主管部门审核人必须选择主管部门" in response.content.decode()
    assert not get_user_model().objects.filter(username="x1").exists()


def test_a_finance_officer_manages_only_their_region_and_cannot_make_an_administrator(seeded):
    client = signed_in("pl_finance")
    page = client.get(reverse("projects:people_home")).content.decode()
    assert "pl_unit" in page and "dz_unit" not in page and ">admin<" not in page
    dingzhou_unit = Unit.objects.get(name="纪律检查委员会本级")
    response = client.post(reverse("projects:people_user_create"), {
        "username": "x2", "name": "某人", "role": Role.UNIT_STAFF, "unit": dingzhou_unit.pk,
    })
    assert "选择一个有效的选项" in response.content.decode()
    response = client.post(reverse("projects:people_user_create"), {"username": "x3", "name": "某人", "role": Role.ADMINISTRATOR})
    assert "选择一个有效的选项" in response.content.decode()
    assert not get_user_model().objects.filter(username__in=["x2", "x3"]).exists()
    dz_user = get_user_model().objects.get(username="dz_unit")
    assert client.get(reverse("projects:people_user_edit", args=[dz_user.pk])).status_code == 404


def test_changing_a_role_replaces_the_group_and_the_data_range(seeded):
    account = get_user_model().objects.get(username="pl_unit")
    department = Department.objects.get(name="平罗县纪律检查委员会")
    response = signed_in("pl_finance").post(reverse("projects:people_user_edit", args=[account.pk]), {
        "username": "pl_unit", "name": "改任审核人", "role": Role.DEPARTMENT_REVIEWER, "department": department.pk,
        "is_active": "on",
    })
    assert response.status_code == 302
    account = get_user_model().objects.get(username="pl_unit")
    assert [group.name for group in account.groups.all()] == [Role.DEPARTMENT_REVIEWER.label]
    assert account.scope.department == department and account.scope.unit is None


def test_unit_staff_and_department_reviewers_may_not_open_the_management_page(seeded):
    for username in ("pl_unit", "pl_dept"):
        assert signed_in(username).get(reverse("projects:people_home")).status_code == 403


def test_a_second_department_office_is_refused_by_name(seeded):
    department = Department.objects.get(name="平罗县纪律检查委员会")
    response = signed_in("admin").post(reverse("projects:people_unit_create"), {
        "region": department.region_id, "department": department.pk, "name": "另一个本级", "is_department_office": "on",
    })
    assert "已有部门本级单位" in response.content.decode()


def test_unlocking_lets_a_locked_out_user_log_in_again(client, seeded):
    for _ in range(5):
        client.post(reverse("login"), {"username": "pl_unit", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "pl_unit", "password": "perfgoals-demo"}).status_code == 429
    finance = signed_in("pl_finance")
    assert "已锁定" in finance.get(reverse("projects:people_home")).content.decode()
    account = get_user_model().objects.get(username="pl_unit")
    response = finance.post(reverse("projects:people_user_unlock", args=[account.pk]), follow=True)
    assert "已解除用户“pl_unit”的登录锁定" in response.content.decode()
    assert client.post(reverse("login"), {"username": "pl_unit", "password": "perfgoals-demo"}).status_code == 302


def test_a_password_reset_shows_a_new_password_once_and_the_old_one_stops_working(seeded):
    account = get_user_model().objects.get(username="pl_dept")
    response = signed_in("pl_finance").post(reverse("projects:people_user_password", args=[account.pk]))
    [password] = one_time_passwords(response)
    account.refresh_from_db()
    assert account.check_password(password) and not account.check_password("perfgoals-demo")


def test_a_sheet_of_twenty_users_and_two_units_imports_after_a_preview(seeded):
    units = [("640221", "平罗县教育局", "平罗县教育局本级", "", "是"), ("640221", "平罗县教育局", "平罗县第一中学", "301", "否")]
    users = [(f"school{n:02}", f"一中填报人{n}", "单位填报人", "640221", "", "平罗县第一中学") for n in range(1, 20)]
    users.append(("edu_dept", "教育局审核人", "主管部门审核人", "640221", "平罗县教育局", ""))
    client = signed_in("pl_finance")
    preview = client.post(reverse("projects:people_import"), {"file": workbook(units, users)})
    page = preview.content.decode()
    assert "将新建 <strong>1</strong> 个主管部门、<strong>2</strong> 个预算单位、<strong>20</strong> 个用户" in page
    assert not get_user_model().objects.filter(username="school01").exists()
    done = client.post(reverse("projects:people_import_confirm"))
    passwords = one_time_passwords(done)
    assert len(passwords) == 20 and len(set(passwords)) == 20
    school = Unit.objects.get(name="平罗县第一中学")
    assert school.department.name == "平罗县教育局" and not school.is_department_office
    assert scope_of(get_user_model().objects.get(username="school07")).unit == school
    assert scope_of(get_user_model().objects.get(username="edu_dept")).department == school.department
    again = client.post(reverse("projects:people_import_confirm"), follow=True)
    assert "没有等待确认的单位和用户表" in again.content.decode()


def test_a_sheet_with_one_bad_row_imports_nothing_and_names_sheet_row_and_column(seeded):
    units = [("640221", "平罗县教育局", "平罗县第二中学", "", "否")]
    users = [("ok_user", "好用户", "单位填报人", "640221", "", "平罗县第二中学"),
             ("pl_unit", "重名", "单位填报人", "640221", "", "平罗县第二中学"),
             ("far_user", "外区划", "财政审核人", "130682", "", "")]
    page = signed_in("pl_finance").post(reverse("projects:people_import"), {"file": workbook(units, users)}).content.decode()
    assert "工作表“用户”第 3 行“用户名”列：“pl_unit”已被使用" in page
    assert "工作表“用户”第 4 行“区划代码”列：区划 130682 不是您管理的区划" in page
    assert "一条也不会导入" in page and "确认导入" not in page
    assert not Unit.objects.filter(name="平罗县第二中学").exists()
    assert not get_user_model().objects.filter(username="ok_user").exists()


def test_the_sheet_template_downloads_and_imports_as_it_is(seeded):
    client = signed_in("pl_finance")
    template = client.get(reverse("projects:people_import_template"))
    assert template.status_code == 200
    from io import BytesIO

    upload = BytesIO(template.content)
    upload.name = "模板.xlsx"
    preview = client.post(reverse("projects:people_import"), {"file": upload}).content.decode()
    assert "确认导入" in preview and "pl_school1" in preview


def test_a_file_that_is_no_workbook_is_refused_in_chinese(seeded):
    from io import BytesIO

    upload = BytesIO(b"not a workbook")
    upload.name = "坏.xlsx"
    page = signed_in("admin").post(reverse("projects:people_import"), {"file": upload}).content.decode()
    assert "Excel" in page and "确认导入" not in page


def test_the_management_page_names_departments_and_data_ranges_without_run_on_codes(seeded):
    """The lists read like the org chart: "纪律检查委员会", not the code run into the name ("222纪律检查委员会")."""
    unit = scope_of(get_user_model().objects.get(username="pl_unit")).unit
    department = unit.department
    department.code = "222"
    department.save(update_fields=["code"])
    page = signed_in("pl_finance").get(reverse("projects:people_home")).content.decode()
    assert f"<td>{department.name}</td>" in page
    assert f"{department.code}{department.name}" not in page
    assert f"<td>{unit.name}</td>" in page  # pl_unit's data range
