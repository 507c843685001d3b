"""Property tests: random shapes and broadcasting for binary ops and reductions.

The reference is NumPy itself (values) and the rule that a broadcast input's gradient is
the output gradient summed back to the input's shape.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays, broadcastable_shapes

import minigrad as mg

finite = st.floats(min_value=-3, max_value=3, allow_nan=False, width=64).filter(lambda v: abs(v) > 0.1)

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b, g: (g, g)),
    "sub": (lambda a, b: a - b, lambda a, b, g: (g, -g)),
    "mul": (lambda a, b: a * b, lambda a, b, g: (g * b, g * a)),
    "div": (lambda a, b: a / b, lambda a, b, g: (g / b, -g * a / b**2)),
}


def reduce_to(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


@st.composite
def broadcast_pair(draw):
    shape_a = draw(array_shapes(min_dims=0, max_dims=3, max_side=4))
    shape_b = draw(broadcastable_shapes(shape_a, min_dims=0, max_dims=3, max_side=4))
    if draw(st.booleans()):
        shape_a, shape_b = shape_b, shape_a
    a = draw(arrays(np.float64, shape_a, elements=finite))
    b = draw(arrays(np.float64, shape_b, elements=finite))
    return a, b


@settings(max_examples=60, deadline=None)
@given(pair=broadcast_pair(), name=st.sampled_from(sorted(BINARY)))
def test_binary_ops_broadcast_and_sum_gradients_back(pair, name):
    a_values, b_values = pair
    forward, local = BINARY[name]
    a = mg.tensor(a_values, dtype=mg.float64, requires_grad=True)
    b = mg.tensor(b_values, dtype=mg.float64, requires_grad=True)
    out = forward(a, b)
    expected = forward(a_values, b_values)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12)
    upstream = np.linspace(-1, 1, expected.size).reshape(expected.shape)
    out.backward(mg.tensor(upstream, dtype=mg.float64))
    grad_a, grad_b = local(np.broadcast_to(a_values, expected.shape), np.broadcast_to(b_values, expected.shape),
                           upstream)
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    np.testing.assert_allclose(a.grad.numpy(), reduce_to(grad_a, a_values.shape), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), reduce_to(grad_b, b_values.shape), rtol=1e-10, atol=1e-12)


@st.composite
def array_and_dims(draw):
    values = draw(arrays(np.float64, array_shapes(min_dims=1, max_dims=4, max_side=4), elements=finite))
    dims = draw(st.lists(st.integers(0, values.ndim - 1), unique=True, max_size=values.ndim))
    negative = draw(st.booleans())
    return values, tuple(d - values.ndim if negative else d for d in dims), draw(st.booleans())


@settings(max_examples=60, deadline=None)
@given(case=array_and_dims(), reduction=st.sampled_from(["sum", "mean"]))
def test_reductions_match_numpy_and_spread_gradients(case, reduction):
    values, dims, keepdim = case
    x = mg.tensor(values, dtype=mg.float64, requires_grad=True)
    if dims:
        out = getattr(x, reduction)(dim=dims, keepdim=keepdim)
        expected = getattr(np, reduction)(values, axis=dims, keepdims=keepdim)
        count = int(np.prod([values.shape[d] for d in dims]))
    else:
        out = getattr(x, reduction)()
        expected = getattr(np, reduction)(values)
        count = values.size
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12)
    out.sum().backward()
    expected_grad = np.full(values.shape, 1.0 if reduction == "sum" else 1.0 / count)
    np.testing.assert_allclose(x.grad.numpy(), expected_grad, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(values=arrays(np.float32, array_shapes(min_dims=0, max_dims=3, max_side=5),
                     elements=st.floats(-1e6, 1e6, width=32)))
def test_float32_stays_float32(values):
    x = mg.tensor(values, requires_grad=True)
    y = (x * 2.5 + 1) * x
    assert y.dtype == mg.float32
    y.sum().backward()
    assert x.grad.dtype == mg.float32 and x.grad.shape == x.shape
