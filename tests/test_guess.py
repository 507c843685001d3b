"""Guess mode: the questions each step asks, judging a guess, hints, tries, the score, odd input, and the widget."""

import math

import numpy as np
import pytest

from minigrad.teaching import expr, trace
from minigrad.teaching.widgets.guess import GuessSession, is_right, parse_guess, questions_of
from minigrad.widgets import Walkthrough


@pytest.fixture
def chain():
    return trace.Walkthrough.run(expr.parse("exp(sin(x**2))"), x=2.0)


def asked(walk):
    return [[(q.kind, q.label) for q in questions_of(walk, i)] for i in range(len(walk.steps))]


def test_each_step_asks_its_new_numbers_in_order(chain):
    assert asked(chain) == [
        [("value", "y")], [("value", "z")], [("value", "u")],
        [("grad", "∂u/∂z")],  # ∂u/∂u = 1: the gradient is the local derivative, asked once
        [("local", "∂z/∂y"), ("grad", "∂u/∂y")],
        [("local", "∂y/∂x"), ("grad", "∂u/∂x")],
        [("grad", "x.grad")],
    ]
    answers = [q.answer for i in range(7) for q in questions_of(chain, i)]
    np.testing.assert_allclose(answers, [4, math.sin(4), math.exp(math.sin(4)), math.exp(math.sin(4)),
                                         math.cos(4), math.exp(math.sin(4)) * math.cos(4), 4,
                                         math.exp(math.sin(4)) * math.cos(4) * 4,
                                         math.exp(math.sin(4)) * math.cos(4) * 4], rtol=1e-5)


def test_two_paths_ask_for_the_sum_and_the_hint_says_so():
    walk = trace.Walkthrough.run(expr.parse("x*y + sin(x)"), x=1.5, y=-2.0)
    (local_x, grad_x, local_y, grad_y) = questions_of(walk, 5)  # MulBackward0: x already had cos(1.5)
    assert (grad_x.label, float(grad_x.answer)) == ("∂v/∂x", pytest.approx(-2 + math.cos(1.5), rel=1e-5))
    assert "add what x already had: 0.0707" in grad_x.hint and "1 × (−2)" in grad_x.hint
    assert local_x.answer == -2.0 and "∂/∂a = b, ∂/∂b = a" in local_x.hint


@pytest.mark.parametrize("typed, right", [
    ("4", True), ("4.0", True), ("4.004", True), ("4.01", True), ("4.03", False), ("3.9", False), ("", None)])
def test_judging_allows_the_shown_rounding(typed, right):
    if right is None:
        return
    assert is_right(parse_guess(typed, _question(4.0)), 4.0) is right


@pytest.mark.parametrize("answer, typed, right", [
    (-0.30666617, "-0.31", True), (-0.30666617, "−0.307", True), (-0.30666617, "-0.3", False),
    (2 / 3, "0.67", True), (2 / 3, "2/3", True), (2 / 3, "0.7", False), (4.6666665, "4.67", True),
    (4.6666665, "4.7", False), (0.4691642, "0,47", True), (123.456, "123", True), (0.0012345, "0.00123", True),
])
def test_a_guess_is_right_rounded_to_2_decimals_or_3_significant_digits(answer, typed, right):
    assert is_right(parse_guess(typed, _question(answer)), answer) is right


def test_a_vector_is_typed_with_commas_and_a_single_number_for_a_constant_vector():
    grad = np.array([2 / 3, 4 / 3, 2.0], dtype=np.float32)
    for typed in ("0.67, 1.33, 2", "[0.667 1.333 2]", "0.67;1.33;2", "2/3, 4/3, 2"):
        assert is_right(parse_guess(typed, _question(grad)), grad), typed
    assert not is_right(parse_guess("0.67, 1.33, 2.1", _question(grad)), grad)
    thirds = np.full(3, 1 / 3)
    assert is_right(parse_guess("1/3", _question(thirds)), thirds)
    with pytest.raises(ValueError, match="has 3 numbers: type all 3, separated by commas"):
        parse_guess("0.67, 1.33", _question(grad))


@pytest.mark.parametrize("typed, words", [
    ("", "Type your guess for y first"), ("   ", "Type your guess"), ("abc", "is not a number I can read"),
    ("1e999", "too big"), ("nan", "means “not a number”"), ("inf", "too big"), ("1/0", "divides by zero"),
    ("2 3", "is one number"), ("4 + 1", "not a number I can read"), ("0x10", "not a number I can read"),
    ("1e99999999999999999999", "too big"), ("9" * 400, "too big"), ("4/", "not a number I can read"),
])
def test_odd_input_gets_a_gentle_word_and_costs_no_try(chain, typed, words):
    session = GuessSession(chain)
    verdict = session.answer(0, typed)
    assert verdict.kind == "odd" and words in verdict.message
    assert session.tries_left(0) == 2 and session.current(0).label == "y"


def test_right_wrong_hint_second_try_reveal_and_the_score(chain):
    session = GuessSession(chain)
    assert session.hidden(0) == {("value", "v1")} and session.score_text() == "0 of 0 steps guessed"
    right = session.answer(0, "4")
    assert right.kind == "right" and right.message.endswith("y = 4.") and session.done(0)
    wrong = session.answer(1, "0.75")
    assert wrong.kind == "wrong" and "Hint: z = sin(y), with y = 4: work out sin(4)." in wrong.message
    assert "0.7568" not in wrong.message and session.hidden(1)  # the hint never says the answer
    second = session.answer(1, "0.76")
    assert second.kind == "revealed" and "z = −0.7568" in second.message and session.done(1)
    assert session.score() == (1, 2) and session.score_text() == "1 of 2 steps guessed"
    assert session.answer(2, "0.4692").kind == "right"
    assert session.answer(4, "-0.65").kind == "right" and session.hidden(4) == {("grad", "v1")}
    assert session.answer(4, "-0.31").kind == "right" and session.hidden(4) == set()
    assert session.reveal(3).kind == "revealed"  # Show me: shown, not guessed
    assert session.score_text() == "3 of 5 steps guessed"
    assert session.answer(4, "1").kind == "odd"  # a finished step: nothing more to guess


def test_present_mode_is_the_room_s_poll(chain):
    session = GuessSession(chain, room=True)
    assert session.answer(0, "4").message.startswith("The room got it!")
    assert "the room said 1" in session.answer(1, "1").message
    assert session.score_text() == "The room: 1 of 1 step guessed"


def test_every_hint_has_its_numbers_and_no_answer_of_its_own():
    walks = [trace.Walkthrough.run(expr.parse("exp(sin(x**2))"), x=3.0),
             trace.Walkthrough.run(lambda x: (x ** 2).mean(), x=[1.0, 2.0, 3.0]),
             trace.Walkthrough.run(trace.neuron, constants=("x", "t"), w=1.0, b=0.0, x=[6.7, 5.0], t=[1.0, 0.0])]
    for walk in walks:
        for index in range(len(walk.steps)):
            for question in questions_of(walk, index):
                if not question.label.endswith(".grad"):  # a leaf's: "the gradient that reached x" (in its box)
                    assert any(ch.isdigit() for ch in question.hint), question
                operation = walk.steps[index].operation
                given = [] if operation is None else [
                    trace.notation.format_value(v.data).replace("-", "−") for v in operation.inputs]
                shown = question.shown().split(" = ")[1]
                if question.kind == "value" and shown not in given:  # (w = 1: w·x is x, said in the hint)
                    assert shown not in question.hint, question


# ------------------------------------------------------------------------------ the widget
def test_the_widget_hides_the_step_s_new_number_until_it_is_guessed():
    widget = Walkthrough("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0), guess=True)
    assert "y = x^{2} = 2^{2} = \\boxed{?}" in widget.equation.value
    assert "y = x^{2} = 2^{2} = 4" not in widget.equation.value
    assert "y = x² | value ? |" in widget._draw(0).source
    assert "<td style='padding:2px 8px'>?</td>" in widget.table.value
    assert "Your guess: <b>y = ?</b>" in widget.guess_prompt.value and widget.play.layout.display == "none"
    widget.guess_box.value = "4"  # Enter
    assert "Right! y = 4." in widget.guess_verdict.value and widget.guess_box.value == ""
    assert "y = x^{2} = 2^{2} = 4" in widget.equation.value and "value 4" in widget._draw(0).source
    assert "1 of 1 step guessed" in widget.guess_score.value
    widget.next_button.click()
    assert widget.guess_verdict.value == "" and "z = ?" in widget.guess_prompt.value
    widget.guess_box.value = "abc"
    assert "not a number I can read" in widget.guess_verdict.value and widget.guess_box.value == "abc"
    widget.guess_box.value = "1"
    assert "Hint: z = sin(y), with y = 4: work out sin(4)." in widget.guess_verdict.value
    widget.guess_box.value = "-0.76"
    assert "Right" in widget.guess_verdict.value or "Exactly" in widget.guess_verdict.value
    widget.present.value = True
    assert "font-size:22px" in widget.guess_prompt.value
    assert "The room: 2 of 2 steps guessed" in widget.guess_score.value
    widget.guess_toggle.value = False
    assert widget.guess_panel.layout.display == "none" and "?" not in widget.equation.value
    assert widget.guard.failures == [] and widget.guess_guard.failures == []


def test_text_that_arrives_after_the_click_is_the_one_judged():
    """The browser may send the box's text after the click on Check (check.py says why)."""
    widget = Walkthrough("x**2", x=(-3, 3, 0.01, 2.0), guess=True)
    widget.guess_box.value = "nan"  # odd: said gently, kept in the box
    widget.guess_box.value = "abc"
    widget.check_button.click()  # the box was emptied, but the click came first: it judged "abc"
    assert "not a number I can read" in widget.guess_verdict.value
    widget.guess_box.value = ""  # ... and then the emptied box arrived
    assert "Type your guess for y first" in widget.guess_verdict.value
    widget.check_button.click()  # typed 4, clicked: the click first (the box still empty), then the text
    widget.guess_box.value = "4"
    assert "Right! y = 4." in widget.guess_verdict.value and widget.guess_box.value == ""
    widget.check_button.click()  # a click right after a judged guess: that guess's own, nothing more
    assert "Right! y = 4." in widget.guess_verdict.value


def test_guess_mode_with_frames_a_vector_and_new_inputs():
    widget = Walkthrough(lambda x: (x ** 2).mean(), x=[1.0, 2.0, 3.0], frames=True, guess=True)
    assert "value ?" in widget.frame(widget.graph_frames, 0).value
    assert widget.guess("1, 4, 9").kind == "right"
    assert "value [1.000, 4.000, 9.000]" in widget.frame(widget.graph_frames, 0).value
    widget.step_slider.value = 4
    assert widget.guess("0.67, 1.33").kind == "odd"
    assert widget.guess("2, 4, 6").kind == "right"  # PowBackward0: the local derivative 2x first
    assert widget.guess("0.67, 1.33, 2").kind == "right"  # then x's gradient, the lecture's
    assert "grad [0.667, 1.333, 2.000]" in widget.frame(widget.graph_frames, 3).value
    scalar = Walkthrough("x**2", x=(-3, 3, 0.01, 2.0), guess=True)
    scalar.guess("4")
    scalar.sliders["x"].value = 3.0  # new numbers: new questions, a new score
    assert "value ?" in scalar._draw(0).source and "0 of 0 steps guessed" in scalar.guess_score.value


def _question(answer):
    from minigrad.teaching.widgets.guess import Question

    return Question("value", "v1", "y", answer, "hint")
