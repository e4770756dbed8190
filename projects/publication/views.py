"""The publication pages: a department's package for a year (PDF, xlsx, the register of each document)
and the reviewers' register of who has published what by the deadline, with 催报."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from projects import audit
from projects import permissions
from projects.excel_views import xlsx_response
from projects.models import Department, DepartmentTarget, ProjectTable, PublicationDeadline, PublicationReminder, TableStatus, budget_year
from projects.overview import chosen_year
from projects.publication import register
from projects.publication.forms import DeadlineForm, PublicationForm
from projects.publication.package import build_package, package_pdf, package_xlsx, publication_of
from perfgoals.scope import scope_of


def _department(request, pk):
    return get_object_or_404(Department.objects.visible_to(request.user).select_related("region"), pk=pk)


def _year(year):
    checked = budget_year(year)
    if checked is None:
        raise PermissionDenied("预算年度无效。")
    return checked


@login_required
def package_page(request, pk, year):
    """一个部门一个年度的公开材料：应公开的已批复文件、各自的公开登记，以及下载 PDF 和 Excel。"""
    department = _department(request, pk)
    year = _year(year)
    package = build_package(department, year)
    documents = [(item.document, publication_of(item.document)) for item in package.items] + package.withheld
    rows = [
        {
            "document": document,
            "entry": entry,
            "kind": "target" if isinstance(document, DepartmentTarget) else "table",
            "can_record": permissions.can_record_publication(request.user, document),
        }
        for document, entry in documents
    ]
    return render(
        request,
        "projects/publication/package_page.html",
        {
            "department": department,
            "year": year,
            "package": package,
            "rows": rows,
            "deadline": register.deadline_of(department.region, year),
            "reminders": department_reminders(department, year),
        },
    )


def department_reminders(department, year):
    return list(PublicationReminder.objects.filter(department=department, year=year).select_related("sent_by")[:5])


@login_required
def package_pdf_view(request, pk, year):
    return _package_download(request, pk, year, "pdf")


@login_required
def package_xlsx_view(request, pk, year):
    return _package_download(request, pk, year, "xlsx")


def _package_download(request, pk, year, file_format):
    """The department's package for ``year`` as a PDF or xlsx download, recorded in the audit log; with
    nothing approved yet, back to the package page saying so."""
    department = _department(request, pk)
    year = _year(year)
    package = build_package(department, year)
    if package.is_empty:
        messages.error(request, f"{department.name} {year} 年还没有已批复的绩效目标，没有可公开的内容。")
        return redirect("projects:publication_package", pk=department.pk, year=year)
    filename = f"{year}年{department.name}预算绩效目标公开.{file_format}"
    if file_format == "xlsx":
        response = xlsx_response(package_xlsx(package), filename)
    else:
        response = HttpResponse(package_pdf(package), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename=\"publication.pdf\"; filename*=UTF-8''{quote(filename)}"
    audit.record("export", request=request, publication=department.pk, year=year, format=file_format, documents=len(package.items))
    return response


def _record(request, model, pk):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    document = get_object_or_404(model.objects.visible_to(request.user), pk=pk, status=TableStatus.APPROVED)
    if not permissions.can_record_publication(request.user, document):
        raise PermissionDenied("公开情况由填报单位（部门整体目标由部门本级）或主管部门登记。")
    entry = publication_of(document)
    form = PublicationForm(request.POST or None, instance=entry)
    department = document.department
    back = reverse("projects:publication_package", args=[department.pk, document.year])
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            register.record(
                document,
                by=request.user,
                published=data["published"],
                published_on=data.get("published_on"),
                url=data.get("url") or "",
                withheld_reason=data.get("withheld_reason") or "",
                withheld_basis=(data.get("withheld_basis") or "").strip(),
            )
            messages.success(request, f"已登记“{document}”的公开情况。")
            return redirect(back)
        return render(request, "projects/publication/record.html", {"document": document, "form": form, "back": back}, status=400)
    return render(request, "projects/publication/record.html", {"document": document, "form": form, "back": back})


@login_required
def record_table(request, pk):
    return _record(request, ProjectTable, pk)


@login_required
def record_target(request, pk):
    return _record(request, DepartmentTarget, pk)


@login_required
def register_page(request):
    """公开登记汇总：各部门已批复的文件中已公开、不公开、未登记的份数，截止日期后公开的份数，催报记录。
    A unit's staff are taken to their department's package instead."""
    years = sorted(
        set(ProjectTable.objects.visible_to(request.user).filter(status=TableStatus.APPROVED).values_list("year", flat=True)), reverse=True
    )
    year = chosen_year(request.GET.get("year"), years)
    if not permissions.can_view_publication_register(request.user):
        unit = permissions.unit_of(request.user)
        if unit is None or unit.department_id is None:
            raise PermissionDenied("公开登记汇总供主管部门、财政和管理员查看。")
        return redirect("projects:publication_package", pk=unit.department_id, year=year)  # a unit: its department's package
    rows = register.department_progress(Department.objects.visible_to(request.user).select_related("region"), year)
    region = scope_of(request.user).region
    return render(
        request,
        "projects/publication/register.html",
        {
            "year": year,
            "years": years if year in years else sorted([*years, year], reverse=True),
            "rows": rows,
            "deadline_form": DeadlineForm(initial={"deadline": register.deadline_of(region, year) if region else None}),
            "can_remind": permissions.can_remind_publication(request.user),
            "region": region,
        },
    )


@login_required
def set_deadline(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not permissions.can_remind_publication(request.user):
        raise PermissionDenied("公开截止日期由财政审核人设置。")
    year = _year(request.POST.get("year"))
    region = scope_of(request.user).region
    form = DeadlineForm(request.POST)
    if form.is_valid():
        PublicationDeadline.objects.update_or_create(
            region=region, year=year, defaults={"deadline": form.cleaned_data["deadline"], "set_by": request.user}
        )
        messages.success(request, f"已将 {year} 年的公开截止日期设为 {form.cleaned_data['deadline']:%Y-%m-%d}。")
    else:
        messages.error(request, "公开截止日期无效，请按 年-月-日 填写。")
    return redirect(f"{reverse('projects:publication_register')}?year={year}")


@login_required
def remind(request, pk, year):
    """催报：向一个部门发出公开提醒，记录在案，部门的公开材料页显示。"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    department = _department(request, pk)
    if not permissions.can_remind_publication(request.user):
        raise PermissionDenied("催报由财政审核人发出。")
    year = _year(year)
    (row,) = register.department_progress(Department.objects.filter(pk=department.pk).select_related("region"), year)
    if row.approved == 0:
        messages.info(request, f"{department.name} {year} 年还没有已批复的文件，无需催报。")
    elif row.done:
        messages.info(request, f"{department.name} {year} 年的已批复文件都已登记公开情况，无需催报。")
    else:
        register.remind(department, year, by=request.user, missing=row.unrecorded)
        messages.success(request, f"已向{department.name}催报：{row.unrecorded} 份已批复文件尚未登记公开情况。")
    return redirect(f"{reverse('projects:publication_register')}?year={year}")
