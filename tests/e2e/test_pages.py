"""Every page in a real headless Chromium: it loads, heavy sections finish (progress, then the numbers), the
what-if page reacts to a click, and nothing is logged to the console. A screenshot of each page is kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from matchday.inputs import DEFAULT_MODEL

AS_OF = "2024-04-15"
PAGES = [
    ("home", "/", "h1"),
    ("league", f"/leagues/E0/2023-24?as_of={AS_OF}", "#projection-table"),
    ("fixtures", f"/leagues/E0/2023-24/fixtures?as_of={AS_OF}", "#fixtures-table"),
    ("whatif", f"/leagues/E0/2023-24/whatif?as_of={AS_OF}", "#whatif-table"),
    ("cup", "/cups/UEL/2023-24?as_of=2024-04-12", "#bracket-table"),
    ("cup-league-phase", "/cups/UCL/2024-25?as_of=2024-12-15", "#league-phase-projection"),
    ("cup-knockout-playoffs", "/cups/UCL/2024-25?as_of=2025-02-12", "#knockout-ties"),
    ("tie", "/cups/UEL/2023-24/tie?home=Liverpool&away=Atalanta&as_of=2024-04-12", "#tie-table"),
    ("rotation", f"/rotation?club=Liverpool&as_of={AS_OF}&sims=5000", "#plans-table"),
    ("model", "/model", "#track-record-table"),
    ("api", "/api", "h1"),
]


@pytest.mark.parametrize(("name", "url", "ready"), PAGES, ids=[p[0] for p in PAGES])
def test_page_loads_without_console_errors(page, console, live_server, screenshot, name, url, ready):
    response = page.goto(live_server + url)
    assert response.status == 200
    page.wait_for_selector(ready, timeout=120_000)  # heavy sections show progress, then reload with numbers
    page.wait_for_load_state("networkidle")
    assert page.locator(".job-error:not([hidden])").count() == 0
    for svg in page.locator("svg[role=img]").all():
        assert (svg.locator("title").first.text_content() or "").strip()
    screenshot(name)
    assert console == []


def test_match_page(page, console, live_server, screenshot):
    fixtures = page.request.get(f"{live_server}/api/v1/leagues/E0/2023-24/fixtures?as_of={AS_OF}&limit=1").json()
    match_id = fixtures["rows"][0]["match_id"]
    response = page.goto(f"{live_server}/matches/E0/2023-24/{match_id}?as_of={AS_OF}")
    assert response.status == 200
    page.wait_for_selector("#match-1x2")
    assert page.locator("p.basis").first.inner_text().startswith(f"Based on {DEFAULT_MODEL} as of {AS_OF}")
    screenshot("match")
    assert console == []


def test_pages_say_what_the_forecasts_rest_on(page, console, live_server):
    """The league page reads the views `matchday update` stored, and says so; every forecast states its basis
    (model, as-of, the training window, simulations and seed), with the short-window warning of this store."""
    page.goto(f"{live_server}/leagues/E0/2023-24?as_of={AS_OF}")
    page.wait_for_selector("#projection-table")
    basis = page.locator("#h-proj ~ p.basis").first.inner_text()
    assert "10,000 simulations, seed 0" in basis and "shorter than the model's default" in basis
    assert "Read from the views" in basis
    page.goto(f"{live_server}/leagues/E0/2022-23")  # no as_of: the latest played day, said on the page
    assert "the latest day with a played E0 2022-23 match" in page.locator("#as-of-note").inner_text()
    assert console == []


def test_league_page_shows_the_chances_through_the_season(page, console, live_server):
    page.goto(f"{live_server}/leagues/E0/2023-24?as_of={AS_OF}")
    chart = page.locator("svg[role=img]", has=page.locator("title", has_text="Chance of winning the title"))
    chart.wait_for(timeout=120_000)
    assert "Manchester City" in (chart.text_content() or "")
    rows = page.locator("#projection-table tbody tr")
    assert rows.count() == 20
    assert page.locator("#league-table tbody tr").first.locator("th").inner_text().startswith("Manchester City")
    assert console == []


def test_whatif_click_changes_the_numbers(page, console, live_server, screenshot):
    page.goto(f"{live_server}/leagues/E0/2023-24/whatif?as_of={AS_OF}")
    page.wait_for_selector("#whatif-table", timeout=120_000)
    liverpool = page.locator("#whatif-table tr[data-team=liverpool] td.metric[data-metric=p_title]")
    before = liverpool.locator(".if").inner_text()
    assert before == liverpool.locator(".base").inner_text()
    button = page.locator("li.fixture[data-home=fulham][data-away=liverpool] button[data-outcome='away win']")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    expect(page.locator("#whatif-status")).to_contain_text("pick applied", timeout=60_000)
    after = liverpool.locator(".if").inner_text()
    assert after != before
    assert float(after.rstrip("%")) > float(before.rstrip("%"))  # a win at Fulham helps Liverpool's title odds
    assert re.fullmatch(r"\(\+\d+\.\d\)", liverpool.locator(".chg").inner_text())
    screenshot("whatif-after-click")
    button.click()  # unpick: back to the baseline
    expect(page.locator("#whatif-status")).to_contain_text("No picks")
    assert liverpool.locator(".if").inner_text() == before
    assert console == []


def test_phone_screen(page, console, live_server, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/leagues/E0/2023-24?as_of={AS_OF}")
    page.wait_for_selector("#projection-table", timeout=120_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # wide tables and charts scroll inside their own box, not the page
    screenshot("league-phone")
    assert console == []


def test_bad_input_page(page, console, live_server, screenshot):
    response = page.goto(f"{live_server}/leagues/E0/1999-00")
    assert response.status == 404
    assert "E0" in page.locator(".error-message").inner_text()
    screenshot("error")
