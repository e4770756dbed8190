"""Give every row that existed before field history was switched on a first history record, so its
first change shows the value it had before (not an empty one) on the table's history page."""

from django.db import migrations
from django.utils import timezone

# The same text as perfgoals.history.BASELINE_REASON: the history page leaves these records out.
BASELINE_REASON = "启用修改记录时已有的内容"

TRACKED = (
    ("projects", "ProjectTable"),
    ("projects", "ProjectGoal"),
    ("projects", "SpendingCheckpoint"),
    ("projects", "DepartmentTarget"),
    ("projects", "DepartmentSubTarget"),
    ("indicators", "Indicator"),
)


def record_existing_rows(apps, schema_editor):
    now = timezone.now()
    for app_label, name in TRACKED:
        model = apps.get_model(app_label, name)
        history = apps.get_model(app_label, f"Historical{name}")
        recorded = set(history.objects.values_list("id", flat=True))
        names = [field.attname for field in history._meta.concrete_fields if not field.attname.startswith("history_")]
        batch = []
        for row in model.objects.iterator(chunk_size=2000):
            if row.pk in recorded:
                continue
            batch.append(
                history(
                    history_date=now,
                    history_type="+",
                    history_change_reason=BASELINE_REASON,
                    **{attname: getattr(row, attname) for attname in names},
                )
            )
            if len(batch) == 1000:
                history.objects.bulk_create(batch)
                batch = []
        history.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_field_history"),
        ("indicators", "0004_field_history"),
    ]

    operations = [migrations.RunPython(record_existing_rows, migrations.RunPython.noop)]
