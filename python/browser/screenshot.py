"""The README's picture of the explorer, at the default size: china-2020 against fragmented.

    target/ci-venv/bin/python python/browser/screenshot.py target/release/cogov docs/figures/explore.png

Starts `cogov explore` on a free port, opens the page in /usr/bin/chromium (Playwright, no
download), waits for the run and the one-lever bars, and saves the top of the page."""

import re
import subprocess
import sys
import threading

from playwright.sync_api import sync_playwright


def main(binary, out, lang="en"):
    proc = subprocess.Popen([binary, "explore", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.match(r"cogov explore: (\S+)", line).group(1)
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.goto(f"{url}#preset=china-2020&baseline=fragmented&lang={lang}")
            page.wait_for_function("window.explorer.state.runId > 0 && window.explorer.done()",
                                   timeout=120000)
            page.click("#run-levers")
            page.wait_for_function(
                "document.querySelectorAll('#lever-bars rect[data-percent]').length === 9",
                timeout=300000)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=out, full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main(*sys.argv[1:])
