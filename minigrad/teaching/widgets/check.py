"""Self-checks for the lessons: predict, answer, get a hint, try again, then see the solution.

Three widgets, used in the notebooks like this::

    check("What is x.grad at x = 3?", 6, "dy/dx = 2x = 6.", hint="The derivative of x² is 2x.")
    choice("Which line raises the RuntimeError?", ["y = x ** 2", "y.backward()"], 1, "...", hint="...")
    score()   # at the end of the notebook: "You got 4 of 5."

* ``check`` asks for a number; ``choice`` for one of a few answers (ideas, not values).
* A first wrong answer gets the hint and a second try; a second wrong answer shows the solution
  with its explanation. A right answer is praised with the explanation.
* Odd input ("", "abc", "1e999", nothing picked) gets a gentle line, never a traceback, and does
  not use up a try.
* Every self-check made in this kernel is counted by one :class:`Scoreboard`; ``score()`` shows
  "You got N of M" and follows the student's answers live. A check is counted as got if it was
  answered right before its solution was shown.

The verdict is always about the text in the box when Check was clicked. That needs care: the
browser sends what was typed and the click as two messages, and the typed text can arrive
*after* the click (a text box sends on Enter or when it loses focus, and the widget manager
holds back a model's update while its previous one is unanswered). So the box sends every
keystroke (``continuous_update``), a click judges the text the kernel has, and text that
arrives within a moment of the click is judged again, so the verdict ends on what was typed.
Later typing clears the verdict: it was about another number.
"""

import html
import math
import re
import time

import ipywidgets as widgets

from .. import i18n
from ..i18n import gettext as _
from ..i18n import lesson_text, ngettext
from .guard import Guard

LATE_TEXT_SECONDS = 2.0  # text this soon after a click was typed before it (it was in flight)
TRIES_BEFORE_SOLUTION = 2
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?"

def _examples():
    return _("like {a}, {b} or {c}").format(a="−3", b="0.25", c="4/3")

_GREEN, _RED, _AMBER = "#2e7d32", "#b00020", "#8a4b00"  # each ≥ 4.5:1 on white


def parse_answer(text):
    """A number as a student types it: ``-3``, ``−3`` (the typographic minus), ``0,5``, ``4/3``, ``tensor(12.)``.

    Raises ValueError with a gentle sentence for anything else (the widget shows it inline)."""
    shown = text.strip()
    cleaned = shown.replace("−", "-").replace(",", ".").replace(" ", "").lower()
    wrapped = re.fullmatch(r"tensor\((.*)\)", cleaned)  # what print(x.grad) shows is a fine answer too
    if wrapped:
        cleaned = wrapped.group(1)
    match = re.fullmatch(rf"({_NUMBER})(?:/({_NUMBER}))?", cleaned)
    if match is None:
        raise ValueError(_("“{typed}” is not a number. Type one, {examples}.").format(
            typed=shown, examples=_examples()))
    numerator, denominator = match.groups()
    value = float(numerator)
    if denominator is not None:
        if float(denominator) == 0:
            raise ValueError(_("“{typed}” divides by zero. Type a number, {examples}.").format(
                typed=shown, examples=_examples()))
        value = value / float(denominator)
    if not math.isfinite(value):
        raise ValueError(_("“{typed}” is too big to be a number here. Type a smaller one, {examples}.").format(
            typed=shown, examples=_examples()))
    return value


def _line(colour, bold, rest=""):
    return f"<b style='color:{colour}'>{html.escape(bold)}</b> {rest}".strip()


class Scoreboard:
    """Which self-checks this kernel has shown, and which the student got (right before the solution).

    Checks are keyed by their question, so running a cell again replaces its check instead of counting it twice."""

    def __init__(self):
        self.checks = {}  # question -> the latest widget asking it
        self.displays = []  # the score() widgets to keep up to date
        i18n.on_change(self.refresh)

    def add(self, box):
        self.checks[box.question] = box
        self.refresh()

    def counts(self):
        boxes = list(self.checks.values())
        return sum(box.got for box in boxes), sum(box.finished for box in boxes), len(boxes)

    def sentence(self):
        got, finished, total = self.counts()
        if total == 0:
            return _("There are no self-checks above yet.")
        if finished == 0:
            return ngettext("This notebook has {total} self-check. Answer it above, and your score appears here.",
                            "This notebook has {total} self-checks. Answer them above, and your score appears here.",
                            total).format(total=total)
        text = _("You got {got} of {total}.").format(got=got, total=total)
        if finished < total:
            text += " " + _("{left} still to answer above.").format(left=total - finished)
        elif got == total:
            text += " " + _("Every one. Well done!")
        return text

    def refresh(self):
        for display in self.displays:
            display.value = f"<b style='font-size:1.15em'>{html.escape(self.sentence())}</b>"

    def reset(self):
        self.checks.clear()
        self.displays.clear()


SCOREBOARD = Scoreboard()


class _SelfCheck(widgets.VBox):
    """What a number box and a multiple choice share: tries, hint, solution, the verdict and the score."""

    def _build(self, question, explanation, hint, answer_widget, scoreboard):
        self.question, self.explanation, self.hint = question, explanation, hint
        self.tries = 0  # wrong answers so far (odd input does not count)
        self.got = False  # right before the solution was shown
        self.solution_shown = False
        self.button = widgets.Button(button_style="info")
        self.verdict = widgets.HTML()
        self.guard = Guard(self.verdict, keep_state_note=i18n.N_("answer again and press Check"))
        self.clicked_at = None
        self._say_verdict = None  # how the verdict on screen is written (said again in a new language)
        self.button.on_click(self.guard(lambda _click: self._on_click()))
        self.question_html = widgets.HTML()
        row = ([answer_widget, self.button] if isinstance(answer_widget, widgets.RadioButtons)  # answers, then Check
               else [widgets.HBox([answer_widget, self.button])])
        super().__init__([self.question_html, *row, self.verdict])
        self.add_class("minigrad-check")
        self._label()
        i18n.on_change(self._on_language)
        self.scoreboard = scoreboard
        scoreboard.add(self)

    def _label(self):
        """The question (a lesson's own sentence: ``lessons.po``) and the controls, in the current language."""
        self.question_html.value = f"<b>{html.escape(lesson_text(self.question))}</b>"
        self.button.description = _("Check")

    def _on_language(self):
        self._label()
        if self._say_verdict is not None and self.verdict.value:
            self.verdict.value = self._say_verdict()

    def _say(self, say):
        """Show the verdict ``say()`` writes (kept, so that a language switch can write it again)."""
        self._say_verdict = say
        self.verdict.value = say()
        return self.verdict.value

    @property
    def finished(self):
        return self.got or self.solution_shown

    def _on_click(self):
        self.clicked_at = time.monotonic()
        self._before_click = (self.tries, self.got, self.solution_shown)
        return self.judge()

    def _verdict(self, right, you):
        """The verdict for a real answer (right or wrong), counting tries; ``you()`` says what was answered."""
        def explanation():
            return html.escape(lesson_text(self.explanation))

        if right:
            second = not (self.finished or self.tries == 0)
            self.got = self.got or not self.solution_shown

            def say():
                praise = " " + _("Well done on the second try.") if second else ""
                return f"{_line(_GREEN, _('Right!'), you())}{html.escape(praise)} {explanation()}"
        else:
            self.tries += 1
            if self.tries < TRIES_BEFORE_SOLUTION and not self.solution_shown:
                def say():
                    hint = (html.escape(lesson_text(self.hint)) if self.hint else
                            html.escape(_("Look again at the step above, then try once more.")))
                    return (f"{_line(_RED, _('Not quite'), you())}. <b>{html.escape(_('Hint:'))}</b> {hint} "
                            f"<i>{html.escape(_('Try again.'))}</i>")
            else:
                self.solution_shown = True

                def say():
                    return (f"{_line(_RED, _('Not quite'), you())}. <b>{html.escape(_('The answer:'))}</b> "
                            f"{html.escape(self.solution())}. {explanation()}")
        result = self._say(say)
        self.scoreboard.refresh()
        return result

    def _gentle(self, text):
        return self._say(lambda: f"<span class='minigrad-note' style='color:{_AMBER}'>{html.escape(text)}</span>")


class Check(_SelfCheck):
    """A question, a box for the student's number, a Check button and the verdict with its reason."""

    def __init__(self, question, answer, explanation, hint=None, tolerance=1e-3, scoreboard=None):
        self.answer, self.tolerance = float(answer), tolerance
        self.answer_box = widgets.Text(continuous_update=True, style={"description_width": "initial"},
                                       layout=widgets.Layout(width="240px"))
        self._build(question, explanation, hint, self.answer_box, scoreboard or SCOREBOARD)
        self.answer_box.observe(self.guard(self._on_text), names="value")

    def _label(self):
        super()._label()
        self.answer_box.description = _("your answer")
        self.answer_box.placeholder = _("a number")

    def _on_text(self, change):
        if self.clicked_at is None:
            return
        if time.monotonic() - self.clicked_at <= LATE_TEXT_SECONDS:
            self.judge(late=True)  # typed before the click, arrived after it: judge that click again
        else:
            self.clicked_at, self.verdict.value = None, ""  # the verdict was about another number

    def solution(self):
        return f"{self.answer:.4g}".replace("-", "−")

    def judge(self, _button=None, late=False):
        """The verdict on the text in the box now, with the explanation."""
        typed = self.answer_box.value
        if late:  # the click's first verdict was on stale text: it must not use up a try
            self.tries, self.got, self.solution_shown = self._before_click
        if not typed.strip():
            return self._gentle(_("Type a number first, then press Check."))
        try:
            guess = parse_answer(typed)
        except ValueError as error:
            return self._gentle(str(error))
        right = abs(guess - self.answer) <= self.tolerance * max(1.0, abs(self.answer))
        return self._verdict(right, lambda: html.escape(_("(you typed {answer})").format(answer=typed.strip())))


class Choice(_SelfCheck):
    """A question with a few answers to pick from (ideas, not values), a Check button and the verdict."""

    def __init__(self, question, options, answer, explanation, hint=None, scoreboard=None):
        self.options = [str(option) for option in options]
        if isinstance(answer, str):
            answer = self.options.index(answer)
        if not 0 <= answer < len(self.options):
            raise ValueError(f"answer must be the index of one of the {len(self.options)} options")
        self.answer = answer
        # each option shown in the current language; its value stays the lesson's (English) text
        self.picker = widgets.RadioButtons(options=self._labelled_options(), value=None,
                                           layout=widgets.Layout(width="100%"), style={"description_width": "initial"})
        self._build(question, explanation, hint, self.picker, scoreboard or SCOREBOARD)
        self.picker.observe(self.guard(self._on_pick), names="value")

    def _labelled_options(self):
        return [(lesson_text(option), option) for option in self.options]

    def _label(self):
        super()._label()
        if [label for label, _option in self.picker.options] != [label for label, _o in self._labelled_options()]:
            picked = self.picker.value
            self._relabelling = True
            try:
                self.picker.options = self._labelled_options()
                self.picker.value = picked
            finally:
                self._relabelling = False

    _relabelling = False

    def _on_pick(self, change):
        if self._relabelling:
            return
        if self.verdict.value and not self.finished:
            self.verdict.value = ""  # the verdict was about another answer

    def solution(self):
        return f"“{lesson_text(self.options[self.answer])}”"

    def judge(self, _button=None):
        picked = self.picker.value
        if picked is None:
            return self._gentle(_("Pick one of the answers first, then press Check."))
        return self._verdict(self.options.index(picked) == self.answer,
                             lambda: html.escape(_("(you picked “{answer}”)").format(answer=lesson_text(picked))))


def check(question, answer, explanation, hint=None, tolerance=1e-3):
    """A number self-check: the question, a box, a Check button; a hint and a second try, then the solution."""
    return Check(question, answer, explanation, hint=hint, tolerance=tolerance)


def choice(question, options, answer, explanation, hint=None):
    """A multiple-choice self-check; ``answer`` is the index (from 0) or the text of the right option."""
    return Choice(question, options, answer, explanation, hint=hint)


def score():
    """The student's count for this notebook ("You got 4 of 5."), kept up to date as they answer."""
    display = widgets.HTML()
    display.add_class("minigrad-score")
    SCOREBOARD.displays.append(display)
    SCOREBOARD.refresh()
    return display
