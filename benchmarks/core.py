"""Issue 2's workloads: minigrad against PyTorch CPU, micrograd and hand-written NumPy/Python.

W1  10,000-step scalar chain  u = sin(u)*1.0001 + u*0.5, forward + backward
W2  exp(sin(x**2)) at x = 3, forward + backward, per iteration
W3  the neuron on the five CGPA rows: 1000 full-batch epochs (no_grad updates, zero_())
W4  a 64→128→1 tanh MLP training step: batch 256, and 64→512→1 on batch 4096 (float32)
W5  one ``a + b`` on 0-dim tensors that require grad

micrograd has no sin or exp: ``_micrograd_sin`` and ``_micrograd_exp`` add them in its own
style (a closure per node), which is how its users extend it.
"""

import math
import sys

import numpy as np

import minigrad
from minigrad.data import CGPA, PLACED

from .harness import format_time, freeze_heap, measure, table

TARGETS = {  # (workload, baseline): the largest acceptable minigrad/baseline ratio
    ("W1", "torch"): 0.8, ("W1", "micrograd"): 0.8,
    ("W2", "torch"): 0.25, ("W2", "micrograd"): 1.5,
    ("W3", "torch"): 0.7, ("W3", "numpy"): 3.0,  # issue 23: a fused path would hide the derivatives
    ("W4 B=256", "torch"): 0.8, ("W4 B=256", "numpy"): 1.6,
    ("W4 B=4096", "torch"): 1.1, ("W4 B=4096", "numpy"): 1.15,
    ("W5", "torch"): 0.6,
}


# ----------------------------------------------------------------------------- W1 and W2
def chain_autograd(lib, steps=10_000):
    def run():
        x = lib.tensor(0.5, requires_grad=True)
        u = x
        for _ in range(steps):
            u = lib.sin(u) * 1.0001 + u * 0.5
        u.backward()
        return x.grad

    return run


def chain_micrograd(steps=10_000):
    from micrograd.engine import Value

    def run():
        x = Value(0.5)
        u = x
        for _ in range(steps):
            u = _micrograd_sin(u) * 1.0001 + u * 0.5
        u.backward()
        return x.grad

    return run


def chain_by_hand(steps=10_000):
    def run():
        values = [0.5]
        for _ in range(steps):
            u = values[-1]
            values.append(math.sin(u) * 1.0001 + u * 0.5)
        grad = 1.0
        for u in reversed(values[:-1]):
            grad *= math.cos(u) * 1.0001 + 0.5
        return grad

    return run


def nested_autograd(lib):
    def run():
        x = lib.tensor(3.0, requires_grad=True)
        lib.exp(lib.sin(x**2)).backward()
        return x.grad

    return run


def nested_micrograd():
    from micrograd.engine import Value

    def run():
        x = Value(3.0)
        _micrograd_exp(_micrograd_sin(x**2)).backward()
        return x.grad

    return run


def nested_by_hand():
    def run():
        x = 3.0
        y = x * x
        z = math.sin(y)
        u = math.exp(z)
        return u * math.cos(y) * 2 * x

    return run


def _micrograd_sin(v):
    from micrograd.engine import Value

    out = Value(math.sin(v.data), (v,), "sin")

    def _backward():
        v.grad += math.cos(v.data) * out.grad

    out._backward = _backward
    return out


def _micrograd_exp(v):
    from micrograd.engine import Value

    out = Value(math.exp(v.data), (v,), "exp")

    def _backward():
        v.grad += out.data * out.grad

    out._backward = _backward
    return out


# ----------------------------------------------------------------------------- W3
def neuron_autograd(lib, epochs=1000, lr=0.1):
    cgpa, placed = lib.tensor(CGPA), lib.tensor(PLACED)
    bce = lib.nn.functional.binary_cross_entropy

    def run():
        w = lib.tensor(0.0, requires_grad=True)
        b = lib.tensor(0.0, requires_grad=True)
        for _ in range(epochs):
            loss = bce(lib.sigmoid(w * cgpa + b), placed)
            loss.backward()
            with lib.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        return w, b, loss

    return run


def neuron_by_hand(epochs=1000, lr=0.1):
    cgpa, placed = np.array(CGPA, np.float32), np.array(PLACED, np.float32)

    def run():
        w = b = np.float32(0.0)
        for _ in range(epochs):
            p = 1 / (1 + np.exp(-(w * cgpa + b)))
            loss = -np.mean(placed * np.log(p) + (1 - placed) * np.log(1 - p))
            error = p - placed  # dL/dz for sigmoid + BCE
            w -= lr * np.mean(error * cgpa)
            b -= lr * np.mean(error)
        return w, b, loss

    return run


# ----------------------------------------------------------------------------- W4
def mlp_data(hidden, batch, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal((batch, 64)).astype(np.float32),
        "y": rng.standard_normal((batch, 1)).astype(np.float32),
        "w1": (rng.standard_normal((64, hidden)) / 8).astype(np.float32),
        "b1": np.zeros(hidden, np.float32),
        "w2": (rng.standard_normal((hidden, 1)) / np.sqrt(hidden)).astype(np.float32),
        "b2": np.zeros(1, np.float32),
    }


def mlp_autograd(lib, hidden, batch, lr=0.01):
    data = mlp_data(hidden, batch)
    x, y = lib.tensor(data["x"]), lib.tensor(data["y"])
    params = [lib.tensor(data[k], requires_grad=True) for k in ("w1", "b1", "w2", "b2")]
    w1, b1, w2, b2 = params
    mse = lib.nn.functional.mse_loss

    def run():
        loss = mse(lib.tanh(x @ w1 + b1) @ w2 + b2, y)
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
        return loss

    return run


def mlp_by_hand(hidden, batch, lr=0.01):
    data = mlp_data(hidden, batch)
    x, y = data["x"], data["y"]
    w1, b1, w2, b2 = (data[k] for k in ("w1", "b1", "w2", "b2"))

    def run():
        h = np.tanh(x @ w1 + b1)
        out = h @ w2 + b2
        loss = np.mean((out - y) ** 2)
        d_out = (2.0 / out.size) * (out - y)
        d_h = (d_out @ w2.T) * (1 - h * h)
        for param, grad in ((w2, h.T @ d_out), (b2, d_out.sum(0)), (w1, x.T @ d_h), (b1, d_h.sum(0))):
            param -= lr * grad
        return loss

    return run


# ----------------------------------------------------------------------------- W5
def add_autograd(lib):
    a = lib.tensor(1.0, requires_grad=True)
    b = lib.tensor(2.0, requires_grad=True)
    return lambda: a + b


# ----------------------------------------------------------------------------- running
def workloads(torch):
    """{workload: {implementation: callable}}; torch or micrograd left out when missing."""
    libraries = {"minigrad": minigrad} | ({"torch": torch} if torch else {})

    def per_library(make, *args):
        return {name: make(lib, *args) for name, lib in libraries.items()}

    micrograd = _has_micrograd()
    return {
        "W1": per_library(chain_autograd) | ({"micrograd": chain_micrograd()} if micrograd else {})
        | {"python": chain_by_hand()},
        "W2": per_library(nested_autograd) | ({"micrograd": nested_micrograd()} if micrograd else {})
        | {"python": nested_by_hand()},
        "W3": per_library(neuron_autograd) | {"numpy": neuron_by_hand()},
        "W4 B=256": per_library(mlp_autograd, 128, 256) | {"numpy": mlp_by_hand(128, 256)},
        "W4 B=4096": per_library(mlp_autograd, 512, 4096) | {"numpy": mlp_by_hand(512, 4096)},
        "W5": per_library(add_autograd),
    }


def _has_micrograd():
    try:
        import micrograd.engine  # noqa: F401
    except ImportError:
        return False
    return True


def run(torch=None, rounds=15):
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 200_000))  # micrograd's topological sort recurses
    freeze_heap()
    rows = []
    for workload, implementations in workloads(torch).items():
        medians = measure(implementations, rounds=rounds)
        ours = medians["minigrad"]
        for name, median in medians.items():
            target = TARGETS.get((workload, name))
            ratio = ours / median
            verdict = "" if target is None else ("yes" if ratio <= target else "NO")
            rows.append((workload, name, format_time(median), f"{ratio:.2f}" if name != "minigrad" else "1",
                         f"<= {target}" if target else "", verdict))
    return table("minigrad core (ratio = minigrad median / this implementation's median)", rows)
