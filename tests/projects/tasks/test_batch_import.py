"""The import of many files at once as a background task (issue 20): a .zip or several .xlsx files,
each planned and checked on its own, listed file by file with the reason of every refusal (file,
sheet, cell), imported after the confirm (or at once on request) all or nothing per file."""

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from projects.excel import export_tables
from projects.models import AuditEvent, DepartmentTarget, ProjectTable, TableStatus, TaskProgress
from projects.tasks.imports import import_task

State = TaskProgress.State


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def pingluo_export(changes=None):
    """平罗's five tables as the 平罗 form, with ``changes`` ({(sheet, cell): value}) made in Excel."""
    content = export_tables(ProjectTable.objects.filter(region__code="640221"), DepartmentTarget.objects.none(), "pingluo")
    workbook = load_workbook(io.BytesIO(content))
    for (sheet, cell), value in (changes or {}).items():
        workbook[sheet][cell] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dingzhou_export():
    return export_tables(ProjectTable.objects.filter(name="安保经费"), DepartmentTarget.objects.none(), "dingzhou")


class GbkNamed(zipfile.ZipInfo):
    """A member named in GBK without the UTF-8 flag, as the archiver of a Chinese Windows stores it."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def zipped(files, gbk_names=False):
    """A .zip of ``files`` ({name: bytes}), their names in GBK with ``gbk_names``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(GbkNamed(name) if gbk_names else name, data)
    return buffer.getvalue()


def start_batch(client, capture, uploads, **fields):
    with capture(execute=True):
        response = client.post(
            reverse("projects:excel_import_batch"),
            {"files": [SimpleUploadedFile(name, data) for name, data in uploads.items()], **fields},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return TaskProgress.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def indicator_values(name):
    return set(ProjectTable.objects.get(region__code="640221", name=name).indicators.values_list("value_text", flat=True))


def test_a_zip_is_checked_file_by_file_and_only_its_good_files_are_imported_after_the_confirm(
    seeded, client, django_capture_on_commit_callbacks
):
    unit = login(client, "pl_unit")
    good = pingluo_export({("1.县委巡查专项经费", "E17"): "≥95%"})
    archive = zipped({"平罗/巡查经费.xlsx": good, "定州安保.xlsx": dingzhou_export(), "说明.xlsx": b"not a workbook", "readme.txt": b"x"}, gbk_names=True)
    before = list(ProjectTable.objects.values_list("pk", "updated_at"))

    checked = start_batch(unit, django_capture_on_commit_callbacks, {"报送.zip": archive})
    assert checked.total == 3 and checked.state == State.QUEUED  # three .xlsx members; readme.txt is no workbook
    import_task.call(checked.pk)
    checked.refresh_from_db()

    assert checked.state == State.DONE and checked.done == 3
    by_name = {result["name"]: result for result in checked.results}
    assert set(by_name) == {"巡查经费.xlsx", "定州安保.xlsx", "说明.xlsx"}  # GBK names read as their author wrote them
    assert by_name["巡查经费.xlsx"]["state"] == "ok" and by_name["巡查经费.xlsx"]["updated"] == 1
    assert by_name["巡查经费.xlsx"]["unchanged"] == 4
    refused = by_name["定州安保.xlsx"]
    assert refused["state"] == "refused"
    assert any(reason.startswith("文件“定州安保.xlsx”：工作表“1.安保经费”") for reason in refused["reasons"])
    assert by_name["说明.xlsx"]["reasons"] == ["文件“说明.xlsx”：文件不是 Excel 工作簿（.xlsx），未导入。请上传 .xlsx 文件。"]
    # The check wrote nothing.
    assert list(ProjectTable.objects.values_list("pk", "updated_at")) == before
    assert "≥95%" not in indicator_values("县委巡查专项经费")

    page = unit.get(reverse("projects:task_progress", args=[checked.pk])).content.decode()
    assert "可以导入 <strong>1</strong> 个文件" in page and "未导入 <strong class=\"text-danger\">2</strong> 个文件" in page
    assert "确认导入 1 个文件" in page and "工作表“1.安保经费”" in page and "县委巡查专项经费：更新" in page
    assert "政府长聘人员经费：未变" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = unit.post(reverse("projects:task_import_apply", args=[checked.pk]))
    applied = TaskProgress.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))
    assert applied.pk != checked.pk and applied.total == 1
    # A second confirm (a double click, another tab) starts nothing new.
    assert unit.post(reverse("projects:task_import_apply", args=[checked.pk])).url == response.url
    import_task.call(applied.pk)
    applied.refresh_from_db()

    assert applied.state == State.DONE and [result["state"] for result in applied.results] == ["imported"]
    assert "≥95%" in indicator_values("县委巡查专项经费")
    event = AuditEvent.objects.get(kind="import")
    assert event.user.username == "pl_unit" and event.detail["file"] == "巡查经费.xlsx" and event.detail["updated"] == 1
    page = unit.get(reverse("projects:task_progress", args=[applied.pk])).content.decode()
    assert "已导入 <strong>1</strong> 个文件" in page
    assert "查看导入进度和结果" in unit.get(reverse("projects:task_progress", args=[checked.pk])).content.decode()


def test_a_file_with_one_table_that_may_not_change_writes_nothing_while_the_other_files_import(
    seeded, client, django_capture_on_commit_callbacks
):
    submitted = ProjectTable.objects.get(region__code="640221", name="特邀监察员经费")
    ProjectTable.objects.filter(pk=submitted.pk).update(status=TableStatus.DEPARTMENT_REVIEW)
    unit = login(client, "pl_unit")
    # One file changes a draft and a submitted table: refused whole, the draft's change is not written either.
    mixed = pingluo_export({("1.县委巡查专项经费", "E17"): "≥90%", ("3.特邀监察员经费", "E17"): "≥80%"})
    good = pingluo_export({("2.政府长聘人员经费", "E17"): "≥85%"})
    progress = start_batch(unit, django_capture_on_commit_callbacks, {"混合.xlsx": mixed, "长聘.xlsx": good}, mode="apply")
    import_task.call(progress.pk)
    progress.refresh_from_db()

    assert [(result["name"], result["state"]) for result in progress.results] == [("混合.xlsx", "refused"), ("长聘.xlsx", "imported")]
    assert any("待主管部门审核" in reason and reason.startswith("文件“混合.xlsx”") for reason in progress.results[0]["reasons"])
    assert "≥90%" not in indicator_values("县委巡查专项经费") and "≥80%" not in indicator_values("特邀监察员经费")
    assert "≥85%" in indicator_values("政府长聘人员经费")
    assert ProjectTable.objects.get(pk=submitted.pk).status == TableStatus.DEPARTMENT_REVIEW
    # Nothing waits for a confirm after an import: the uploaded files are gone.
    assert not list(progress_batch_folder(progress).parent.glob("batch-*"))


def progress_batch_folder(progress):
    from projects.tasks import runner

    return runner.task_dir() / f"batch-{progress.params['batch']}"


@pytest.mark.parametrize(
    ("uploads", "limits", "message"),
    [
        ({f"{n}.xlsx": b"PK" for n in range(4)}, {"PERFGOALS_BATCH_IMPORT_FILES": 3}, "一批最多 3 个 Excel 文件"),
        ({"a.zip": zipped({"a.txt": b"x"})}, {}, "压缩包“a.zip”里没有 .xlsx 文件"),
        ({"a.zip": b"PK\x03\x04 broken"}, {}, "“a.zip”已损坏"),
        ({"a.zip": zipped({"big.xlsx": b"0" * 5000})}, {"PERFGOALS_MAX_UPLOAD_BYTES": 1000}, "超过单个文件上限"),
        ({"a.pdf": b"%PDF"}, {}, "没有收到 Excel 文件"),
    ],
)
def test_a_batch_past_its_limits_is_refused_whole_and_nothing_is_kept(seeded, client, settings, uploads, limits, message):
    for name, value in limits.items():
        setattr(settings, name, value)
    unit = login(client, "pl_unit")
    response = unit.post(
        reverse("projects:excel_import_batch"), {"files": [SimpleUploadedFile(name, data) for name, data in uploads.items()]}, follow=True
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not TaskProgress.objects.exists()
    assert not settings.PERFGOALS_TASK_DIR.exists() or not list(settings.PERFGOALS_TASK_DIR.glob("batch-*"))


def test_a_file_without_a_year_is_refused_with_the_hint_and_imports_with_the_year_given(seeded, client, django_capture_on_commit_callbacks):
    content = load_workbook(io.BytesIO(pingluo_export({("1.县委巡查专项经费", "E17"): "≥70%"})))
    for sheet in content.worksheets[1:6]:
        sheet["A2"] = None
    content.remove(content["_perfgoals"])
    buffer = io.BytesIO()
    content.save(buffer)
    unit = login(client, "pl_unit")
    progress = start_batch(unit, django_capture_on_commit_callbacks, {"无年度.xlsx": buffer.getvalue()}, mode="apply")
    import_task.call(progress.pk)
    progress.refresh_from_db()
    assert progress.results[0]["state"] == "refused" and "请在上传时填写预算年度" in progress.results[0]["reasons"][-1]
    progress = start_batch(unit, django_capture_on_commit_callbacks, {"无年度.xlsx": buffer.getvalue()}, mode="apply", year="2023")
    import_task.call(progress.pk)
    progress.refresh_from_db()
    assert progress.results[0]["state"] == "imported" and "≥70%" in indicator_values("县委巡查专项经费")


def test_only_a_units_staff_may_start_a_batch_import_and_only_they_see_it(seeded, client, django_capture_on_commit_callbacks):
    assert login(client, "pl_finance").get(reverse("projects:excel_import_batch")).status_code == 403
    unit = login(type(client)(), "pl_unit")
    page = unit.get(reverse("projects:excel_import")).content.decode()
    assert reverse("projects:excel_import_batch") in page
    progress = start_batch(unit, django_capture_on_commit_callbacks, {"a.xlsx": pingluo_export()})
    import_task.call(progress.pk)
    other = login(type(client)(), "dz_unit")
    assert other.get(reverse("projects:task_progress", args=[progress.pk])).status_code == 404
    assert other.post(reverse("projects:task_import_apply", args=[progress.pk])).status_code == 404
    assert not TaskProgress.objects.filter(kind="import").exclude(pk=progress.pk).exists()
