"""Excel export and import in the browser: the trio for every view, scoping, and the upload flow."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from projects import excel_views
from projects.excel import export_tables
from projects.models import DepartmentTarget, ProjectTable, TableStatus
from tests.projects.excel_helpers import sheet_values


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def pingluo_table(name="纪检监察事务工作经费"):
    return ProjectTable.objects.get(region__code="640221", name=name)


def upload(client, content, name="tables.xlsx"):
    return client.post(reverse("projects:excel_import"), {"file": SimpleUploadedFile(name, content)})


def pingluo_export():
    return export_tables(ProjectTable.objects.filter(region__code="640221"), DepartmentTarget.objects.none(), "pingluo")


# Export views


def test_anonymous_export_of_a_table_goes_to_login(seeded, client):
    response = client.get(reverse("projects:project_export_xlsx", args=[pingluo_table().pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unit_staff_cannot_export_another_units_table(seeded, client):
    login(client, "dz_unit")
    assert client.get(reverse("projects:project_export_xlsx", args=[pingluo_table().pk])).status_code == 404


@pytest.mark.parametrize("username", ["pl_unit", "pl_dept", "pl_finance", "admin"])
def test_everyone_who_sees_a_table_downloads_it_in_the_chosen_layout(seeded, client, username):
    login(client, username)
    response = client.get(reverse("projects:project_export_xlsx", args=[pingluo_table().pk]), {"layout": "dingzhou"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''2023" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["汇总", "1.纪检监察事务工作经费"]
    assert "预算规模及资金用途" in sheet_values(workbook["1.纪检监察事务工作经费"])


def test_anonymous_export_of_a_department_target_goes_to_login(seeded, client):
    target = DepartmentTarget.objects.get()
    response = client.get(reverse("projects:target_export_xlsx", args=[target.pk]))
    assert response.status_code == 302


def test_another_regions_finance_officer_cannot_export_a_department_target(seeded, client):
    login(client, "pl_finance")
    assert client.get(reverse("projects:target_export_xlsx", args=[DepartmentTarget.objects.get().pk])).status_code == 404


def test_the_departments_reviewer_downloads_its_department_target(seeded, client):
    login(client, "dz_dept")
    response = client.get(reverse("projects:target_export_xlsx", args=[DepartmentTarget.objects.get().pk]))
    assert response.status_code == 200
    assert "总体绩效目标" in sheet_values(load_workbook(io.BytesIO(response.content)).worksheets[1])


def test_export_workbook_writes_every_table_of_a_list(seeded):
    response = excel_views.export_workbook(ProjectTable.objects.filter(region__code="130682"), "flat")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["汇总", "指标清单"]
    assert workbook["指标清单"].max_row == 1 + 90  # header + ten tables of nine indicators


# Import views


def test_anonymous_import_goes_to_login(seeded, client):
    assert client.get(reverse("projects:excel_import")).status_code == 302


@pytest.mark.parametrize("username", ["pl_dept", "pl_finance", "admin"])
def test_only_unit_staff_may_import(seeded, client, username):
    login(client, username)
    assert client.get(reverse("projects:excel_import")).status_code == 403
    assert upload(client, pingluo_export()).status_code == 403


def test_unit_staff_open_the_import_page(seeded, client):
    login(client, "pl_unit")
    response = client.get(reverse("projects:excel_import"))
    assert response.status_code == 200
    assert "中共平罗县纪律检查委员会本级" in response.content.decode()


def test_preview_and_confirm_of_someone_elses_upload_are_not_found(seeded, client):
    login(client, "pl_unit")
    location = upload(client, pingluo_export())["Location"]
    client.logout()
    login(client, "dz_unit")
    assert client.get(location).status_code == 404
    assert client.post(location + "confirm/").status_code == 404
    client.logout()
    assert client.get(location).status_code == 302


def test_preview_shows_every_table_and_writes_nothing_until_confirmed(seeded, client):
    login(client, "pl_unit")
    workbook = load_workbook(io.BytesIO(pingluo_export()))
    workbook["1.县委巡查专项经费"]["E17"] = "≥95%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = list(ProjectTable.objects.values_list("pk", "updated_at"))
    location = upload(client, buffer.getvalue())["Location"]
    response = client.get(location)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="card mb-3 import-table"') == 5
    assert "更新 1 张" in page and "4 张内容未变" in page
    assert "质量检查" in page
    assert list(ProjectTable.objects.values_list("pk", "updated_at")) == before
    response = client.post(location + "confirm/", follow=True)
    assert "更新 1 张" in response.content.decode()
    table = pingluo_table("县委巡查专项经费")
    assert table.indicators.filter(value_text="≥95%").exists()
    from projects.models import AuditEvent

    event = AuditEvent.objects.get(kind="import")
    assert event.user.username == "pl_unit" and event.detail["updated"] == 1 and event.detail["tables"] == [table.pk]


def test_a_bad_file_is_refused_with_a_chinese_message(seeded, client):
    login(client, "pl_unit")
    response = upload(client, b"%PDF-1.4 not a workbook", name="scan.pdf")
    assert response.status_code == 200
    assert "不是 Excel 工作簿" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(seeded, client, settings):
    settings.PERFGOALS_MAX_UPLOAD_BYTES = 1000
    login(client, "pl_unit")
    response = upload(client, pingluo_export())
    assert "超过上限" in response.content.decode()


def test_another_units_tables_in_the_file_are_refused_naming_the_sheet(seeded, client):
    content = export_tables(ProjectTable.objects.filter(name="安保经费"), DepartmentTarget.objects.none(), "dingzhou")
    login(client, "pl_unit")
    response = client.get(upload(client, content)["Location"])
    page = response.content.decode()
    assert "不能导入" in page and "1.安保经费" in page
    assert 'id="confirm-import"' not in page


def test_a_submitted_table_cannot_be_changed_by_import(seeded, client):
    table = pingluo_table("县委巡查专项经费")
    ProjectTable.objects.filter(pk=table.pk).update(status=TableStatus.DEPARTMENT_REVIEW)
    workbook = load_workbook(io.BytesIO(pingluo_export()))
    workbook["1.县委巡查专项经费"]["E17"] = "≥95%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, "pl_unit")
    location = upload(client, buffer.getvalue())["Location"]
    page = client.get(location).content.decode()
    assert "待主管部门审核" in page and "不能修改" in page
    assert client.post(location + "confirm/").status_code == 302
    assert not table.indicators.filter(value_text="≥95%").exists()


def test_the_year_is_asked_for_when_the_file_does_not_state_it(seeded, client):
    workbook = load_workbook(io.BytesIO(pingluo_export()))
    for sheet in workbook.worksheets[1:6]:
        sheet["A2"] = None
    workbook.remove(workbook["_perfgoals"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, "pl_unit")
    location = upload(client, buffer.getvalue())["Location"]
    page = client.get(location).content.decode()
    assert "文件中没有写明预算年度" in page and 'id="confirm-import"' not in page
    client.post(location, {"year": "2023"})
    page = client.get(location).content.decode()
    assert 'id="confirm-import"' in page and "5 张内容未变" in page
