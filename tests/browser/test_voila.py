"""Classroom mode: the notebooks served by Voila (code hidden, widgets live), driven in Chromium.

Voila is started by ``make present`` itself (the ``present`` fixture: the Makefile's recipe with a temporary
copy of the notebooks and a free port), with the project's template (``jupyter/voila/templates/minigrad``,
Voila's lab template without its CDN stylesheet). Requests off this machine are aborted and counted
(0), console errors counted (0), and so are the module-federation warnings a version mismatch gives.
"""

import re

from playwright.sync_api import expect


def test_present_a_notebook_and_drive_a_slider(page, present, console_errors, blocked_requests):
    warnings = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.goto(present.page_url("voila/render/01_square.ipynb"), timeout=120_000)
    plot = page.locator(".widget-vbox").filter(has=page.locator(".minigrad-slope")).last
    slope = plot.locator(".minigrad-slope")
    expect(slope).to_contain_text("f′(2) = 4", timeout=120_000)
    expect(page.get_by_text('plot = FunctionPlot("x**2"')).to_have_count(0)  # code is hidden
    readout = plot.locator(".widget-slider").filter(has_text="x").first.locator(".widget-readout")
    readout.click()
    readout.press("Control+a")
    readout.type("3")
    readout.press("Enter")
    expect(slope).to_contain_text("f′(3) = 6")
    walk = page.locator(".widget-vbox").filter(has=page.locator(".minigrad-graph")).first
    expect(walk.locator(".widget-label").filter(has_text=re.compile(r"^Forward 1 / 1$")).first).to_be_visible()
    mismatches = [w for w in warnings if "Unsatisfied version" in w]
    print(f"\nVoila: {len(blocked_requests)} requests off the machine, {len(console_errors)} console errors, "
          f"{len(mismatches)} version-mismatch warnings")
    assert blocked_requests == [], blocked_requests
    assert console_errors == [], console_errors
    assert mismatches == [], mismatches
