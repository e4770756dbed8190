"""Changes to the library that span more than one form: retiring, confirming and promoting entries,
and a department's proposal from its approved tables. Each change is recorded in the entry's history."""

from collections import Counter

from django.db import transaction

from indicators.checks.wording import normalized
from indicators.library.models import EntryKind, EntryStatus, LibraryEntry
from indicators.models import Indicator
from perfgoals.statuses import TableStatus

# A name used in at least this many approved tables of the department is worth proposing.
PROPOSAL_MIN_TABLES = 2


def _save(entry, by, fields):
    entry._history_user = by
    entry.save(update_fields=fields)


@transaction.atomic
def entry_retire(*, entry, by):
    """停用：不再供选用；已选用它的三级指标保留内容和关联。"""
    entry.state = EntryStatus.RETIRED
    _save(entry, by, ["state"])


@transaction.atomic
def entry_confirm(*, entry, by):
    """财政确认部门提出的指标，之后本部门的单位可以选用。"""
    entry.state = EntryStatus.ACTIVE
    _save(entry, by, ["state"])


@transaction.atomic
def entry_promote(*, entry, by):
    """把部门的指标提升为本地区的行业指标：另建一条属于地区的条目，部门条目停用并指向它的行保留。
    An entry of the region's own library is already there: it only becomes a 行业 entry."""
    if entry.department_id is None:
        if entry.kind != EntryKind.SECTOR:
            entry.kind = EntryKind.SECTOR
            _save(entry, by, ["kind"])
        return entry
    promoted, _ = LibraryEntry.objects.get_or_create(
        level2=entry.level2,
        name=entry.name,
        category=entry.category,
        region=entry.region,
        department=None,
        defaults={
            "description": entry.description,
            "nature": entry.nature,
            "unit": entry.unit,
            "guidance": entry.guidance,
            "basis": entry.basis,
            "kind": EntryKind.SECTOR,
            "is_core": entry.is_core,
            "created_by": by,
        },
    )
    if entry.state != EntryStatus.RETIRED:
        entry.state = EntryStatus.RETIRED
        _save(entry, by, ["state"])
    return promoted


@transaction.atomic
def proposals_from_approved_tables(*, department, by):
    """Propose (待确认) the department's own entries: the 三级 names its approved tables use in at least
    PROPOSAL_MIN_TABLES tables that no library the department sees holds yet, each with its most common
    unit and nature. Returns how many were proposed."""
    known = {
        (level2_id, normalized(name))
        for level2_id, name in LibraryEntry.objects.filter(region__isnull=True).values_list("level2_id", "name")
    } | {
        (level2_id, normalized(name))
        for level2_id, name in LibraryEntry.objects.filter(region=department.region).values_list("level2_id", "name")
    }
    rows = Indicator.objects.filter(project__department=department, project__status=TableStatus.APPROVED).values_list(
        "level2_id", "name", "description", "value_unit", "value_nature", "project_id"
    )
    tables, first, units, natures = {}, {}, {}, {}
    for level2_id, name, description, unit, nature, project_id in rows:
        key = (level2_id, normalized(name))
        if not key[1] or key in known:
            continue
        tables.setdefault(key, set()).add(project_id)
        first.setdefault(key, (name.strip(), description))
        units.setdefault(key, Counter())[unit] += 1
        natures.setdefault(key, Counter())[nature] += 1
    created = 0
    for key, projects in tables.items():
        if len(projects) < PROPOSAL_MIN_TABLES:
            continue
        name, description = first[key]
        entry = LibraryEntry(
            level2_id=key[0],
            name=name[:200],
            description=description,
            unit=units[key].most_common(1)[0][0],
            nature=natures[key].most_common(1)[0][0],
            kind=EntryKind.SPECIFIC,
            region=department.region,
            department=department,
            state=EntryStatus.PROPOSED,
            created_by=by,
        )
        entry._history_user = by
        entry.save()
        created += 1
    return created
