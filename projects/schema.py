"""The declared document schema: every field a project table, a department target and a 三级 row carry
through the interchange format, with its model field, its Chinese label and its kind.

The interchange shape check (projects.interchange), the keys the Excel writer carries and the reader
orders (projects.excel.writer, projects.excel.resolve), the review diff's labels (projects.review),
the editor's and the copy's row fields (projects.services) are derived from here. Adding a field to a
document means: the model, an entry here, and the export/import of its value where its kind needs a
conversion. tests/projects/test_schema.py fails when a model field is neither declared here nor listed
as the workflow's or bookkeeping.
"""

from dataclasses import dataclass

from indicators.models import Indicator
from projects.models import DepartmentTarget, ProjectTable

# Kinds: how a value is written in the interchange document.
SCALAR = "scalar"  # a code, a number or a name that is compared as written
TEXT = "text"  # free text (may be long, kept exactly)
MONEY = "money"  # 万元 as a decimal string
LIST = "list"  # a list whose items the document declares elsewhere


@dataclass(frozen=True)
class Field:
    key: str  # the interchange key, dotted for nested values ("funds.total")
    model_field: str | None  # the model field it is stored in (None: not a field of the document's row)
    kind: str = SCALAR

    def label(self, model):
        return str(model._meta.get_field(self.model_field).verbose_name) if self.model_field else self.key


@dataclass(frozen=True)
class Schema:
    model: type
    fields: tuple
    # Model fields deliberately not in the document: keys, bookkeeping, what the workflow owns, and
    # what is worked out from other fields (the checks' score, a 指标值's parsed parts).
    not_carried: frozenset

    @property
    def keys(self):
        """The interchange keys, dotted, in the document's order."""
        return tuple(field.key for field in self.fields)

    @property
    def top_level_keys(self):
        """The document's own keys, in order: "funds.total" gives "funds" once."""
        return tuple(dict.fromkeys(key.split(".", 1)[0] for key in self.keys))

    def shape(self, text, scalar, children=None):
        """The shape check's template of this document: each key's expected kind (``text`` for free text,
        ``scalar`` for everything else), nested dicts for dotted keys, ``children`` for list fields."""
        shape = {}
        for field in self.fields:
            *path, last = field.key.split(".")
            place = shape
            for part in path:
                place = place.setdefault(part, {})
            if field.kind == LIST:
                place[last] = (children or {})[field.key]
            else:
                place[last] = text if field.kind == TEXT else scalar
        return shape

    def field(self, key):
        return next(field for field in self.fields if field.key == key)


_BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "updated_by", "revision", "previous_version", "copied_from"})

PROJECT_TABLE = Schema(
    model=ProjectTable,
    fields=(
        Field("uid", "uid"),
        Field("region", "region"),
        Field("department", "department"),
        Field("unit", "unit"),
        Field("year", "year"),
        Field("name", "name", TEXT),
        Field("code", "code", TEXT),
        Field("attribute", "attribute"),
        Field("period", "period", TEXT),
        Field("funds.total", "funds_total", MONEY),
        Field("funds.fiscal", "funds_fiscal", MONEY),
        Field("funds.other", "funds_other", MONEY),
        Field("midterm_funds.total", "midterm_funds_total", MONEY),
        Field("midterm_funds.fiscal", "midterm_funds_fiscal", MONEY),
        Field("midterm_funds.other", "midterm_funds_other", MONEY),
        Field("fund_use", "fund_use", TEXT),
        Field("spending_plan", None, LIST),
        Field("goals", None, LIST),
        Field("framework", "framework"),
        Field("no_direct_beneficiaries", "no_direct_beneficiaries"),
        Field("status", "status"),
        Field("version", "version"),
        Field("indicators", None, LIST),
    ),
    not_carried=_BOOKKEEPING | {"quality_score", "quality_grade", "checked_at"},
)

DEPARTMENT_TARGET = Schema(
    model=DepartmentTarget,
    fields=(
        Field("uid", "uid"),
        Field("region", None),  # the department's region, named so the department is found
        Field("department", "department"),
        Field("year", "year"),
        Field("overall_goal", "overall_goal", TEXT),
        Field("funds.total", "funds_total", MONEY),
        Field("funds.basic", "funds_basic", MONEY),
        Field("funds.project", "funds_project", MONEY),
        Field("framework", "framework"),
        Field("status", "status"),
        Field("version", "version"),
        Field("sub_targets", None, LIST),
        Field("indicators", None, LIST),
    ),
    not_carried=_BOOKKEEPING,
)

INDICATOR = Schema(
    model=Indicator,
    fields=(
        Field("uid", "uid"),
        Field("level1", None),  # the 二级's 一级, named so the 二级 is found
        Field("level2", "level2"),
        Field("name", "name", TEXT),
        Field("description", "description", TEXT),
        Field("value", "value_text", TEXT),
        Field("midterm_value", "midterm_value_text", TEXT),
        Field("basis", "basis"),
        Field("basis_text", "basis_text", TEXT),
        Field("weight", "weight"),
        Field("note", "note", TEXT),
    ),
    not_carried=frozenset(
        {
            "id",
            "project",
            "department_target",
            "order",  # the row's place in the document's list
            "copied_from",
            "library_entry",
            *("value_nature", "value_number", "value_unit", "value_prefix", "value_qualitative"),  # parsed from value
        }
    ),
)

# The fields a row's editor and a copy write: every declared field of a 三级 row stored on it, its place,
# its parsed 指标值 and the library entry it was picked from.
INDICATOR_ROW_FIELDS = [
    *(field.model_field for field in INDICATOR.fields if field.model_field and field.model_field != "uid"),
    "order",
    *("value_nature", "value_number", "value_unit", "value_prefix", "value_qualitative"),
    "library_entry_id",
]
