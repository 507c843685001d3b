"""Random programs, run under PyTorch and minigrad, and compared line by line.

A program is a few lines of PyTorch code (``generate(seed)``): leaves made of special values
(0.0, -0.0, ±inf, NaN, 1e-45, ±88, 6.7, 9.11, ...) in float32, float64, int64 or bool, of
shapes that broadcast (or do not), then ops from the registry on them and on Python numbers
(on either side), sometimes under ``no_grad``, in-place changes, views, ``retain_grad``,
``backward`` (twice, too). ``run`` executes it line by line and observes, after each line,
whatever a person would see: the exception (type and first sentence), the warnings, and of
the value made (or changed): dtype, shape, requires_grad, is_leaf, grad_fn's name, values
(NaN = NaN, inf with its sign, signed zero), ``repr``, ``str``, ``f"{t}"``, ``f"{t:.3f}"``,
``tolist()``, ``item()``; after a backward, every leaf's ``.grad``. ``differences`` compares
the two traces; ``shrink`` removes lines while a difference stays; ``reproducer`` prints the
program as code to paste.
"""

import math
import random
import re
import warnings
from dataclasses import dataclass, field

from .registry import NO_GRAD_PREFIX, OPS

FLOATS = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e-45, 88.0, -88.0, 6.7, 9.11, 1.0, -1.5, 2.0, 0.5, 3.0]
INTS = [0, 1, -2, 3, 7]
NUMBERS = [0, 1, 2, -1, 3, True, False, 0.0, -0.0, 0.5, 2.5, -2.0, 1e-45, 88.0, 6.7, 9.11,
           math.inf, -math.inf, math.nan]
SHAPES = [(), (), (), (1,), (2,), (3,), (2, 3), (3, 2), (2, 1), (1, 3)]
DTYPES = ["float32"] * 5 + ["float64", "int64", "bool"]
RELATIVE_TOLERANCE = 1e-4  # for values that depend on an op marked exact=False in the registry


@dataclass
class Line:
    code: str
    target: str = None  # the variable to observe after the line runs
    exact: bool = True  # does the target's value depend only on exact ops so far?
    backward: bool = False  # observe every leaf's grad afterwards
    values: bool = True  # compare the target's values (not for torch.empty, rand_like: only dtype, shape, flags)


@dataclass
class Program:
    seed: int
    lines: list = field(default_factory=list)
    leaves: list = field(default_factory=list)

    def source(self):
        return "\n".join(line.code for line in self.lines)


# ----------------------------------------------------------------------------- generating
def _literal(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "float('nan')" if math.isnan(value) else ("float('inf')" if value > 0 else "-float('inf')")
    return repr(value)


def _nested(rng, shape, pool):
    if not shape:
        return _literal(rng.choice(pool))
    return "[" + ", ".join(_nested(rng, shape[1:], pool) for _ in range(shape[0])) + "]"


def _leaf(rng, name):
    dtype = rng.choice(DTYPES)
    pool = FLOATS if dtype.startswith("float") else INTS if dtype == "int64" else [True, False]
    values = _nested(rng, rng.choice(SHAPES), pool)
    grad = ", requires_grad=True" if dtype.startswith("float") and rng.random() < 0.8 else ""
    return Line(f"{name} = torch.tensor({values}, dtype=torch.{dtype}{grad})", target=name), dtype


def _result_dtype(code, first):
    """A guess at the dtype a line makes (to pick float tensors for the ops that need them)."""
    if any(mark in code for mark in (" > ", " == ", " <= ", ".bool()")):
        return "bool"
    if ".long()" in code:
        return "int64"
    if ".double()" in code or "float64" in code:
        return "float64"
    return first


def generate(seed):
    """A program of 1-3 leaves and 2-9 random lines, the same for the same seed."""
    rng = random.Random(seed)
    program = Program(seed)
    exact, dtypes = {}, {}  # of the tensors made so far (only they are picked as operands)
    for index in range(rng.randint(1, 3)):
        name = f"x{index}"
        line, dtypes[name] = _leaf(rng, name)
        program.lines.append(line)
        program.leaves.append(name)
        exact[name] = True
    for step in range(rng.randint(2, 9)):
        op = rng.choice(OPS)
        operands, used = [], []
        variables = list(exact)
        floats = [v for v in variables if dtypes.get(v, "float32").startswith("float")]
        if "f" in op.kinds and not floats:
            continue
        for kind in op.kinds:
            if kind in "tf":
                choice = rng.choice(floats if kind == "f" else variables)
                operands.append(choice)
                used.append(choice)
            elif kind == "a":
                if rng.random() < 0.5:
                    choice = rng.choice(variables)
                    operands.append(choice)
                    used.append(choice)
                else:
                    operands.append(_literal(rng.choice(NUMBERS)))
            elif kind == "n":
                operands.append(_literal(rng.choice(NUMBERS)))
            elif kind == "d":
                operands.append(str(rng.choice([0, 0, -1, 1, 2, -2])))
            elif kind == "k":
                operands.append(str(rng.random() < 0.5))
        code = op.template.format(*operands)
        depends_exact = op.exact and all(exact[v] for v in used)
        if op.statement:
            target = used[0]
            exact[target] = exact[target] and depends_exact
            program.lines.append(Line(code, target=target, exact=exact[target],
                                      backward="backward" in code or "sgd_steps" in code))
            continue
        name = f"v{step}"
        if rng.random() < 0.15:
            code = NO_GRAD_PREFIX + f"{name} = {code}"
        else:
            code = f"{name} = {code}"
        if op.tensor:
            exact[name] = depends_exact
            dtypes[name] = _result_dtype(code, dtypes.get(used[0], "float32") if used else "float32")
        program.lines.append(Line(code, target=name, exact=depends_exact, values=op.values))
    program.lines.append(Line("pass", backward=True))  # the leaves' grads at the end
    return program


# ----------------------------------------------------------------------------- running
# What takes more than a line, defined in both libraries' namespaces (and printed in reproducers)
HELPERS = '''
def same_weights(module):
    """module, its parameters set to -0.5, -0.25, 0, ... in both libraries (not the random init)."""
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.zero_()
            parameter.add_((torch.arange(parameter.numel()) * 0.25 - 0.5).reshape(parameter.shape))
    return module

def features(x):
    """The in_features of a Linear that takes x: its last dim (1 for a 0-dim x, which Linear refuses)."""
    return x.shape[-1] if x.dim() else 1

def sgd_steps(parameters, loss, steps=2, **options):
    """A training loop's steps: zero_grad, loss().backward(), step, with optim.SGD(parameters, **options)."""
    optimizer = torch.optim.SGD(parameters, **options)
    for _ in range(steps):
        optimizer.zero_grad()
        loss().backward()
        optimizer.step()

def trained_weight(x, **options):
    """The weight of a Linear(features(x), 1) after sgd_steps on the mean of its squared outputs."""
    model = same_weights(torch.nn.Linear(features(x), 1))
    sgd_steps(model.parameters(), lambda: (model(x) ** 2).mean(), **options)
    return model.weight
'''
_HELPERS = compile(HELPERS, "<helpers>", "exec")


def first_sentence(text):
    """What is compared of an error or warning: its first sentence, in minigrad's names."""
    text = str(text).replace("torch.", "minigrad.").split("\n")[0]
    # Python names a C type by its full name ('minigrad.Size' object has no attribute ...), a
    # Python class by its own: minigrad's Size and dtype are Python classes
    text = re.sub(r"^'minigrad\.(\w+)' object", r"'\1' object", text)
    text = text.split(" (Triggered internally at")[0]  # PyTorch's C++ source position
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]


# PyTorch warns about these once per process (TORCH_WARN_ONCE in C++), minigrad every time, as
# Python's warnings do; the first time, the texts are compared in tests/test_parity.py
ONCE_PER_PROCESS = ("The use of `x.T` on tensors of dimension other than 2", "Tensor.T is deprecated on 0-D tensors",
                    "Converting a tensor with requires_grad=True to a scalar")


def run(lib, program, compiled):
    """Execute ``program`` with ``lib`` as ``torch``; return what was seen after each line."""
    namespace = {"torch": lib, "F": lib.nn.functional}
    exec(_HELPERS, namespace)  # noqa: S102 - ours
    trace = []
    for line in program.lines:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                exec(compiled[line.code], namespace)  # noqa: S102 - the program is ours
                error = None
            except Exception as exception:  # noqa: BLE001 - comparing exceptions is the point
                error = (type(exception).__name__, first_sentence(exception))
            seen = [(w.category.__name__, first_sentence(w.message)) for w in caught]
        seen = [w for w in seen if not w[1].startswith(ONCE_PER_PROCESS)]
        observed = None
        if error is None and line.target is not None and line.target in namespace:
            observed = _attempt(lambda value=namespace[line.target]: observe(lib, value))
            if not line.values and isinstance(observed, dict):  # random or uninitialised: not the values
                observed = {key: seen for key, seen in observed.items() if key not in ("values", "text")}
        grads = None
        if line.backward:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a leaf changed in place is no leaf any more: .grad warns
                grads = {name: _attempt(lambda leaf=namespace[name]: observe(lib, leaf.grad))
                         if name in namespace else None for name in program.leaves}
        trace.append((error, seen, observed, grads))
    return trace


def _attempt(function):
    try:
        return function()
    except Exception as exception:  # noqa: BLE001
        return ("error", type(exception).__name__, first_sentence(exception))


def observe(lib, value):
    """Everything a person could print of ``value``, as plain Python data."""
    if isinstance(value, lib.Tensor):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # reading .grad_fn etc. must not count as the program's
            grad_fn = value.grad_fn
            return {
                "dtype": str(value.dtype).split(".")[-1], "shape": tuple(value.shape),
                "requires_grad": value.requires_grad, "is_leaf": value.is_leaf,
                "grad_fn": None if grad_fn is None else type(grad_fn).__name__ if lib.__name__ == "torch"
                else grad_fn.name(),
                "values": value.tolist(),
                "text": {"repr": first_lines(repr(value)), "str": first_lines(str(value)),
                         "format": _attempt(lambda: f"{value}".replace("torch.", "minigrad.")),
                         "format .3f": _attempt(lambda: f"{value:.3f}"),
                         "item": _attempt(value.item) if value.numel() == 1 else None},
            }
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [observe(lib, item) for item in value]
    if type(value).__name__ in ("Size", "dtype"):
        return str(value).replace("torch.", "minigrad.")
    if hasattr(value, "name") and hasattr(value, "next_functions"):  # a grad_fn
        return type(value).__name__ if lib.__name__ == "torch" else value.name()
    return repr(value)


def first_lines(text):
    return text.replace("torch.", "minigrad.")


def _unwrapped(text):
    """The printed forms, NaN-safe (as reprs) and with the suffixes' line breaks undone: "minigrad"
    is 3 characters longer than "torch", so "dtype=minigrad.float64" can wrap at 80 characters
    where "dtype=torch.float64" did not (the only place a repr depends on the library's name)."""
    return {key: re.sub(r",\n +(dtype=|grad_fn=|requires_grad=)", r", \1", value) if isinstance(value, str)
            else repr(value) for key, value in text.items()}


# ----------------------------------------------------------------------------- comparing
def _same_number(a, b, exact):
    if isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))) or type(a) is not type(b):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if a == 0 or b == 0 or math.isinf(a) or math.isinf(b) or exact:
            return a == b and math.copysign(1, a) == math.copysign(1, b)
        return abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b))
    return a == b and type(a) is type(b)


def _same_values(a, b, exact):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_values(x, y, exact) for x, y in zip(a, b))
    return _same_number(a, b, exact)


def _same(a, b, exact):
    """Are two observations the same? Printed forms only where the values are the same bits."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return False
        if "values" not in a:  # the leaves' grads (name -> observation), or a tensor seen without its values
            return all(_same(a[key], b[key], exact) for key in a)
        for key in a:
            if key == "text":
                continue
            if key == "values":
                if not _same_values(a[key], b[key], exact):
                    return False
            elif a[key] != b[key]:
                return False
        if _same_values(a["values"], b["values"], True):
            return _same_text(a["text"], b["text"], exact)
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, exact) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return _same_number(a, b, exact)
    return a == b


def _same_text(a, b, exact):
    a, b = _unwrapped(a), _unwrapped(b)
    if exact:
        return a == b
    # an inexact value printed with PyTorch's 4 decimals can still round the other way
    return all(a[key] == b[key] or not (isinstance(a[key], str) and isinstance(b[key], str)) for key in a)


# PyTorch rewrites the history of a view changed in place inside a graph (AsStridedBackward0 on
# the view, CopySlices on its base, and an error for views made under no_grad); minigrad does
# not (README: "How minigrad matches PyTorch"). Programs that do it are left out, and counted.
# Also left out: PyTorch's check that an in-place op's output does not overlap an input
# (x.clamp_(min=a view of x)), and reshape of a non-contiguous tensor (x.t().reshape(-1)), which
# PyTorch copies (UnsafeViewBackward0 over CloneBackward0) where minigrad's reshape is view's.
UNSUPPORTED = ("AsStridedBackward0", "CopySlices", "its base or another view of its base has been modified inplace",
               "is a view of a view which was created in no_grad mode",
               "refer to a single memory location", "ReshapeAliasBackward0")
RESHAPES = ("reshape(", "flatten(", "Flatten(")


def unsupported(trace, program=None):
    if any(name in repr(step) for step in trace for name in UNSUPPORTED):
        return True
    lines = program.lines if program is not None else []
    return any(any(r in line.code for r in RESHAPES) and "'UnsafeViewBackward0'" in repr(step[2])
               for line, step in zip(lines, trace))


def differences(program, torch, minigrad, compiled=None):
    """The lines where PyTorch and minigrad were seen to differ: (index, what, torch's, minigrad's).

    None (not a list) for a program that does what minigrad does not support (see UNSUPPORTED).
    """
    compiled = compiled or {line.code: compile(line.code, "<program>", "exec") for line in program.lines}
    theirs, mine = run(torch, program, compiled), run(minigrad, program, compiled)
    if unsupported(theirs, program):
        return None
    found = []
    for index, (line, t, m) in enumerate(zip(program.lines, theirs, mine)):
        for what, a, b in zip(("error", "warnings", "value", "grads"), t, m):
            exact = line.exact if what != "grads" else all(x.exact for x in program.lines[:index + 1])
            if not _same(a, b, exact):
                found.append((index, what, a, b))
    return found


def shrink(program, torch, minigrad):
    """Remove lines (one at a time) for as long as some difference stays."""
    current = program
    changed = True
    while changed:
        changed = False
        for index in range(len(current.lines) - 2, -1, -1):
            candidate = Program(current.seed, current.lines[:index] + current.lines[index + 1:],
                                [leaf for leaf in current.leaves
                                 if not current.lines[index].code.startswith(f"{leaf} = ")])
            if differences(candidate, torch, minigrad):
                current, changed = candidate, True
                break
    return current


def reproducer(program, torch, minigrad):
    """The shrunk program as code to paste, with what each library showed where they differ."""
    found = differences(program, torch, minigrad)
    lines = [f"# differential program, seed {program.seed}; run it with both imports",
             "import minigrad as torch  # or: import torch", "F = torch.nn.functional"]
    if any(name in program.source() for name in ("same_weights", "features", "sgd_steps", "trained_weight")):
        lines += HELPERS.strip().splitlines()
    lines += [line.code for line in program.lines if line.code != "pass"]
    for index, what, theirs, mine in found:
        lines.append(f"# line {index + 1} ({program.lines[index].code!r}), {what}:")
        lines.append(f"#   PyTorch:  {theirs!r}")
        lines.append(f"#   minigrad: {mine!r}")
    return "\n".join(lines)
