"""The dashboard's tooltips show names users typed: they are drawn as text, never as HTML (the
Content-Security-Policy stops an injected script, but markup in a name would still be drawn)."""

import re

from django.conf import settings

DASHBOARD = settings.BASE_DIR / "static" / "js" / "dashboard.js"


def test_dashboard_tooltips_are_built_from_text_nodes_not_markup():
    source = DASHBOARD.read_text(encoding="utf-8")
    assert "textContent" in source
    assert not re.search(r"<br>|innerHTML|insertAdjacentHTML|\.join\(\"<", source)
    # every tooltip formatter goes through lines(), which sets textContent
    for formatter in re.findall(r"tooltip: \{[^}]*?formatter[^\n]*\n[^\n]*", source, flags=re.S):
        assert "lines(" in formatter or "formatter(params)" in formatter
