"""Expressions a student types, like ``"exp(sin(x**2))"``, turned into functions. Safely.

The text is parsed by Python's own parser (``ast.parse``, which only reads it) and then
checked against a short whitelist: numbers, names, ``+ - * / **``, unary ``-``, brackets,
and calls of ``sin cos exp log tanh sigmoid relu sqrt`` (and ``mean``, ``sum`` of a vector). Anything else (attributes,
other calls, subscripts, strings, lambdas, ``__import__``) is refused with a ValueError
that points at the part that was refused. Nothing is ever passed to ``eval`` or ``exec``:
the checked tree is turned into small Python closures that call minigrad's functions.

>>> f = parse("x*y + sin(x)")
>>> f.parameters
('x', 'y')
"""

import ast
import inspect
import math

from ..tensor import Tensor
from . import i18n
from .i18n import N_
from .i18n import gettext as _

# mean and sum: of a vector input
FUNCTIONS = ("sin", "cos", "exp", "log", "tanh", "sigmoid", "relu", "sqrt", "mean", "sum")
CONSTANTS = {"pi": math.pi, "e": math.e}
MAX_LENGTH = 300
MAX_DEPTH = 40


class FormulaError(ValueError):
    """A formula the parser refuses, pointing at the problem.

    ``str(error)`` is English, as Python code, tests and checked notebook outputs read it (like PyTorch's own
    errors); :meth:`said` is the same message in the language the widgets speak now (``i18n``).
    """

    def __init__(self, build):
        self.build = build
        with i18n.in_english():
            super().__init__(build())

    def said(self):
        return self.build()


def _help():
    return _("use names, numbers, + - * / **, brackets and {functions}").format(functions=" ".join(FUNCTIONS))


class Expression:
    """A parsed expression: call it with tensors (by keyword or in order) to build the graph."""

    def __init__(self, text, tree, parameters):
        self.text = text
        self.parameters = parameters
        self._evaluate = _compile(tree, text)
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in parameters])
        self.__name__ = text

    def __call__(self, *args, **kwargs):
        bound = self.__signature__.bind(*args, **kwargs)
        return self._evaluate(bound.arguments)

    def __repr__(self):
        return f"Expression({self.text!r}, parameters={self.parameters})"


def parse(text):
    """Check ``text`` and return an Expression; ValueError (pointing at the problem) otherwise."""
    if not isinstance(text, str):
        raise FormulaError(lambda: _("an expression must be text, not {kind}").format(kind=type(text).__name__))
    stripped = text.strip()
    if not stripped:
        raise FormulaError(lambda: _("the expression is empty: type a function of x, e.g. {example} ({help})").format(
            example="sin(x**2)", help=_help()))
    if len(stripped) > MAX_LENGTH:
        raise FormulaError(lambda: _("the expression is too long ({length} characters; at most {limit})").format(
            length=len(stripped), limit=MAX_LENGTH))
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        reason, offset = error.msg, (error.offset or 1) - 1
        raise FormulaError(lambda: _pointing(stripped, offset, 1, _("this is not a formula: {reason}").format(
            reason=reason))) from None
    except (ValueError, RecursionError, MemoryError) as error:
        kind = type(error).__name__
        raise FormulaError(lambda: _("this is not a formula ({kind}); {help}").format(kind=kind, help=_help())) \
            from None
    parameters = []
    _check(tree.body, stripped, parameters, depth=0)
    return Expression(stripped, tree.body, tuple(parameters))


# ------------------------------------------------------------------------------ checking
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}


def _check(node, text, parameters, depth):
    """Walk the tree; refuse anything not on the whitelist; collect the names in order."""
    if depth > MAX_DEPTH:
        raise FormulaError(lambda: _pointing(text, node.col_offset, 1, _(
            "the expression is nested too deeply (> {limit})").format(limit=MAX_DEPTH)))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, text, parameters, depth + 1)
        _check(node.right, text, parameters, depth + 1)
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand, text, parameters, depth + 1)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            _refuse(node, text, lambda: _("{value} is not a number").format(value=repr(node.value)))
    elif isinstance(node, ast.Name):
        _check_name(node, text, parameters)
    elif isinstance(node, ast.Call):
        _check_call(node, text, parameters, depth)
    else:
        _refuse(node, text, lambda: _("{what} is not allowed").format(what=_describe(node)))


def _check_name(node, text, parameters):
    name = node.id
    if name in FUNCTIONS:
        _refuse(node, text, lambda: _("{name} is a function: write {call}").format(name=name, call=f"{name}(...)"))
    if name.startswith("_"):
        _refuse(node, text, lambda: _("the name {name} is not allowed").format(name=repr(name)))
    if name not in CONSTANTS and name not in parameters:
        parameters.append(name)


def _check_call(node, text, parameters, depth):
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        what = ast.get_source_segment(text, node.func)
        _refuse(node.func, text, lambda: _("calling {what} is not allowed").format(what=what) if what else
                _("calling this is not allowed"))
    if node.keywords or len(node.args) != 1:
        _refuse(node, text, lambda: _("{call} takes exactly one argument").format(call=f"{node.func.id}()"))
    _check(node.args[0], text, parameters, depth + 1)


def _describe(node):
    kinds = {ast.Attribute: N_("attribute access (.)"), ast.Subscript: N_("indexing ([ ])"), ast.Lambda: N_("a lambda"),
             ast.Compare: N_("a comparison"), ast.BoolOp: "and/or", ast.IfExp: "if/else",
             ast.JoinedStr: N_("an f-string"), ast.List: N_("a list"), ast.Tuple: N_("a tuple"), ast.Dict: N_("a dict"),
             ast.Starred: "*", ast.NamedExpr: ":="}
    for kind, words in kinds.items():
        if isinstance(node, kind):
            return _(words)
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        return _("the operator {name}").format(name=type(node.op).__name__)
    return type(node).__name__


def _refuse(node, text, message):
    """Refuse the part ``node`` of ``text``; ``message()`` says why (in the language asked for when it is read)."""
    start = getattr(node, "col_offset", 0)
    end = getattr(node, "end_col_offset", start + 1) or start + 1
    raise FormulaError(lambda: _pointing(text, start, max(1, end - start), message()))


def _pointing(text, start, width, message, hint=True):
    """The message (with what is allowed, if ``hint``), the text, and carets under the offending part."""
    start = max(0, min(start, len(text)))
    carets = "^" * max(1, min(width, len(text) - start))
    return f"{message}{'; ' + _help() if hint else ''}\n    {text}\n    {' ' * start}{carets}"


# ------------------------------------------------------------------------------ building the function
def _compile(node, text):
    """Turn the checked tree into nested closures over a dict of argument values."""
    if isinstance(node, ast.Constant):
        value = float(node.value)
        return lambda arguments: value
    if isinstance(node, ast.Name):
        name = node.id
        if name in CONSTANTS:
            value = CONSTANTS[name]
            return lambda arguments: value
        return lambda arguments: arguments[name]
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand, text)
        if isinstance(node.op, ast.USub):
            return lambda arguments: -operand(arguments)
        return operand
    if isinstance(node, ast.BinOp):
        return _numbers_said_plainly(_compile_binary(node, text), node, text)
    function_name = node.func.id
    argument = _compile(node.args[0], text)
    return lambda arguments: _apply_function(function_name, argument(arguments))


def _compile_binary(node, text):
    left, right = _compile(node.left, text), _compile(node.right, text)
    operator = type(node.op)
    if operator is ast.Add:
        return lambda a: left(a) + right(a)
    if operator is ast.Sub:
        return lambda a: left(a) - right(a)
    if operator is ast.Mult:
        return lambda a: left(a) * right(a)
    if operator is ast.Div:
        return lambda a: left(a) / right(a)
    if isinstance(node.right, ast.Constant) and float(node.right.value).is_integer():
        exponent = int(node.right.value)  # x**2 stays PowBackward0 with an int exponent, as in PyTorch
        return lambda a: left(a) ** exponent
    return lambda a: left(a) ** right(a)


def _numbers_said_plainly(operation, node, text):
    """Arithmetic on plain numbers (``9**9**9``, ``1/0``) fails in Python as it does next to PyTorch;
    say which part of the formula failed, in words, instead of Python's bare OverflowError."""

    def run(arguments):
        try:
            return operation(arguments)
        except (OverflowError, ZeroDivisionError) as error:
            part = ast.get_source_segment(text, node) or text
            too_big, python = isinstance(error, OverflowError), f" ({type(error).__name__}: {error})"
            width = node.end_col_offset - node.col_offset

            def message():
                words = _("{part} is too big for a number") if too_big else _("{part} divides by zero")
                return words.format(part=part) + python

            raise FormulaError(lambda: _pointing(text, node.col_offset, width, message(), hint=False)) from None

    return run


def _apply_function(name, value):
    if isinstance(value, Tensor) or hasattr(value, "requires_grad"):  # (a PyTorch tensor too: the tests compare)
        return getattr(value, name)()
    from ..creation import tensor  # a function of a constant, e.g. sin(2): a constant tensor

    return getattr(tensor(float(value)), name)()
