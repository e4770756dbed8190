"""The library as the checks read it (indicators.checks.library.LibraryData), for a framework and region."""

import json

from django.db.models import OuterRef, Q, Subquery

from indicators.checks.library import EntryData, LibraryData
from indicators.frameworks import framework_snapshot
from indicators.library.models import EntryStatus, EntryUsage, LibraryEntry


def library_data(*, framework_code, region_id):
    """The entries in use of this framework that a table of this region may use (national and the
    region's), each with the region's value figures. One query."""
    usage = EntryUsage.objects.filter(entry=OuterRef("pk"), region_id=region_id).values("values")[:1]
    rows = (
        LibraryEntry.objects.filter(state=EntryStatus.ACTIVE, level2__level1__framework__code=framework_code)
        .filter(Q(region__isnull=True) | Q(region_id=region_id))
        .annotate(usage_values=Subquery(usage))
        .values_list("level2__level1__name", "level2__name", "name", "unit", "nature", "category", "is_core", "usage_values")
    )
    entries = []
    for level1, level2, name, unit, nature, category, is_core, values in rows:
        if isinstance(values, str):  # a JSON column read through a subquery comes back as text
            values = json.loads(values)
        entries.append(EntryData(level1, level2, name, unit, nature, category, is_core, tuple(tuple(v) for v in values or ())))
    return LibraryData(entries=tuple(entries))


class LibraryCache(dict):
    """library_data per (framework code, region id), loaded once for a batch of tables. ``snapshot``: the
    frameworks the batch reads (indicators.frameworks), else the current request's or import's."""

    def __init__(self, snapshot=None):
        super().__init__()
        self.snapshot = snapshot

    def for_table(self, table):
        # The 指标体系's code from the snapshot: a table may hold only its framework's id (an import).
        snapshot = self.snapshot or framework_snapshot()
        key = (snapshot.framework(table.framework_id).code, table.region_id)
        if key not in self:
            self[key] = library_data(framework_code=key[0], region_id=key[1])
        return self[key]
