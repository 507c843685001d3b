"""The small-array helpers give NumPy's own reductions (they only skip its set-up); sums give PyTorch's bits."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minigrad.numeric import CASCADE_VECTORS, ONE, VECTOR_BYTES, ZERO, Typed, largest, quietly, smallest, total

FLOAT_DTYPES = (np.float16, np.float32, np.float64)


def arrays(dtype, allow_nan=False, min_side=0):
    width = np.dtype(dtype).itemsize * 8
    elements = st.floats(-100, 100, width=width)  # small enough that float16 sums do not overflow
    if allow_nan:
        elements = elements | st.just(np.nan)
    shapes = hnp.array_shapes(min_dims=0, max_dims=2, min_side=min_side, max_side=20)
    return hnp.arrays(dtype, shapes, elements=elements)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_total_adds_in_pytorchs_order_bit_for_bit(dtype):
    """Seeded rows of every length up to where PyTorch's cascade starts (and past it, where NumPy adds):
    the same bits as torch.sum, signed zeros included; NumPy's own sum differs on many of them."""
    import torch

    rng = np.random.default_rng(0)
    lanes = VECTOR_BYTES // np.dtype(dtype).itemsize
    numpy_differs = 0
    for size in [*range(0, 80), 127, 128, 255, CASCADE_VECTORS * lanes - 1]:
        for trial in range(8):
            values = (rng.standard_normal(size) * rng.choice([1e-3, 1, 1e3])).astype(dtype)
            if trial == 0 and size:
                values[:] = -0.0  # PyTorch's sum starts at +0: all -0.0 adds up to +0.0
            expected = torch.from_numpy(values).sum().numpy()[()]
            result = total(values)
            assert type(result) is type(expected), (size, values)
            assert result == expected and np.signbit(result) == np.signbit(expected), (size, values.tolist())
            numpy_differs += np.add.reduce(values) != expected
    assert numpy_differs > 50  # the test can tell the orders apart


def test_total_of_a_2d_row_and_of_a_strided_view():
    import torch

    values = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    assert total(values) == torch.from_numpy(values).sum().item()  # contiguous: one row of 15
    assert total(values[:, ::2]) == np.add.reduce(values[:, ::2], axis=None)  # strided: NumPy's way


def test_total_keeps_nan_and_infinity():  # (ops call it in their quiet context: inf - inf warns in NumPy)
    assert np.isnan(quietly(total, np.array([1.0, np.nan, 2.0], np.float32)))
    assert quietly(total, np.array([1.0, np.inf], np.float32)) == np.inf
    assert np.isnan(quietly(total, np.array([np.inf, -np.inf], np.float32)))


def test_total_of_integers_and_large_arrays_is_numpys():
    integers = np.arange(5)
    assert total(integers) == 10 and total(integers).dtype == np.int64
    many = np.linspace(0, 1, 1000, dtype=np.float32)
    assert total(many) == np.add.reduce(many, axis=None)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("ours, numpys", [(smallest, np.minimum), (largest, np.maximum)])
@given(data=st.data())
def test_smallest_and_largest_are_numpys_reductions(dtype, ours, numpys, data):
    values = data.draw(arrays(dtype, allow_nan=True, min_side=1))
    result, expected = ours(values), numpys.reduce(values, axis=None)
    if np.isnan(expected):
        assert np.isnan(result)  # NaN anywhere makes the minimum (and maximum) NaN, as in NumPy
    else:
        assert result == expected and result.dtype == values.dtype


def test_smallest_and_largest_of_a_number_are_the_number():
    for helper in (smallest, largest):
        assert helper(np.float32(2.5)) == np.float32(2.5)
        assert np.isnan(helper(np.float32("nan")))


def test_typed_numbers_have_the_data_dtype():
    for dtype in FLOAT_DTYPES:
        assert ONE[np.dtype(dtype)] == 1 and type(ONE[np.dtype(dtype)]) is dtype
        assert ZERO[np.dtype(dtype)] == 0 and type(ZERO[np.dtype(dtype)]) is dtype
    half = Typed(0.5)
    assert half[np.dtype(np.float32)] is half[np.dtype(np.float32)]  # made once per dtype
    assert (ONE[np.dtype(np.float32)] - np.ones(3, np.float32)).dtype == np.float32


# --------------------------------------------------------------------- the quiet contexts
def _overflowing_ops(minigrad):
    """Forward and backward of ops that make NumPy warn (overflow, 1/0, log 0, 0/0), on numbers and
    arrays; their values and gradients as text (nan compares equal)."""
    x = minigrad.tensor(3e38, requires_grad=True)
    ys = minigrad.tensor([0.0, 1e38], requires_grad=True)
    results = [x * x, (1 / ys).sum(), minigrad.log(ys).sum(), (ys / ys).sum()]
    for result in results:
        result.backward()
    return tuple(str(result.item()) for result in results) + (str(x.grad.item()), str(ys.grad.tolist()))


EXPECTED = ("inf", "inf", "-inf", "nan", "inf", "[nan, 1.0000000751754868e-38]")  # PyTorch 2.13's too


def test_the_users_numpy_error_state_is_left_alone():
    import minigrad

    with np.errstate(over="raise", divide="raise", invalid="raise"):
        before = np.geterr()
        assert _overflowing_ops(minigrad) == EXPECTED  # minigrad computes as PyTorch: silently
        assert np.geterr() == before
        with pytest.raises(FloatingPointError):  # and the student's own NumPy still raises
            np.float32(3e38) * np.float32(3e38)
    with pytest.warns(RuntimeWarning, match="overflow"):  # NumPy's default: a warning, still there
        np.float32(3e38) * np.float32(3e38)


def test_ops_inside_a_backward_hook_are_quiet_and_may_compute():
    """A hook runs during the backward pass (quiet already) and may call ops (each in its quiet context)."""
    import warnings

    import minigrad

    seen = []

    def hook(grad):
        seen.append((grad * 3e38 * 10).item())  # an op that overflows, inside backward
        return grad

    x = minigrad.tensor(2.0, requires_grad=True)
    y = x * x
    y.register_hook(hook)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.backward()
        with np.errstate(all="warn"):  # a hook with its own NumPy state: ops stay quiet anyway
            z = x * x
            z.register_hook(lambda grad: minigrad.tensor(1e38) * grad * 1e38)
            z.backward()
    assert seen == [math.inf] and x.grad.item() == math.inf


def test_ops_in_several_threads_at_once():
    """Each thread has its own quiet context (one context cannot be entered by two threads)."""
    import threading
    import warnings

    import minigrad

    errors, results = [], []
    start = threading.Barrier(4)

    def work():
        try:
            start.wait()
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                for _ in range(300):
                    results.append(_overflowing_ops(minigrad))
        except Exception as error:  # noqa: BLE001 - reported below, with its thread's story
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 1200
    assert set(results) == {EXPECTED}
