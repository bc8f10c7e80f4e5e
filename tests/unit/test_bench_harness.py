"""The benchmark harness: its page list resolves to real routes, the form filler, the locust
CSV reader and the Markdown table writer. No timing is asserted anywhere."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from bench import table
from bench.formfill import csrf_token, fill, find_form
from bench.pages import CYCLES, PAGES, ROLES, by_key, page_for, url_templates
from bench.run import read_locust_csv


def test_every_available_page_resolves_to_a_real_route(app):
    """Each page URL the harness would request matches a route with the page's method."""
    adapter = app.url_map.bind("localhost")
    urls = url_templates(app)
    for page in PAGES:
        url = urls[page.key]
        if url is None:
            continue  # reported as "not available" in the table
        path = url.format(child_id=1, unit_id=1).split("?")[0]
        method = "GET" if page.kind in ("form",) else page.method
        try:
            endpoint, _ = adapter.match(path, method=method)
        except (NotFound, MethodNotAllowed) as exc:  # pragma: no cover - the failure message
            pytest.fail(f"{page.key}: {method} {path} is no route ({exc.__class__.__name__})")
        assert endpoint in page.endpoints
    for key in ("login_page", "login", "search", "child", *(f"home:{r}" for r in ROLES)):
        assert urls[key] is not None, key


def test_every_step_of_every_round_is_a_page():
    for role, steps in CYCLES.items():
        assert role in ROLES
        for step in steps:
            assert page_for(role, step).key in {p.key for p in PAGES}
    assert by_key("child").params == ("child_id",)


FORM = """
<form method="post" action="/logout"><input name="csrf_token" value="x"></form>
<form method="post" action="/save" data-offline-kind="visit">
  <input type="hidden" name="csrf_token" value="tok">
  <input type="hidden" name="uuid" value="u-1">
  <input type="number" name="weight" min="500" required>
  <input type="date" name="on" required>
  <input type="text" name="note">
  <input type="radio" name="position" value="groen" required>
  <input type="radio" name="position" value="gul">
  <input type="checkbox" name="flag" value="y" checked>
  <input type="checkbox" name="other" value="y">
  <select name="kind"><option value="">Vælg</option><option value="home">Hjemme</option></select>
  <textarea name="why" required></textarea>
  <button type="submit">Gem</button>
</form>
"""


def test_the_form_filler_keeps_server_values_and_fills_what_is_required():
    form = find_form(FORM)
    assert form["attrs"]["action"] == "/save"
    data = dict(fill(form, date(2026, 3, 1), {"note": "overridden"}))
    assert data["uuid"] == "u-1" and data["csrf_token"] == "tok"
    assert data["weight"] == "500" and data["on"] == "2026-03-01"
    assert data["position"] == "groen" and data["flag"] == "y" and "other" not in data
    assert data["kind"] == "home" and data["why"] and data["note"] == "overridden"
    assert csrf_token(FORM) == "x"
    assert csrf_token('<body hx-headers=\'{"X-CSRFToken": "abc"}\'>') == "abc"


def test_reading_locust_stats(tmp_path):
    path = tmp_path / "x_stats.csv"
    path.write_text(
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
        "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
        "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
        "GET,child,10,1,20,22,10,90,5000,2.5,0.1,20,21,22,23,30,40,50,60,90,90,90\n"
        ",Aggregated,10,1,20,22,10,90,5000,2.5,0.1,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n"
    )
    stats = read_locust_csv(path)
    assert stats["child"] == {
        "count": 10,
        "failures": 1,
        "p50": 20.0,
        "p95": 40.0,
        "p99": 60.0,
        "rps": 2.5,
    }
    assert stats["Aggregated"]["p95"] is None
    assert read_locust_csv(tmp_path / "missing.csv") == {}


def _results() -> dict:
    urls = {p.key: "/x" for p in PAGES}
    urls["sync_50"] = None
    fast = {"count": 50, "failures": 0, "p50": 10.0, "p95": 40.0, "p99": 60.0, "rps": 3.0}
    slow = {**fast, "p95": 250.0}
    single = {key: dict(fast) for key in urls}
    busy = {**single, "child": slow}
    return {
        "meta": {
            "date": "2026-03-01 10:00 UTC",
            "machine": "2 cores",
            "commit": "abc1234",
            "children": 2000,
            "seed": 1,
            "workers": 3,
            "users": [1, 20],
            "run_time": {"1": 40, "20": 60},
            "think": 1.0,
            "areas_included": ["assessments"],
            "areas_skipped": ["visits"],
            "cpu_reference_ms": 81.5,
            "cpu_reference_end_ms": 104.0,
        },
        "urls": urls,
        "unit_size": 58,
        "dbs": {
            "sqlite": {
                "generation_s": 5,
                "latency": {"1": single, "20": busy},
                "replay": {
                    "seconds": 4.2,
                    "items": 500,
                    "batch": 50,
                    "statuses": {"accepted": 500},
                },
            },
            "postgresql": {"skipped": "not reachable"},
        },
        "queries": {"child": {"queries": 7, "status": 200}},
        "weights": {
            "login_page": {
                "encoding": "br",
                "first": 30_000,
                "repeat": 3_000,
                "assets": 3,
                "refetched": [],
            }
        },
        "lighthouse": {
            "login_page": {
                "performance": 100,
                "accessibility": 100,
                "best_practices": 96,
                "lcp_ms": 1200.0,
                "bytes": 30_000,
            },
            "child": {"error": "timed out"},
        },
        "offline_open": {
            "goal_ms": 300,
            "pages": {
                "app shell (/)": {"median_ms": 120, "max_ms": 180, "runs": 5},
                "visit form (/boern/7/besoeg/ny)": {"median_ms": 260, "max_ms": 340, "runs": 5},
            },
        },
    }


def test_the_table_reports_figures_goals_and_missing_pages():
    text = table.markdown(_results())
    assert "commit `abc1234`" in text and "2,000 children" in text
    assert "best of 5): 81.5 ms at the start, 104 ms at the end" in text
    assert (
        "| child page | SQLite | 10 / 40 / 60 | 3.0 | 10 / 250 / 60 | 3.0 | 7 | **missed** |"
        in text
    )
    assert "| sync batch of 50 items | – | not available" in text
    assert "| login page | br | 29.3 KB (3 assets) | 2.9 KB | none | met |" in text
    assert "| login page | 100 | 100 | 96 | 1200 ms | 29.3 KB | met |" in text
    assert "failed: timed out" in text
    assert "| SQLite | 500 | 50 | 4.2 s | accepted 500 | met |" in text
    assert "PostgreSQL (skipped: not reachable)" in text
    assert "| app shell (/) | 120 ms | 180 ms | 5 | met |" in text
    assert "| visit form (/boern/7/besoeg/ny) | 260 ms | 340 ms | 5 | **missed** |" in text


def test_an_offline_open_that_could_not_run_says_why():
    results = {**_results(), "offline_open": {"skipped": "no Chromium"}}
    assert "Not measured: no Chromium." in table.markdown(results)


def test_the_readme_block_is_replaced_in_place(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# X\n\n## Performance\n\nIntro.\n\n{table.BEGIN}\nstale figures\n{table.END}\n\n## Next\n"
    )
    table.write(_results(), tmp_path / "results" / "latest.md", readme)
    text = readme.read_text()
    assert "stale figures" not in text and "Intro." in text
    assert text.index("## Next") > text.index(table.END)
    assert text.count(table.BEGIN) == 1
    assert (tmp_path / "results" / "latest.md").read_text().startswith("# Opspor benchmark")
    assert table.replace_block("no markers", "B").endswith(f"{table.BEGIN}\nB\n{table.END}\n")
