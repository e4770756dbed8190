"""Who the benchmarks act as in a generated database (bench/generate.py), and on which tables.

The busiest people of a province: the staff of the unit with the most tables this year in the
department with the most tables, that department's reviewer, and the finance officer of the region
with the most tables. Needs Django set up on the benchmark database."""

from dataclasses import dataclass, field

from django.db.models import Count


@dataclass
class Cast:
    year: int
    unit_staff: object
    department_reviewer: object
    finance_officer: object
    # An editable table of the unit with the most rows (draft or returned): the editor's worst case.
    editable_table: object
    # A table in the finance officer's queue that was submitted twice: the review page with a diff.
    review_table: object
    # Accounts of each role for the load test: (username, role), busiest scopes first.
    load_accounts: list = field(default_factory=list)


def busiest_cast(load_accounts_per_role=10):
    from projects.models import ProjectTable, ReviewRecord, TableStatus

    tables = ProjectTable.objects.order_by()
    year = tables.order_by("-year").values_list("year", flat=True).first()
    this_year = tables.filter(year=year)

    def busiest(field_name, queryset):
        return queryset.values(field_name).annotate(n=Count("pk")).order_by("-n", field_name).values_list(field_name, flat=True)

    department_id = busiest("department", this_year)[0]
    unit_id = busiest("unit", this_year.filter(department_id=department_id, status__in=[TableStatus.DRAFT, TableStatus.RETURNED]))[0]
    region_id = busiest("region", this_year)[0]

    from django.contrib.auth import get_user_model

    User = get_user_model()
    staff = User.objects.filter(scope__unit_id=unit_id).order_by("username").first()
    reviewer = User.objects.filter(scope__department_id=department_id, scope__unit__isnull=True).order_by("username").first()
    finance = User.objects.filter(scope__region_id=region_id, scope__department__isnull=True, scope__unit__isnull=True).order_by("username").first()
    editable = (
        this_year.filter(unit_id=unit_id, status__in=[TableStatus.DRAFT, TableStatus.RETURNED])
        .annotate(rows=Count("indicators"))
        .order_by("-rows", "pk")
        .first()
    )
    resubmitted = ReviewRecord.objects.filter(action="submit", round=2).values("project")
    review = (
        this_year.filter(region_id=region_id, status=TableStatus.FINANCE_REVIEW, pk__in=resubmitted).order_by("pk").first()
        or this_year.filter(region_id=region_id, status=TableStatus.FINANCE_REVIEW).order_by("pk").first()
    )

    load = []
    for field_name, role in (("unit", "unit_staff"), ("department", "department_reviewer"), ("region", "finance_officer")):
        for scope_id in busiest(field_name, this_year)[: load_accounts_per_role * 3]:
            users = User.objects.filter(**{f"scope__{field_name}_id": scope_id})
            if role == "department_reviewer":
                users = users.filter(scope__unit__isnull=True)
            if role == "finance_officer":
                users = users.filter(scope__department__isnull=True, scope__unit__isnull=True)
            username = users.order_by("username").values_list("username", flat=True).first()
            if username:
                load.append((username, role))
            if sum(1 for _, r in load if r == role) >= load_accounts_per_role:
                break
    return Cast(year, staff, reviewer, finance, editable, review, load)
