"""Plain sync rules: fingerprints, item checks, comparing and merging two versions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync import rules

ID = "0b0e6f39-7c55-4c55-9a4c-3f1f8d4b2a11"
RECORD = "5d5c1c0e-2f0a-4b8e-8f43-2b1a0d7e9c10"
keys = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)
values = st.one_of(st.text(max_size=20), st.lists(st.text(min_size=1, max_size=5), max_size=3))


@settings(deadline=None)
@given(st.dictionaries(keys, values, max_size=8))
def test_a_fingerprint_does_not_depend_on_field_order(payload):
    reordered = dict(reversed(list(payload.items())))
    assert rules.fingerprint("visit", payload) == rules.fingerprint("visit", reordered)


@settings(deadline=None)
@given(st.dictionaries(keys, values, max_size=8), st.text(max_size=40))
def test_transport_fields_do_not_change_a_fingerprint(payload, token):
    with_transport = {**payload, "csrf_token": token, "base_version": "3"}
    assert rules.fingerprint("visit", payload) == rules.fingerprint("visit", with_transport)


def test_a_fingerprint_changes_with_content_and_kind():
    base = rules.fingerprint("visit", {"uuid": RECORD, "weight": "4100"})
    assert base != rules.fingerprint("visit", {"uuid": RECORD, "weight": "4110"})
    assert base != rules.fingerprint("assessment", {"uuid": RECORD, "weight": "4100"})


def test_empty_values_count_as_absent():
    """An unticked checkbox is absent from a form post; an empty one must fingerprint alike."""
    assert rules.content({"a": "", "b": [], "c": None, "d": "x"}) == {"d": "x"}


def test_values_are_normalised_as_a_form_would_send_them():
    assert rules.normalise(True) == "y"
    assert rules.normalise(False) == ""
    assert rules.normalise(date(2026, 3, 2)) == "2026-03-02"
    assert rules.normalise(Decimal("52.50")) == "52.5"
    assert rules.normalise(Decimal("52")) == "52"
    assert rules.normalise(7) == "7"
    assert rules.normalise(["a", 1]) == ["a", "1"]


def test_check_item_names_the_first_problem():
    good = {"id": ID, "kind": "visit", "payload": {"uuid": RECORD}}
    check = lambda item, size=1000: rules.check_item(item, known_kinds=["visit"], max_bytes=size)  # noqa: E731
    assert check(good) is None
    assert check([]).field == "item"
    assert check({**good, "id": "1"}).field == "id"
    assert check({**good, "kind": "x"}).field == "kind"
    assert check({**good, "payload": "x"}).field == "payload"
    assert check({**good, "payload": {"uuid": "nope"}}).field == "uuid"
    assert check({**good, "payload": {"uuid": RECORD, "t": "x" * 100}}, size=50).field == "payload"


def test_device_times_are_read_as_utc():
    assert rules.parse_time("2026-03-02T07:42:00Z") == datetime(2026, 3, 2, 7, 42, tzinfo=UTC)
    assert rules.parse_time("2026-03-02T07:42:00").tzinfo == UTC
    assert rules.parse_time("i går") is None
    assert rules.parse_time(None) is None


def test_compare_lists_fields_side_by_side_and_marks_differences():
    rows = rules.compare(
        {"uuid": RECORD, "weight": "4100", "note": "Sover"},
        {"uuid": RECORD, "weight": "4150", "note": "Sover", "feeding": "fuldamning"},
    )
    assert [(r.field, r.server, r.offline, r.differs) for r in rows] == [
        ("weight", "4100", "4150", True),
        ("note", "Sover", "Sover", False),
        ("feeding", "", "fuldamning", True),
    ]


def test_merge_takes_only_the_chosen_fields_from_the_offline_version():
    server = {"weight": "4100", "note": "Sover", "smoke": "y"}
    offline = {"weight": "4150", "note": "Sover uroligt"}
    assert rules.merge(server, offline, {"weight"}) == {
        "weight": "4150",
        "note": "Sover",
        "smoke": "y",
    }
    # A field absent offline (an unticked box) taken from offline is removed.
    assert "smoke" not in rules.merge(server, offline, {"smoke"})
