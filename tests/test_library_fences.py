"""Fences around the library internals perfgoals leans on.

Four places do more than call a library's documented API, to be fast where users wait:
- projects/excel/cells.py reads a sheet's cells with expat as openpyxl's WorkSheetParser.parse_cell
  makes them, opens workbooks as openpyxl's ExcelReader does (grid.py and sheet.py read and write a
  few of openpyxl's private attributes too);
- perfgoals/tables.py replaces django-tables2's private utils.signature;
- perfgoals/form_renderer.py writes out Django's plain widget templates in Python;
- perfgoals/history.py copies simple-history's creation records with one raw INSERT … SELECT.
Each says which library version it follows, pyproject.toml keeps each library below its next major
version, and the tests below fail when an internal they rely on changes. When one fails after an
upgrade: re-read the perfgoals code it names against the new library, adapt it, and only then record
the new text or digest here.
"""

import copy
import datetime
import hashlib
import inspect
import io
import re
import sys
import tomllib
import uuid
import zipfile
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tables2 import utils as tables2_utils
from django_tables2.data import TableQuerysetData
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell as OpenpyxlCell
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser, _cast_number
from simple_history.manager import HistoryManager
from simple_history.middleware import HistoryRequestMiddleware
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

import perfgoals.tables
from indicators.models import Indicator
from perfgoals import history as perfgoals_history
from perfgoals.history import acting_user, create_with_history
from perfgoals.tables import BaseTable, StableQuerysetData
from projects.excel.cells import NumberFormats, open_read_only, read_sheet
from projects.models import ProjectGoal
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def _parameters(function):
    return list(inspect.signature(function).parameters)


# The versions each fence was written against, and the bound pyproject.toml must keep.


@pytest.mark.parametrize(
    "distribution, bound, major",
    [
        ("Django", "<5.3", (5, 2)),
        ("openpyxl", "<4", (3,)),
        ("django-tables2", "<4", (3,)),
        ("django-simple-history", "<4", (3,)),
    ],
)
def test_pyproject_keeps_each_fenced_library_below_its_next_major_version(distribution, bound, major):
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    (requirement,) = [line for line in dependencies if re.match(rf"{re.escape(distribution)}\s*[<>=!~]", line, re.I)]
    assert bound in requirement.replace(" ", "").split(","), requirement
    installed = tuple(int(part) for part in version(distribution).split(".")[: len(major)])
    assert installed == major, f"{distribution} {version(distribution)} is installed; the fences follow {major}"


# openpyxl: projects/excel/cells.py (and grid.merged_ranges, sheet.CellStyles).

# The openpyxl code that projects/excel/cells.py copies or depends on line by line, by the SHA-256 of
# its source (openpyxl 3.1.5). A new digest means openpyxl changed it: re-read cells.py against it.
OPENPYXL_COPIED = {
    "WorkSheetParser.parse_cell (cells._SheetReader._end_cell)": (WorkSheetParser.parse_cell, "c999f7bc699a521f"),
    "WorkSheetParser.parse_row (cells._SheetReader._start_row)": (WorkSheetParser.parse_row, "6a1bbadaee7d4fb3"),
    "_cast_number (numbers in cells._SheetReader._end_cell)": (_cast_number, "354a93d29f7c777c"),
    "Text.content (inline strings in cells._SheetReader)": (Text.content.fget, "6fdca32cf48b55c2"),
    "ExcelReader.read_worksheets (cells._ReadOnlyReader)": (ExcelReader.read_worksheets, "005967c253472812"),
    "ReadOnlyWorksheet.__init__ (cells._UnsizedWorksheet)": (ReadOnlyWorksheet.__init__, "a3eeb9a3d84cbd3a"),
    "ReadOnlyCell.number_format (cells.NumberFormats)": (ReadOnlyCell.number_format.fget, "155c12d42278d480"),
}


@pytest.mark.parametrize("name", OPENPYXL_COPIED)
def test_the_openpyxl_code_the_cell_reader_mirrors_is_unchanged(name):
    function, digest = OPENPYXL_COPIED[name]
    found = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
    assert found == digest, f"openpyxl changed {name}: re-read projects/excel/cells.py against it"


_SHARED_STRINGS = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    "<si><t>共享字符串</t></si></sst>"
)


def _workbook_with_styles():
    """An openpyxl-written workbook with a date, a duration and a percent style in use and, as Excel
    and WPS write them (openpyxl writes strings inline), a shared string; and the style id of each
    style, read from its sheet XML."""
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = datetime.datetime(2024, 3, 1)
    sheet["B1"] = 1.5
    sheet["B1"].number_format = "[h]:mm:ss"
    sheet["D1"] = 3
    sheet["D1"].number_format = "0.00%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode()
    styles = {column: re.search(rf'<c r="{column}1" s="(\d+)"', xml).group(1) for column in "ABD"}
    shared = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    content = _rewritten(buffer.getvalue(), {
        "[Content_Types].xml": lambda xml: xml.replace("</Types>", shared),
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace("</Relationships>", (
            '<Relationship Id="rIdStrings" Target="sharedStrings.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
        )),
    })
    return _rewritten(content, {}, add={"xl/sharedStrings.xml": _SHARED_STRINGS}), styles


def _rewritten(content, changes, add=None):
    """The .xlsx ``content`` with the XML parts named in ``changes`` passed through them, plus ``add``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename in changes:
                data = changes[info.filename](data.decode()).encode()
            target.writestr(info, data)
        for name, text in (add or {}).items():
            target.writestr(name, text.encode())
    return buffer.getvalue()


def _with_sheet_data(content, rows):
    """The workbook with its first sheet's cells replaced by the hand-written XML ``rows``."""

    def change(xml):
        xml = re.sub(r"<dimension [^>]*/>", "", xml)
        return re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>", xml, flags=re.S)

    return _rewritten(content, {"xl/worksheets/sheet1.xml": change})


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")
def test_every_branch_of_openpyxls_cell_parsing_reads_the_same_in_the_cell_reader():
    """One cell for each way parse_cell makes a value, read by openpyxl and by projects.excel.cells."""
    content, style = _workbook_with_styles()
    rows = (
        f'<row r="1"><c r="A1"><v>42</v></c><c r="B1"><v>-0.25</v></c><c r="C1"><v>1E-3</v></c>'
        f'<c r="D1" s="{style["A"]}"><v>45352.5</v></c><c r="E1" s="{style["B"]}"><v>1.25</v></c>'
        f'<c r="F1" s="{style["A"]}"><v>99999999</v></c><c r="G1" s="{style["D"]}"><v>0.5</v></c></row>'
        '<row r="2.0"><c t="s"><v>0</v></c><c t="b"><v>1</v></c><c t="b"><v>0</v></c><c t="e"><v>#REF!</v></c>'
        '<c t="str"><v>公式的结果</v></c><c t="d"><v>2024-03-01T08:30:00</v></c>'
        '<c t="inlineStr"><is><t>甲</t><r><t>乙</t></r><rPh sb="0" eb="1"><t>ふり</t></rPh></is></c>'
        '<c t="inlineStr"/><c r="K2"><v></v></c></row>'
    )
    data = _with_sheet_data(content, rows)
    expected_book = load_workbook(io.BytesIO(data), read_only=True)
    expected = [
        (cell.row, cell.column, cell.value, cell.data_type, cell.number_format)
        for row in expected_book.worksheets[0].iter_rows()
        for cell in row
        if cell.value is not None and cell.value != ""
    ]
    workbook = open_read_only(data)
    cells, _ = read_sheet(workbook, workbook.worksheets[0], NumberFormats(workbook))
    assert [(cell.row, cell.column, cell.value, cell.data_type, cell.number_format) for cell in cells] == expected
    assert {(row, column): kind for row, column, _, kind, _ in expected} == {
        (1, 1): "n", (1, 2): "n", (1, 3): "n", (1, 4): "d", (1, 5): "d", (1, 6): "e", (1, 7): "n",
        (2, 1): "s", (2, 2): "b", (2, 3): "b", (2, 4): "e", (2, 5): "s", (2, 6): "d", (2, 7): "s",
    }


def test_the_openpyxl_internals_the_cell_reader_reads_are_still_there():
    content, _ = _workbook_with_styles()
    assert _parameters(ReadOnlyWorksheet.__init__) == [
        "self", "parent_workbook", "title", "worksheet_path", "shared_strings"
    ]
    assert {"fn", "read_only", "data_only"} <= set(_parameters(ExcelReader.__init__))
    reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=False)
    reader.read()
    assert callable(reader.parser.find_sheets) and callable(reader.read_chartsheet)
    assert reader.valid_files and reader.shared_strings == ["共享字符串"] and reader.wb._sheets
    workbook = open_read_only(content)
    sheet = workbook.worksheets[0]
    assert isinstance(sheet, ReadOnlyWorksheet) and callable(ReadOnlyWorksheet._get_size)
    assert sheet._shared_strings == ["共享字符串"] and sheet._worksheet_path in workbook._archive.namelist()
    assert all(hasattr(style, "numFmtId") for style in workbook._cell_styles)
    assert isinstance(workbook._number_formats, list) and workbook.epoch == datetime.datetime(1899, 12, 30)
    assert workbook._date_formats and workbook._timedelta_formats <= workbook._date_formats


def test_the_workbook_opens_with_its_sheets_unsized_and_as_openpyxl_lists_them():
    """cells.open_read_only skips ReadOnlyWorksheet's sizing (a full parse of sheets without a
    <dimension>): its sheets have no size, and are otherwise the sheets load_workbook finds."""
    content, _ = _workbook_with_styles()
    opened = open_read_only(content)
    expected = load_workbook(io.BytesIO(content), read_only=True)
    assert expected.worksheets[0].max_row == 1 and opened.worksheets[0].max_row is None
    assert [(sheet.title, sheet.sheet_state) for sheet in opened.worksheets] == [
        (sheet.title, sheet.sheet_state) for sheet in expected.worksheets
    ]


def test_a_cell_takes_another_cells_style_array_as_the_excel_writer_copies_styles():
    """projects/excel/sheet.py (CellStyles): a cell's private _style passed as style_array."""
    assert "style_array" in _parameters(OpenpyxlCell.__init__)
    sheet = Workbook(write_only=True).create_sheet()
    scratch = OpenpyxlCell(sheet)
    scratch.font = Font(name="黑体", bold=True)
    scratch.number_format = "0.00"
    assert isinstance(scratch._style, StyleArray)
    cell = OpenpyxlCell(sheet, row=1, column=1, value="标题", style_array=scratch._style)
    assert cell.font.name == "黑体" and cell.font.b and cell.number_format == "0.00"


# django-tables2: perfgoals/tables.py.


def test_django_tables2_looks_up_the_patched_signature_helper_at_each_call():
    assert getattr(tables2_utils.signature, "remembers", False), "perfgoals.tables did not patch utils.signature"
    assert tables2_utils.call_with_appropriate.__globals__ is vars(tables2_utils)
    assert "signature" in tables2_utils.call_with_appropriate.__code__.co_names
    # No module of django-tables2 holds its own reference to the unpatched helper.
    holders = [
        f"{name}.{attribute}"
        for name, module in list(sys.modules.items())
        if name.split(".")[0] == "django_tables2"
        for attribute, value in vars(module).items()
        if inspect.isfunction(value) and value.__module__ == "django_tables2.utils" and value.__name__ == "signature"
    ]
    assert not holders


def test_the_signature_helper_gives_argument_names_and_the_catch_all_for_functions_and_methods():
    class Column:
        def render(self, value, record, *args, **kwargs):
            return value

    assert tables2_utils.signature(Column().render) == (("value", "record"), "kwargs")
    assert tables2_utils.signature(Column.render) == (("self", "value", "record"), "kwargs")
    assert tables2_utils.signature(lambda value: value) == (("value",), None)


def test_a_list_page_works_out_each_render_functions_signature_once_not_once_per_cell(monkeypatch):
    worked_out = []

    def signature(fn, **kwargs):
        worked_out.append(getattr(fn, "__name__", fn))
        return inspect.signature(fn, **kwargs)

    monkeypatch.setattr(tables2_utils, "inspect", SimpleNamespace(signature=signature))

    class FenceTable(BaseTable):
        name = perfgoals.tables.tables.Column()

        def render_name(self, value, record):
            return f"{value}（{record['order']}）"

    table = FenceTable([{"name": f"项目{number}", "order": number} for number in range(30)])
    assert [cell for row in table.rows for cell in row][-1] == "项目29（29）"
    assert worked_out.count("render_name") == 1


def test_the_stable_rows_hook_into_django_tables2s_queryset_data(db):
    assert _parameters(TableQuerysetData.__init__) == ["self", "data"]
    assert _parameters(TableQuerysetData.order_by) == ["self", "aliases"]
    assert isinstance(inspect.getattr_static(TableQuerysetData, "validate"), staticmethod)

    class UserTable(BaseTable):
        username = perfgoals.tables.tables.Column()

    table = UserTable(get_user_model().objects.order_by("last_name"), order_by="username")
    assert isinstance(table.data, StableQuerysetData)
    assert list(table.data.data.query.order_by) == ["username", "last_name", "pk"]


# Django's form templates: perfgoals/form_renderer.py.

_INPUT = (
    '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
    "value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
    '{% include "django/forms/widgets/attrs.html" %}>\n'
)
# The text of each template form_renderer.py writes out in Python, as Django 5.2 has it.
DJANGO_WIDGET_TEMPLATES = {
    "django/forms/widgets/input.html": _INPUT,
    "django/forms/widgets/attrs.html": (
        "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
    ),
    "django/forms/widgets/textarea.html": (
        '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
        "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>\n"
    ),
    "django/forms/widgets/select.html": (
        '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
        "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
        '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
        "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
        "  </optgroup>{% endif %}{% endfor %}\n"
        "</select>\n"
    ),
    "django/forms/widgets/select_option.html": (
        "<option value=\"{{ widget.value|stringformat:'s' }}\""
        '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n'
    ),
    **{
        f"django/forms/widgets/{kind}.html": '{% include "django/forms/widgets/input.html" %}\n'
        for kind in (
            "text", "number", "email", "url", "password", "hidden", "checkbox", "date", "datetime", "time", "search", "tel"
        )
    },
}


@pytest.mark.parametrize("name", DJANGO_WIDGET_TEMPLATES)
def test_django_renders_the_widget_templates_the_form_renderer_writes_in_python(name):
    source = DjangoTemplates().engine.get_template(name).template.source
    assert source == DJANGO_WIDGET_TEMPLATES[name], f"{name} changed: re-read perfgoals/form_renderer.py against it"


def test_the_form_renderer_covers_exactly_the_recorded_templates():
    from perfgoals import form_renderer

    covered = form_renderer._INPUTS | {form_renderer._TEXTAREA, form_renderer._SELECT, form_renderer._OPTION}
    included = {"django/forms/widgets/input.html", "django/forms/widgets/attrs.html"}
    assert covered | included == set(DJANGO_WIDGET_TEMPLATES)


def test_django_hands_the_form_renderer_the_widget_context_it_reads():
    assert _parameters(DjangoTemplates.render) == ["self", "template_name", "context", "request"]
    assert _parameters(render_value_in_context) == ["value", "context"]
    widget = forms.Select(choices=[("产出指标", [(1, "数量指标")]), (9, "其他")]).get_context("level2", 9, {"id": "x"})["widget"]
    assert {"name", "value", "attrs", "template_name", "optgroups"} <= set(widget)
    groups = [(name, len(options), index) for name, options, index in widget["optgroups"]]
    assert groups == [("产出指标", 1, 0), (None, 1, 1)]
    option = widget["optgroups"][1][1][0]
    assert option["template_name"] == "django/forms/widgets/select_option.html"
    assert (option["value"], option["label"], option["attrs"]) == (9, "其他", {"selected": True})
    assert forms.TextInput().get_context("name", "值", {})["widget"]["type"] == "text"


# django-simple-history: perfgoals/history.py.


def _tracked_models():
    from django.apps import apps

    found = [model for model in apps.get_models() if isinstance(getattr(model, "history", None), HistoryManager)]
    assert {model.__name__ for model in found} >= {"ProjectTable", "ProjectGoal", "Indicator", "DepartmentTarget"}
    return found


def test_every_tracked_models_creation_records_are_copied_by_the_database():
    """The INSERT … SELECT is taken only when a history table has exactly the columns it writes;
    a simple-history release that adds one would silently send every import down the slow path."""
    slow = [model.__name__ for model in _tracked_models() if not perfgoals_history._copyable(model)]
    assert not slow


def test_the_copy_statement_writes_every_column_of_each_history_table_from_the_tables_own(db):
    for model in _tracked_models():
        history = model.history.model
        statement = perfgoals_history._copy_statement(model, connection, 1)
        found = re.fullmatch(r"INSERT INTO (\S+) \((.+?)\) SELECT (.+?), %s, %s, %s, %s FROM (\S+) WHERE .*", statement)
        targets = [name.strip('"`') for name in found.group(2).split(", ")]
        sources = [name.strip('"`') for name in found.group(3).split(", ")]
        with connection.cursor() as cursor:
            describe = connection.introspection.get_table_description
            history_columns = {column.name for column in describe(cursor, history._meta.db_table)}
            row_columns = {column.name for column in describe(cursor, model._meta.db_table)}
        assert sorted(targets) == sorted(history_columns - {"history_id"}), model.__name__
        assert targets[-4:] == ["history_date", "history_change_reason", "history_type", "history_user_id"]
        assert set(sources) <= row_columns and len(sources) == len(targets) - 4, model.__name__
        assert [history._meta.get_field(field.name).column for field in history.tracked_fields] == targets[:-4]


def _records(model, rows):
    ignored = {"history_id", "id", "uid"}  # the rows are different rows: only their values must match
    return [
        {name: value for name, value in record.items() if name not in ignored}
        for record in model.history.filter(id__in=[row.pk for row in rows]).order_by("id").values()
    ]


def test_a_copied_creation_record_is_the_record_simple_history_writes(reference_data):
    table = factories.stored_table()
    by = factories.user("unit_staff", unit=table.unit)
    at = timezone.now()
    samples = {ProjectGoal: table.goals.first(), Indicator: table.indicators.first()}
    for model, sample in samples.items():
        copied, written = [], []
        for rows in (copied, written):
            for order in (7, 8):
                row = copy.copy(sample)
                row.pk = row.id = None
                row.order = order
                if model is Indicator:
                    row.uid = uuid.uuid4()
                rows.append(row)
        with CaptureQueriesContext(connection) as queries:
            create_with_history(copied, by=by, reason="复制", at=at)
        assert any(" SELECT " in query["sql"] and query["sql"].startswith("INSERT") for query in queries), "not copied"
        bulk_create_with_history(written, model, default_user=by, default_change_reason="复制", default_date=at)
        assert _records(model, copied) == _records(model, written), model.__name__
        assert [record["history_type"] for record in _records(model, copied)] == ["+", "+"]


def test_simple_history_reads_the_user_time_and_reason_a_row_carries(reference_data):
    table = factories.stored_table()
    carried_by = factories.user("unit_staff", unit=table.unit)
    carried_at = timezone.now() - datetime.timedelta(days=3)
    goal = ProjectGoal(project=table, order=9, text="补充的目标")
    goal._history_user, goal._history_date, goal._change_reason = carried_by, carried_at, "随行原因"
    create_with_history([goal], by=None, reason="默认原因")
    record = goal.history.get()
    assert (record.history_user, record.history_date, record.history_change_reason) == (carried_by, carried_at, "随行原因")
    assert perfgoals_history._PER_ROW_HISTORY == {"_history_user", "_history_date", "_change_reason"}


def test_the_acting_user_is_the_one_simple_historys_middleware_exposes(db):
    user = factories.user("unit_staff", unit=factories.unit())
    request = RequestFactory().get("/")
    request.user = user
    assert HistoryRequestMiddleware(lambda request: acting_user())(request) == user
    assert acting_user() is None  # the request is let go after the response


def test_simple_history_calls_and_takes_what_perfgoals_history_passes():
    assert _parameters(HistoricalRecords.post_delete) == ["self", "instance", "using", "kwargs"]
    defaults = {"batch_size", "default_user", "default_change_reason", "default_date"}
    assert {"objs", "model"} | defaults <= set(_parameters(bulk_create_with_history))
    assert {"objs", "model", "fields"} | defaults <= set(_parameters(bulk_update_with_history))
    assert {"objs", "update"} | defaults - {"batch_size"} <= set(_parameters(HistoryManager.bulk_history_create))
    history = ProjectGoal.history.model
    assert {"tracked_fields", "instance_type"} <= set(dir(history)) and history._meta.pk.name == "history_id"
