"""The expression parser: a whitelist, clear errors that point at the problem, never eval."""

import builtins

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import expr


@pytest.mark.parametrize("text, parameters, at, expected", [
    ("x**2", ("x",), {"x": 3.0}, 9.0),
    ("exp(sin(x**2))", ("x",), {"x": 2.0}, 0.4692),
    ("x*y + sin(x)", ("x", "y"), {"x": 1.0, "y": 2.0}, 2.8415),
    ("-x**2 + 3/x - (x - 1)", ("x",), {"x": 2.0}, -3.5),
    ("sigmoid(3*x - 1)**2", ("x",), {"x": 0.5}, 0.3874),
    ("sqrt(x) + log(x) + tanh(x) + relu(-x) + cos(pi*x)", ("x",), {"x": 1.0}, 0.7616),
    ("2**x", ("x",), {"x": 3.0}, 8.0),
])
def test_accepted_expressions(text, parameters, at, expected):
    function = expr.parse(text)
    assert function.parameters == parameters
    value = function(**{k: mg.tensor(v, requires_grad=True) for k, v in at.items()})
    assert value.item() == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("text, message, caret", [
    ("__import__('os')", "calling __import__ is not allowed", "^^^^^^^^^^"),
    ("exp(os.system(1))", "calling os.system is not allowed", "    ^^^^^^^^^"),
    ("x.real", "attribute access", "^^^^^^"),
    ("x[0]", "indexing", "^^^^"),
    ("lambda: 1", "a lambda", "^"),
    ("'text'", "is not a number", "^"),
    ("x if x else 1", "if/else", "^"),
    ("sin", "sin is a function", "^^^"),
    ("sin(x, 2)", "takes exactly one argument", "^"),
    ("x +", "not a formula", ""),
    ("x == 1", "a comparison", "^"),
    ("_x + 1", "not allowed", "^^"),
    ("True * x", "is not a number", "^^^^"),
])
def test_refused_expressions_point_at_the_problem(text, message, caret):
    with pytest.raises(ValueError) as info:
        expr.parse(text)
    lines = str(info.value).splitlines()
    assert message in lines[0]
    assert lines[1].strip() == text.strip() and lines[2].strip().startswith(caret.strip())


def test_nothing_is_ever_evaluated(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must never be called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    function = expr.parse("exp(sin(x**2)) + x*y")
    assert function(x=mg.tensor(2.0), y=mg.tensor(1.0)).item() == pytest.approx(2.4692, abs=1e-4)
    with pytest.raises(ValueError):
        expr.parse("eval('1')")


def test_empty_too_long_and_too_deep():
    with pytest.raises(ValueError, match="empty"):
        expr.parse("  ")
    with pytest.raises(ValueError, match="too long"):
        expr.parse("x+" * 200 + "x")
    with pytest.raises(ValueError, match="nested too deeply|not a formula"):
        expr.parse("sin(" * 45 + "x" + ")" * 45)
    with pytest.raises(ValueError, match="must be text"):
        expr.parse(None)


def test_arguments_by_position_and_keyword():
    function = expr.parse("a - b")
    assert function(mg.tensor(5.0), b=mg.tensor(2.0)).item() == 3.0
    with pytest.raises(TypeError):
        function(mg.tensor(1.0))


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_any_text_parses_or_raises_value_error(text):
    try:
        expr.parse(text)
    except ValueError:
        pass


ALPHABET = "x y ( ) + - * / ** sin cos exp log . [ ] ' _ 1 2.5 e pi , lambda : = < import os"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET.split()), max_size=14).map(" ".join))
def test_fuzz_formula_like_text(text):
    try:
        function = expr.parse(text)
    except ValueError:
        return
    arguments = {name: mg.tensor(0.7) for name in function.parameters}
    with mg.no_grad():
        result = function(**arguments)
    assert isinstance(result, (mg.Tensor, float))
