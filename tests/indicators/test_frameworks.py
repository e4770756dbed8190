"""The framework snapshot: one query, every lookup the forms, checks and Excel need, one per request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.frameworks import FrameworkSnapshot, framework_scope, framework_snapshot
from indicators.models import Framework, Level1, Level2, Requirement
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_the_snapshot_is_read_in_one_query_and_names_every_level():
    factories.level2("产出指标", "数量指标")
    with CaptureQueriesContext(connection) as queries:
        snapshot = FrameworkSnapshot.load()
    assert len(queries) == 1
    level2 = snapshot.level2("2015", "产出指标", "数量指标")
    stored = Level2.objects.select_related("level1__framework").get(pk=level2.pk)
    assert (level2.level1.name, level2.name, level2.framework_code) == ("产出指标", "数量指标", stored.level1.framework.code)
    assert snapshot.level_names[stored.pk] == ("产出指标", "数量指标")
    assert snapshot.framework("2015").pk == stored.level1.framework_id
    assert snapshot.framework(stored.level1.framework_id).code == "2015"
    assert snapshot.level2_by_pk[stored.pk] is level2


def test_levels_come_in_printed_order_and_a_framework_without_levels_is_there():
    framework = Framework.objects.create(code="T9", name="测试体系", order=99)
    later = Level1.objects.create(framework=framework, name="效益指标", order=2)
    first = Level1.objects.create(framework=framework, name="产出指标", order=1)
    Level2.objects.create(level1=later, name="社会效益指标", order=1)
    Level2.objects.create(level1=first, name="时效指标", order=3, requirement=Requirement.REQUIRED_HARD)
    Level2.objects.create(level1=first, name="数量指标", order=1, requirement=Requirement.REQUIRED)
    Framework.objects.create(code="T0", name="空体系", order=100)
    snapshot = FrameworkSnapshot.load()
    entry = snapshot.framework("T9")
    assert [(level2.level1.name, level2.name) for level2 in entry.level2s] == [
        ("产出指标", "数量指标"),
        ("产出指标", "时效指标"),
        ("效益指标", "社会效益指标"),
    ]
    assert [level2.requirement_note for level2 in entry.level2s] == ["（必填）", "（必填硬性指标）", ""]
    assert entry.check_data.level1_names == ("产出指标", "效益指标")
    assert [spec.is_hard for spec in entry.check_data.level2s] == [False, True, False]
    assert snapshot.framework("T0").level2s == () and snapshot.check_data["T0"].code == "T0"
    assert [framework.code for framework in snapshot.frameworks][-2:] == ["T9", "T0"]


def test_a_scope_reads_the_frameworks_once_and_again_after_an_edit():
    level2 = factories.level2("产出指标", "数量指标")
    with framework_scope():
        with CaptureQueriesContext(connection) as queries:
            first = framework_snapshot()
            assert framework_snapshot() is first
        assert len(queries) == 1
        level2.name = "数量指标（改）"
        level2.save()
        assert framework_snapshot().level2_by_pk[level2.pk].name == "数量指标（改）"
    assert framework_snapshot() is not framework_snapshot()  # outside a scope: nothing is kept


def test_each_request_reads_the_frameworks_afresh():
    """The receivers of request_started / request_finished, called as the signals call them (sending the
    signals themselves would also close the test's database connection, which PostgreSQL then refuses)."""
    from indicators.frameworks import begin_request, end_request

    begin_request(sender=None)
    try:
        assert framework_snapshot() is framework_snapshot()
        kept = framework_snapshot()
    finally:
        end_request(sender=None)
    begin_request(sender=None)
    try:
        assert framework_snapshot() is not kept
    finally:
        end_request(sender=None)
