import json

from django.core.management import call_command
from django.urls import reverse

from projects.models import AuditEvent, ProjectTable


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def test_logins_failed_logins_and_logouts_are_recorded_with_scope_and_address(client, seeded):
    client.post(reverse("login"), {"username": "pl_unit", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("login"), {"username": "pl_unit", "password": "perfgoals-demo"}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("logout"))
    failed, = events("login_failed")
    assert failed.username == "pl_unit" and failed.user is None and failed.address == "10.1.2.3"
    login, = events("login")
    assert login.user.username == "pl_unit"
    assert login.scope == "单位填报人：中共平罗县纪律检查委员会本级"
    assert events("logout")[0].user.username == "pl_unit"


def test_an_export_from_the_detail_page_is_recorded(client, seeded):
    client.post(reverse("login"), {"username": "dz_finance", "password": "perfgoals-demo"})
    table = ProjectTable.objects.get(name="安保经费")
    assert client.get(reverse("projects:project_export_xlsx", args=[table.pk]), {"layout": "dingzhou"}).status_code == 200
    export, = events("export")
    assert export.user.username == "dz_finance" and export.scope == "财政审核人：定州市（130682）"
    assert export.detail["tables"] == [table.pk] and export.detail["layout"] == "dingzhou"


def test_a_list_export_records_the_filters_and_row_count(client, seeded):
    client.post(reverse("login"), {"username": "pl_finance", "password": "perfgoals-demo"})
    response = client.get(reverse("projects:project_list"), {"export": "xlsx", "year": 2023})
    assert response.status_code == 200
    export, = events("export")
    assert export.detail["rows"] == 5 and "2023" in export.detail["filters"]


def test_command_line_exports_and_imports_are_recorded(seeded, tmp_path):
    out = tmp_path / "all.json"
    call_command("export_tables", "--format", "json", "-o", str(out), verbosity=0)
    document = json.loads(out.read_text(encoding="utf-8"))
    document["project_tables"][0]["name"] = "改名后的项目"
    out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    call_command("import_tables", str(out), verbosity=0)
    export, = events("export")
    imported, = events("import")
    assert export.username.startswith("命令行：") and export.detail["format"] == "json"
    assert imported.detail["files"] == [str(out)] and imported.detail["updated"] == 1


def test_a_dry_run_import_is_not_recorded_as_an_import(seeded, tmp_path):
    out = tmp_path / "all.json"
    call_command("export_tables", "--format", "json", "-o", str(out), verbosity=0)
    call_command("import_tables", str(out), "--dry-run", verbosity=0)
    assert events("import") == []


def test_the_audit_log_is_read_only_in_the_admin(client, seeded):
    client.post(reverse("login"), {"username": "admin", "password": "perfgoals-admin"})
    assert client.get(reverse("admin:projects_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_auditevent_add")).status_code == 403
