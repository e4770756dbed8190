from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from perfgoals.roles import role_of
from projects.models import ProjectTable


@login_required
def home(request):
    """Each user's landing page: the tables in their scope, newest year first."""
    tables = (
        ProjectTable.objects.visible_to(request.user)
        .select_related("unit", "department")
        .order_by("-year", "unit__name", "name", "version")
    )
    return render(request, "projects/home.html", {"tables": tables, "role": role_of(request.user)})
