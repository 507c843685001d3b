"""The PyTorch-shaped API, one behaviour at a time (parity with PyTorch itself is in test_parity)."""

import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F


def test_import_minigrad_needs_numpy_only():
    code = ("import sys, minigrad; heavy = [m for m in ('graphviz', 'ipywidgets', 'torch') "
            "if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_plots_need_no_plotting_library():
    """FunctionPlot and NeuronLab write their SVG themselves: no matplotlib, no Pillow (the browser site
    does not ship them)."""
    code = ("import sys; from minigrad.widgets import FunctionPlot, NeuronLab, explore; "
            "FunctionPlot('sin(x**2)', inner=True, secant=True); NeuronLab().train(3); explore('x**2'); "
            "print([m for m in ('matplotlib', 'PIL') if m in sys.modules], 'ipywidgets' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[] True"


def test_creation_functions_and_default_dtypes():
    assert mg.tensor(3.0).dtype == mg.float32 and mg.tensor(3).dtype == mg.int64
    assert mg.tensor([True]).dtype == mg.bool and mg.tensor(1.0, dtype=mg.float64).dtype == mg.float64
    assert mg.zeros(2, 3).shape == (2, 3) and mg.ones((4,)).tolist() == [1.0] * 4
    assert mg.zeros_like(mg.ones(2, dtype=mg.float64)).dtype == mg.float64
    assert mg.ones_like(mg.zeros(3)).tolist() == [1.0, 1.0, 1.0]
    assert mg.arange(4).tolist() == [0, 1, 2, 3] and mg.arange(4).dtype == mg.int64
    assert mg.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert mg.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert mg.Tensor([1, 2]).dtype == mg.float32
    assert repr(mg.ones(2, 3).shape) == "minigrad.Size([2, 3])" and repr(mg.float32) == "minigrad.float32"


def test_manual_seed_makes_random_numbers_repeatable():
    mg.manual_seed(7)
    first = (mg.rand(3).tolist(), mg.randn(2, 2).tolist())
    mg.manual_seed(7)
    assert (mg.rand(3).tolist(), mg.randn(2, 2).tolist()) == first
    assert all(0 <= v < 1 for v in first[0])
    assert mg.randn(2, requires_grad=True).requires_grad


def test_tensor_attributes():
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert (x.ndim, x.dim(), x.numel(), x.size(), x.size(1), x.size(-1)) == (2, 2, 6, (2, 3), 3, 3)
    assert x.is_leaf and x.grad is None and x.grad_fn is None
    y = x.sum()
    assert not y.is_leaf and y.requires_grad and y.item() == 21.0
    assert x.detach().numpy().dtype == np.float32 and x.tolist()[1] == [4.0, 5.0, 6.0]
    assert f"{y:.2f}" == "21.00" and int(mg.tensor(3.7)) == 3
    with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True to a scalar"):
        assert float(y) == 21.0  # PyTorch warns here too: the number has left the graph


def test_grad_mode_context_decorator_and_switch():
    x = mg.tensor(1.0, requires_grad=True)
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        assert not (x * 2).requires_grad
        with mg.enable_grad():
            assert (x * 2).requires_grad
    assert mg.is_grad_enabled()

    @mg.no_grad()
    def update():
        return x * 2

    @mg.no_grad
    def bare():
        return x * 3

    assert not update().requires_grad and not bare().requires_grad and mg.is_grad_enabled()
    with mg.set_grad_enabled(False):
        assert not (x + 1).requires_grad
    assert mg.is_grad_enabled()
    mg.set_grad_enabled(False)
    assert not mg.is_grad_enabled()
    mg.set_grad_enabled(True)
    assert (x + 1).requires_grad


def test_no_grad_restores_mode_after_an_error():
    with pytest.raises(ZeroDivisionError), mg.no_grad():
        raise ZeroDivisionError
    assert mg.is_grad_enabled()


def test_detach_shares_memory_and_data_setter():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    d.zero_()
    assert x.tolist() == [0.0, 0.0]  # same memory, as in PyTorch
    x.data = mg.tensor([5.0, 6.0])
    assert x.tolist() == [5.0, 6.0] and x.requires_grad
    x.data.mul_(2)
    assert x.tolist() == [10.0, 12.0]


def test_requires_grad_flags():
    x = mg.tensor(2.0)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad and not (x * 2).requires_grad
    y = mg.tensor(1.0, requires_grad=True) * 2
    y.requires_grad_(True)  # already true on a non-leaf: allowed
    assert y.requires_grad


def test_sgd_step_and_zero_grad():
    w = mg.tensor([1.0, -1.0], requires_grad=True)
    optimizer = mg.optim.SGD([w], lr=0.5)
    (w**2).sum().backward()
    optimizer.step()
    assert w.tolist() == [0.0, 0.0] and w.is_leaf
    optimizer.zero_grad()
    assert w.grad is None
    (w + 1).sum().backward()
    optimizer.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="empty parameter list"):
        mg.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        mg.optim.SGD([w], lr=-1)


def test_sgd_momentum_matches_the_update_rule():
    w = mg.tensor(1.0, requires_grad=True)
    optimizer = mg.optim.SGD([w], lr=0.1, momentum=0.9)
    expected, velocity = 1.0, 0.0
    for _ in range(3):
        optimizer.zero_grad()
        (w * w).backward()
        velocity = 0.9 * velocity + 2 * expected if velocity else 2 * expected
        expected -= 0.1 * velocity
        optimizer.step()
    assert w.item() == pytest.approx(expected, rel=1e-6)


def test_hooks_can_be_removed():
    x = mg.tensor(2.0, requires_grad=True)
    handle = x.register_hook(lambda grad: grad * 100)
    handle.remove()
    (x * 3).backward()
    assert x.grad.item() == 3.0
    y = x * 1
    node_handle = y.grad_fn.register_prehook(lambda grads: (grads[0] * 0,))
    node_handle.remove()
    y.backward()
    assert x.grad.item() == 4.0


def test_retain_grad_accumulates_like_a_leaf():
    x = mg.tensor(2.0, requires_grad=True)
    y = x * 3
    y.retain_grad()
    z = y * y
    z.backward(retain_graph=True)
    assert y.grad.item() == 12.0
    z.backward()
    assert y.grad.item() == 24.0 and x.grad.item() == 72.0


def test_saved_values_are_visible_while_they_live():
    x = mg.tensor(2.0, requires_grad=True)
    y = x**3
    assert y.grad_fn._saved_self.item() == 2.0 and y.grad_fn._saved_exponent == 3
    e = mg.exp(x)
    assert e.grad_fn._saved_result.item() == pytest.approx(np.exp(2.0))
    m = x * mg.tensor(5.0)
    assert m.grad_fn._saved_other.item() == 5.0 and "_saved_self" in dir(m.grad_fn)
    assert (x + 1).grad_fn._saved_alpha == 1


def test_inplace_ops_on_plain_tensors_and_under_no_grad():
    t = mg.tensor([1.0, 2.0])
    t += 1
    t -= mg.tensor([0.5, 0.5])
    t *= 2
    t /= 4
    assert t.tolist() == [0.75, 1.25]
    assert t.fill_(7).tolist() == [7.0, 7.0]
    w = mg.tensor(1.0, requires_grad=True)
    with mg.no_grad():
        w -= 0.5
    assert w.item() == 0.5 and w.is_leaf and w.requires_grad


def test_comparisons_make_bool_tensors_without_grad():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert (x > 1.5).tolist() == [False, True, True] and not (x > 1.5).requires_grad
    assert (x == mg.tensor([1.0, 0.0, 3.0])).tolist() == [True, False, True]
    assert (x <= 2).dtype == mg.bool


def test_indexing_picks_values_and_routes_gradients():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    picked = x[mg.tensor([0, 0, 2])]  # row 0 twice: its gradient counts twice
    picked.sum().backward()
    assert x.grad.tolist() == [[2.0, 2.0], [0.0, 0.0], [1.0, 1.0]]
    x.grad = None
    x[x > 3].sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    assert x[..., 1].tolist() == [2.0, 4.0, 6.0] and x[None].shape == (1, 3, 2)


def test_iteration_and_len():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert len(x) == 3 and [v.item() for v in x] == [1.0, 2.0, 3.0]
    assert sum(x).grad_fn.name() == "AddBackward0"
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(mg.tensor(1.0))


def test_module_functions_match_methods():
    x = mg.tensor([0.5, 1.0])
    for name in ("sin", "cos", "exp", "log", "sqrt", "tanh", "sigmoid", "relu"):
        assert getattr(mg, name)(x).tolist() == getattr(x, name)().tolist()
    assert mg.sum(x).item() == 1.5 and mg.mean(x).item() == 0.75
    assert mg.matmul(x, x).item() == 1.25 and F.relu(-x).tolist() == [0.0, 0.0]
    assert F.sigmoid(x).tolist() == x.sigmoid().tolist() and F.tanh(x).tolist() == x.tanh().tolist()


def test_integer_maths_promotes_like_pytorch():
    n = mg.tensor([1, 2, 3])
    assert (n * 2).dtype == mg.int64 and (n * 0.5).dtype == mg.float32
    assert (n / 2).dtype == mg.float32 and mg.sin(n).dtype == mg.float32


def test_ndarray_operands_are_refused_clearly():
    with pytest.raises(TypeError):
        np.ones(2) + mg.ones(2)


def test_zero_dim_tensors_share_memory_through_detach_and_data():
    w = mg.tensor(1.0, requires_grad=True)
    w.data.sub_(0.25)  # the old-style update writes through .data
    assert w.item() == 0.75
    detached = w.detach()
    with mg.no_grad():
        w -= 0.25  # ...and a change to w is seen by its detached alias
    assert detached.item() == 0.5
    detached.zero_()
    assert w.item() == 0.0 and w.requires_grad and not detached.requires_grad


def test_grad_is_the_same_object_across_backward_calls():
    x = mg.tensor(2.0, requires_grad=True)
    (x * x).backward()
    grad = x.grad
    (x * x).backward()
    assert grad is x.grad and grad.item() == 8.0
    x.grad.zero_()
    assert grad.item() == 0.0


def test_mixed_precision_gradients_take_the_leaf_dtype():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * mg.tensor([0.5, 0.25], dtype=mg.float64)).sum()
    assert y.dtype == mg.float64
    y.backward()
    assert x.grad.dtype == mg.float32 and x.grad.tolist() == [0.5, 0.25]


def test_inplace_cannot_silently_truncate():
    counts = mg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        counts += 0.5
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        mg.zeros(2).add_(mg.ones(3, 2))


def test_backward_skips_the_gradients_of_constants():
    # the data in  x @ w  and  w * x  needs no gradient: its node gets none (and no product is computed)
    x, w = mg.ones(4, 3), mg.ones(3, 2, requires_grad=True)
    product = x @ w
    assert product.grad_fn.backward(np.ones((4, 2), np.float32))[0] is None
    scaled = w * mg.tensor(2.0)
    assert scaled.grad_fn.backward(np.ones((3, 2), np.float32))[1] is None
    (product.sum() + scaled.sum()).backward()
    assert w.grad.tolist() == [[6.0, 6.0]] * 3  # 4 rows of x, plus the factor 2


def test_in_place_updates_of_numbers_under_no_grad_keep_the_dtype():
    w = mg.tensor(1.0, requires_grad=True)
    w.grad = mg.tensor(0.5)
    with mg.no_grad():
        w -= 0.1 * w.grad
        w *= mg.tensor(2.0)
        w /= mg.tensor(4.0)
        w += mg.tensor(1.0)
    assert w.dtype == mg.float32 and w.requires_grad and w.is_leaf
    assert w.item() == pytest.approx((1.0 - 0.05) * 2 / 4 + 1, rel=1e-6)
    w.grad.zero_()
    assert w.grad.item() == 0.0


@pytest.mark.parametrize("dtype", [mg.float32, mg.float64])
def test_arithmetic_with_numbers_outside_a_graph_builds_nothing(dtype):
    x = mg.tensor([0.5, -2.0], dtype=dtype, requires_grad=True)
    with mg.no_grad():  # a tracked tensor, but no graph is being built
        results = [0.1 * x, x * 0.1, 3.0 - x, x - 3.0, x / 4.0, 1.5 + x]
    plain = x.detach()  # outside any graph
    results += [0.1 * plain, 2.0 / plain]
    expected = [[0.05, -0.2], [0.05, -0.2], [2.5, 5.0], [-2.5, -5.0], [0.125, -0.5], [2.0, -0.5],
                [0.05, -0.2], [4.0, -1.0]]
    for result, values in zip(results, expected):
        assert result.grad_fn is None and not result.requires_grad and result.dtype == dtype
        np.testing.assert_allclose(result.numpy(), values, rtol=1e-6)
    tracked = 0.1 * x  # and with grad mode on, the graph is recorded as before
    assert tracked.grad_fn.name() == "MulBackward0"
