"""The built documentation site in a real browser (headless Chromium from Debian).

Run by ``make docs-check`` after ``make docs`` (not part of ``make test``): opens the index and a
tutorial page, checks there are no console errors, that every image has a non-zero natural
size, and that every internal link points at an existing file (and anchor); saves a screenshot
of each page under ``docs/_build/screenshots/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

webdriver = pytest.importorskip("selenium.webdriver", reason='needs pip install "shoal[docs]"')

HTML = Path(__file__).resolve().parent / "_build" / "html"
SCREENSHOTS = HTML.parent / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# The index, the tutorial with the most figures (one per neuron model), and an API page with
# equations (MathJax must load from the site itself, not from a CDN).
PAGES = {
    "index": "index.html",
    "neuron_models": "neuron_models.html",
    "api_training": "api/training.html",
}
MIN_IMAGES = {"index": 0, "neuron_models": 5, "api_training": 0}


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(
            "Chromium is missing: run .ci/install-browser (apt-get install chromium chromium-driver)"
        )
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML / 'index.html'} is missing: run `make docs` first")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def _open(driver, name: str) -> None:
    driver.get((HTML / PAGES[name]).as_uri())
    driver.execute_script("return document.readyState")  # get() waits for the load event


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_without_console_errors(browser, name):
    _open(browser, name)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], f"{PAGES[name]}: console errors {errors}"
    assert browser.find_element("css selector", "h1").text.strip(), f"{PAGES[name]}: no title"


@pytest.mark.parametrize("name", list(PAGES))
def test_figures_are_present(browser, name):
    _open(browser, name)
    images = browser.execute_script(
        "return Array.from(document.querySelectorAll('article img'), "
        "i => [i.getAttribute('src'), i.complete, i.naturalWidth, i.naturalHeight]);"
    )
    assert len(images) >= MIN_IMAGES[name], f"{PAGES[name]}: {len(images)} figures"
    broken = [src for src, complete, w, h in images if not (complete and w > 0 and h > 0)]
    assert broken == [], f"{PAGES[name]}: images without a size: {broken}"


@pytest.mark.parametrize("name", list(PAGES))
def test_internal_links_resolve(browser, name):
    _open(browser, name)
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]'), a => a.href);"
    )
    assert hrefs, f"{PAGES[name]}: no links"
    missing = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme != "file":
            continue  # the site has no dependency on the network; outside links are not checked
        target = Path(unquote(parts.path))
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            missing.append(href)
        elif parts.fragment and target.suffix == ".html":
            ids = set(re.findall(r'id="([^"]+)"', target.read_text(encoding="utf-8")))
            if unquote(parts.fragment) not in ids:
                missing.append(href)
    assert missing == [], f"{PAGES[name]}: broken internal links {missing}"


@pytest.mark.parametrize("name", list(PAGES))
def test_screenshot(browser, name):
    _open(browser, name)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(int(height), 8000))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert browser.save_screenshot(str(path))
    assert path.stat().st_size > 10_000, f"{path}: suspiciously small screenshot"
    browser.set_window_size(1280, 1000)


def test_every_built_page_links_only_to_existing_files():
    """All pages, without a browser: every relative ``href``/``src`` names an existing file."""
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML / 'index.html'} is missing: run `make docs` first")
    broken, checked = [], 0
    for page in HTML.rglob("*.html"):
        if "_modules" in page.parts or "_sources" in page.parts:
            continue  # Sphinx's generated source listings
        for ref in re.findall(r'(?:href|src)="([^"#?]+)', page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", ref):
                continue  # http:, https:, mailto:, data:
            checked += 1
            if not (page.parent / unquote(ref)).exists():
                broken.append(f"{page.relative_to(HTML)} -> {ref}")
    assert checked > 100, f"only {checked} references found: is the site built?"
    assert broken == [], f"broken references: {broken[:20]}"
