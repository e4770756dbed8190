"""Paginators for list screens (perfgoals.lists) whose view already knows how many rows it selected, and
the reading of one page through the groups (tables) its rows belong to."""

from django.core.paginator import Paginator


class KnownCountPaginator(Paginator):
    """Pages of rows whose number the view has already counted (``count``), so the pages cost no
    second count of the same selection."""

    def __init__(self, object_list, per_page, *args, count, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count = count


def in_batches(queryset, first):
    """The rows of an ordered ``queryset``, read ``first`` at a time and then in batches twice as large
    as the one before: a walk that stops early reads few rows, and a long one few queries."""
    start, size = 0, max(first, 1)
    while True:
        batch = list(queryset[start : start + size])
        yield from batch
        if len(batch) < size:
            return
        start += size
        size *= 2


def groups_covering(groups, offset, limit):
    """The keys of the groups whose rows fill rows ``offset`` to ``offset + limit`` of a list sorted
    group by group, and how many rows of the first of them come before the page.

    ``groups`` yields (key, number of rows) in the list's order; it is read only as far as the page
    reaches, so a page costs the groups before and on it, not every group of the selection."""
    chosen, skip, seen, end = [], 0, 0, offset + limit
    for key, count in groups:
        if count and seen + count > offset:
            if not chosen:
                skip = offset - seen
            chosen.append(key)
        seen += count
        if seen >= end:
            break
    return chosen, skip


def rows_through_groups(groups, rows_of, offset, limit):
    """Rows ``offset`` to ``offset + limit`` of a list whose order keeps each group's rows together
    (the rows of one table, say, between those of the tables sorted before and after it).

    Sorting every row of the selection to show one page costs as much as the selection; walking the
    groups in their order (an index does that) until their counts cover the page, then sorting only
    those groups' rows, costs what the page and the groups before it hold. ``groups`` yields (key,
    number of rows) in the list's order; ``rows_of(keys)`` is the list's own ordered queryset narrowed
    to those groups' rows, so the page holds the same rows, in the same order, as a slice of the whole."""
    if limit <= 0:
        return []
    keys, skip = groups_covering(groups, offset, limit)
    if not keys:
        return []
    return list(rows_of(keys)[skip : skip + limit])
