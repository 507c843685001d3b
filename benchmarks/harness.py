"""Run implementations of one workload interleaved in one process; report medians and ratios.

Interleaving (a, b, c, a, b, c, ...) means that a slow moment of the machine hits every
implementation alike, so the ratios stay meaningful on a busy 2-core box. The order within
each round is shuffled (with a fixed seed): a machine whose slow moments come at a regular
beat could otherwise keep hitting the same implementation, round after round.
"""

import gc
import random
import statistics
import time


def measure(implementations, rounds=15, min_time=0.02):
    """``implementations``: {name: zero-argument callable that runs one iteration}.

    Each round times a batch of iterations per implementation (batch sizes are calibrated
    first so one batch takes about ``min_time`` seconds); returns {name: median seconds
    per iteration}.
    """
    batches = {name: _calibrate(run, min_time) for name, run in implementations.items()}
    samples = {name: [] for name in implementations}
    order, shuffle = list(implementations), random.Random(0).shuffle
    for _ in range(rounds):
        shuffle(order)
        for name in order:
            samples[name].append(_run_batch(implementations[name], batches[name]) / batches[name])
    return {name: statistics.median(values) for name, values in samples.items()}


def _calibrate(run, min_time):
    """How many iterations make one batch of about ``min_time`` seconds."""
    run()  # warm up (imports, caches, first-call compilation)
    count = 1
    while True:
        elapsed = _run_batch(run, count)
        if elapsed >= min_time / 4 or count >= 1 << 20:
            return max(1, round(count * min_time / max(elapsed, 1e-9)))
        count *= 2


def _run_batch(run, count):
    gc.collect()  # the previous implementation's garbage (micrograd makes cycles) is not ours to pay
    start = time.perf_counter()
    for _ in range(count):
        run()
    return time.perf_counter() - start


def format_time(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.3f} s "


def freeze_heap():
    """Move everything imported so far out of the GC's sight (PyTorch's heap makes collections slow)."""
    gc.collect()
    gc.freeze()


def table(title, rows, header=("workload", "implementation", "median", "ratio", "target", "ok")):
    """Print a Markdown table; rows are tuples matching ``header``."""
    lines = [f"\n### {title}\n", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    text = "\n".join(lines)
    print(text, flush=True)
    return text


class KernelLoop:
    """Stands in for the kernel's event loop: keeps the jobs a widget's callback leaves for later
    (``call_soon``, ``call_later``), so that a benchmark can time the callback alone, then run them."""

    def __init__(self):
        self.waiting = []

    def call_soon(self, callback, *args):
        self.waiting.append((callback, args))

    def call_later(self, delay, callback, *args):
        self.waiting.append((callback, args))

    def run_all(self):
        while self.waiting:
            callback, args = self.waiting.pop(0)
            callback(*args)
