"""Abuse (tracker issue 9, point 4): every form and upload fed hostile input with hypothesis.

Long strings, control characters, lone surrogates and bytes that are no UTF-8 at all, HTML and script,
SQL-looking text, huge and negative numbers, broken management forms, random files and broken
workbooks, random JSON documents. Whatever comes in: never a 500; a refusal says why in Chinese and
writes nothing; whatever was stored comes back on every page escaped, never as markup.

Each example runs in a savepoint rolled back after it, so examples do not build on each other.
"""

import io
import re
import zipfile
from contextlib import contextmanager
from urllib.parse import quote_from_bytes

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from indicators.checks import RULES
from projects.findings import project_findings
from indicators.models import Grade, Opinion, Severity
from projects import interchange, workflow
from projects.models import DepartmentTarget, ProjectTable, ReviewAction, TableStatus, Unit
from tests import factories
from tests.html_forms import form_data
from tests.security.state import database_state, differences

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
MARKUP = (SCRIPT, "<img src=x onerror=alert(1)>")
SQL = "'; DROP TABLE projects_projecttable;--"
NASTY = [
    SCRIPT,
    IMAGE,
    SQL,
    "\x00",
    "前\x00后",
    "\x01\x02\x08\x0b\x0c\x1b\x1f",
    "\t\r\n",
    "\ud800",
    "尾\udfff",
    "1e308",
    "-1e308",
    str(10**40),
    "-" + str(10**40),
    "-0.000001",
    "-5",
    "NaN",
    "Infinity",
    "１２３．４５",
    "1,000,000.1234567",
    "0x1F",
    "\u202e\u200b\ufeff",
    "😀",
    "%s%n{0}{{ 7*7 }}${7*7}",
    "../../etc/passwd",
    "",
    " ",
]
CJK = re.compile(r"[\u4e00-\u9fff]")

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

texts = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(["长", "x", "<", "\x00"]).map(lambda piece: piece * 10000),
    st.text(max_size=30),
    st.text(st.characters(max_codepoint=0x1F), max_size=8),
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=10)),
)
numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=10**17, max_value=10**60).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
)
# What a field of a posted form can carry: text, numbers as typed, or bytes that are no UTF-8 at all.
wire_values = st.one_of(texts, numbers, st.binary(max_size=20))


# Helpers


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def encode(value):
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


def wire(data):
    """An application/x-www-form-urlencoded body as a broken or hostile client sends it: text as UTF-8
    with lone surrogates passed through, bytes as they are."""
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append(f"{quote_from_bytes(encode(name))}={quote_from_bytes(encode(item))}")
    return "&".join(pairs)


def post(client, url, data):
    return client.post(url, wire(data), content_type="application/x-www-form-urlencoded")


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_no_error(response):
    assert response.status_code < 500, f"{response.status_code} from {response.wsgi_request.path}"


# How the pages that are not a form say why they refuse (the 4xx templates, the editor's conflict).
REFUSALS = ("保存被拒绝", "无权操作", "找不到页面", "请求无法处理")


def assert_says_why_in_chinese(response):
    """A message in Chinese on the page: from the messages framework, or the refusal a page states."""
    said = [text for text in messages_of(response) if CJK.search(text)]
    html = response.content.decode() if response.status_code >= 400 else ""
    assert said or any(refusal in html for refusal in REFUSALS), f"a refusal ({response.status_code}) without a Chinese message"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return response.content.decode()


def assert_no_markup(html, where):
    for markup in MARKUP:
        assert markup not in html, f"{where} shows stored or reflected markup unescaped: {markup!r}"


def hostile(values):
    """Whether stored values could break a page or an export: markup or a control character."""
    return any(
        isinstance(value, str) and ("<" in value or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", value))
        for value in values
    )


def assert_table_pages_are_safe(client, table, reviewer=None):
    """Every page that shows the table shows it escaped, and the table still exports."""
    table.refresh_from_db()
    names = ["projects:project_detail", "projects:project_history"]
    if table.status in (TableStatus.DRAFT, TableStatus.RETURNED):
        names.append("projects:project_edit")
    for name in names:
        url = reverse(name, args=[table.pk])
        assert_no_markup(page(client, url), url)
    assert_no_markup(page(client, reverse("projects:project_detail", args=[table.pk]) + "?layout=dingzhou"), "定州式")
    if reviewer is not None:
        url = reverse("projects:project_review", args=[table.pk])
        assert_no_markup(page(reviewer, url), url)
    export = client.get(reverse("projects:project_export_xlsx", args=[table.pk]))
    assert export.status_code == 200


# Fixtures


@pytest.fixture
def unit_client(seeded, client):
    return login(client, "pl_unit")


@pytest.fixture
def finance_client(seeded):
    from django.test import Client

    return login(Client(), "pl_finance")


@pytest.fixture
def draft(seeded):
    return ProjectTable.objects.get(name="纪检监察事务工作经费")


@pytest.fixture
def in_finance_review(seeded):
    """A clean table of 平罗纪委本级 (a 部门本级 unit), submitted: it waits for the finance officer."""
    unit = Unit.objects.get(name="中共平罗县纪律检查委员会本级")
    table = factories.stored_table(unit, name="模糊测试审核表", year=2024)
    workflow.project_submit(project=table, by=get_user_model().objects.get(username="pl_unit"))
    table.refresh_from_db()
    assert table.status == TableStatus.FINANCE_REVIEW
    return table


@pytest.fixture
def clean_draft(draft):
    """A draft of 平罗纪委本级 that the checks find nothing wrong with, so it may be submitted."""
    return factories.stored_table(draft.unit, name="模糊测试提交表", year=2024)


@pytest.fixture
def new_table_fields(unit_client):
    return form_data(page(unit_client, reverse("projects:project_create") + "?year=2024"))


@pytest.fixture
def target_editor(seeded, client):
    """定州纪委本级's staff, their department's target and what its editor page posts unchanged."""
    login(client, "dz_unit")
    target = DepartmentTarget.objects.get(department__name="纪律检查委员会")
    return client, target, form_data(page(client, reverse("projects:target_edit", args=[target.pk])))


# The project editor


@pytest.fixture
def editor_fields(unit_client, draft):
    """What the editor page of the draft posts unchanged (read once for all examples)."""
    return form_data(page(unit_client, reverse("projects:project_edit", args=[draft.pk])))


@FUZZ
@given(data=st.data())
@example(data=None)
def test_the_project_editor_survives_hostile_input_and_saves_all_or_nothing(unit_client, finance_client, draft, editor_fields, data):
    base = editor_fields
    if data is None:  # the classic payloads in every text field at once, as one explicit example
        changes = {
            name: value
            for name, value in base.items()
            if name.endswith(("name", "text", "description", "fund_use", "note", "period", "basis_text"))
        }
        changes = {name: (SCRIPT if index % 2 else IMAGE) for index, name in enumerate(changes)}
    else:
        keys = sorted(base) + ["ind-99-name", "goals-7-text", "plan-3-month", "ind-0-DELETE", "goals-0-DELETE"]
        changes = data.draw(st.dictionaries(st.sampled_from(keys), wire_values, max_size=6), label="changes")
    with rolled_back():
        before = database_state()
        response = post(unit_client, reverse("projects:project_edit", args=[draft.pk]), {**base, **changes})
        assert_no_error(response)
        if response.status_code == 302:
            draft.refresh_from_db()
            if hostile(changes.values()):
                assert_table_pages_are_safe(unit_client, draft, finance_client)
            if data is None:
                detail = page(unit_client, reverse("projects:project_detail", args=[draft.pk]))
                assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail or "&lt;img src=x onerror=alert(1)&gt;" in detail
        else:
            assert response.status_code in (400, 409)
            assert_says_why_in_chinese(response)
            assert differences(before, database_state()) == {}
            assert_no_markup(response.content.decode(), "the refused editor page")


@settings(FUZZ, max_examples=12)
@given(changes=st.dictionaries(
    st.sampled_from(["year", "name", "code", "framework", "funds_total", "funds_fiscal", "funds_other", "fund_use",
                     "goals-TOTAL_FORMS", "goals-INITIAL_FORMS", "goals-0-text", "ind-TOTAL_FORMS", "ind-0-level2",
                     "ind-0-name", "ind-0-value_text", "ind-0-weight", "ind-0-id", "plan-TOTAL_FORMS", "plan-0-month",
                     "plan-0-cumulative_percent", "plan-0-id"]),
    wire_values,
    max_size=6,
))
def test_a_new_table_survives_hostile_input(unit_client, new_table_fields, changes):
    base = dict(new_table_fields)
    base.update({"name": "模糊测试新表", "plan-TOTAL_FORMS": "1", "plan-0-month": "12", "plan-0-cumulative_percent": "100"})
    with rolled_back():
        before = database_state()
        response = post(unit_client, reverse("projects:project_create"), {**base, **changes})
        assert_no_error(response)
        if response.status_code == 302:
            table = ProjectTable.objects.order_by("-pk").first()
            if hostile(changes.values()):
                assert_table_pages_are_safe(unit_client, table)
        else:
            assert response.status_code == 400
            assert_says_why_in_chinese(response)
            assert differences(before, database_state()) == {}


@settings(FUZZ, max_examples=12)
@given(changes=st.dictionaries(
    st.sampled_from(["year", "overall_goal", "framework", "subs-TOTAL_FORMS", "subs-INITIAL_FORMS", "subs-0-title",
                     "subs-0-goal", "subs-0-indicator_text", "subs-0-safeguards", "subs-0-ORDER", "subs-0-id",
                     "ind-TOTAL_FORMS", "ind-0-level2", "ind-0-name", "ind-0-value_text", "ind-0-weight", "token"]),
    wire_values,
    max_size=6,
))
@example(changes={"overall_goal": SCRIPT, "subs-TOTAL_FORMS": "1", "subs-0-title": IMAGE, "subs-0-goal": SCRIPT})
def test_the_department_target_editor_survives_hostile_input(target_editor, changes):
    client, target, base = target_editor
    url = reverse("projects:target_edit", args=[target.pk])
    with rolled_back():
        before = database_state()
        response = post(client, url, {**base, **changes})
        assert_no_error(response)
        if response.status_code == 302:
            if hostile(changes.values()):
                for name in ("projects:target_detail", "projects:target_edit"):
                    assert_no_markup(page(client, reverse(name, args=[target.pk])), name)
                assert client.get(reverse("projects:target_export_xlsx", args=[target.pk])).status_code == 200
        else:
            assert response.status_code in (400, 409)
            assert_says_why_in_chinese(response)
            assert differences(before, database_state()) == {}


@settings(FUZZ, max_examples=10)
@given(changes=st.dictionaries(st.text(max_size=20) | st.sampled_from(["ind-TOTAL_FORMS", "ind-0-level2", "ind-0-value_text",
                                                                      "funds_total", "year", "framework", "plan-TOTAL_FORMS"]),
                               wire_values, max_size=6))
def test_the_live_check_answers_json_whatever_the_editor_sends(unit_client, draft, editor_fields, changes):
    base = editor_fields
    with rolled_back():
        before = database_state()
        for url in (reverse("projects:project_check", args=[draft.pk]), reverse("projects:project_check_new")):
            response = post(unit_client, url, {**base, **changes})
            assert response.status_code == 200 and response["Content-Type"] == "application/json"
        assert differences(before, database_state()) == {}


@settings(FUZZ, max_examples=40)
@given(value=wire_values)
def test_the_value_preview_parses_anything(unit_client, value):
    response = unit_client.get(reverse("projects:value_preview") + "?value=" + quote_from_bytes(encode(value)))
    assert response.status_code == 200
    assert_no_markup(response.content.decode(), "the value preview")


# Reviewers and the unit's buttons


@FUZZ
@given(data=st.data())
@example(data=None)
def test_a_review_decision_survives_hostile_input(finance_client, unit_client, in_finance_review, data):
    rows = list(in_finance_review.indicators.values_list("pk", flat=True))
    if data is None:
        posted = {"action": "return", "reason": "other", "comment": SCRIPT, f"comment-{rows[0]}": IMAGE, f"reason-{rows[0]}": "other"}
    else:
        choices = st.one_of(st.sampled_from([*ReviewAction.values, *Grade.values, *Opinion.values]), texts)
        keys = ["action", "grade", "reason", "comment"] + [f"reason-{pk}" for pk in rows[:3]] + [f"comment-{pk}" for pk in rows[:3]]
        posted = data.draw(st.dictionaries(st.sampled_from(keys + ["reason-999999", "comment-abc"]), choices | wire_values, max_size=7))
    url = reverse("projects:project_review", args=[in_finance_review.pk])
    with rolled_back():
        before = database_state()
        response = post(finance_client, url, posted)
        assert_no_error(response)
        if response.status_code == 302:
            in_finance_review.refresh_from_db()
            assert in_finance_review.status != TableStatus.FINANCE_REVIEW
            if hostile(posted.values()):
                assert_no_markup(page(finance_client, url), "the review page")
                assert_table_pages_are_safe(unit_client, in_finance_review, finance_client)
            if data is None:
                history = page(unit_client, reverse("projects:project_history", args=[in_finance_review.pk]))
                assert "&lt;script&gt;alert(1)&lt;/script&gt;" in history
        else:
            assert response.status_code == 400
            assert_says_why_in_chinese(response)
            assert differences(before, database_state()) == {}
            assert_no_markup(response.content.decode(), "the refused review page")


@FUZZ
@given(data=st.data())
def test_bulk_review_survives_hostile_input_and_redirects_only_inside_the_site(finance_client, in_finance_review, seeded, data):
    foreign = ProjectTable.objects.filter(region__code="130682").values_list("pk", flat=True)[0]
    ids = st.one_of(st.sampled_from([str(in_finance_review.pk), str(foreign), "-1", "0", str(10**30), "abc"]), wire_values)
    posted = data.draw(st.fixed_dictionaries(
        {},
        optional={
            "action": st.sampled_from([*ReviewAction.values, "delete"]) | texts,
            "selected": st.lists(ids, max_size=4),
            "reason": st.sampled_from(Opinion.values) | texts,
            "grade": st.sampled_from(Grade.values) | texts,
            "comment": texts,
            "next": st.sampled_from(["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/reviews/?x=1",
                                     "\r\nSet-Cookie: a=b", "/\\evil.example"]) | texts,
        },
    ))
    with rolled_back():
        before = database_state()
        response = post(finance_client, reverse("projects:review_bulk"), posted)
        assert_no_error(response)
        assert response.status_code == 302
        location = response["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), f"redirected off the site: {location!r}"
        assert all(CJK.search(text) for text in messages_of(response))
        after = database_state()
        changed_tables = set(differences(before, after).get("projects.projecttable", {}).get("changed", []))
        assert changed_tables <= {in_finance_review.pk}


@settings(FUZZ, max_examples=15)
@given(action=st.sampled_from([*ReviewAction.values, ""]) | texts, comment=wire_values)
@example(action="submit", comment=SCRIPT)
@example(action="submit", comment="\x00")
def test_the_units_buttons_survive_hostile_input(unit_client, finance_client, clean_draft, action, comment):
    table = clean_draft
    with rolled_back():
        before = database_state()
        response = post(unit_client, reverse("projects:project_action", args=[table.pk]), {"action": action, "comment": comment})
        assert_no_error(response)
        assert response.status_code == 302
        messages = messages_of(response)
        assert messages and all(CJK.search(text) for text in messages)
        table.refresh_from_db()
        if table.status == TableStatus.DRAFT and action != ReviewAction.ADJUST:
            assert differences(before, database_state()) == {}
        elif hostile([comment]):
            assert_table_pages_are_safe(unit_client, table, finance_client)


@settings(FUZZ, max_examples=12)
@given(data=st.data())
@example(data=None)
def test_explaining_a_finding_survives_hostile_input(unit_client, finance_client, draft, data):
    findings = [finding for finding in project_findings(project=draft) if finding.severity != Severity.ERROR]
    assert findings, "the seed table should have a warning to explain"
    finding = findings[0]
    uid = str(finding.indicator.uid) if finding.indicator_id else ""
    if data is None:
        posted = {"rule": finding.rule, "indicator_uid": uid, "text": SCRIPT + "\x00"}
    else:
        posted = data.draw(st.fixed_dictionaries({
            "rule": st.sampled_from([finding.rule, *sorted(RULES)]) | texts,
            "indicator_uid": st.sampled_from([uid, "", "not-a-uuid"]) | texts,
            "text": wire_values,
        }))
    with rolled_back():
        before = database_state()
        response = post(unit_client, reverse("projects:finding_explain", args=[draft.pk]), posted)
        assert_no_error(response)
        assert response.status_code == 302
        messages = messages_of(response)
        assert messages and all(CJK.search(text) for text in messages)
        if any("说明已保存" in text for text in messages):
            if hostile(posted.values()):
                assert_table_pages_are_safe(unit_client, draft, finance_client)
        else:
            assert differences(before, database_state()) == {}


# Lists and pages that take query parameters

LIST_PARAMETERS = [
    "q", "year", "region", "department", "unit", "status", "grade", "score_min", "score_max", "amount_min", "amount_max",
    "framework", "rounds_min", "rounds_max", "returned", "return_reason", "submitted_after", "submitted_before",
    "approved_after", "approved_before", "progress", "level1", "level2", "kind", "nature", "value_unit", "value_min",
    "value_max", "rule", "severity", "criterion", "opinion", "quality_grade", "sort", "page", "per_page", "layout",
]
PAGES = [
    ("pl_finance", "projects:project_list"),
    ("pl_finance", "projects:department_progress"),
    ("pl_finance", "projects:weak_result_list"),
    ("pl_finance", "projects:indicator_list"),
    ("pl_finance", "projects:finding_list"),
    ("pl_finance", "projects:review_queue"),
    ("pl_finance", "projects:dashboard"),
    ("pl_finance", "projects:home"),
    ("pl_unit", "projects:home"),
    ("pl_unit", "projects:project_list"),
    ("pl_unit", "projects:project_copy_list"),
    ("pl_unit", "projects:project_create"),
    ("pl_unit", "projects:target_create"),
    ("pl_unit", "projects:excel_import"),
]


@settings(FUZZ, max_examples=30)
@given(which=st.sampled_from(PAGES), query=st.dictionaries(st.sampled_from(LIST_PARAMETERS) | st.text(max_size=5), wire_values, max_size=5))
@example(which=("pl_finance", "projects:project_list"), query={"year": str(10**30), "q": SCRIPT, "amount_min": "1e308"})
@example(which=("pl_unit", "projects:home"), query={"year": str(10**30)})
@example(which=("pl_finance", "projects:dashboard"), query={"year": "-" + str(10**30)})
@example(which=("pl_finance", "projects:weak_result_list"), query={"year": str(10**30), "grade": SCRIPT, "money": "more"})
@example(which=("pl_unit", "projects:project_create"), query={"year": "9" * 30})
def test_lists_and_pages_take_any_query_without_error_or_reflected_markup(unit_client, finance_client, which, query):
    username, name = which
    client = unit_client if username == "pl_unit" else finance_client
    url = reverse(name) + "?" + wire(query)
    with rolled_back():
        response = client.get(url)
        assert_no_error(response)
        assert response.status_code == 200, f"GET {url}: {response.status_code}"
        if response["Content-Type"].startswith("text/html"):
            assert_no_markup(response.content.decode(), url)
        export = client.get(url + "&export=xlsx")
        assert_no_error(export)


@FUZZ
@given(
    login_url=st.sampled_from(["login", "admin:login"]),
    username=texts,
    password=wire_values,
    next_url=st.sampled_from(["", "/", "https://evil.example/", "//evil.example"]) | texts,
)
@example(login_url="login", username=SCRIPT, password=SQL, next_url=IMAGE)
@example(login_url="login", username="pl_unit\x00", password="x", next_url="")
@example(login_url="login", username="长" * 10000, password="x", next_url="")
@example(login_url="admin:login", username="长" * 10000, password="x", next_url="")
def test_the_login_forms_refuse_hostile_input_in_chinese(seeded, client, login_url, username, password, next_url):
    with rolled_back():
        response = post(client, reverse(login_url), {"username": username, "password": password, "next": next_url})
        assert_no_error(response)
        assert response.status_code in (200, 429), response.status_code
        html = response.content.decode()
        assert "请输入" in html or "登录已暂停" in html, "a refused login without the reason"
        assert_no_markup(html, "the login page")


# Uploads


def good_workbook(cells=None):
    workbook = Workbook()
    sheet = workbook.active
    rows = [
        ["项目名称", "模糊测试导入项目"], ["预算年度", 2024], ["实施单位", "中共平罗县纪律检查委员会本级"],
        ["年度资金总额（万元）", 20], ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人数", "100 人"],
    ]
    for row in rows:
        sheet.append(row)
    for coordinate, value in (cells or {}).items():
        sheet[coordinate] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(members, declared=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    content = buffer.getvalue()
    if declared is not None:  # lie about the uncompressed sizes in every header
        patched = bytearray(content)
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            start = 0
            while (start := patched.find(signature, start)) != -1:
                patched[start + offset:start + offset + 4] = declared.to_bytes(4, "little")
                start += 4
        content = bytes(patched)
    return content


GOOD = good_workbook()
cell_values = st.one_of(
    # openpyxl writes neither surrogates nor control characters; the _x0001_ escapes below carry those.
    texts.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text.encode("utf-8", "replace").decode("utf-8"))),
    st.sampled_from(["=1/0", "=HYPERLINK(\"http://evil.example\",\"点\")", "=A1", "=SUM(A1:A1048576)", "_x0000_", "_x0001_尾",
                     "_xD800_", "'=1+1", "@SUM(1)", "#REF!", SCRIPT]),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=8),
    st.booleans(),
    st.none(),
)
workbook_cells = st.dictionaries(
    st.sampled_from(["B1", "B2", "B3", "B4", "A1", "A5", "C5", "D5", "A6", "B6", "C6", "D6", "E6", "C7", "D7", "B8"]),
    cell_values,
    max_size=5,
)
files = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=200).map(lambda tail: b"PK\x03\x04" + tail),
    st.integers(min_value=0, max_value=len(GOOD)).map(lambda cut: GOOD[:cut]),
    st.tuples(st.integers(min_value=0, max_value=len(GOOD) - 1), st.binary(min_size=1, max_size=8)).map(
        lambda spot: GOOD[: spot[0]] + spot[1] + GOOD[spot[0] + len(spot[1]):]
    ),
    workbook_cells.map(good_workbook),
)


def upload_and_confirm(client, content, name="模糊.xlsx"):
    """Upload, preview and confirm as a unit would; every step must answer without an error."""
    response = client.post(reverse("projects:excel_import"), {"file": SimpleUploadedFile(name, content)})
    assert_no_error(response)
    if response.status_code != 302:
        assert response.status_code == 200
        assert_says_why_in_chinese(response)
        assert any(CJK.search(text) for text in messages_of(response))
        return None
    preview = client.get(response["Location"])
    assert_no_error(preview)
    if preview.status_code == 302:  # the file turned out unreadable only now
        assert any(CJK.search(text) for text in messages_of(preview))
        return None
    assert preview.status_code == 200
    assert_no_markup(preview.content.decode(), "the import preview")
    confirm = client.post(response["Location"] + "confirm/")
    assert_no_error(confirm)
    assert confirm.status_code == 302
    messages = messages_of(confirm)
    assert messages and all(CJK.search(text) for text in messages)
    return confirm


@settings(FUZZ, max_examples=20)
@given(content=files)
@example(content=b"")
@example(content="项目名称,模糊\n".encode("gbk"))
@example(content=b"\xff\xfe\x00\x00garbage")
@example(content=zip_bytes({"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"<x/>"}, declared=0xFFFFFFFF))
@example(content=zip_bytes({"xl/workbook.xml": b"<" * 10, "xl/worksheets/sheet1.xml": b"\x00" * 1000}))
@example(content=good_workbook({"B1": "_x0000_" + SCRIPT, "C6": "_x0001_", "D6": "=1/0", "B4": 10**40}))
@example(content=good_workbook({"B1": SCRIPT, "C6": IMAGE, "D6": "≥ 1e308 人"}))
def test_an_uploaded_file_is_read_or_refused_in_chinese_and_written_all_or_nothing(unit_client, finance_client, content):
    with rolled_back():
        before = database_state()
        confirm = upload_and_confirm(unit_client, content)
        after = database_state()
        if confirm is None or not any("已导入" in text for text in messages_of(confirm)):
            assert differences(before, after) == {}
        else:
            written = differences(before, after).get("projects.projecttable", {})
            for pk in written.get("added", []) + written.get("changed", []):
                assert_table_pages_are_safe(unit_client, ProjectTable.objects.get(pk=pk), finance_client)


# The JSON interchange import


def a_document():
    return interchange.export_document(
        ProjectTable.objects.filter(name="纪检监察事务工作经费"), DepartmentTarget.objects.filter(department__name="纪律检查委员会")
    )


json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40), st.floats(),
    texts, st.sampled_from(["draft", "approved", "2015", "640221", "产出指标", "数量指标"]),
)
json_values = st.recursive(json_leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def paths(document, prefix=()):
    """Every place in the document a value could be replaced."""
    yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from paths(value, prefix + (key,))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from paths(value, prefix + (index,))


def replaced(document, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {**document, head: replaced(document[head], rest, value)}
    return [replaced(item, rest, value) if index == head else item for index, item in enumerate(document)]


@settings(FUZZ, max_examples=30)
@given(data=st.data())
@example(data=None)
def test_the_json_import_writes_all_or_refuses_with_problems_whatever_the_document(seeded, data):
    document = a_document()
    if data is None:
        document = replaced(document, ("project_tables", 0, "name"), "前\x00后")
    else:
        for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="edits")):
            path = data.draw(st.sampled_from(list(paths(document))), label="path")
            document = replaced(document, path, data.draw(json_values, label="value"))
    with rolled_back():
        before = database_state()
        try:
            interchange.import_document(document)
        except interchange.InterchangeError as error:
            assert error.problems and all(CJK.search(problem) for problem in error.problems)
            assert differences(before, database_state()) == {}


@settings(FUZZ, max_examples=30)
@given(document=json_values)
def test_the_json_import_refuses_random_structures(seeded, document):
    with rolled_back():
        before = database_state()
        with pytest.raises(interchange.InterchangeError):
            interchange.import_document(document)
        assert differences(before, database_state()) == {}
