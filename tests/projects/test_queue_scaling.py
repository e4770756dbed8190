"""The 待我审核 queues at province scale (issue 20): a queue's rows and its count are read from the
documents awaited, each one's submissions looked up by index, never by joining every review record of
the region and grouping them (PostgreSQL planned that join from every table of the region: 58 ms at
100,000 tables for a queue of self-evaluations that was empty)."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Opinion
from projects.evaluation.queue import awaiting_evaluations
from projects.models import Department
from projects.review import awaiting, awaiting_targets
from projects.workflow import project_return, project_submit
from tests import factories


def user(username):
    return get_user_model().objects.get(username=username)


def test_each_queue_reads_submissions_per_document_without_grouping_the_region(seeded):
    for username in ("pl_dept", "pl_finance"):
        reviewer = user(username)
        for queue in (awaiting(reviewer), awaiting_targets(reviewer), awaiting_evaluations(reviewer)):
            sql = str(queue.query)
            assert "GROUP BY" not in sql, (username, queue.model.__name__)
            assert 'JOIN "projects_reviewrecord"' not in sql, (username, queue.model.__name__)


def test_the_queue_page_shows_rounds_and_last_submission_without_grouping_review_records(client, seeded):
    unit = factories.unit(Department.objects.get(name="平罗县纪律检查委员会"))
    staff = factories.user("unit_staff", unit=unit)
    returned_once, fresh = factories.stored_table(unit, name="退回过的项目"), factories.stored_table(unit, name="新报的项目")
    project_submit(project=returned_once, by=staff)
    project_return(project=returned_once, by=user("pl_dept"), reason=Opinion.INCOMPLETE)
    project_submit(project=fresh, by=staff)
    last = project_submit(project=returned_once, by=staff)

    client.force_login(user("pl_dept"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("projects:review_queue"))
    assert response.status_code == 200
    rows = [(row.record.name, row.record.rounds, row.record.submitted_at) for row in response.context["table"].page.object_list]
    # oldest last submission first: the fresh table, then the one submitted again after its return
    assert rows[-2:] == [("新报的项目", 1, rows[-2][2]), ("退回过的项目", 2, last.at)]
    grouped = [query["sql"] for query in captured.captured_queries if "GROUP BY" in query["sql"] and "projects_reviewrecord" in query["sql"]]
    assert grouped == []
