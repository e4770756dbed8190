"""财政局的管理页: lists of departments, units and users, their forms, unlocking, password resets and the
sheet import. Every view asks ``can_manage_people`` first; rows outside the manager's region are a 404."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from projects.people import services
from projects.people.forms import DepartmentForm, SheetUploadForm, UnitForm, UserForm
from projects.people.sheet import SheetError, sheet_import, sheet_plan, sheet_read, sheet_template
from projects.permissions import can_manage_people, managed_region_id, role_value

PAGE_SIZE = 50
SESSION_KEY = "people_sheet"


def manager_required(view):
    """Sign in first; then only those the permissions allow to manage people (the role before the row)."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_manage_people(request.user):
            raise PermissionDenied("只有管理员和财政审核人可以管理单位和用户。")
        return view(request, *args, **kwargs)

    return wrapped


@manager_required
def people_home(request):
    """用户与单位：三张清单（用户、预算单位、主管部门），可按名称查找。"""
    query = request.GET.get("q", "").strip()
    users = services.managed_users(request.user)
    units = services.managed_units(request.user).order_by("region__code", "department__name", "-is_department_office", "name")
    departments = services.managed_departments(request.user).order_by("region__code", "code", "name")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(first_name__icontains=query))
        units = units.filter(Q(name__icontains=query) | Q(code__icontains=query) | Q(department__name__icontains=query))
        departments = departments.filter(Q(name__icontains=query) | Q(code__icontains=query))
    user_page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    accounts = list(user_page.object_list)
    locked = services.locked_usernames(account.username for account in accounts)
    rows = [(account, role_value(account), account.username in locked) for account in accounts]
    return render(request, "people/home.html", {
        "rows": rows, "user_page": user_page, "units": units[:500], "unit_count": units.count(),
        "departments": departments, "query": query, "one_region": managed_region_id(request.user) is not None,
    })


def _edit(request, *, form_class, instance, title, what):
    form = form_class(request.POST or None, instance=instance, manager=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"已保存{what}“{saved}”。")
        return redirect("projects:people_home")
    return render(request, "people/form.html", {"form": form, "title": title})


@manager_required
def department_create(request):
    return _edit(request, form_class=DepartmentForm, instance=None, title="新建主管部门", what="主管部门")


@manager_required
def department_edit(request, pk):
    department = get_object_or_404(services.managed_departments(request.user), pk=pk)
    return _edit(request, form_class=DepartmentForm, instance=department, title=f"修改主管部门：{department}", what="主管部门")


@manager_required
def unit_create(request):
    return _edit(request, form_class=UnitForm, instance=None, title="新建预算单位", what="预算单位")


@manager_required
def unit_edit(request, pk):
    unit = get_object_or_404(services.managed_units(request.user), pk=pk)
    return _edit(request, form_class=UnitForm, instance=unit, title=f"修改预算单位：{unit}", what="预算单位")


def _password_page(request, *, title, passwords):
    return render(request, "people/passwords.html", {"title": title, "passwords": passwords})


def _user_form(request, account):
    form = UserForm(request.POST or None, manager=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        saved, password = form.save(by=request.user)
        if password:
            return _password_page(request, title=f"已新建用户 {saved.username}", passwords=[(saved.username, saved.first_name, password)])
        messages.success(request, f"已保存用户“{saved.username}”。")
        return redirect("projects:people_home")
    title = f"修改用户：{account.username}" if account else "新建用户"
    return render(request, "people/form.html", {"form": form, "title": title, "account": account, "user_form": True})


@manager_required
def user_create(request):
    return _user_form(request, None)


@manager_required
def user_edit(request, pk):
    return _user_form(request, get_object_or_404(services.managed_users(request.user), pk=pk))


@manager_required
@require_POST
def user_unlock(request, pk):
    account = get_object_or_404(services.managed_users(request.user), pk=pk)
    removed = services.user_unlock(account=account, by=request.user)
    if removed:
        messages.success(request, f"已解除用户“{account.username}”的登录锁定，可以立即重新登录。")
    else:
        messages.info(request, f"用户“{account.username}”没有被锁定。")
    return redirect("projects:people_home")


@manager_required
@require_POST
def user_password_reset(request, pk):
    account = get_object_or_404(services.managed_users(request.user), pk=pk)
    password = services.user_reset_password(account=account, by=request.user)
    return _password_page(request, title=f"已重置 {account.username} 的密码", passwords=[(account.username, account.first_name, password)])


@manager_required
def sheet_upload(request):
    """上传单位和用户表：先预览（逐行列出将新建什么、哪里有问题），确认后全部导入或一条也不导入。"""
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = sheet_read(form.cleaned_data["file"].read())
        except SheetError as error:
            form.add_error("file", str(error))
        else:
            plan = sheet_plan(rows, manager=request.user)
            request.session[SESSION_KEY] = rows if not plan.problems else None
            return render(request, "people/preview.html", {"plan": plan, "rows": rows})
    return render(request, "people/import.html", {"form": form, "one_region": managed_region_id(request.user) is not None})


@manager_required
@require_POST
def sheet_confirm(request):
    rows = request.session.pop(SESSION_KEY, None)
    if not rows:
        messages.error(request, "没有等待确认的单位和用户表（可能已经导入过）。请重新上传。")
        return redirect("projects:people_import")
    rows = {name: [(number, row) for number, row in entries] for name, entries in rows.items()}
    plan, passwords = sheet_import(rows, manager=request.user)
    if plan.problems:
        return render(request, "people/preview.html", {"plan": plan, "rows": rows, "changed": True})
    title = f"已导入 {len(plan.departments)} 个主管部门、{len(plan.units)} 个预算单位、{len(passwords)} 个用户"
    return _password_page(request, title=title, passwords=passwords)


@manager_required
def sheet_template_download(request):
    response = HttpResponse(
        sheet_template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%8D%95%E4%BD%8D%E5%92%8C%E7%94%A8%E6%88%B7%E6%A8%A1%E6%9D%BF.xlsx"
    return response
