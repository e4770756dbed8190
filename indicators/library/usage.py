"""The value figures beside each entry, precomputed from approved tables.

A row counts for an entry when it links to it (picked from the library) or, for rows typed before the
library existed, when it has the entry's 二级 and exactly its name. Each table counts once per entry
and value. The figures are per region, so a unit only ever sees its own region's counts."""

from collections import Counter, defaultdict

from django.db import transaction

from indicators.checks.wording import normalized
from indicators.library.models import EntryUsage, LibraryEntry
from indicators.models import Indicator
from perfgoals.statuses import TableStatus

TOP_VALUES = 5


def value_key(text):
    """指标值 as counted: spaces dropped, full-width signs as typed ("≥ 95%" and "≥95%" are one)."""
    return "".join((text or "").split())


@transaction.atomic
def usage_refresh(*, region=None):
    """Recompute EntryUsage for every entry (of one region's tables, or all). Returns rows written."""
    by_name = {}
    for pk, level2_id, name in LibraryEntry.objects.values_list("pk", "level2_id", "name"):
        by_name.setdefault((level2_id, normalized(name)), pk)
    rows = Indicator.objects.filter(project__status=TableStatus.APPROVED)
    if region is not None:
        rows = rows.filter(project__region=region)
    seen = set()
    values = defaultdict(Counter)
    tables = defaultdict(set)
    for entry_id, level2_id, name, value, project_id, region_id in rows.values_list(
        "library_entry_id", "level2_id", "name", "value_text", "project_id", "project__region_id"
    ).iterator(chunk_size=5000):
        entry_id = entry_id or by_name.get((level2_id, normalized(name)))
        if entry_id is None:
            continue
        key = (entry_id, region_id)
        text = value_key(value)
        if (key, project_id, text) in seen:
            continue
        seen.add((key, project_id, text))
        tables[key].add(project_id)
        if text:
            values[key][text] += 1
    old = EntryUsage.objects.all() if region is None else EntryUsage.objects.filter(region=region)
    old.delete()
    EntryUsage.objects.bulk_create(
        [
            EntryUsage(
                entry_id=entry_id,
                region_id=region_id,
                table_count=len(projects),
                values=[[text, count] for text, count in values[(entry_id, region_id)].most_common(TOP_VALUES)],
                spread=len(values[(entry_id, region_id)]),
            )
            for (entry_id, region_id), projects in tables.items()
        ],
        batch_size=500,
    )
    return len(tables)


def figures_text(usage):
    """"≥95%: 41 张, ≥90%: 12 张" for the picker and the library page."""
    if usage is None or not usage.table_count:
        return ""
    return ", ".join(f"{text}: {count} 张" for text, count in usage.values[:3])
