"""The self-checks: number boxes and multiple choice, a hint and a second try before the solution,
gentle words for odd input, and the notebook's running count."""

import sys
import types

import pytest

from minigrad.teaching.widgets.check import Check, Choice, Scoreboard, parse_answer
from minigrad.widgets import check, choice, score


@pytest.fixture
def board():
    return Scoreboard()


def number(board, answer=12, hint="Each backward() adds 2x = 4."):
    return Check("x.grad after three backward() calls?", answer, "gradients add up: 4 + 4 + 4", hint=hint,
                 scoreboard=board)


def answer(box, typed):
    """Type, then click, as a student does (more than a moment after the last click)."""
    box.clicked_at = None
    box.answer_box.value = typed
    box.button.click()
    return box.verdict.value


def test_a_right_answer_is_praised_with_the_reason(board):
    box = number(board)
    verdict = answer(box, "12")
    assert "Right!" in verdict and "4 + 4 + 4" in verdict and "you typed 12" in verdict
    assert box.got and board.counts() == (1, 1, 1)


def test_a_wrong_answer_gets_the_hint_then_a_second_try_then_the_solution(board):
    box = number(board)
    first = answer(box, "8")
    assert "Not quite" in first and "you typed 8" in first and "Hint:" in first and "adds 2x = 4" in first
    assert "The answer" not in first and "4 + 4 + 4" not in first  # no solution yet
    second = answer(box, "16")
    assert "Not quite" in second and "The answer:</b> 12" in second and "4 + 4 + 4" in second
    assert not box.got and box.finished and board.counts() == (0, 1, 1)
    assert "Right!" in answer(box, "12") and not box.got  # right after seeing it: fine, but not counted


def test_a_right_second_try_counts(board):
    box = number(board)
    answer(box, "8")
    verdict = answer(box, "12")
    assert "Right!" in verdict and "second try" in verdict and box.got


def test_without_a_hint_the_student_is_told_to_look_again(board):
    box = number(board, hint=None)
    assert "Look again" in answer(box, "1")


@pytest.mark.parametrize("typed, right", [("−3", True), ("-3.0", True), ("-6/2", True), ("3", False),
                                          ("-3,0", True), ("-3e0", True), ("tensor(-3.)", True)])
def test_numbers_are_read_as_students_type_them(board, typed, right):
    box = Check("x.grad at x = -1.5?", -3, "2x", scoreboard=board)
    assert ("Right!" in answer(box, typed)) is right


@pytest.mark.parametrize("typed, words", [("", "Type a number first"), ("abc", "is not a number"),
                                          ("1/0", "divides by zero"), ("1e999", "too big"), ("1..2", "not a number"),
                                          ("--3", "not a number"), ("nan", "not a number"), ("   ", "Type a number")])
def test_odd_input_gets_a_gentle_line_and_uses_no_try(board, typed, words):
    box = number(board)
    verdict = answer(box, typed)  # never raises
    assert words in verdict and "Traceback" not in verdict and "Error" not in verdict
    assert box.tries == 0 and not box.guard.failures
    assert "Hint:" in answer(box, "8")  # the first real wrong answer still gets the hint


def test_parse_answer_says_why_in_words():
    assert parse_answer(" 4/3 ") == pytest.approx(4 / 3)
    with pytest.raises(ValueError, match="too big"):
        parse_answer("1e400")


def test_text_that_arrives_just_after_the_click_is_judged_and_uses_no_extra_try(monkeypatch, board):
    """The browser's click can overtake the typed text; the verdict ends on what was typed."""
    clock = [100.0]
    monkeypatch.setattr(sys.modules["minigrad.teaching.widgets.check"], "time",
                        types.SimpleNamespace(monotonic=lambda: clock[0]))
    box = Check("dy/dx of x² at 3?", 6, "2x = 6", scoreboard=board)
    assert "Not quite" in answer(box, "9")
    clock[0] += 10
    box.button.click()  # "6" typed and Check clicked at once: the click arrives first, the kernel still has "9"
    assert "you typed 9" in box.verdict.value
    clock[0] += 0.1
    box.answer_box.value = "6"  # then the text
    assert "you typed 6" in box.verdict.value and "Right!" in box.verdict.value
    assert box.got and "The answer" not in box.verdict.value  # the stale verdict did not use up the second try
    clock[0] += 5
    box.answer_box.value = "7"  # much later: the verdict was about another number, so it goes
    assert box.verdict.value == ""


def test_multiple_choice_hint_second_try_solution(board):
    box = Choice("Which line raises the RuntimeError?", ["x = torch.tensor(2.0)", "y = x ** 2", "y.backward()"],
                 2, "backward() needs a graph, and x does not require grad.", hint="Which line walks the graph?",
                 scoreboard=board)
    assert "Pick one" in (box.button.click() or box.verdict.value) and box.tries == 0
    box.picker.value = "y = x ** 2"
    box.button.click()
    assert "Not quite" in box.verdict.value and "walks the graph" in box.verdict.value
    box.picker.value = "x = torch.tensor(2.0)"
    box.button.click()
    assert "The answer:</b> “y.backward()”" in box.verdict.value and not box.got


def test_multiple_choice_right_at_once_and_answer_by_text(board):
    box = Choice("Which way changes x itself?", ["detach()", "requires_grad_(False)", "no_grad()"],
                 "requires_grad_(False)", "The underscore means in place.", scoreboard=board)
    box.picker.value = "requires_grad_(False)"
    box.button.click()
    assert "Right!" in box.verdict.value and "in place" in box.verdict.value and box.got
    with pytest.raises(ValueError):
        Choice("?", ["a", "b"], 2, "", scoreboard=board)


def test_the_score_counts_each_question_once_and_follows_the_answers():
    module = sys.modules["minigrad.teaching.widgets.check"]

    module.SCOREBOARD.reset()
    first = check("one?", 1, "one")
    check("two?", 2, "two")
    check("two?", 2, "two")  # the cell run again: the same question, counted once
    mc = choice("pick b", ["a", "b"], 1, "b it is")
    shown = score()
    assert "3 self-checks" in shown.value
    answer(first, "1")
    assert "You got 1 of 3." in shown.value and "2 still to answer" in shown.value
    mc.picker.value = "a"
    mc.button.click()
    mc.picker.value = "a"
    mc.button.click()
    assert "You got 1 of 3." in shown.value and "1 still to answer" in shown.value
    answer(module.SCOREBOARD.checks["two?"], "2")
    assert "You got 2 of 3." in shown.value and "still" not in shown.value
    module.SCOREBOARD.reset()
