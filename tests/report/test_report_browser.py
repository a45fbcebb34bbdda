"""The report in a real browser: Debian's chromium driven by Playwright, opened from file://."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tracehybrid.report.html import render_html
from tracehybrid.report.model import ReportModel

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "actual" / "screenshots"


def _ensure_chromium() -> None:
    """Install Debian's chromium when it is missing (CI and fresh machines run as root)."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("chromium is missing and apt-get cannot install it here (needs root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    _ensure_chromium()
    with sync_api.sync_playwright() as playwright:
        # Never Playwright's own browser build: it cannot be downloaded here.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def report_file(realistic: ReportModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(realistic), encoding="utf-8")
    return path


class Opened:
    """A page with the report loaded, and every console error and request it produced."""

    def __init__(self, browser: Any, report: Path, scheme: str) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.url = report.as_uri()
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def _console(self, message: Any) -> None:
        if message.type in {"error", "warning"}:
            self.errors.append(f"{message.type}: {message.text}")

    def visible_targets(self) -> list[str]:
        rows = self.page.locator("#functions tbody tr:not([hidden])")
        return [str(rows.nth(i).get_attribute("data-target")) for i in range(rows.count())]

    def qualname(self, anchor: str) -> str:
        return str(self.page.locator(f"#{anchor} h3 code").inner_text())


@pytest.fixture(params=["light", "dark"])
def opened(request: pytest.FixtureRequest, browser: Any, report_file: Path) -> Iterator[Opened]:
    page = Opened(browser, report_file, request.param)
    yield page
    page.page.close()


def test_loads_offline_without_errors_or_requests(opened: Opened) -> None:
    assert opened.page.title().startswith("tracehybrid report")
    assert opened.errors == []
    assert opened.requests == [opened.url]  # the file itself, nothing else
    count = opened.page.locator("#filter-count").inner_text()
    assert count == "11 of 11 functions shown"  # the script ran under the page's CSP


def test_sorting_by_speedup_puts_unmeasured_rows_last(opened: Opened) -> None:
    button = opened.page.get_by_role("button", name="Speedup")
    button.click()
    ascending = [opened.qualname(a) for a in opened.visible_targets()]
    assert ascending[:4] == ["slow_matmul", "Dense.call", "normalize", "fit_step"]
    header = opened.page.locator("th", has=button)
    assert header.get_attribute("aria-sort") == "ascending"
    button.click()
    descending = [opened.qualname(a) for a in opened.visible_targets()]
    assert descending[:4] == ["fit_step", "normalize", "Dense.call", "slow_matmul"]
    assert header.get_attribute("aria-sort") == "descending"
    assert opened.errors == []


def test_filtering_by_text_and_verdict(opened: Opened) -> None:
    opened.page.fill("#filter-text", "retracing")
    names = [opened.qualname(a) for a in opened.visible_targets()]
    assert names == ["train_step", "fit_step"]
    assert opened.page.locator("#filter-count").inner_text() == "2 of 11 functions shown"
    opened.page.fill("#filter-text", "")
    opened.page.select_option("#filter-verdict", "approved")
    names = [opened.qualname(a) for a in opened.visible_targets()]
    assert names == ["normalize", "Dense.call", "debug_stats", "fit_step"]


def test_keyboard_reaches_a_function_detail(opened: Opened) -> None:
    page = opened.page
    page.focus("#filter-text")
    for _ in range(30):  # the select, ten sort buttons, then the first row's link and the row
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('tr[data-target]')"):
            break
    else:
        pytest.fail("Tab never reached a table row")
    target = page.evaluate("document.activeElement.dataset.target")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == f"#{target}"
    assert page.evaluate("document.activeElement.id") == target
    assert page.locator(f"#{target}").is_visible()
    page.keyboard.press("Tab")  # focus moves on inside the detail
    assert page.evaluate(f"document.getElementById('{target}').contains(document.activeElement)")


def test_code_links_land_on_the_embedded_explanation(opened: Opened) -> None:
    opened.page.locator("#fn-3 a[href='#code-TH101']").click()
    assert opened.page.evaluate("location.hash") == "#code-TH101"
    assert "print-call" in opened.page.locator("#code-TH101").inner_text()
    assert opened.requests == [opened.url]


def test_dark_mode_changes_the_palette(browser: Any, report_file: Path) -> None:
    colours = []
    for scheme in ("light", "dark"):
        page = Opened(browser, report_file, scheme).page
        colours.append(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        page.close()
    assert colours[0] != colours[1]


def test_screenshots_of_the_summary_and_a_detail(opened: Opened) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    scheme = opened.page.evaluate(
        "matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'"
    )
    summary = SCREENSHOTS / f"summary-{scheme}.png"
    opened.page.screenshot(path=str(summary))
    detail = opened.page.locator("#fn-9")  # fit_step: optimize_hybrid with every extra
    detail.scroll_into_view_if_needed()
    detail_path = SCREENSHOTS / f"detail-fit_step-{scheme}.png"
    detail.screenshot(path=str(detail_path))
    assert summary.stat().st_size > 10_000
    assert detail_path.stat().st_size > 10_000


def test_hostile_report_runs_no_payload(browser: Any, hostile: ReportModel, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(render_html(hostile), encoding="utf-8")
    page = browser.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    page.fill("#filter-text", "<script>")
    assert page.locator("#filter-count").inner_text() == "2 of 2 functions shown"
    assert dialogs == []
    assert errors == []
    assert page.locator("script").count() == 1
    page.close()


def test_the_functions_table_fits_1280_px_with_real_project_names(
    browser: Any, realistic: ReportModel, tmp_path: Path
) -> None:
    # GPflow-like names: before, they pushed the Reasons column out of view behind a scroll.
    long = [
        dataclasses.replace(
            fn,
            qualname=f"HeteroscedasticGaussianLikelihood._variational_expectations_{fn.qualname}",
            path="gpflow/likelihoods/multilatent/scalar_continuous_heteroscedastic.py",
        )
        for fn in realistic.functions
    ]
    path = tmp_path / "long.html"
    path.write_text(render_html(dataclasses.replace(realistic, functions=long)), encoding="utf-8")
    opened = Opened(browser, path, "light")
    wrap = opened.page.locator(".table-wrap:has(#functions)")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")  # nothing hidden to the right
    reasons = opened.page.locator("#functions thead th").last
    assert reasons.inner_text().startswith("Reasons")
    wrap_box, reasons_box = wrap.bounding_box(), reasons.bounding_box()
    assert reasons_box["x"] + reasons_box["width"] <= wrap_box["x"] + wrap_box["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wrap.scroll_into_view_if_needed()
    wrap.screenshot(path=str(SCREENSHOTS / "functions-1280-long-names.png"))
    opened.page.close()
