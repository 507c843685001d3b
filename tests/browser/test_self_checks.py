"""The self-checks in a real JupyterLab, as a student uses them: a multiple choice answered wrong twice (the
hint, then the solution), a number box given odd input then the right answer, and the notebook's score that
follows. Nothing in the log console, no request off the machine."""

import re

from playwright.sync_api import expect

from .test_lab import cell_output, open_notebook, run_all, screenshot
from .test_robust import log_console_text


def test_a_choice_gives_a_hint_then_the_solution_and_the_score_follows(page, lab, console_errors,
                                                                       blocked_requests, tmp_path):
    panel = open_notebook(page, lab, "05_autograd_in_practice")
    run_all(page, panel)
    score = cell_output(panel, "score()")
    expect(score).to_contain_text("This notebook has 5 self-checks")

    ways = cell_output(panel, 'choice("After which way is x.requires_grad False')
    verdict = ways.locator(".widget-html").last
    check = ways.get_by_role("button", name="Check")
    check.click()  # nothing picked yet: a gentle line, no try used
    expect(verdict).to_contain_text("Pick one of the answers first")
    ways.get_by_text("z = x.detach()", exact=True).click()
    check.click()
    expect(verdict).to_contain_text("Not quite")
    expect(verdict).to_contain_text("Hint:")
    expect(verdict).not_to_contain_text("The answer")
    screenshot(ways, "self-check-hint", tmp_path)
    ways.get_by_text("with torch.no_grad():", exact=True).click()
    check.click()
    expect(verdict).to_contain_text("The answer: “x.requires_grad_(False)”")

    third = cell_output(panel, 'check("x = 2. You run y = x ** 2; y.backward() three times')
    box, button = third.locator("input").first, third.get_by_role("button", name="Check")
    said = third.locator(".widget-html").last
    for odd, words in (("abc", "is not a number"), ("1e999", "too big"), ("", "Type a number first")):
        box.fill(odd)
        button.click()
        expect(said).to_contain_text(words)
    box.fill("12")
    button.click()
    expect(said).to_contain_text("Right!")
    expect(said).not_to_contain_text("Hint:")

    expect(score).to_contain_text("You got 1 of 5.")
    expect(score).to_contain_text("3 still to answer above")
    screenshot(score, "self-check-score", tmp_path)
    logged = log_console_text(page)
    assert not re.search(r"Traceback|Error", logged), logged
    assert blocked_requests == [] and console_errors == [], (blocked_requests, console_errors)
