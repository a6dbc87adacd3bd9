"""The POST forms of an HTML page, read the way a browser reads them: each form's target and
its fields (name, kind, the value shown, the options offered)."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# <input type=...> that send nothing a person types.
NOT_SENT = {"reset", "button", "image"}


@dataclass
class FormField:
    name: str
    kind: str  # an <input> type, "select", "select-multiple", "textarea" or "submit"
    values: list[str] = field(default_factory=list)  # the value shown, or the options


@dataclass
class PageForm:
    path: str  # where the form posts, without the query
    fields: dict[str, FormField] = field(default_factory=dict)

    def add(self, name: str, kind: str, value: str | None) -> None:
        known = self.fields.setdefault(name, FormField(name, kind))
        if value is not None and value not in known.values:
            known.values.append(value)


class _FormParser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[PageForm] = []
        self.form: PageForm | None = None
        self.select: tuple[str, str] | None = None
        self.textarea: str | None = None
        self.formactions: list[str] = []  # buttons that post the same form elsewhere

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.form = PageForm(self._path(a.get("action") or self.page_path))
                self.forms.append(self.form)
            return
        if tag == "option" and self.form is not None and self.select:
            self.form.add(*self.select, a.get("value", ""))
            return
        if self.form is None:
            return
        if a.get("formaction") and tag in {"button", "input"}:
            self.formactions.append(self._path(a["formaction"]))
        if not a.get("name"):
            return
        name = a["name"]
        kind = a.get("type", "text").lower()
        if tag == "input" and kind not in NOT_SENT:
            shown = a.get("value", "on" if kind in {"checkbox", "radio"} else None)
            self.form.add(name, kind, shown)
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self.form.add(name, "submit", a.get("value", ""))
        elif tag == "select":
            kind = "select-multiple" if "multiple" in a else "select"
            self.select = (name, kind)
            self.form.add(name, kind, None)
        elif tag == "textarea":
            self.textarea = name
            self.form.add(name, "textarea", None)

    def _path(self, target: str) -> str:
        return urlsplit(urljoin(self.page_path, target)).path

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.form is not None:
            for path in self.formactions:
                self.forms.append(PageForm(path, deepcopy(self.form.fields)))
            self.form, self.formactions = None, []
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.form is not None and self.textarea and data.strip():
            self.form.add(self.textarea, "textarea", data)


def post_forms(page_path: str, html: str) -> list[PageForm]:
    """Every <form method="post"> of the page, with its target resolved against the page."""
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms
