"""Reading the editor page as a browser would submit it, for the page benchmark and the load test."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.html_forms import form_data  # noqa: E402  (the parser the editor tests use)

_EDITOR = re.compile(r'<form[^>]*\bid="editor".*?</form>', re.S)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def editor_form(html):
    """The fields the editor's 保存 button posts, unchanged, without the CSRF token."""
    match = _EDITOR.search(html)
    if match is None:
        raise ValueError("no editor form on the page")
    return form_data(match.group(0))


def csrf_token(html):
    match = _CSRF.search(html)
    return match.group(1) if match else ""
