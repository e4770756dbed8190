"""The common library shipped as reference data (fixtures/indicator_library.json), for both frameworks.

Each entry names its 二级 as the 2015 framework does; the 2021 framework moved 成本指标 to a 一级 of
its own (经济成本指标), so that one name is mapped. Entries with a project category are 行业 entries,
the others 共性. Loading is idempotent: an entry already there (same 二级, name, category, national)
is left as the administrator may have edited it."""

import json

from django.conf import settings
from django.db import transaction

from indicators.library.models import EntryKind, LibraryEntry
from indicators.models import Level2

LIBRARY_FIXTURE = settings.BASE_DIR / "fixtures" / "indicator_library.json"
LEVEL2_BY_FRAMEWORK = {"2021": {"成本指标": "经济成本指标"}}


@transaction.atomic
def load_common_library(path=LIBRARY_FIXTURE):
    """Create the national entries of the fixture for every framework that has their 二级; returns
    how many were created."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    level2s = {}
    for level2 in Level2.objects.select_related("level1__framework"):
        level2s[(level2.level1.framework.code, level2.name)] = level2
    frameworks = {code for code, _ in level2s}
    created = 0
    for framework in sorted(frameworks):
        for row in rows:
            name = LEVEL2_BY_FRAMEWORK.get(framework, {}).get(row["level2"], row["level2"])
            level2 = level2s.get((framework, name))
            if level2 is None:
                continue
            _, made = LibraryEntry.objects.get_or_create(
                level2=level2,
                name=row["name"],
                category=row["category"],
                region=None,
                department=None,
                defaults={
                    "description": row["description"],
                    "nature": row["nature"],
                    "unit": row["unit"],
                    "guidance": row["guidance"],
                    "basis": row["basis"],
                    "kind": EntryKind.SECTOR if row["category"] else EntryKind.COMMON,
                    "is_core": row["is_core"],
                },
            )
            created += made
    return created
