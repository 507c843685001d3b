"""Grad mode: whether new operations are recorded in the graph.

``with no_grad():`` is how a training loop updates weights without the update itself
becoming part of the next graph. The switch is one module-level flag that
``Function.apply`` reads on every op, so it costs nothing when it is on.
"""

import functools


class _GradMode:
    """Holds the one global flag (a single-threaded engine needs no more)."""

    enabled = True


STATE = _GradMode()


def is_grad_enabled():
    """True when new operations build a graph."""
    return STATE.enabled


class set_grad_enabled:
    """Switch graph building on or off: as a call, a context manager or a decorator.

    ``set_grad_enabled(False)`` takes effect at once (like PyTorch); used in a
    ``with`` block, the previous mode comes back when the block ends.
    """

    def __init__(self, mode):
        self.mode = bool(mode)
        self.previous = STATE.enabled
        STATE.enabled = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        STATE.enabled = self.previous
        return False

    def __call__(self, function):
        mode = self.mode
        STATE.enabled = self.previous  # used as a decorator: do not switch now

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper


class _GradModeContext:
    """Shared body of ``no_grad`` and ``enable_grad``: a context manager and a decorator."""

    mode = True

    def __new__(cls, function=None):
        self = object.__new__(cls)
        if callable(function):  # used bare, as ``@no_grad``
            return self(function)
        return self

    def __init__(self, function=None):
        self.previous = []

    def __enter__(self):
        self.previous.append(STATE.enabled)
        STATE.enabled = self.mode
        return None

    def __exit__(self, *exc):
        STATE.enabled = self.previous.pop()
        return False

    def __call__(self, function):
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Inside ``with no_grad():`` no graph is built: results have ``requires_grad=False``."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn graph building back on inside a ``no_grad`` block."""

    mode = True
