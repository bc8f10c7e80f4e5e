"""The error summary's rows: what is wrong on a rejected form, each linked to its field.

A long form (a visit record) can fail in many places; the summary at the top names each field
and its message, and a message repeated on many fields (the same EPDS error on 8 items) once,
linked to the first of them.
"""

from __future__ import annotations

from dataclasses import dataclass

HIDDEN = frozenset({"HiddenField", "CSRFTokenField"})


@dataclass(frozen=True)
class ErrorItem:
    message: str
    label: str = ""  # empty when the message is shown once for several fields
    href: str = ""  # "#<field id>"; empty for a hidden field or the form as a whole
    count: int = 1


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list | tuple):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)] if errors else []


def _walk(form):
    """(field, its own messages) for every field with errors, in the form's order."""
    for f in form:
        if getattr(f, "entries", None) is not None:  # FieldList
            for entry in f.entries:
                yield from _walk([entry])
        elif f.type == "FormField":
            yield from _walk(f.form)
        elif f.errors:
            yield f, _messages(f.errors)


def error_items(form) -> list[ErrorItem]:
    if form is None:
        return []
    found: dict[str, ErrorItem] = {}
    for message in _messages(getattr(form, "form_errors", [])):
        found.setdefault(message, ErrorItem(message))
    for f, messages in _walk(form):
        hidden = f.type in HIDDEN
        for message in messages:
            item = found.get(message)
            if item is None:
                found[message] = ErrorItem(
                    message, "" if hidden else str(f.label.text), "" if hidden else f"#{f.id}"
                )
            else:
                found[message] = ErrorItem(message, "", item.href, item.count + 1)
    return list(found.values())
