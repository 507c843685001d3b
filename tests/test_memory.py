"""The graph keeps what backward needs, as PyTorch's does: big intermediate arrays are freed.

Nodes keep the data they were built from so a drawing can show it, but of a big array only
a Preview (shape, dtype, the numbers a drawing shows). These tests hold minigrad to that.
"""

import tracemalloc
import weakref

import numpy as np

import minigrad as mg
from benchmarks.core import mlp_autograd, mlp_by_hand
from minigrad.autograd.function import PREVIEW_ABOVE, Preview, kept
from minigrad.teaching import notation

ROWS, COLUMNS = 400, 300  # 120,000 numbers: more than PREVIEW_ABOVE
assert ROWS * COLUMNS > PREVIEW_ABOVE


def test_a_big_intermediate_is_freed_and_only_its_preview_is_kept():
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((ROWS, 20)).astype(np.float32))
    w = mg.tensor(rng.standard_normal((20, COLUMNS)).astype(np.float32), requires_grad=True)
    product = x @ w
    product_data = weakref.ref(product._data)
    shown = notation.format_value(product._data)
    y = mg.tanh(product)
    del product
    assert product_data() is None  # nothing in the graph holds the 400×300 product any more
    mm_node = y.grad_fn.next_functions[0][0]
    assert isinstance(mm_node._value, Preview) and mm_node._value.shape == (ROWS, COLUMNS)
    assert notation.format_value(mm_node._value) == shown  # a drawing shows exactly what it did


def test_backward_through_previewed_nodes_still_undoes_broadcasting():
    rng = np.random.default_rng(1)
    x_data = rng.standard_normal((ROWS, COLUMNS))
    b_data = rng.standard_normal(COLUMNS)
    x = mg.tensor(x_data, dtype=mg.float64, requires_grad=True)
    b = mg.tensor(b_data, dtype=mg.float64, requires_grad=True)
    loss = (mg.tanh(x + b) * 0.5).sum()  # b is broadcast over the rows: its gradient sums them
    loss.backward()
    local = 0.5 * (1 - np.tanh(x_data + b_data) ** 2)
    np.testing.assert_allclose(x.grad.numpy(), local, rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), local.sum(axis=0), rtol=1e-12)


def test_small_arrays_are_kept_whole_and_the_limit_is_exact():
    whole = np.zeros(PREVIEW_ABOVE, np.float32)
    assert kept(whole) is whole
    assert isinstance(kept(np.zeros(PREVIEW_ABOVE + 1, np.float32)), Preview)
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    assert y.grad_fn._value is y._data  # the course's tensors: every value, for every drawing


def _peak_megabytes(step):
    step()  # warm up: the first step allocates the gradients
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        step()
        return (tracemalloc.get_traced_memory()[1] - start) / 2**20
    finally:
        tracemalloc.stop()


def test_a_training_step_needs_no_more_memory_than_numpy_by_hand():
    # the benchmark's W4 step (benchmarks/core.py), 64→256→1 on 2048 rows: tanh(x @ w1 + b1) and its
    # backward, against the same step written with NumPy by hand
    by_hand = _peak_megabytes(mlp_by_hand(hidden=256, batch=2048))
    ours = _peak_megabytes(mlp_autograd(mg, hidden=256, batch=2048))
    assert by_hand > 6  # four 2048×256 float32 arrays (2 MiB each) at once: the measure measures
    assert ours <= by_hand + 0.5, f"minigrad's step peaks at {ours:.1f} MiB, NumPy's at {by_hand:.1f} MiB"
