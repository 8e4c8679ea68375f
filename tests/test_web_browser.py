"""The web UI in Debian's Chromium through Playwright, against uvicorn on loopback.

Skipped when /usr/bin/chromium is missing, except under CI=true where that fails.
Screenshots go to artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsloom.api import create_app
from newsloom.api.testing import ServerThread, demo_articles
from newsloom.engine import Engine

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
TOKEN = "browser-token-0123456789abcdef"
INJECTION_TITLE = "<img src=x onerror=window.__pwned=1>"
INJECTION_TEXT = ("<script>window.__pwned=1</script> The ferry operators of Kestrel Bay announced on Monday "
                  "that the winter timetable will start two weeks early because of the storms. "
                  "Passengers were told to check departures before travelling.")


def _require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _require_chromium()
    engine = Engine(db=tmp_path_factory.mktemp("web") / "demo.db")
    report = engine.ingest_raw(demo_articles())
    assert len(report.added) >= 25
    app = create_app(engine, TOKEN)
    with ServerThread(app) as srv:
        srv.engine = engine
        yield srv
    engine.close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("console", lambda msg: pg.errors.append(msg.text) if msg.type == "error" else None)
    # Nothing may be fetched from another origin (no CDN, no fonts).
    pg.outside = []
    pg.on("request", lambda req: pg.outside.append(req.url)
          if not req.url.startswith(("http://127.0.0.1", "data:")) else None)
    yield pg
    assert pg.outside == []
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_feed_story_and_live_update(server, page):
    page.goto(server.url + "/")
    page.wait_for_selector("#live-status[data-state=open]", timeout=10_000)
    headlines = page.locator(".story-headline a")
    assert headlines.count() >= 5
    shot(page, "feed")
    # a new article shows up in the open feed without a reload
    result = server.engine.add("Lighthouse keepers on the island of Varnholm marked the 150th anniversary of "
                               "the tower on Sunday with an open day for visitors and a small exhibition.",
                               title="Varnholm lighthouse turns 150", source="Island Post")
    assert result.status == "added"
    page.wait_for_selector(f'li[data-story-id="{result.story_id}"]', timeout=10_000)
    assert "Varnholm lighthouse turns 150" in page.locator(".stories").inner_text()
    assert page.locator("#live-status").inner_text().endswith("1 new article")
    # keyboard: the first story link is reachable and opens the story
    page.goto(server.url + "/?sort=size")
    first = page.locator(".story-headline a").first
    title = first.inner_text()
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("h1#headline")
    assert page.locator("h2#h-articles").is_visible() and page.locator("h2#h-timeline").is_visible()
    assert page.locator("ul.articles li").count() >= 2 and title
    shot(page, "story")
    assert page.errors == []


def test_compare_from_a_story_and_from_pasted_texts(server, page):
    page.goto(server.url + "/?sort=size")
    page.locator(".story-headline a").first.click()
    page.wait_for_selector("a.compare-link")
    page.locator("a.compare-link").first.click()
    page.wait_for_selector("#overall")
    assert page.locator("table.dimensions tbody tr").count() >= 4
    shot(page, "compare-stored")
    page.goto(server.url + "/compare")
    page.fill("#a-title", "Storm closes the coastal road")
    page.fill("#a-text", "A storm closed the coastal road between Ardel and Brine on Tuesday night after waves "
                         "threw rocks onto the tarmac. Police said it would reopen on Thursday.")
    page.fill("#b-text", "The coastal road from Ardel to Brine was shut overnight on Tuesday when a storm hurled "
                         "rocks onto it; officers expect to reopen it on Thursday.")
    page.click("#compare-submit")
    page.wait_for_selector("#overall")
    value = float(page.locator("#overall .value").inner_text())
    assert 1.0 <= value <= 4.0
    shot(page, "compare-pasted")
    assert page.errors == []


def test_injected_html_renders_as_text(server, page):
    result = server.engine.add(INJECTION_TEXT, title=INJECTION_TITLE, source="<b>Evil</b> Source")
    assert result.status == "added"
    for path in (f"/articles/{result.article_id}", f"/stories/{result.story_id}", "/",
                 "/search?q=Kestrel+ferry"):
        page.goto(server.url + path)
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert INJECTION_TITLE in page.locator("main").inner_text(), path
        assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
    page.goto(server.url + f"/articles/{result.article_id}")
    assert "<script>window.__pwned=1</script>" in page.locator(".body").inner_text()
    shot(page, "injection")
    # live-rendered feed items (built by feed.js) escape too
    page.goto(server.url + "/")
    page.wait_for_selector("#live-status[data-state=open]")
    again = server.engine.add(INJECTION_TEXT.replace("Monday", "Friday"), title=INJECTION_TITLE + " (2)")
    page.wait_for_selector(f'li[data-story-id="{again.story_id}"]', timeout=10_000)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#feed img").count() == 0
