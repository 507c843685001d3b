"""Small numeric helpers for the ops and the engine, written for the tiny arrays of the course.

On a handful of values NumPy spends most of its time setting a call up, not computing:
``1 - p`` converts the Python 1 afresh every time. These helpers avoid that set-up and give
PyTorch's results (see each docstring for the precise promise), down to the order in which a sum
adds its values.
"""

import contextvars
import ctypes
import ctypes.util
import math
import threading

import numpy as np


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
    """The sum of all values, as a NumPy scalar of their dtype, added in PyTorch's order.

    PyTorch's CPU sum (``cascade_sum``) of a contiguous row does not add left to right, and float
    addition depends on the order: the same numbers added NumPy's way differ in the last digit about
    half the time. So float32 and float64 values in a row are added the way PyTorch adds them
    (``pytorch_order_sum``), up to where PyTorch starts adding in levels; more values, or integers (their
    sum is exact anyway), NumPy's way.
    """
    lanes = LANES.get(values.dtype)
    if lanes is not None and values.size < CASCADE_VECTORS * lanes and values.flags.c_contiguous:
        return pytorch_order_sum(values if values.ndim == 1 else values.reshape(-1), lanes)
    return np.add.reduce(values, axis=None)


# PyTorch's order (aten/src/ATen/native/cpu/SumKernel.cpp, on a CPU with AVX2 as this one):
# - fewer values than fit in one vector register (8 float32, 4 float64): four running sums, over
#   values 0, 4, 8, ...; 1, 5, 9, ...; 2, 6, ...; 3, 7, ...; the values after the last whole group
#   of four are added to the first sum; then the four are added in order (``row_sum``);
# - more: the same done with whole vectors (8 running sums side by side, "lanes"), then the values
#   after the last whole vector are added up from 0, then each lane's sum in turn.
# From 64 whole vectors on (512 float32), PyTorch adds in levels, a cascade this leaves out: hence the limit.
VECTOR_BYTES = 32  # an AVX2 register
LANES = {np.dtype(np.float32): VECTOR_BYTES // 4, np.dtype(np.float64): VECTOR_BYTES // 8}  # values it holds
CASCADE_VECTORS = 64


def pytorch_order_sum(row, lanes):
    """The sum of a 1-D float array in PyTorch's order (see above), as a NumPy scalar of its dtype;
    ``lanes``: how many of its values a vector register holds."""
    zero = ZERO[row.dtype]
    if row.size < lanes:  # left to right in _ONE_GROUP_ORDER, from +0 as PyTorch's sums start
        values, result = row.tolist(), zero
        for index in _ONE_GROUP_ORDER[row.size]:
            result = result + values[index]  # a NumPy scalar + a Python float: added in the row's dtype
        return result
    whole = row.size // lanes * lanes
    lanes_summed = _four_sums(row[:whole].reshape(-1, lanes), zero)
    result = zero
    for value in row[whole:]:  # the values after the last whole vector, then each lane's sum
        result = result + value
    for value in lanes_summed:
        result = result + value
    return result


def _one_group_order(count):
    """Fewer values than a vector holds: the four running sums start as values 0, 1, 2, 3, the values
    after them go into the first, then the four are added in order; the same as adding left to right
    in this order: 0, 4, 5, ..., 1, 2, 3 (and fewer than four values: simply in order)."""
    return list(range(count)) if count < 4 else [0, *range(4, count), 1, 2, 3]


_ONE_GROUP_ORDER = [_one_group_order(count) for count in range(VECTOR_BYTES // 4)]


def _four_sums(vectors, zero):
    """PyTorch's ``row_sum`` of whole vectors: four running sums (lane by lane) over vectors 0, 4, 8, ...
    / 1, 5, 9, ... / ..., the vectors after the last whole group of four added to the first, then the
    four added in order. (NumPy reduces a 2-D array's first axis row after row, as PyTorch does.)"""
    groups = len(vectors) // 4
    sums = [zero + np.add.reduce(vectors[k:4 * groups:4], axis=0) if groups else zero for k in range(4)]
    for vector in vectors[4 * groups:]:
        sums[0] = sums[0] + vector
    return ((sums[0] + sums[1]) + sums[2]) + sums[3]


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
    if values.size == 0 and values.dtype.kind == "f":  # no value: the identity of min (inf) or of max (-inf)
        return values.dtype.type(np.inf if find is np.ndarray.argmin else -np.inf)
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


# ln(1 + x) in float32 is one function where "correctly rounded" is not PyTorch's answer: PyTorch's
# log_sigmoid (and so binary_cross_entropy_with_logits) calls C's log1pf, which on glibc 2.36 is off by
# one in the last bit on some values (log1pf(e^-3) = 0.048587352, the rounded value is 0.048587348);
# NumPy's float32 log1p is its own SIMD code. So a float32 number or small array goes through the C
# library's log1pf itself. (PyTorch's vectorised path, Sleef, agrees with it on the course's values:
# 98% of a grid of logits give PyTorch's loss bit for bit this way, 93% with NumPy's log1p.)
def _c_float_function(name):
    """The C library's float function ``name`` (float -> float), or None where there is none (Pyodide)."""
    try:
        function = getattr(ctypes.CDLL(ctypes.util.find_library("m")), name)
    except (OSError, AttributeError, TypeError):  # pragma: no cover - no C maths library to call
        return None
    function.restype, function.argtypes = ctypes.c_float, [ctypes.c_float]
    return function


_LOG1PF = _c_float_function("log1pf")


def c_log1p(x):
    """ln(1 + x) as C's log1pf gives it for float32 (see above); ``log1p`` for anything else."""
    if _LOG1PF is None or x.dtype != _F32 or x.size > PRECISE_UP_TO:
        return log1p(x)
    if type(x) is _F32:
        return _F32(_LOG1PF(x))
    return np.array([_LOG1PF(value) for value in x.ravel().tolist()], _F32).reshape(x.shape)


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
