"""``check``: a small self-check for exercises: predict a number, type it, hear right or wrong and why.

The verdict is always about the text in the box when Check was clicked. That needs care: the
browser sends what was typed and the click as two messages, and the typed text can arrive
*after* the click (a text box sends on Enter or when it loses focus, and the widget manager
holds back a model's update while its previous one is unanswered). So the box sends every
keystroke (``continuous_update``), a click judges the text the kernel has, and text that
arrives within a moment of the click is judged again, so the verdict ends on what was typed.
Later typing clears the verdict: it was about another number.
"""

import html
import re
import time

import ipywidgets as widgets

from .guard import Guard

LATE_TEXT_SECONDS = 2.0  # text this soon after a click was typed before it (it was in flight)
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?"


def parse_answer(text):
    """A number as a student types it: ``-3``, ``−3`` (the typographic minus), ``0,5``, ``4/3``."""
    cleaned = text.strip().replace("−", "-").replace(",", ".").replace(" ", "").lower()
    match = re.fullmatch(rf"({_NUMBER})(?:/({_NUMBER}))?", cleaned)
    if match is None:
        raise ValueError(f"“{text.strip()}” is not a number: type one, like −3, 0.25 or 4/3")
    numerator, denominator = match.groups()
    if denominator is None:
        return float(numerator)
    if float(denominator) == 0:
        raise ValueError(f"“{text.strip()}” divides by zero: type a number, like −3, 0.25 or 4/3")
    return float(numerator) / float(denominator)


class Check(widgets.VBox):
    """A question, a box for the student's number, a Check button and the verdict with its reason."""

    def __init__(self, question, answer, explanation, tolerance=1e-3):
        self.question, self.answer, self.explanation, self.tolerance = question, answer, explanation, tolerance
        self.answer_box = widgets.Text(description="your answer", placeholder="a number", continuous_update=True,
                                       style={"description_width": "initial"}, layout=widgets.Layout(width="240px"))
        self.button = widgets.Button(description="Check", button_style="info")
        self.verdict = widgets.HTML()
        self.guard = Guard(self.verdict, keep_state_note="type a number and press Check again")
        self.clicked_at = None
        self.button.on_click(self.guard(lambda _: self._on_click()))
        self.answer_box.observe(self.guard(self._on_text), names="value")
        super().__init__([widgets.HTML(f"<b>{html.escape(question)}</b>"),
                          widgets.HBox([self.answer_box, self.button]), self.verdict])

    def _on_click(self):
        self.clicked_at = time.monotonic()
        return self.judge()

    def _on_text(self, change):
        if self.clicked_at is None:
            return
        if time.monotonic() - self.clicked_at <= LATE_TEXT_SECONDS:
            self.judge()  # typed before the click, arrived after it
        else:
            self.clicked_at, self.verdict.value = None, ""  # the verdict was about another number

    def judge(self, _=None):
        """The verdict on the text in the box now, with the explanation."""
        typed = self.answer_box.value
        if not typed.strip():
            self.verdict.value = "<span style='color:#b35900'>Type a number first, then press Check.</span>"
            return self.verdict.value
        try:
            guess = parse_answer(typed)
        except ValueError as error:
            self.verdict.value = f"<span class='minigrad-error' style='color:#b00020'>{html.escape(str(error))}</span>"
            return self.verdict.value
        you = f"(you typed {html.escape(typed.strip())})"
        if abs(guess - self.answer) <= self.tolerance * max(1.0, abs(self.answer)):
            self.verdict.value = f"<b style='color:#2e7d32'>Right!</b> {you} {html.escape(self.explanation)}"
        else:
            self.verdict.value = f"<b style='color:#b00020'>Not quite</b> {you}. {html.escape(self.explanation)}"
        return self.verdict.value


def check(question, answer, explanation, tolerance=1e-3):
    """A self-check: the question, a box for a number, a Check button, the verdict and why."""
    return Check(question, answer, explanation, tolerance)
