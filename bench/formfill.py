"""Fill in an HTML form the way a hurried user would: keep what the server filled in, take the
first choice of each required group, and write a short text where text is required.

Used by the load test to submit the assessment and visit forms without knowing their fields
(they belong to other areas and change); `overrides` sets fields the generic filler cannot guess.
Standard library only: it runs inside locust and inside the harness.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

CSRF_META = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken":\s*"([^"]+)"')


def csrf_token(html: str) -> str | None:
    match = CSRF_META.search(html)
    return (match.group(1) or match.group(2)) if match else None


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form["fields"].append({"tag": "input", **a})
        elif tag == "select":
            self._select = {"tag": "select", "options": [], **a}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a)
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "text": "", **a}
            self._form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def find_form(html: str) -> dict | None:
    """The page's record form: one marked data-offline-kind, else the first POST form in <main>
    that is not logout or the language switch."""
    parser = _Forms()
    parser.feed(html)
    forms = [f for f in parser.forms if f["attrs"].get("method", "get").lower() == "post"]
    marked = [f for f in forms if "data-offline-kind" in f["attrs"]]
    if marked:
        return marked[0]
    skip = ("logout", "sprog", "language")
    forms = [f for f in forms if not any(s in f["attrs"].get("action", "") for s in skip)]
    return forms[0] if forms else None


def _text_for(field: dict, today: date) -> str:
    kind = field.get("type", "text").lower()
    if kind == "number":
        low = field.get("min") or "1"
        return low if re.fullmatch(r"-?\d+(\.\d+)?", low) else "1"
    if kind == "date":
        return today.isoformat()
    if kind == "time":
        return "10:00"
    if kind == "datetime-local":
        return f"{today.isoformat()}T10:00"
    if kind == "email":
        return "bench@opspor.demo"
    if kind == "tel":
        return "+45 99 99 99 99"
    return "Benchmark: observeret i hverdagen."


def fill(form: dict, today: date, overrides: dict | None = None) -> list[tuple[str, str]]:
    """The form's fields as (name, value) pairs, ready to POST."""
    data: list[tuple[str, str]] = []
    radios: dict[str, list[dict]] = {}
    for field in form["fields"]:
        name = field.get("name")
        if not name or "disabled" in field:
            continue
        if field["tag"] == "select":
            options = field["options"]
            chosen = [o for o in options if "selected" in o] or [
                o for o in options if o.get("value")
            ]
            if chosen:
                data.append((name, chosen[0].get("value", "")))
            continue
        if field["tag"] == "textarea":
            text = field["text"].strip()
            data.append((name, text or ("Benchmark." if "required" in field else "")))
            continue
        kind = field.get("type", "text").lower()
        if kind in ("submit", "button", "reset", "file", "image"):
            continue
        if kind == "radio":
            radios.setdefault(name, []).append(field)
        elif kind == "checkbox":
            if "checked" in field:
                data.append((name, field.get("value", "y")))
        elif field.get("value"):
            data.append((name, field["value"]))
        elif "required" in field:
            data.append((name, _text_for(field, today)))
        else:
            data.append((name, ""))
    for name, options in radios.items():
        checked = [o for o in options if "checked" in o]
        if checked or any("required" in o for o in options):
            data.append((name, (checked or options)[0].get("value", "")))
    for name, value in (overrides or {}).items():
        data = [(k, v) for k, v in data if k != name]
        data.append((name, str(value)))
    return data
