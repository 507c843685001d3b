"""Small numeric helpers for the ops and the engine, written for the tiny arrays of the course.

On a handful of values NumPy spends most of its time setting a call up, not computing:
``1 - p`` converts the Python 1 afresh every time, and a reduction such as ``p.sum()``
prepares an iterator for five numbers. These helpers avoid that set-up and give the
same results (see each docstring for the precise promise).
"""

import contextvars
import math
import threading

import numpy as np

SMALL = 16  # up to this many values, Python's own loop beats NumPy's reduction machinery


class Typed(dict):
    """One number as a NumPy scalar of each dtype, made on first use: ``ONE[x.dtype]``.

    NumPy converts a bare Python number afresh on every operation with an array, which on a
    handful of values costs as much as the operation itself (1 - p takes twice as long as
    ONE[p.dtype] - p). The hot activations and losses use these instead.
    """

    def __init__(self, number):
        super().__init__()
        self.number = number

    def __missing__(self, dtype):
        self[dtype] = value = dtype.type(self.number)
        return value


ZERO, ONE = Typed(0), Typed(1)


def total(values):
    """The sum of all values, as a NumPy scalar of their dtype (``np.add.reduce`` over all axes).

    A handful of floats in a row is summed by Python in double precision and rounded once to the dtype:
    5x faster than NumPy's reduction, and at least as accurate (NumPy and PyTorch add float32
    values in float32).
    """
    if values.ndim == 1 and values.size <= SMALL and values.dtype.kind == "f":
        return ZERO[values.dtype] + sum(values.tolist())
    return np.add.reduce(values, axis=None)


def smallest(values):
    """The smallest value, NaN if any value is NaN (``np.minimum.reduce`` over all axes).

    ``argmin`` finds it without NumPy's reduction set-up, 3x faster on a few values.
    """
    return _value_at(values, np.ndarray.argmin)


def largest(values):
    """The largest value, NaN if any value is NaN (``np.maximum.reduce`` over all axes)."""
    return _value_at(values, np.ndarray.argmax)


def _value_at(values, find):
    """The value at the flat position ``find(values)`` picks (argmin, argmax: NaN comes first)."""
    if type(values) is not np.ndarray:  # a NumPy scalar is its own minimum and maximum
        return values
    return (values if values.ndim == 1 else values.ravel())[find(values)]


# --------------------------------------------------------------------- no NumPy warnings
# PyTorch computes log(0) = -inf, 1/0 = inf, 0/0 = nan and exp(1000) = inf without a word;
# NumPy warns ("divide by zero encountered in log"). Ops run with NumPy's floating-point errors
# ignored, never by changing the user's own NumPy settings (np.seterr): a student's NumPy code
# keeps its warnings. NumPy keeps its error state in one context variable, ``FP_ERROR_STATE``.
# ``np.errstate`` costs far more than an op on a number (1.4 µs against 0.06 µs); even setting
# and resetting the variable directly (``FP_ERROR_STATE.set(QUIET)``, then ``.reset(token)``)
# costs four times the op. So each op's forward runs *inside a context of its own* in which the
# variable already says "ignore": ``quietly(forward, ...)`` costs almost nothing.
try:
    from numpy._core._ufunc_config import _extobj_contextvar as FP_ERROR_STATE
except ImportError:  # pragma: no cover - another NumPy layout: a stand-in with the same two methods
    FP_ERROR_STATE = None

if FP_ERROR_STATE is None:  # pragma: no cover

    class _ErrstateVariable:
        """``set``/``reset`` like a context variable, with the public (slower) ``np.errstate``."""

        def set(self, _quiet):
            state = np.errstate(all="ignore")
            state.__enter__()
            return state

        def reset(self, state):
            state.__exit__(None, None, None)

    class _ErrstateContext:
        """``run`` like a quiet context's, with ``np.errstate``."""

        def run(self, function, *args, **options):
            with np.errstate(all="ignore"):
                return function(*args, **options)

    FP_ERROR_STATE, QUIET = _ErrstateVariable(), None
else:
    with np.errstate(all="ignore"):
        QUIET = FP_ERROR_STATE.get()


class _QuietContexts(threading.local):
    """One quiet context per thread: a context can be entered by one thread at a time only.

    Only an op's forward runs in it (NumPy data in, NumPy data out, never another op), so it is
    never entered twice. The backward pass, which runs the user's hooks (and they may call ops),
    sets the variable the ordinary way instead, once per pass.
    """

    def __init__(self):
        if QUIET is None:  # pragma: no cover - the stand-in: np.errstate around each call
            self.context = _ErrstateContext()
            return
        self.context = contextvars.Context()
        self.context.run(FP_ERROR_STATE.set, QUIET)


QUIET_CONTEXTS = _QuietContexts()


def quietly(function, *args, **options):
    """``function(*args, **options)`` with NumPy's floating-point warnings off (see above)."""
    return QUIET_CONTEXTS.context.run(function, *args, **options)


# --------------------------------------------------------------------- PyTorch's float32 digits
# NumPy's float32 exp, log, sin, cos and tanh are its own SIMD approximations; PyTorch's results
# are (nearly always) the correctly rounded float32, which is what computing in float64 and rounding
# once gives: the same digits as PyTorch on 95-99.9% of a grid, against 67-93% for NumPy's float32
# functions (tests/test_parity.py measures it). A number goes through Python's ``math`` (faster
# than a NumPy call on a NumPy scalar), a float32 array of up to PRECISE_UP_TO values (every
# lesson's tensors) through float64; a bigger array (a benchmark's batch) keeps NumPy's float32
# functions, three times faster.
PRECISE_UP_TO = 4096
_F32 = np.float32
_ONE32 = _F32(1)


def _float32_precise(numpy_function, math_function):
    def precise(x):
        if type(x) is _F32:
            try:
                return _ONE32 * math_function(x)  # float32 × a Python float: rounded once to float32
            except (ValueError, OverflowError):  # log(0), sin(inf), exp(1000): NumPy knows the IEEE answer
                return _F32(numpy_function(np.float64(x)))
        if type(x) is np.ndarray and x.dtype == _F32 and x.size <= PRECISE_UP_TO:
            return numpy_function(x.astype(np.float64)).astype(_F32)
        return numpy_function(x)

    precise.__name__ = numpy_function.__name__
    precise.__doc__ = f"np.{numpy_function.__name__}, float32 results rounded once from float64 (see above)."
    return precise


exp = _float32_precise(np.exp, math.exp)
log = _float32_precise(np.log, math.log)
sin = _float32_precise(np.sin, math.sin)
cos = _float32_precise(np.cos, math.cos)
tanh = _float32_precise(np.tanh, math.tanh)
log1p = _float32_precise(np.log1p, math.log1p)


def power(x, n):
    """x ** n for a number n, the float32 result rounded once from float64 (C's powf, as PyTorch)."""
    if type(x) is _F32:
        try:
            return _ONE32 * math.pow(x, n)
        except (ValueError, OverflowError, ZeroDivisionError):  # NumPy knows the IEEE answer
            return _F32(np.power(np.float64(x), n))
    if type(x) is np.ndarray and x.dtype == _F32 and x.size <= PRECISE_UP_TO:
        return np.power(x.astype(np.float64), n).astype(_F32)
    return np.power(x, x.dtype.type(n))


def sigmoid(x):
    """σ(x) = 1 / (1 + e^(-x)), as PyTorch's CPU code computes it: e^(-x) rounded to the data's
    dtype, then 1 + that, then the reciprocal, each in the data's dtype. (Not the correctly
    rounded σ(x): at x = 6.7 it gives 0.9987705946 where the exact value rounds to 0.9987705350,
    and the lecture's printed gradients depend on that digit.) Large |x| needs no trick: e^(-x)
    overflows to inf and 1 / inf = 0, or underflows to 0 and 1 / 1 = 1.
    """
    one = ONE[x.dtype]
    return one / (one + exp(-x))
