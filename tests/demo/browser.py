"""Open a page in headless Chromium (Debian's chromium and chromium-driver) through selenium.

Selenium is on PyPI and drives the system chromedriver directly, so no browser is downloaded (the
npm-only playwright-core would need Node, and PyPI's playwright fetches its own browser build).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WINDOW = (1200, 900)
"""Browser window, pixels (width, height) of the screenshot."""


@dataclass(frozen=True)
class PageVisit:
    """What the browser saw."""

    title: str
    console: list[dict[str, object]]
    """Every browser log entry (console API calls, failed loads, script errors)."""
    image_count: int
    images_loaded: int
    """Images whose data decoded (naturalWidth > 0)."""

    @property
    def errors(self) -> list[dict[str, object]]:
        return [entry for entry in self.console if entry.get("level") == "SEVERE"]


def available() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def visit(page: Path, screenshot: Path | None = None, height: int | None = None) -> PageVisit:
    """Load `page` in a fresh headless Chromium profile; optionally save a PNG screenshot of the
    top `height` pixels (default: the window)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(tempfile.mkdtemp(prefix="hil-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}", "--window-size={},{}".format(*WINDOW)):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        if height is not None:
            driver.set_window_size(WINDOW[0], height)
        driver.get(page.resolve().as_uri())
        images = driver.execute_script(
            "return [document.images.length,"
            " Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length]"
        )
        title = driver.title
        if screenshot is not None:
            driver.save_screenshot(str(screenshot))
        console = driver.get_log("browser")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return PageVisit(title, console, int(images[0]), int(images[1]))


def readme_picture(page: Path, out: Path, height: int = 1000, scale: float = 0.75) -> Path:
    """The README's picture of a report: the top `height` pixels, scaled and reduced to 256
    colours so that the committed PNG stays small (under 100 kB)."""
    from PIL import Image

    raw = out.with_suffix(".raw.png")
    visit(page, raw, height)
    with Image.open(raw) as image:
        size = (round(image.width * scale), round(image.height * scale))
        image.convert("RGB").resize(size, Image.LANCZOS).quantize(colors=256).save(
            out, optimize=True
        )
    raw.unlink()
    return out


if __name__ == "__main__":  # python -m tests.demo.browser REPORT.html docs/demo_report.png
    import sys

    print(readme_picture(Path(sys.argv[1]), Path(sys.argv[2])))
