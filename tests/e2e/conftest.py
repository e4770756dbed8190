import os

import pytest


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session", autouse=True)
def allow_sync_database_calls_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread; Django would then refuse the test's
    own database calls. Only the browser tests need this, so only they set it."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    # CI runs the browser tests beside the two suites on two cores: a page that answers in 2 s alone can take
    # 20 s then. The waits are for elements that do appear; a missing one still fails, only later.
    context.set_default_timeout(40000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    call_command("setup_demo", verbosity=0)


def editor_ready(page):
    """Wait until the editor's script has bound its handlers (a click before that adds no row)."""
    page.locator("html[data-editor-ready]").wait_for(state="attached")


def log_in(page, live_server, username, password="perfgoals-demo"):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def server_held(live_server):
    """``with server_held():`` runs its block while the live server answers no request: a request
    arriving meanwhile (a progress page's poll) waits until the block ends, and the block starts only
    once the request being answered is finished.

    On SQLite the test database lives in memory and the live server's requests share the test's
    connection (pytest-django's connections_override); a background task the test runs itself, as the
    worker would, must not write while a request reads the same table ("database table is locked").
    Each request is answered whole (its body read) under the same lock."""
    import threading
    from contextlib import contextmanager

    httpd = live_server.thread.httpd
    application = httpd.get_app()
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            response = application(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()

    @contextmanager
    def held():
        with lock:
            yield

    httpd.set_app(one_at_a_time)
    yield held
    httpd.set_app(application)
