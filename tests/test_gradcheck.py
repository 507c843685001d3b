"""Every op in the derivative table against central finite differences, in float64.

The test is parametrized over ``ops.DERIVATIVE_TABLE`` itself: a new op without a sample
below fails ``test_every_op_has_a_sample`` until someone says how to call it.
"""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import ops

rng = np.random.default_rng(1234)


def away_from_kinks(shape, low=0.2, high=1.5):
    """Values with |x| in [low, high] and a random sign: no op here has a kink there."""
    return rng.uniform(low, high, shape) * rng.choice([-1, 1], shape)


def positive(shape, low=0.3, high=2.0):
    return rng.uniform(low, high, shape)


def probabilities(shape):
    return rng.uniform(0.1, 0.9, shape)


# op -> (list of float64 input arrays, function of tensors that calls the op)
SAMPLES = {
    ops.Add: ([away_from_kinks((2, 3)), away_from_kinks((3,))], lambda a, b: a + b),
    ops.Sub: ([away_from_kinks((2, 3)), away_from_kinks((2, 1))], lambda a, b: a - b),
    ops.Rsub: ([away_from_kinks((3,))], lambda a: 2.5 - a),
    ops.Mul: ([away_from_kinks((2, 3)), away_from_kinks(())], lambda a, b: a * b),
    ops.Div: ([away_from_kinks((3,)), away_from_kinks((2, 3))], lambda a, b: a / b),
    ops.Neg: ([away_from_kinks((4,))], lambda a: -a),
    ops.Reciprocal: ([away_from_kinks((4,))], lambda a: 1.5 / a),
    ops.Pow: ([away_from_kinks((4,))], lambda a: a**3),
    ops.PowTensor: ([positive((3,)), away_from_kinks((3,))], lambda a, b: a**b),
    ops.RPow: ([away_from_kinks((3,))], lambda a: 2.0**a),
    ops.Exp: ([away_from_kinks((3,))], mg.exp),
    ops.Log: ([positive((3,))], mg.log),
    ops.Sqrt: ([positive((3,))], mg.sqrt),
    ops.Sin: ([away_from_kinks((3,))], mg.sin),
    ops.Cos: ([away_from_kinks((3,))], mg.cos),
    ops.Tanh: ([away_from_kinks((3,))], mg.tanh),
    ops.Sigmoid: ([away_from_kinks((3,)) * 4], mg.sigmoid),
    ops.Relu: ([away_from_kinks((6,))], mg.relu),
    ops.Clone: ([away_from_kinks((2, 2))], lambda a: a.clone()),
    ops.Sum: ([away_from_kinks((2, 3))], lambda a: a.sum()),
    ops.SumDim: ([away_from_kinks((2, 3, 2))], lambda a: a.sum(dim=(0, 2))),
    ops.Mean: ([away_from_kinks((2, 3))], lambda a: a.mean()),
    ops.MeanDim: ([away_from_kinks((2, 3))], lambda a: a.mean(dim=1, keepdim=True)),
    ops.MatMul: ([away_from_kinks((2, 3, 4)), away_from_kinks((4, 2))], lambda a, b: a @ b),
    ops.Mm: ([away_from_kinks((2, 3)), away_from_kinks((3, 4))], lambda a, b: a @ b),
    ops.Mv: ([away_from_kinks((2, 3)), away_from_kinks((3,))], lambda a, b: a @ b),
    ops.Dot: ([away_from_kinks((3,)), away_from_kinks((3,))], lambda a, b: a @ b),
    ops.View: ([away_from_kinks((2, 3))], lambda a: a.view(3, 2)),
    ops.Squeeze: ([away_from_kinks((2, 1, 3))], lambda a: a.squeeze()),
    ops.SqueezeDim: ([away_from_kinks((2, 1, 3))], lambda a: a.squeeze(1)),
    ops.Unsqueeze: ([away_from_kinks((2, 3))], lambda a: a.unsqueeze(1)),
    ops.Transpose: ([away_from_kinks((2, 3))], lambda a: a.transpose(0, 1)),
    ops.Permute: ([away_from_kinks((2, 3, 4))], lambda a: a.permute(2, 0, 1)),
    ops.Index: ([away_from_kinks((4, 3))], lambda a: a[mg.tensor([0, 2, 0])]),
    ops.Select: ([away_from_kinks((4, 3))], lambda a: a[1]),
    ops.Slice: ([away_from_kinks((4, 3))], lambda a: a[1:3, ::2]),
    ops.BinaryCrossEntropy: ([probabilities((5,)), probabilities((5,))], F.binary_cross_entropy),
    ops.MseLoss: ([away_from_kinks((5,)), away_from_kinks((5,))], F.mse_loss),
    # the course's extra ops (inputs away from the bounds, where clamp has its kinks)
    ops.Clamp: ([away_from_kinks((8,))], lambda a: mg.clamp(a, -0.9, 1.1)),
    ops.ClampTensor: ([np.array([-2.0, -0.5, 0.3, 0.8, 1.7, 2.5]), np.array([-1.0, -1.0, 0.0, 0.0, 0.0, 0.0]),
                       np.array([1.0, 1.0, 1.0, 1.0, 1.0, 2.0])], lambda x, low, high: mg.clamp(x, low, high)),
    ops.Abs: ([away_from_kinks((6,))], mg.abs),
    ops.ToCopy: ([away_from_kinks((3,))], lambda a: a.to(mg.float64, copy=True) * a),
    ops.BinaryCrossEntropyWithLogits: ([away_from_kinks((5,)) * 3, probabilities((5,))],
                                       F.binary_cross_entropy_with_logits),
    ops.T: ([away_from_kinks((2, 3))], lambda a: a.t()),
    ops.Addmm: ([away_from_kinks((4, 3)), away_from_kinks((2, 3)), away_from_kinks((2,))], F.linear),
    ops.VectorNorm: ([away_from_kinks((2, 3))], lambda a: a.norm() * a.norm(dim=1, keepdim=True)),
    ops.Fill: ([away_from_kinks((3,))], lambda a: a.clone().fill_(2.5) * a),
    ops.Zero: ([away_from_kinks((3,))], lambda a: a.clone().zero_() + a),
}


def test_every_op_has_a_sample():
    missing = [op.__name__ for op in ops.DERIVATIVE_TABLE if op not in SAMPLES]
    assert not missing, f"add a gradcheck sample for: {missing}"


def test_every_op_says_how_it_is_shown():
    """Its maths in the docstring, and its notation: one local derivative per input (the sample's inputs)."""
    for op in ops.DERIVATIVE_TABLE:
        assert op.__doc__ and isinstance(op.notation, ops.Notation), op.__name__
        assert len(op.notation.local) == len(SAMPLES[op][0]), op.__name__
        assert op.notation.forward and op.notation.text and op.notation.symbol, op.__name__
        assert op.grad_fn_name.endswith(("Backward0", "Backward1", "Backward2")), op.__name__


def _node_of(op, output):
    """The node of type ``op`` in the graph below ``output``."""
    stack = [output.grad_fn]
    while stack:
        node = stack.pop()
        if type(node) is op:
            return node
        stack.extend(next_node for next_node, _ in node.next_functions if next_node is not None)
    raise AssertionError(f"{op.__name__} is not in the graph its sample builds")


@pytest.mark.parametrize("op", ops.DERIVATIVE_TABLE, ids=lambda op: op.__name__)
def test_backward_is_upstream_times_the_local_derivative_shown(op):
    """The chain rule, for every op with a value-by-value derivative: its backward(g) is g × the
    local derivative the walkthrough shows (``local_derivatives``), for each input. An op that
    writes its own backward (PyTorch's order of operations) may differ only in rounding."""
    arrays, call = SAMPLES[op]
    inputs = [mg.tensor(np.array(a, dtype=np.float64), dtype=mg.float64, requires_grad=True) for a in arrays]
    node = _node_of(op, call(*inputs))
    local = node.local_derivatives()
    if local is None:  # a matrix product, a reshape, an index: its gradient check above is its whole test
        assert not issubclass(op, ops.Elementwise), f"{op.__name__} is element-wise: it shows a local derivative"
        assert op.backward is not ops.Elementwise.backward, f"{op.__name__} needs a backward of its own"
        return
    upstream = shown_upstream = rng.normal(size=np.shape(node._value))
    if op.can_shrink:  # a sum over some axes: the same upstream everywhere, whichever output a value fed
        shown_upstream = rng.normal()
        upstream = np.full(np.shape(node._value), shown_upstream)
    gradients = node.backward(upstream)
    # one per input; an op of one tensor and a number (2.5 - x) may leave out the number's
    assert len(local) == len(gradients) <= len(node.next_functions)
    for index, (d, gradient) in enumerate(zip(local, gradients)):
        if gradient is None:
            assert node.next_functions[index][0] is None, f"{op.__name__}: input {index} needs its gradient"
            continue
        expected = shown_upstream * d
        expected = np.broadcast_to(expected, np.broadcast_shapes(np.shape(expected), np.shape(gradient)))
        np.testing.assert_allclose(gradient, expected, rtol=1e-13, atol=1e-15, err_msg=f"{op.__name__}, input {index}")


def numeric_gradient(function, arrays, index, epsilon=1e-6):
    """Central differences: (f(x + h) - f(x - h)) / 2h, one coordinate at a time."""
    values = arrays[index]
    gradient = np.zeros_like(values)
    for position in np.ndindex(values.shape):
        original = values[position]
        values[position] = original + epsilon
        plus = function(arrays)
        values[position] = original - epsilon
        minus = function(arrays)
        values[position] = original
        gradient[position] = (plus - minus) / (2 * epsilon)
    return gradient


def _ops_in_graph(node):
    found, stack = set(), [node]
    while stack:
        node = stack.pop()
        found.add(type(node))
        stack.extend(next_node for next_node, _ in node.next_functions if next_node is not None)
    return found


@pytest.mark.parametrize("op", ops.DERIVATIVE_TABLE, ids=lambda op: op.__name__)
def test_gradient_matches_finite_differences(op):
    arrays, call = SAMPLES[op]
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    inputs = [mg.tensor(a, dtype=mg.float64, requires_grad=True) for a in arrays]
    output = call(*inputs)
    assert _ops_in_graph(output.grad_fn) & {op}, f"{op.__name__} is not in the graph the sample builds"
    weights = rng.normal(size=output.shape)  # a random direction, so every output element counts

    def scalar_loss(values):
        with mg.no_grad():
            result = call(*[mg.tensor(v, dtype=mg.float64) for v in values])
        return float(np.sum(result.numpy() * weights))

    (output * mg.tensor(weights, dtype=mg.float64)).sum().backward()
    for index, tensor in enumerate(inputs):
        expected = numeric_gradient(scalar_loss, arrays, index)
        np.testing.assert_allclose(tensor.grad.numpy(), expected, rtol=1e-5, atol=1e-7,
                                   err_msg=f"{op.__name__}, input {index}")
        assert tensor.grad.dtype == mg.float64
