"""A million ops in a chain: no recursion anywhere, forward, backward, or when freed."""

import gc

import minigrad as mg


def test_million_op_chain_forward_and_backward():
    x = mg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0  # MulBackward0 saves its inputs: the engine must free them one by one
    y.backward()
    assert x.grad.item() == 1.0
    del y
    gc.collect()


def test_long_chain_of_mixed_ops_matches_the_closed_form():
    x = mg.tensor(0.3, dtype=mg.float64, requires_grad=True)
    u = x
    for _ in range(20_000):
        u = mg.sin(u) * 0.5 + u * 0.5
    u.backward()
    # derivative by forward-mode recurrence, computed independently of the engine
    import math

    value, slope = 0.3, 1.0
    for _ in range(20_000):
        value, slope = math.sin(value) * 0.5 + value * 0.5, slope * (math.cos(value) * 0.5 + 0.5)
    assert abs(u.item() - value) < 1e-12
    assert abs(x.grad.item() - slope) < 1e-9 * max(1.0, abs(slope))
