"""Paginators for list screens (perfgoals.lists) whose view already knows how many rows it selected."""

from django.core.paginator import Paginator


class KnownCountPaginator(Paginator):
    """Pages of rows whose number the view has already counted (``count``), so the pages cost no
    second count of the same selection."""

    def __init__(self, object_list, per_page, *args, count, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count = count
