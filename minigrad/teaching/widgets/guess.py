"""Guess mode: the student predicts each step's new number before the walkthrough shows it.

::

    Walkthrough("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0), guess=True)

Each step asks for its new numbers, one at a time, and shows them as "?" (in the drawing, the
equation and the table) until they are guessed:

* a forward step: the value it computes (``z = sin(y) = sin(4) = ?``);
* a backward step: for each input that receives a gradient, the local derivative, then the
  gradient accumulated so far (the chain rule's product, plus what the input already had);
* a leaf's step: ``x.grad``.

Right (the answer rounded to 2 decimals or to 3 significant digits is right: see ``is_right``)
→ the number is shown, with a word of praise. Wrong → a hint: the step's formula with its numbers
plugged in, in words; a second try; then the number is shown. A running score counts the steps
whose every number was guessed ("5 of 7 steps guessed"). A vector is typed as its numbers
separated by commas (``0.67, 1.33, 2``). Text that is no guess ("abc", "1e999", "nan", nothing)
gets a gentle word and costs no try.

This module is the logic (``GuessSession``: no widgets, unit-tested on its own); the Walkthrough
widget shows it (its *Guess* toggle, a text box, a Check button, the verdict and the score). In
Present mode the same box is the class poll: the teacher types the room's answer.
"""

import math
import re
from dataclasses import dataclass, field

import numpy as np

from .. import notation, trace
from ..i18n import N_, ngettext
from ..i18n import gettext as _

PRAISE = (N_("Right!"), N_("Exactly!"), N_("Well done!"), N_("Spot on!"), N_("Yes, that's it!"))
ROOM_PRAISE = (N_("The room got it!"), N_("Right, everyone!"), N_("Well done, all of you!"))
ABSOLUTE, RELATIVE = 0.005, 0.005  # right: within half a unit of the 2nd decimal, or of the 3rd significant digit
TRIES = 2  # a wrong guess, a hint, a second try; then the number is shown
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?(?:/[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)?")
_NOT_FINITE = {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "∞": math.inf, "+∞": math.inf,
               "-∞": -math.inf, "infinity": math.inf, "-infinity": -math.inf, "nan": math.nan}


@dataclass
class Question:
    """One new number of a step: what it is, its answer, the hint and how it is shown once known."""

    kind: str  # "value" (a forward result), "local" (a local derivative), "grad" (a gradient so far)
    value_id: str  # the value it belongs to (its box in the drawing, its row in the table)
    label: str  # plain text: "z", "∂z/∂y", "∂u/∂y", "x.grad"
    answer: object  # a number or a NumPy array
    hint: str  # the step's formula with the numbers plugged in, in words (never the answer itself)
    also_hides: tuple = ()  # more (kind, value id) shown as "?" until this is answered

    @property
    def size(self):
        return int(np.size(self.answer))

    def shown(self):
        """``z = 0.7568``: the number once revealed."""
        return f"{self.label} = {_text(self.answer)}"


@dataclass
class Verdict:
    """What a guess gave: ``kind`` is "right", "wrong" (a hint, one more try), "revealed" (wrong twice),
    or "odd" (not a guess: a gentle word, no try used); ``message`` is plain text."""

    kind: str
    message: str
    question: Question = None


@dataclass
class _StepProgress:
    position: int = 0  # the question being asked (== len(questions): the step is done)
    tries: int = 0  # wrong tries at the current question
    right: list = field(default_factory=list)  # per question answered: guessed (True) or shown (False)


class GuessSession:
    """The guesses of one walkthrough: which numbers are still "?", the tries, the score."""

    def __init__(self, walk, room=False):
        self.walk = walk
        self.room = room  # Present mode: the teacher types the room's answer (the words say "the room")
        self.questions = [questions_of(walk, index) for index in range(len(walk.steps))]
        self.progress = [_StepProgress() for _ in walk.steps]
        self._praised = 0

    # -------------------------------------------------------------------- reading
    def current(self, index):
        """The question being asked at ``walk.steps[index]``, or None when the step is done."""
        progress, questions = self.progress[index], self.questions[index]
        return questions[progress.position] if progress.position < len(questions) else None

    def done(self, index):
        return self.current(index) is None

    def hidden(self, index):
        """What is still "?" at ``walk.steps[index]``: ``{(kind, value id)}`` of its questions not yet answered."""
        position = self.progress[index].position
        return {item for q in self.questions[index][position:] for item in ((q.kind, q.value_id), *q.also_hides)}

    def tries_left(self, index):
        return TRIES - self.progress[index].tries

    def score(self):
        """(steps whose every number was guessed, steps done)."""
        finished = [p for p, qs in zip(self.progress, self.questions) if qs and p.position == len(qs)]
        return sum(all(p.right) for p in finished), len(finished)

    def score_text(self):
        """``5 of 7 steps guessed`` (in Present mode: ``The room: 5 of 7 steps guessed``)."""
        guessed, done = self.score()
        text = ngettext("{guessed} of {done} step guessed", "{guessed} of {done} steps guessed", done).format(
            guessed=guessed, done=done)
        return _("The room: {score}").format(score=text) if self.room else text

    # -------------------------------------------------------------------- answering
    def answer(self, index, text):
        """Judge ``text`` as the guess for the current question of ``walk.steps[index]``."""
        question = self.current(index)
        if question is None:
            return Verdict("odd", _("This step's numbers are all shown: press Next ▶ for the next step."))
        try:
            guess = parse_guess(text, question)
        except ValueError as error:
            return Verdict("odd", str(error), question)
        progress = self.progress[index]
        if is_right(guess, question.answer):
            self._next(progress, True)
            return Verdict("right", f"{self._praise()} {question.shown()}.", question)
        progress.tries += 1
        if progress.tries < TRIES:
            said = _("Not yet: the room said {guess}.") if self.room else _("Not yet: you said {guess}.")
            return Verdict("wrong", said.format(guess=_text(guess)) + " " + _("Hint: {hint} Try once more.").format(
                hint=question.hint), question)
        self._next(progress, False)
        return Verdict("revealed", _("Not quite ({guess}). Here it is: {shown}. {hint}").format(
            guess=_text(guess), shown=question.shown(), hint=question.hint), question)

    def reveal(self, index):
        """Show the current question's number without a guess (it counts as not guessed)."""
        question = self.current(index)
        if question is None:
            return Verdict("odd", _("This step's numbers are all shown."))
        self._next(self.progress[index], False)
        return Verdict("revealed", _("Here it is: {shown}. {hint}").format(shown=question.shown(), hint=question.hint),
                       question)

    def _next(self, progress, right):
        progress.right.append(right)
        progress.position += 1
        progress.tries = 0

    def _praise(self):
        words = ROOM_PRAISE if self.room else PRAISE
        self._praised += 1
        return _(words[(self._praised - 1) % len(words)])


# ------------------------------------------------------------------------------ judging
def is_right(guess, answer):
    """Right when within 0.005 + 0.005·|answer| of it, number by number: the answer rounded to 2 decimals
    (0.67 for 0.6667) or to 3 significant digits (4.67, 123) is right, 0.7 for 0.6667 is not. A vector's
    answer with every number the same may be guessed as that one number. ∞ and NaN must match."""
    guess = np.asarray(guess, dtype=np.float64)
    answer = np.asarray(answer, dtype=np.float64)
    if guess.size == 1 and answer.size > 1:
        guess = np.full(answer.shape, float(guess.reshape(-1)[0]))
    guess, answer = guess.reshape(-1), answer.reshape(-1)
    if guess.size != answer.size:
        return False
    with np.errstate(invalid="ignore"):
        close = np.abs(guess - answer) <= ABSOLUTE + RELATIVE * np.abs(answer)
    same_special = (np.isnan(guess) & np.isnan(answer)) | (np.isinf(answer) & (guess == answer))
    return bool(np.all(np.where(np.isfinite(answer), close, same_special)))


def parse_guess(text, question):
    """The number(s) a student typed: ``-0.31``, ``−0.31`` (typographic minus), ``2/3``, ``0,5`` (a decimal
    comma, for one number), ``0.67, 1.33, 2`` or ``[0.67 1.33 2]`` for a vector. A ValueError with a gentle
    sentence for anything else (it costs no try)."""
    label = question.label
    typed = (text or "").strip()
    if not typed:
        return _refuse(_("Type your guess for {label} first (a number like {examples}), then press Enter or "
                         "Check.").format(label=label, examples="4, −0.31 " + _("or") + " 2/3"))
    cleaned = typed.replace("−", "-").replace("–", "-").replace("×10^", "e").lower().strip("[]() ")
    if question.size == 1 and cleaned.count(",") == 1 and "." not in cleaned and " " not in cleaned:
        cleaned = cleaned.replace(",", ".")  # 0,5: a decimal comma
    items = [item for item in re.split(r"[,;\s]+", cleaned) if item]
    numbers = []
    for item in items:
        numbers.append(_number(item, typed, label))
    answer_finite = np.all(np.isfinite(np.asarray(question.answer, dtype=np.float64)))
    if answer_finite and not all(math.isfinite(n) for n in numbers):
        if any(math.isnan(n) for n in numbers):
            return _refuse(_("“{typed}” means “not a number”: type the number you expect for {label}.").format(
                typed=typed, label=label))
        return _refuse(_("“{typed}” is too big to be {label} here (beyond what a float can hold): type the number "
                         "you expect, like {examples}.").format(typed=typed, label=label,
                                                               examples="4 " + _("or") + " −0.31"))
    if len(numbers) != question.size and not (len(numbers) == 1 and question.size > 1):
        count = question.size
        example = ", ".join(["0.5"] * min(count, 3)) + (", …" if count > 3 else "")
        if count == 1:
            return _refuse(_("{label} is one number: type just one (you typed {typed}).").format(
                label=label, typed=len(numbers)))
        return _refuse(_("{label} has {count} numbers: type all {count}, separated by commas (like {example}); "
                         "you typed {typed}.").format(label=label, count=count, example=example, typed=len(numbers)))
    return numbers[0] if question.size == 1 else np.array(numbers)


def _number(item, typed, label):
    if item in _NOT_FINITE:
        return _NOT_FINITE[item]
    if not _NUMBER.fullmatch(item):
        return _refuse(_("“{typed}” is not a number I can read: type {label} as a number, like {examples}.").format(
            typed=typed, label=label, examples="4, −0.31 " + _("or") + " 2/3"))
    numerator, _slash, denominator = item.partition("/")
    try:
        top = float(numerator)
        if not denominator:
            return top
        bottom = float(denominator)
    except (ValueError, OverflowError):
        return _refuse(_("“{typed}” is not a number I can read: type one like {examples}.").format(
            typed=typed, examples="4, −0.31 " + _("or") + " 2/3"))
    if bottom == 0:
        return _refuse(_("“{typed}” divides by zero: type {label} as a number, like {examples}.").format(
            typed=typed, label=label, examples="4, −0.31 " + _("or") + " 2/3"))
    return top / bottom


def _refuse(message):
    raise ValueError(message)


def _factor(text):
    """A negative number in a product, in parentheses: ``0.4692 × (−0.6536)``."""
    return f"({text})" if text.startswith("−") else text


def _text(number):
    """A number or vector as the walkthrough writes it, with the typographic minus."""
    return notation.format_value(number).replace("-", "−")


# ------------------------------------------------------------------------------ the questions of a step
def questions_of(walk, index):
    """The new numbers of ``walk.steps[index]``, in the order they are asked."""
    step = walk.steps[index]
    final = walk.output
    if step.phase == "forward":
        operation = step.operation
        out = operation.output
        return [Question("value", out.id, out.name, out.data, _forward_hint(operation))]
    if step.operation is None:  # a leaf's AccumulateGrad
        leaf = step.leaf
        return [Question("grad", leaf.id, f"{leaf.name}.grad", step.upstream,
                         _("{leaf} is a leaf: {grad} stores {partial}, the whole gradient that reached {leaf} in "
                           "the steps before (its box shows it).").format(
                             leaf=leaf.name, grad=f"{leaf.name}.grad", partial=f"∂{final.name}/∂{leaf.name}"))]
    questions = []
    operation = step.operation
    out = operation.output
    for value in operation.inputs:
        if value.id not in step.contributions:
            continue
        local = step.local.get(value.id)
        local_label = f"∂{out.name}/∂{value.name}"
        asked_local = local is not None and _is_numeric(local)
        previous = _before(walk, index, value.id)
        grad_label, gradient = f"∂{final.name}/∂{value.name}", step.accumulated[value.id]
        if out is final and previous is None:  # ∂L/∂L = 1: the gradient is the local derivative, asked once
            questions.append(Question("grad", value.id, grad_label, gradient,
                                      _local_hint(operation, value) + " " + _("({one}, so this is {partial} too.)")
                                      .format(one=f"∂{final.name}/∂{final.name} = 1",
                                              partial=f"∂{final.name}/∂{value.name}"),
                                      also_hides=(("local", value.id),)))
            continue
        if asked_local:
            questions.append(Question("local", value.id, local_label, np.asarray(local, dtype=np.float64),
                                      _local_hint(operation, value)))
        questions.append(Question("grad", value.id, grad_label, gradient,
                                  _grad_hint(step, operation, value, local, previous, final)))
    return questions


def _is_numeric(value):
    try:
        np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def _before(walk, index, value_id):
    """∂L/∂value before ``walk.steps[index]`` (None: no gradient had reached it)."""
    return walk.steps[index - 1].accumulated.get(value_id) if index > 0 and \
        walk.steps[index - 1].phase == "backward" else None


def _values_text(values):
    return ", ".join(f"{v.name} = {_text(v.data)}" for v in values if v.role != "constant")


def _forward_hint(operation):
    out = operation.output
    given = _values_text(operation.inputs) or _("constants only")
    each = " " + _("(number by number)") if any(np.ndim(v.data) > 0 for v in operation.inputs) and \
        np.ndim(out.data) > 0 else ""
    return _("{out} = {title}, with {given}: work out {work}{each}.").format(
        out=out.name, title=trace.title(operation), given=given,
        work=trace.with_numbers(operation).replace('-', '−'), each=each)


def _local_hint(operation, value):
    out = operation.output
    rule = notation.said(operation.notation.text)
    given = _values_text(operation.inputs)
    if any("{out" in template for template in operation.notation.local):  # the rule uses the output (σ, tanh)
        given += " " + _("and") + f" {out.name} = {_text(out.data)}"
    return _("The local derivative of {out} with respect to {value}: the rule for {node} is {rule}, here with "
             "{given}.").format(out=f"{out.name} = {trace.title(operation)}", value=value.name,
                                node=operation.grad_fn_name, rule=rule, given=given)


def _grad_hint(step, operation, value, local, previous, final):
    out = operation.output
    upstream = _factor(_text(step.upstream))
    local_text = _factor(_text(local)) if local is not None else \
        _("the local derivative of {node}").format(node=operation.grad_fn_name)
    text = _("Chain rule: {rule}").format(
        rule=f"∂{final.name}/∂{value.name} = ∂{final.name}/∂{out.name} × ∂{out.name}/∂{value.name} "
             f"= {upstream} × {local_text}")
    if np.shape(step.raw_contributions.get(value.id)) != np.shape(value.data):
        text += ", " + _("then add up each sample's share (one number for {value})").format(value=value.name)
    if previous is not None:
        text += ", " + _("then add what {value} already had: {previous}").format(value=value.name,
                                                                                 previous=_text(previous))
    return text + "."
