"""Simulated users of a busy day for the load test (bench/bench_load.py starts it; not for the test run).

Each simulated user logs in with its own generated account (bench/generate.py; the password is the
same for all, and correct, so django-axes never locks anyone out) and then works as that role does:
unit staff open their home page, their tables and the editor, and save the editor page (unchanged, or
with one note changed); department reviewers and finance officers open their queue, review pages, the
target-table list and the dashboard. The accounts and their tables come from the JSON file named by
BENCH_LOAD_PLAN, which bench_load.py writes.
"""

import itertools
import json
import os
import random
import sys
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pageforms import csrf_token, editor_form  # noqa: E402

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text(encoding="utf-8"))
_NEXT = {role: itertools.count() for role in ("unit_staff", "department_reviewer", "finance_officer")}
# (milliseconds, failed) of every page request, logins left out: a login hashes the password slowly on
# purpose and happens once a day, so the page figures are reported without it (bench_load.py reads them).
_PAGES = []


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    if not name.startswith("login"):
        _PAGES.append((response_time, exception is not None))


@events.test_stop.add_listener
def _write_pages(**kwargs):
    Path(os.environ["BENCH_LOAD_PAGES"]).write_text(json.dumps(_PAGES), encoding="utf-8")


class _Signed(HttpUser):
    abstract = True
    # The days before the deadline: people move quickly from page to page.
    wait_time = between(0.2, 1)
    role = ""

    def on_start(self):
        accounts = PLAN["accounts"][self.role]
        self.account = accounts[next(_NEXT[self.role]) % len(accounts)]
        page = self.client.get("/login/", name="login form")
        response = self.client.post(
            "/login/",
            {"username": self.account["username"], "password": PLAN["password"], "csrfmiddlewaretoken": csrf_token(page.text)},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"login of {self.account['username']} answered {response.status_code}")

    def open(self, path, name):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")


class UnitStaff(_Signed):
    weight = 12
    role = "unit_staff"
    saves = 0

    @task(3)
    def home(self):
        self.open("/", "home")

    @task(3)
    def detail(self):
        self.open(f"/tables/{random.choice(self.account['tables'])}/", "detail")

    @task(2)
    def editor(self):
        self.open(f"/tables/{self.account['editable']}/edit/", "editor")

    @task(2)
    def save(self):
        """The editor page posted back as the browser would, every other time with one note changed."""
        path = f"/tables/{self.account['editable']}/edit/"
        page = self.client.get(path, name="editor")
        data = editor_form(page.text)
        self.saves += 1
        if self.saves % 2 and "ind-0-note" in data:
            data["ind-0-note"] = "" if data["ind-0-note"] else "负载测试备注"
        data["csrfmiddlewaretoken"] = csrf_token(page.text)
        with self.client.post(path, data, name="editor save", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"save answered {response.status_code}")

    @task(1)
    def dashboard(self):
        self.open("/overview/", "dashboard")


class _Reviewer(_Signed):
    abstract = True

    @task(3)
    def queue(self):
        self.open("/reviews/", "review queue")

    @task(2)
    def review(self):
        if self.account["tables"]:
            self.open(f"/tables/{random.choice(self.account['tables'])}/review/", "review page")

    @task(2)
    def table_list(self):
        self.open(f"/overview/tables/?year={PLAN['year']}&status=in_review&sort=-funds_total", "table list")

    @task(2)
    def dashboard(self):
        self.open(f"/overview/?year={PLAN['year']}", "dashboard")

    @task(1)
    def detail(self):
        if self.account["tables"]:
            self.open(f"/tables/{random.choice(self.account['tables'])}/", "detail")


class DepartmentReviewer(_Reviewer):
    weight = 5
    role = "department_reviewer"


class FinanceOfficer(_Reviewer):
    weight = 3
    role = "finance_officer"
