"""The servers a teacher starts, started the way the README says: ``make lab`` and ``make present``.

``make present`` opens on a page that asks for the language (English or Hinglish) above the notebook list.

The ``lab`` and ``present`` fixtures run the Makefile's own recipes (a temporary copy of the notebooks and a
free port passed as Make variables), so a recipe that fails on a fresh clone fails here: ``make present``
once answered every page with HTTP 500 while a test that started Voila by itself stayed green.
"""

import re

from playwright.sync_api import expect

from .conftest import NOTEBOOKS

COURSE = sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))


def failed_responses(page):
    """Every response of the page with a 4xx or 5xx status, as (status, url)."""
    errors = []
    page.on("response", lambda response: errors.append((response.status, response.url))
            if response.status >= 400 else None)
    return errors


def listed_notebooks(page):
    """The notebook names the page's file browser shows (JupyterLab's, and Voila's tree page, which is the same)."""
    names = page.locator(".jp-DirListing-itemText")
    expect(names.filter(has_text=COURSE[-1])).to_be_visible(timeout=60_000)
    return sorted(name for name in names.all_inner_texts() if name.endswith(".ipynb"))


def test_make_lab_answers_and_lists_the_notebooks(page, lab, console_errors, blocked_requests):
    listed = sorted(item["name"] for item in lab.api("contents")["content"] if item["type"] == "notebook")
    assert listed == COURSE
    errors = failed_responses(page)
    page.goto(lab.page_url("lab/tree"), timeout=120_000)
    assert listed_notebooks(page) == COURSE
    assert errors == [], errors
    assert blocked_requests == [], blocked_requests
    assert console_errors == [], console_errors


def test_make_present_lists_the_notebooks_and_renders_one_in_present_mode(page, present, console_errors,
                                                                         blocked_requests):
    errors = failed_responses(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(present.page_url(""), timeout=120_000)
    assert listed_notebooks(page) == COURSE
    # Voila's own notebook list starts its widget manager with no kernel and says so in the console: that page
    # is Voila's, not the course's; the course's pages below must log nothing
    print(f"\nVoila's notebook list: {len(console_errors)} console errors, failed responses {errors}")
    assert [status for status, _ in errors if status >= 500] == [], errors
    console_errors.clear()
    errors.clear()
    # the first question: which language? each link opens the first lesson
    english, hinglish = page.locator("#minigrad-english"), page.locator("#minigrad-hinglish")
    expect(english).to_be_visible()
    assert english.get_attribute("href").endswith("voila/render/00_start_here.ipynb")
    hinglish.click()
    page.wait_for_url(re.compile(r"voila/render/hinglish/00_start_here\.ipynb"), timeout=60_000)
    expect(page.locator(".minigrad-walkthrough").first).to_be_visible(timeout=120_000)
    assert [status for status, _ in errors if status >= 500] == [], errors
    console_errors.clear()
    errors.clear()
    page.goto(present.page_url("voila/render/04_neuron_bce.ipynb"), timeout=120_000)
    walk = page.locator(".minigrad-walkthrough").first
    walk.locator(".minigrad-graph svg").first.wait_for(timeout=120_000)
    expect(walk.locator("button", has_text="Present").first).to_have_class(re.compile(r"mod-active"))
    assert errors == [], errors
    assert blocked_requests == [], blocked_requests
    assert console_errors == [], console_errors
