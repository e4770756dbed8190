"""A department's publication package for a year (DOMAIN §4.3).

The package holds what the department must publish with its budget: its whole-department targets and
the project tables of its units, each as the version in force and approved, in the official layouts,
behind a cover and a table of contents. A document the register marks as withheld (涉密, 不予公开, …) is
left out. The PDF is laid out on the server by WeasyPrint from the same HTML and print CSS the detail
pages print with, so what a unit publishes is what perfgoals shows.
"""

from dataclasses import dataclass, field

from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from indicators.models import Indicator
from projects import presentation
from projects.models import DepartmentTarget, GoalKind, ProjectGoal, ProjectTable, Publication, TableStatus


@dataclass
class PackageItem:
    """One document of the package with what its layout template reads."""

    document: object
    rows: list
    annual_goals: list = field(default_factory=list)
    long_term_goals: list = field(default_factory=list)
    anchor: str = ""

    @property
    def is_target(self):
        return isinstance(self.document, DepartmentTarget)

    @property
    def title(self):
        if self.is_target:
            return f"{self.document.department.name}部门整体绩效目标"
        return f"{self.document.name}（{self.document.unit.name}）"


@dataclass
class Package:
    department: object
    year: int
    targets: list
    tables: list
    withheld: list  # (document, Publication) left out, for the page that prepares the package

    @property
    def items(self):
        return [*self.targets, *self.tables]

    @property
    def is_empty(self):
        return not self.items


def _indicators():
    return Indicator.objects.select_related("level2__level1").order_by("order", "id")


def approved_documents(department, year):
    """The department's approved documents of ``year`` in force: (targets, project tables), loaded for
    the official layouts."""
    targets = (
        DepartmentTarget.objects.in_force()
        .filter(department=department, year=year, status=TableStatus.APPROVED)
        .select_related("department", "framework")
        .prefetch_related("sub_targets", Prefetch("indicators", queryset=_indicators()), "publication")
    )
    tables = (
        ProjectTable.objects.in_force()
        .filter(department=department, year=year, status=TableStatus.APPROVED)
        .select_related("unit", "department", "attribute", "framework")
        .prefetch_related(
            Prefetch("indicators", queryset=_indicators()),
            Prefetch("goals", queryset=ProjectGoal.objects.order_by("kind", "order", "id")),
            "publication",
        )
        .order_by("unit__code", "name", "version")
    )
    return list(targets), list(tables)


def publication_of(document):
    """The register entry of ``document``, or None when nothing is registered yet."""
    try:
        return document.publication
    except Publication.DoesNotExist:
        return None


def build_package(department, year):
    targets, tables = approved_documents(department, year)
    package = Package(department=department, year=year, targets=[], tables=[], withheld=[])
    for number, document in enumerate([*targets, *tables], 1):
        entry = publication_of(document)
        if entry is not None and not entry.published:
            package.withheld.append((document, entry))
            continue
        item = PackageItem(document=document, rows=presentation.indicator_rows(document.indicators.all()), anchor=f"doc-{number}")
        if isinstance(document, ProjectTable):
            goals = list(document.goals.all())
            item.annual_goals = [goal.text for goal in goals if goal.kind == GoalKind.ANNUAL]
            item.long_term_goals = [goal.text for goal in goals if goal.kind == GoalKind.LONG_TERM]
            package.tables.append(item)
        else:
            package.targets.append(item)
    return package


def _stylesheet():
    with open(finders.find("css/print.css"), encoding="utf-8") as handle:
        return handle.read()


def package_html(package):
    return render_to_string(
        "projects/publication/package.html",
        {"package": package, "print_css": _stylesheet(), "generated": timezone.localdate()},
    )


def package_pdf(package):
    """The package as PDF bytes (A4, CJK fonts from the system: fonts-noto-cjk)."""
    from weasyprint import HTML  # imported here: loading pango costs a moment, and only this needs it

    return HTML(string=package_html(package)).write_pdf()


def package_xlsx(package):
    """The same documents as one workbook: a 汇总 sheet, then one sheet per document in the official layouts."""
    from projects import excel

    tables = ProjectTable.objects.filter(pk__in=[item.document.pk for item in package.tables])
    targets = DepartmentTarget.objects.filter(pk__in=[item.document.pk for item in package.targets])
    return excel.export_tables(tables, targets, "pingluo")
