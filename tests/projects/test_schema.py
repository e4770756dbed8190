"""The declared document schema (projects.schema) covers every field of the documents, and what is
derived from it matches what the export writes."""

import pytest

from projects import interchange, schema
from projects.models import DepartmentTarget, ProjectTable


@pytest.mark.parametrize("declared", [schema.PROJECT_TABLE, schema.DEPARTMENT_TARGET, schema.INDICATOR], ids=lambda s: s.model.__name__)
def test_every_model_field_is_declared_or_named_as_not_carried(declared):
    """A field added to a model fails here until the schema says how the documents carry it."""
    model_fields = {field.name for field in declared.model._meta.concrete_fields}
    carried = {field.model_field for field in declared.fields if field.model_field}
    unknown = carried - model_fields
    assert not unknown, f"declared fields that are no model field: {sorted(unknown)}"
    missing = model_fields - carried - declared.not_carried
    assert not missing, f"{declared.model.__name__} fields neither in projects.schema nor listed as not carried: {sorted(missing)}"
    assert not (carried & declared.not_carried)


def test_the_export_writes_exactly_the_declared_keys_in_their_order(seeded):
    document = interchange.export_document(ProjectTable.objects.all(), DepartmentTarget.objects.all())
    for table in document["project_tables"]:
        assert tuple(table) == schema.PROJECT_TABLE.top_level_keys
        for row in table["indicators"]:
            assert tuple(row) == schema.INDICATOR.keys
    for target in document["department_targets"]:
        assert tuple(target) == schema.DEPARTMENT_TARGET.top_level_keys
        assert tuple(target["funds"]) == ("total", "basic", "project")


def test_the_labels_are_the_models_chinese_names():
    assert schema.PROJECT_TABLE.field("funds.total").label(ProjectTable) == "年度资金总额（万元）"
    assert schema.DEPARTMENT_TARGET.field("funds.basic").label(DepartmentTarget) == "其中：基本支出（万元）"
