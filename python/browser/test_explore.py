"""The explorer in a real browser: Debian's Chromium driven by Playwright loads the page, switches a
lever, moves a slider, and checks that the charted values changed and are the server's CSV for those
settings; switches to Chinese and back; downloads the scenario TOML and checks and runs it with the
CLI (the same bytes); shows a bad value's located message; saves a screenshot."""

import csv
import io
import os
import pathlib
import re
import subprocess
import threading

import pytest
from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("COGOV_BIN", ROOT / "target" / "debug" / "cogov"))
CHROMIUM = os.environ.get("COGOV_CHROMIUM", "/usr/bin/chromium")
SHOT = pathlib.Path(os.environ.get("COGOV_SCREENSHOT", ROOT / "target" / "explore-test.png"))
# A small run, so a debug build answers in a second.
SMALL = ("preset=fragmented&baseline=coordinated&steps=12&replicates=3&world.regions=3"
         "&enterprises.per_region=40&public.per_region=120")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # The server's stderr goes to a file and its stdout is drained, so that it never blocks on a
    # full pipe; a failure shows what it wrote.
    log = tmp_path_factory.mktemp("server") / "stderr.txt"
    with open(log, "w") as err:
        proc = subprocess.Popen([str(BIN), "explore", "--port", "0", "--threads", "2"], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=err, text=True)
    line = proc.stdout.readline()
    match = re.match(r"cogov explore: (http://127\.0\.0\.1:\d+/)", line)
    assert match, f"the server's first line: {line!r}; its stderr: {log.read_text()}"
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    yield match.group(1)
    proc.terminate()
    code = proc.wait(timeout=10)
    assert code == 0, f"the server did not stop cleanly on SIGTERM ({code}): {log.read_text()}"


@pytest.fixture(scope="module")
def page(server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        pg = context.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(server + "#" + SMALL)
        wait_for_run(pg, 0)
        yield pg
        assert not errors, errors
        browser.close()


def wait_for(pg, condition):
    """Wait for a condition on the page; on a timeout, say what the page was doing."""
    try:
        pg.wait_for_function(condition, timeout=60000)
    except Exception as e:
        seen = pg.evaluate("""() => { const s = window.explorer.state; return {
            runId: s.runId, running: s.running, paused: s.paused, months: s.frames.length,
            done: !!s.done, error: s.error, status: document.getElementById("status").textContent}; }""")
        raise AssertionError(f"waited 60 s for {condition}; the page: {seen}") from e


def wait_for_run(pg, after):
    """Wait until a run newer than `after` has finished; return its id."""
    wait_for(pg, f"window.explorer.state.runId > {after} && window.explorer.done()")
    return pg.evaluate("window.explorer.state.runId")


def charted(pg, name="pollution_mean"):
    return pg.evaluate(f"window.explorer.series('scenario', '{name}')")


def server_csv(pg):
    text = pg.evaluate("""async () => {
        const r = await fetch('/api/csv', {method: 'POST', headers: {'content-type': 'application/json'},
            body: JSON.stringify({preset: window.explorer.state.preset, set: window.explorer.state.set})});
        return await r.text();
    }""")
    return text, list(csv.DictReader(io.StringIO(text)))


def move(pg, key, fraction):
    """Drag `key`'s slider to `fraction` of its range, as a hand does: input events, then change."""
    pg.locator(f'[data-key="{key}"] input[type=range]').evaluate(
        """(el, f) => { const lo = parseFloat(el.min), hi = parseFloat(el.max);
                        el.value = String(lo + f * (hi - lo)); el.dispatchEvent(new Event('input'));
                        el.dispatchEvent(new Event('change')); }""", fraction)


def per_month(rows, name):
    months = sorted({int(r["step"]) for r in rows})
    return [[float(r[name]) for r in sorted(rows, key=lambda r: int(r["replicate"]))
             if int(r["step"]) == m] for m in months]


def test_levers_and_sliders_rerun_and_the_charts_are_the_servers_csv(page, tmp_path):
    run = page.evaluate("window.explorer.state.runId")
    before = charted(page)
    assert len(before) == 12 and all(len(m) == 3 for m in before)

    law = page.locator('[data-lever="law"]')
    assert law.get_attribute("data-state") == "off"
    law.locator("input").click()
    run = wait_for_run(page, run)
    assert law.get_attribute("data-state") == "on"
    with_law = charted(page)
    assert with_law != before, "switching the law lever did not change pollution"

    # A slider of one of the law lever's keys: the lever then shows as mixed.
    move(page, "law.daily_penalty", 0.5)
    run = wait_for_run(page, run)
    assert law.get_attribute("data-state") == "mixed"
    # A slider outside the levers: the fine, moved to the top of its plausible range.
    move(page, "law.fine", 1.0)
    run = wait_for_run(page, run)
    moved = charted(page)
    assert moved != with_law, "moving the fine slider did not change pollution"
    top = page.locator('[data-key="law.fine"] input[type=range]').get_attribute("max")
    assert page.evaluate("window.explorer.state.set['law.fine']") == float(top)

    text, rows = server_csv(page)
    for name in ["pollution_mean", "compliance_rate", "complaints_filed", "enforcement_cost"]:
        assert charted(page, name) == per_month(rows, name), name

    # The downloaded scenario is accepted by the CLI and reproduces the page's CSV byte for byte.
    with page.expect_download() as d:
        page.click("#download-toml")
    toml = tmp_path / d.value.suggested_filename
    d.value.save_as(toml)
    assert toml.name == "fragmented-explored.toml"
    subprocess.run([str(BIN), "check", str(toml)], check=True, capture_output=True)
    out = tmp_path / "out"
    subprocess.run([str(BIN), "run", str(toml), "--out", str(out), "--quiet"], check=True,
                   capture_output=True)
    assert (out / "timeseries.csv").read_text() == text

    with page.expect_download() as d:
        page.click("#download-csv")
    got = tmp_path / "page.csv"
    d.value.save_as(got)
    assert got.read_text() == text

    # The URL carries the settings: a new tab with it shows the same numbers.
    url = page.url
    other = page.context.new_page()
    other.goto(url)
    wait_for_run(other, 0)
    assert charted(other) == moved
    other.close()

    # A key's reset button takes it back to the preset's value (and reruns): fragmented's daily
    # penalty, while the lever's other keys stay on, so the lever stays mixed.
    daily = page.locator('[data-key="law.daily_penalty"]')
    assert "default" in daily.locator(".help").inner_text()
    daily.locator("button.reset").click()
    run = wait_for_run(page, run)
    assert page.evaluate("'law.daily_penalty' in window.explorer.state.set") is False
    assert not daily.locator("button.reset").is_visible()
    fragmented = page.evaluate(
        "window.explorer.state.meta.presets.find(p => p.name === 'fragmented').values['law.daily_penalty']")
    assert float(daily.locator("input[type=number]").input_value()) == fragmented
    assert law.get_attribute("data-state") == "mixed"


def test_chinese_and_back(page):
    assert page.inner_text("#pause") == "Pause"
    page.click("#lang")
    assert page.inner_text("#pause") == "暂停"
    law = page.locator('[data-lever="law"] .what').inner_text()
    assert re.search(r"[\u4e00-\u9fff]", law), law
    assert "lang=zh" in page.url
    page.click("#lang")
    assert page.inner_text("#pause") == "Pause"
    assert "lang=zh" not in page.url


def test_a_bad_value_gets_the_located_message(page):
    run = page.evaluate("window.explorer.state.runId")
    box = page.locator('[data-key="law.fine"] input[type=number]')
    box.fill("-1")
    box.dispatch_event("change")
    wait_for(page, f"window.explorer.state.runId > {run} && !window.explorer.state.running")
    error = page.locator("#error")
    assert error.is_visible()
    assert "law.fine" in error.inner_text() and "-1" in error.inner_text()
    page.click("#lang")
    assert re.search(r"[\u4e00-\u9fff]", error.inner_text())
    page.click("#lang")
    box.fill("0.3")
    box.dispatch_event("change")
    wait_for_run(page, run + 1)
    assert not error.is_visible()


def test_which_lever_matters_and_the_screenshot(page):
    page.click("#run-levers")
    # A lever with no effect here draws a bar of width 0, which Playwright calls hidden: wait for
    # the bars to exist, not to be visible.
    wait_for(page, "document.querySelectorAll('#lever-bars rect[data-percent]').length === 9")
    bars = page.locator("#lever-bars rect[data-percent]")
    assert bars.count() == 9
    percents = [float(bars.nth(i).get_attribute("data-percent")) for i in range(9)]
    assert len(set(percents)) > 1, percents
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    # The parameter panel is sticky: from the top, the full-page picture shows it beside the levers.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOT), full_page=True)
