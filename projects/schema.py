"""The declared document schema: every field a project table, a department target and a 三级 row carry
through the interchange format, with its model field, its Chinese label and its kind.

Derived from here: the interchange export (Schema.document) and its shape check (projects.interchange),
the import's reading of free text and amounts and its comparison of an unchanged table
(projects.interchange.plan), the keys the Excel writer carries hidden and the reader orders
(projects.excel.writer, projects.excel.resolve), the review diff's fields and labels (projects.review),
the editor's and the copy's row fields (projects.services). Adding a field to a document means: the
model, an entry here, and a reading of its own only where its kind is new. tests/projects/test_schema.py
fails when a model field is neither declared here nor listed as the workflow's or bookkeeping.
"""

import uuid
from dataclasses import dataclass

from indicators.models import Indicator
from perfgoals.formatting import decimal_text
from projects.breakdown import KEYS as LINE_KEYS
from projects.models import DepartmentSubTarget, DepartmentTarget, GoalKind, ProjectTable, SpendingCheckpoint

# Kinds: how a value is written in the interchange document.
SCALAR = "scalar"  # a code, a number, a flag or a uid, compared as written
TEXT = "text"  # free text (may be long, kept exactly)
MONEY = "money"  # 万元 as a decimal string
DECIMAL = "decimal"  # another decimal (a weight), as a decimal string
REFERENCE = "reference"  # another row (region, department, unit, code item), written as its code or name
FRAMEWORK = "framework"  # the 指标体系, written as its code (read from the framework snapshot)
LEVEL2 = "level2"  # a row's 二级, written as its name (its 一级 beside it), from the framework snapshot
LIST = "list"  # a list whose items the document declares elsewhere
LINES = "lines"  # lines stored as JSON on the row ({label, parent, amount}: projects.breakdown), kept as read


@dataclass(frozen=True)
class Field:
    key: str  # the interchange key, dotted for nested values ("funds.total")
    model_field: str | None  # the model field it is stored in (None: not a field of the document's row)
    kind: str = SCALAR
    via: str | None = None  # REFERENCE: the referenced row's attribute the document writes ("code", "name")
    title: str | None = None  # the label when it is not the model field's verbose name (lists, names)
    groups: tuple = ()  # a LIST grouped by kind ({kind: [items]}): the kinds, each carried by its own key

    def label(self, model):
        if self.title:
            return self.title
        return str(model._meta.get_field(self.model_field).verbose_name) if self.model_field else self.key

    def short_label(self, model):
        """The label as an import's problem names the value: the verbose name without （万元）, its 其中：
        dropped in front (财政拨款) and read as 的 inside (中期资金的财政拨款)."""
        label = self.label(model).removesuffix("（万元）")
        return label.removeprefix("其中：").replace("其中：", "的")

    @property
    def leaf_keys(self):
        """The dotted keys this field's values are carried by: a grouped list gives one per group."""
        return tuple(f"{self.key}.{group}" for group in self.groups) if self.groups else (self.key,)

    def written(self, value, snapshot=None):
        """A stored value as the document writes it (for a reference, the row it points at)."""
        if value is None:
            return None
        if self.kind in (MONEY, DECIMAL):
            return decimal_text(value)
        if self.kind == REFERENCE:
            return getattr(value, self.via)
        if self.kind == FRAMEWORK:
            return snapshot.framework(value).code
        if self.kind == LEVEL2:
            return snapshot.level2_by_pk[value].name
        if self.kind == LINES:
            return [{key: line.get(key) for key in LINE_KEYS} for line in value]
        if isinstance(value, uuid.UUID):
            return str(value)
        return value

    @property
    def attname(self):
        """What the row's stored value is read from: the id for a framework or a 二级, else the field itself."""
        return f"{self.model_field}_id" if self.kind in (FRAMEWORK, LEVEL2) else self.model_field


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
            elif field.kind == LINES:
                place[last] = [{"label": text, "parent": scalar, "amount": scalar}]
            else:
                place[last] = text if field.kind == TEXT else scalar
        return shape

    def field(self, key):
        return next(field for field in self.fields if field.key == key)

    def stored_fields(self, leaving_out=()):
        """The model fields the declared fields are stored in, in order, without those of ``leaving_out``
        (interchange keys)."""
        return tuple(field.model_field for field in self.fields if field.model_field and field.key not in leaving_out)

    def leaf_keys(self, leaving_out=()):
        """Every dotted key a value is carried by, in order, grouped lists expanded ("goals.annual"),
        without the top-level keys ``leaving_out``."""
        return tuple(key for field in self.fields if field.key not in leaving_out for key in field.leaf_keys)

    def document(self, row, snapshot, given, read=getattr):
        """The interchange dict of a stored (or planned) row: each declared field's value as the document
        writes it, nested for dotted keys. ``given`` holds the values that are not the row's own fields
        (lists, names found elsewhere), by key; ``snapshot`` the frameworks (indicators.frameworks);
        ``read(row, attname)`` reads a stored value (a row read as a dict: ``dict.__getitem__``)."""
        document = {}
        for field in self.fields:
            *path, last = field.key.split(".")
            place = document
            for part in path:
                place = place.setdefault(part, {})
            if field.key in given:
                place[last] = given[field.key]
            else:
                place[last] = field.written(read(row, field.attname), snapshot)
        return document


_BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "updated_by", "revision", "previous_version", "copied_from"})

PROJECT_TABLE = Schema(
    model=ProjectTable,
    fields=(
        Field("uid", "uid"),
        Field("region", "region", REFERENCE, via="code"),
        Field("department", "department", REFERENCE, via="name"),
        Field("unit", "unit", REFERENCE, via="name"),
        Field("year", "year"),
        Field("name", "name", TEXT),
        Field("code", "code", TEXT),
        Field("attribute", "attribute", REFERENCE, via="code"),
        Field("attribute_text", "attribute_text", TEXT),
        Field("period", "period", TEXT),
        Field("funds.total", "funds_total", MONEY),
        Field("funds.fiscal", "funds_fiscal", MONEY),
        Field("funds.other", "funds_other", MONEY),
        Field("funds.breakdown", "funds_breakdown", LINES),
        Field("midterm_funds.total", "midterm_funds_total", MONEY),
        Field("midterm_funds.fiscal", "midterm_funds_fiscal", MONEY),
        Field("midterm_funds.other", "midterm_funds_other", MONEY),
        Field("fund_use", "fund_use", TEXT),
        Field("manager", "manager", TEXT),
        Field("phone", "phone", TEXT),
        Field("spending_plan", None, LIST, title=str(SpendingCheckpoint._meta.verbose_name)),
        Field("goals", None, LIST, groups=tuple(GoalKind.values)),
        Field("framework", "framework", FRAMEWORK),
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
        Field("region", None, title="行政区划"),  # the department's region, named so the department is found
        Field("department", "department", REFERENCE, via="name"),
        Field("year", "year"),
        Field("overall_goal", "overall_goal", TEXT),
        Field("funds.total", "funds_total", MONEY),
        Field("funds.basic", "funds_basic", MONEY),
        Field("funds.project", "funds_project", MONEY),
        Field("framework", "framework", FRAMEWORK),
        Field("status", "status"),
        Field("version", "version"),
        Field("sub_targets", None, LIST, title=str(DepartmentSubTarget._meta.verbose_name)),
        Field("indicators", None, LIST),
    ),
    not_carried=_BOOKKEEPING,
)

INDICATOR = Schema(
    model=Indicator,
    fields=(
        Field("uid", "uid"),
        Field("level1", None, title="一级指标"),  # the 二级's 一级, named so the 二级 is found
        Field("level2", "level2", LEVEL2),
        Field("name", "name", TEXT),
        Field("description", "description", TEXT),
        Field("value", "value_text", TEXT),
        Field("midterm_value", "midterm_value_text", TEXT),
        Field("basis", "basis"),
        Field("basis_text", "basis_text", TEXT),
        Field("weight", "weight", DECIMAL),
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

# A table's own fields, as its editor writes them and its history shows them: what it declares but
# who and where it belongs to (chosen when it is created) and what the workflow owns.
BELONGING_AND_WORKFLOW = ("uid", "region", "department", "unit", "status", "version")
PROJECT_TABLE_EDITED_FIELDS = PROJECT_TABLE.stored_fields(leaving_out=BELONGING_AND_WORKFLOW)
