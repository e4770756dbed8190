"""Finding entries for the editor's picker, ranked, with the value figures of the user's region.

Entries of another project category are left out unless nothing else matches the words typed.
Ranking, best first: the name equals the words typed; the entry is a core indicator of the table's
project category; it belongs to that category; it is used by more approved tables; then by name.
A request costs a fixed number of queries (entries, their usage, last year's rows of the unit)."""

from django.db.models import Q

from indicators.library.categories import infer_category  # noqa: F401  (the views infer a table's category)
from indicators.library.models import EntryUsage
from indicators.library.permissions import entries_visible_to
from indicators.library.usage import figures_text
from indicators.models import Indicator
from perfgoals.scope import scope_of

LIMIT = 12

def entries_matching(user, *, framework=None, level2=None, words="", category=""):
    """Entries in use that ``user`` may read, filtered as the picker asks (unranked queryset)."""
    entries = entries_visible_to(user).offered()
    if level2:
        entries = entries.filter(level2_id=level2)
    elif framework:
        entries = entries.filter(level2__level1__framework__code=framework)
    if category:
        entries = entries.filter(Q(category=category) | Q(category=""))
    for word in words.split():
        entries = entries.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return entries


def suggestions(user, *, framework=None, level2=None, words="", category="", year=None):
    """The picker's list: each entry with what approved tables of the user's region set for it and
    what the user's own unit set last year (``year`` is the table's budget year)."""
    scope = scope_of(user)

    def matching(category):
        found = entries_matching(user, framework=framework, level2=level2, words=words, category=category)
        return list(found.select_related("level2__level1").order_by()[:200])

    entries = matching(category)
    if not entries and category and words.strip():
        # Words typed that only another category's entries have: show those rather than nothing.
        entries = matching("")
    usage = {}
    if scope.region_id and entries:
        usage = {u.entry_id: u for u in EntryUsage.objects.filter(region_id=scope.region_id, entry__in=entries)}
    typed = words.strip()

    def rank(entry):
        count = usage[entry.pk].table_count if entry.pk in usage else 0
        return (
            entry.name != typed,
            not (entry.is_core and category and entry.category == category),
            bool(category) and entry.category != category,
            -count,
            entry.name,
        )

    entries = sorted(entries, key=rank)[:LIMIT]
    last_year = {}
    if scope.unit_id and year and entries:
        rows = Indicator.objects.filter(
            project__unit_id=scope.unit_id, project__year=year - 1, library_entry__in=entries
        ).values_list("library_entry_id", "value_text")
        last_year = dict(rows)
    return [
        {
            "id": entry.pk,
            "level1": entry.level2.level1.name,
            "level2": entry.level2.name,
            "level2_id": entry.level2_id,
            "name": entry.name,
            "description": entry.description,
            "nature": entry.get_nature_display() if entry.nature else "",
            "unit": entry.unit,
            "guidance": entry.guidance,
            "basis": entry.basis,
            "kind": entry.get_kind_display(),
            "category": entry.get_category_display() if entry.category else "",
            "is_core": entry.is_core,
            "tables": usage[entry.pk].table_count if entry.pk in usage else 0,
            "figures": figures_text(usage.get(entry.pk)),
            "last_year": last_year.get(entry.pk, ""),
        }
        for entry in entries
    ]
