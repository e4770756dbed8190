"""公开: a department's package (PDF and xlsx) and the register of what was published where, or why not."""

import io
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from projects.models import AuditEvent, Department, ProjectTable, Publication, PublicationDeadline, PublicationReminder, TableStatus
from projects.publication.package import build_package, package_pdf
from projects.workflow import project_approve, project_submit
from tests import factories


def user(username):
    return get_user_model().objects.get(username=username)


def squeeze(text):
    return re.sub(r"\s+", "", text)


@pytest.fixture
def department(seeded):
    department = Department.objects.get(name="平罗县纪律检查委员会")
    for table in ProjectTable.objects.filter(department=department, year=2023):
        project_submit(project=table, by=user("pl_unit"))
        project_approve(project=table, by=user("pl_finance"))
    return department


def pdf_text(content):
    return squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def test_the_package_of_the_pingluo_seed_holds_every_indicator_name_and_value(department):
    tables = list(ProjectTable.objects.filter(department=department, year=2023, status=TableStatus.APPROVED))
    assert tables
    content = package_pdf(build_package(department, 2023))
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "2023年度预算绩效目标" in text and "目录" in text
    for table in tables:
        assert squeeze(table.name) in text
        for row in table.indicators.all():
            assert squeeze(row.name) in text, row.name
            assert squeeze(row.value_text) in text, row.value_text


def test_a_withheld_table_stays_out_of_the_package_and_a_draft_never_goes_in(client, department):
    table = ProjectTable.objects.filter(department=department, year=2023).first()
    Publication.objects.create(project=table, published=False, withheld_reason="secret")
    draft = factories.stored_table(factories.unit(department), name="尚未批复的草稿项目", year=2023)
    package = build_package(department, 2023)
    assert table not in [item.document for item in package.items]
    assert draft not in [item.document for item in package.items]
    assert [document for document, _ in package.withheld] == [table]
    client.force_login(user("pl_unit"))
    page = client.get(reverse("projects:publication_package", args=[department.pk, 2023])).content.decode()
    assert "不公开" in page and "涉及国家秘密" in page and "尚未批复的草稿项目" not in page


def test_the_package_downloads_as_pdf_and_as_xlsx(client, department):
    client.force_login(user("pl_dept"))
    pdf = client.get(reverse("projects:publication_pdf", args=[department.pk, 2023]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    xlsx = client.get(reverse("projects:publication_xlsx", args=[department.pk, 2023]))
    workbook = load_workbook(io.BytesIO(xlsx.content))
    visible = [sheet.title for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    assert len(visible) == 1 + ProjectTable.objects.filter(department=department, year=2023).count()  # 汇总 + one each
    empty = client.get(reverse("projects:publication_pdf", args=[department.pk, 2030]))
    assert empty.status_code == 302  # nothing approved in 2030: back to the page, with a message
    exports = AuditEvent.objects.filter(kind="export", username="pl_dept").order_by("id")
    assert [(event.detail["format"], event.detail["year"]) for event in exports] == [("pdf", 2023), ("xlsx", 2023)]


def test_a_unit_registers_publication_and_the_form_names_what_is_missing(client, department):
    table = ProjectTable.objects.filter(department=department, year=2023).first()
    url = reverse("projects:publication_record_table", args=[table.pk])
    client.force_login(user("pl_unit"))
    refused = client.post(url, {"published": "1", "published_on": "", "url": "不是网址"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "请填写公开日期" in page and "公开地址应是完整的网址" in page
    assert not Publication.objects.exists()
    refused = client.post(url, {"published": "0", "withheld_reason": "other", "withheld_basis": " "})
    assert refused.status_code == 400 and "请写明不公开的依据" in refused.content.decode()
    done = client.post(url, {"published": "1", "published_on": "2023-02-10", "url": "http://www.pingluo.gov.cn/xxgk/2023/ys.html"})
    assert done.status_code == 302
    entry = Publication.objects.get(project=table)
    assert (entry.published, entry.published_on, entry.recorded_by) == (True, date(2023, 2, 10), user("pl_unit"))


def test_another_departments_unit_cannot_register_and_a_draft_has_no_entry(client, department):
    table = ProjectTable.objects.filter(department=department, year=2023).first()
    client.force_login(user("dz_unit"))
    assert client.get(reverse("projects:publication_record_table", args=[table.pk])).status_code == 404
    client.force_login(user("pl_finance"))  # sees it, but registering is the unit's (or its department's)
    assert client.get(reverse("projects:publication_record_table", args=[table.pk])).status_code == 403


def test_the_register_counts_published_late_withheld_and_unregistered_and_finance_reminds(client, department):
    tables = list(ProjectTable.objects.filter(department=department, year=2023).order_by("pk"))
    assert len(tables) >= 3
    PublicationDeadline.objects.create(region=department.region, year=2023, deadline=date(2023, 3, 1))
    Publication.objects.create(project=tables[0], published=True, published_on=date(2023, 2, 1), url="http://a.example/1")
    Publication.objects.create(project=tables[1], published=True, published_on=date(2023, 4, 1), url="http://a.example/2")
    Publication.objects.create(project=tables[2], published=False, withheld_reason="internal")
    client.force_login(user("pl_finance"))
    page = client.get(reverse("projects:publication_register"), {"year": 2023})
    (row,) = [row for row in page.context["rows"] if row.department == department]
    assert (row.approved, row.published, row.published_late, row.withheld, row.unrecorded) == (len(tables), 2, 1, 1, len(tables) - 3)
    response = client.post(reverse("projects:publication_remind", args=[department.pk, 2023]))
    assert response.status_code == 302
    reminder = PublicationReminder.objects.get()
    assert (reminder.department, reminder.sent_by, reminder.missing) == (department, user("pl_finance"), len(tables) - 3)
    client.force_login(user("pl_unit"))
    page = client.get(reverse("projects:publication_package", args=[department.pk, 2023])).content.decode()
    assert "催报" in page
    assert client.get(reverse("projects:publication_register")).status_code == 302  # a unit: to its package

