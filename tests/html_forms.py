"""Read a rendered form the way a browser submits it: every named input, textarea and selected option,
outside <template> blocks (those are clones for rows not yet added)."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = []
        self._textarea = None
        self._select = None
        self._template_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self._template_depth += 1
        if self._template_depth or attrs.get("disabled") is not None and "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"checkbox", "submit", "button"}:
            self.fields.append([name, attrs.get("value", "")])
        elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.fields.append([name, attrs.get("value", "on")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"] = value

    def handle_endtag(self, tag):
        if tag == "template":
            self._template_depth -= 1
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] if self._select["chosen"] is not None else self._select["first"]
            self.fields.append([self._select["name"], chosen or ""])
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def form_data(html):
    """The fields a browser would post from this page, csrf token left out."""
    reader = _FormReader()
    reader.feed(html)
    data = {}
    for name, value in reader.fields:
        if name != "csrfmiddlewaretoken":
            data[name] = value.removeprefix("\n")
    return data
