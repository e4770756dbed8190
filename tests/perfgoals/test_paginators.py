"""Reading one page of a list sorted group by group (perfgoals.paginators.rows_through_groups): the page
holds the rows a slice of the whole list would, and the groups are read only as far as the page reaches."""

import itertools

import pytest

from perfgoals.paginators import groups_covering, rows_through_groups

# Groups (tables) in the list's order with their rows in order: some have none.
GROUPS = {"a": [1, 2, 3], "b": [], "c": [4], "d": [5, 6, 7, 8, 9], "e": [], "f": [10, 11]}
WHOLE = [row for rows in GROUPS.values() for row in rows]


class Counting:
    """The groups with their row counts, remembering how many of them were read."""

    def __init__(self):
        self.read = 0

    def __iter__(self):
        for key, rows in GROUPS.items():
            self.read += 1
            yield key, len(rows)


def rows_of(keys):
    return [row for key in keys for row in GROUPS[key]]


@pytest.mark.parametrize(("offset", "limit"), list(itertools.product(range(13), range(1, 6))))
def test_a_page_holds_the_rows_of_that_slice_of_the_whole_list(offset, limit):
    assert rows_through_groups(Counting(), rows_of, offset, limit) == WHOLE[offset : offset + limit]


def test_the_groups_after_the_page_are_not_read():
    groups = Counting()
    assert groups_covering(groups, 2, 3) == (["a", "c", "d"], 2)
    assert groups.read == 4


def test_a_page_of_no_rows_reads_no_group():
    groups = Counting()
    assert rows_through_groups(groups, rows_of, 0, 0) == []
    assert groups.read == 0
