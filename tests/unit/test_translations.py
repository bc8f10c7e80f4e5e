"""English is a full second locale: every Danish UI string has an English translation."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
METHODS = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "N_": None,
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def _catalog():
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def _source_messages() -> set:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_ui_string_has_an_english_translation():
    catalog = _catalog()
    missing = []
    for message in _source_messages():
        entry = catalog.get(message)
        translated = entry and (
            entry.string if isinstance(entry.string, str) else all(entry.string)
        )
        if not translated:
            missing.append(message)
    assert not missing, f"run `make translations` and translate: {sorted(map(str, missing))[:20]}"


def test_translations_keep_their_placeholders():
    catalog = _catalog()
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        source = entry.id if isinstance(entry.id, str) else entry.id[0]
        target = entry.string if isinstance(entry.string, str) else entry.string[0]
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(target)), source
