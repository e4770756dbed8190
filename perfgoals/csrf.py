"""The page shown when a form's security token no longer matches the session: typically the user logged
in again in another tab, or the page stayed open past the login's lifetime. Django's own page is English
and technical; this one says in Chinese what happened and what to do. The editor keeps what was typed in
the browser (static/js/editor.js) and offers to send it again once the user is signed in."""

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request, reason=""):
    back = request.path
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return render(request, "403_csrf.html", {"back": back, "from_editor": back.endswith("/edit/") or back.endswith("/new/")}, status=403)
