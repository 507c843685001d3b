"""A walkthrough of a cell of your own PyTorch code: ``Walkthrough.from_code`` (and ``%%walkthrough``).

::

    walk = Walkthrough.from_code('''
    import torch
    w = torch.tensor(1.0, requires_grad=True)
    x = torch.tensor(6.7)
    loss = torch.sigmoid(w * x)
    ''')
    walk.sliders        # {'w': FloatSlider, 'x': FloatSlider}
    walk.walk.grad("w")

What happens, in order:

1. **The cell runs once, as it is.** ``import torch`` gives minigrad (``torch.nn``,
   ``torch.nn.functional``, ``torch.optim`` and ``torch.autograd`` too), but only while the
   cell runs: ``sys.modules`` is put back exactly as it was, real PyTorch included. The
   recorder (the one ``trace.Walkthrough.run`` uses) is told of every node ``Function.apply``
   builds. A ``backward()`` the cell calls itself keeps its graph (``retain_graph=True``) so
   that the walkthrough can step through it afterwards.
2. **Your names.** After the run every tensor is named after the variable that holds it,
   found by identity, and every parameter of a module by its ``named_parameters()`` path
   (``0.weight``); tensors made inside a helper function get the automatic names (y, z, u, ...).
3. **The target** is the variable given (``%%walkthrough loss``), or else the last scalar
   tensor with a ``grad_fn`` that the cell assigned. The walkthrough keeps only the part of
   the graph that leads to it, then runs the real ``backward()`` with a hook on every node, as
   every walkthrough does.
4. **Sliders.** Every 0-dim float tensor the cell makes from a number (``torch.tensor(6.7)``)
   is a *creation*, counted in the order the cell makes them, so the same code makes the same
   creations. A creation held by a variable gets a slider (those that require grad first);
   moving it runs the cell again, quietly, with the slider's number at that creation.

The user's namespace (the ``namespace`` given, the notebook's for the magic) is left as a
normal cell would leave it: the variables the cell assigned are set, nothing else changes
(``import torch`` in the cell does not rebind ``torch`` outside it). Re-runs from the sliders
use a fresh copy of the namespace as it was before the cell and change nothing outside.

A cell that raises shows its own traceback, cut to start in the cell; a cell with nothing
to walk through (no tensor requires grad, everything under ``no_grad``) raises ``NotWalkable``,
a ``ValueError`` with one plain line that says what to change.
"""

import ast
import contextlib
import copy
import io
import itertools
import linecache
import math
import sys
import traceback
import warnings

import numpy as np

import minigrad

from ... import creation
from ...autograd import function as autograd_function
from ...tensor import Tensor
from .. import trace

NO_TENSOR_REQUIRES_GRAD = (
    "This cell builds no graph: none of its tensors requires grad, so there is nothing to walk through; "
    "create the input with requires_grad=True, e.g. x = torch.tensor(3.0, requires_grad=True)."
)
NOTHING_RECORDED = (
    "This cell builds no graph: no tensor it computed has a grad_fn (nothing is recorded under "
    "torch.no_grad() or from a detached tensor); compute from a tensor made with requires_grad=True, "
    "outside no_grad."
)
_cell_numbers = itertools.count(1)


class NotWalkable(ValueError):
    """The cell ran, but gives nothing to walk through; the message is one plain line that says why.

    It stays English in both languages: ``%%walkthrough`` prints it as the cell's output, which the
    lessons check with nbval (a Hinglish twin's checked outputs are the English notebook's)."""


class Cell:
    """A cell of code that can run again with other numbers at its tensor creations.

    ``parameters`` (the slider names, as a function's parameters would be) and
    ``record_walkthrough`` are what ``trace.Walkthrough.run`` and the Walkthrough widget use.
    """

    def __init__(self, code, target=None, namespace=None, filename=None, first_line=1, reserved=()):
        self.code, self.target_name = code, target
        self.reserved = frozenset(reserved)  # names that cannot be sliders (the widget's own options: frames, view)
        self.filename = filename or _register_source(code, first_line)
        self.tree = _parse(code, self.filename, first_line)
        self.compiled = compile(self.tree, self.filename, "exec")  # a re-run: quiet
        self.first_run = _as_a_cell_runs(self.tree, self.filename)  # the last expression's value shown
        self.torch_names = _names_bound_by_torch_imports(self.tree)
        self.user_namespace = namespace
        self.before = {"__name__": "__main__"} if namespace is None else dict(namespace)
        self.random_state = copy.deepcopy(creation.default_generator)  # torch.randn gives the same numbers on re-runs
        self.parameters, self.creation_of, self.start_values = (), {}, {}
        self._first = None  # the first run's walkthrough, until the widget asks for it

    # -------------------------------------------------------------------- running
    def prepare(self):
        """The first run: the cell's own output shows, its variables are set, the sliders are found."""
        run = CellRun(self)
        try:
            run.execute()
        finally:
            if self.user_namespace is not None:  # as a normal cell would leave it, even if it raised
                run.export_to(self.user_namespace)
        walk = run.walkthrough(inputs=None)
        self._find_sliders(run)
        walk.inputs = dict(self.start_values)
        self._first = walk
        return walk

    def record_walkthrough(self, **values):
        """The cell run again with these slider values (what moving a slider does)."""
        if self._first is not None and values == self.start_values:
            walk, self._first = self._first, None  # the first run is already recorded
            return walk
        substitutions = {self.creation_of[name]: float(value) for name, value in values.items()
                         if name in self.creation_of}
        run = CellRun(self, substitutions)
        with _quiet(), _random_numbers_from(self.random_state):
            run.execute(quiet=True)
        return run.walkthrough(inputs=dict(values))

    def _find_sliders(self, run):
        holders = {id(value): name for name, value in run.assigned().items() if isinstance(value, Tensor)}
        found = []
        for index, (made, number) in enumerate(run.created):
            name = holders.get(id(made))
            if name is not None and name not in self.reserved:
                found.append((not made.requires_grad, index, name, number))
        found.sort()  # those that require grad first, then in the order the cell made them
        self.parameters = tuple(name for _, _, name, _ in found)
        self.creation_of = {name: index for _, index, name, _ in found}
        self.start_values = {name: number for _, _, name, number in found}

    def slider_specs(self):
        return {name: slider_spec(value) for name, value in self.start_values.items()}


class CellRun:
    """One execution of a cell: its namespace, its creations and the nodes it built."""

    def __init__(self, cell, substitutions=None):
        self.cell = cell
        self.substitutions = substitutions or {}
        self.created = []  # (tensor, the number it was made from), in order
        self.recorder = trace.Recorder({})
        self.start = self.namespace = None

    def execute(self, quiet=False):
        """Run the cell; a student's error comes out with its traceback cut to the cell."""
        with _torch_is_minigrad() as aliases:
            self.namespace = _with_minigrad_modules(self.cell.before, aliases)
            self.start = dict(self.namespace)
            try:
                with _counting_creations(self), _graphs_kept(), _observing(self.recorder):
                    for code in [self.cell.compiled] if quiet else self.cell.first_run:
                        exec(code, self.namespace)
            except Exception as error:
                error.with_traceback(cell_traceback(error, self.cell.filename) or error.__traceback__)
                raise  # the student's own error, its traceback starting in the cell

    def assigned(self):
        """The variables the cell assigned (bound anew or to another object), in the namespace's order."""
        skipped = self.cell.torch_names | {"__builtins__"}
        return {name: value for name, value in self.namespace.items()
                if name not in skipped and (name not in self.start or self.start[name] is not value)}

    def export_to(self, namespace):
        if self.namespace is None:
            return
        namespace.update(self.assigned())
        for name in self.start:
            if name not in self.namespace and name not in self.cell.torch_names:
                namespace.pop(name, None)  # the cell deleted it (del x)

    # -------------------------------------------------------------------- recording
    def walkthrough(self, inputs):
        assigned = self.assigned()
        visible = {name: value for name, value in self.namespace.items() if not name.startswith("_")}
        trace.name_by_identity({**assigned, **visible})  # the cell's own variables name first
        target = self._target(assigned)
        self._keep_only_the_graph_of(target)
        graph = self.recorder.finish(target)
        steps = trace.forward_steps(graph)
        leaves = [value.tensor for value in graph.values if value.role == "input"]
        grads = [(leaf._grad, None if leaf._grad is None else np.copy(leaf._grad._data)) for leaf in leaves]
        try:
            steps += trace.record_backward(graph, start=len(steps))
        except RuntimeError as error:  # e.g. an optimizer step changed a saved value in place afterwards
            raise NotWalkable(f"The backward pass of {graph.output.name} cannot run: {str(error).split('. ')[0]}. "
                              "Walk through the cell without the in-place change (an optimizer step, "
                              "x.add_(...)) instead.") from error
        finally:
            for leaf, (grad, data) in zip(leaves, grads):  # .grad as the cell left it (backward adds in place)
                leaf._grad = grad
                if grad is not None:
                    grad._write(data)
        return trace.Walkthrough(self.cell, inputs, (), graph, steps)

    def _target(self, assigned):
        name = self.cell.target_name
        if name is not None:
            return self._named_target(name)
        tensors = [value for value in assigned.values() if isinstance(value, Tensor)]
        candidates = [t for t in tensors if t.grad_fn is not None and t.numel() == 1]
        if candidates:
            return max(candidates, key=lambda t: t.grad_fn.sequence_nr)  # the one computed last
        if any(t.grad_fn is not None for t in tensors):
            shapes = ", ".join(f"{n} {tuple(v.shape)}" for n, v in assigned.items()
                               if isinstance(v, Tensor) and v.grad_fn is not None)
            raise NotWalkable(f"A walkthrough needs one number at the end, and every result of this cell is "
                              f"a vector ({shapes}): take its .sum() or .mean(), e.g. loss = y.mean().")
        made = tensors + [made for made, _ in self.created]
        raise NotWalkable(NOTHING_RECORDED if any(t.requires_grad for t in made) else NO_TENSOR_REQUIRES_GRAD)

    def _named_target(self, name):
        if name not in self.namespace:
            tensors = [n for n, v in self.assigned().items() if isinstance(v, Tensor)]
            raise NotWalkable(f"The cell has no variable {name!r} to walk through; its tensors are "
                              f"{', '.join(tensors) or 'none'}.")
        value = self.namespace[name]
        if not isinstance(value, Tensor):
            raise NotWalkable(f"{name} is a {type(value).__name__}, not a tensor: name the tensor to walk "
                              "through, e.g. %%walkthrough loss.")
        if value.grad_fn is None or id(value) not in self.recorder.by_tensor:
            why = f"{name} is a leaf, made by you" if value.requires_grad else f"{name} has no grad_fn"
            raise NotWalkable(f"This cell builds no graph behind {name}: {why}, so there is nothing to walk "
                              "through; compute it from a tensor made with requires_grad=True, outside no_grad.")
        if value.numel() != 1:
            raise NotWalkable(f"{name} has shape {tuple(value.shape)}: a walkthrough needs one number at the "
                              f"end; take {name}.sum() or {name}.mean().")
        return value

    def _keep_only_the_graph_of(self, target):
        """Drop what the cell computed besides the target's graph; number what is left again."""
        reachable, to_visit = set(), [target.grad_fn]
        while to_visit:
            node = to_visit.pop()
            if node is not None and id(node) not in reachable:
                reachable.add(id(node))
                to_visit.extend(node._next_nodes)
        recorder = self.recorder
        operations = [op for op in recorder.operations if id(op.node) in reachable]
        used = {id(value) for op in operations for value in (*op.inputs, op.output)}
        recorder.values = [value for value in recorder.values if id(value) in used]
        recorder.operations = operations
        recorder.by_tensor = {key: value for key, value in recorder.by_tensor.items() if id(value) in used}
        for number, value in enumerate(recorder.values):
            value.id = f"v{number}"
        for number, operation in enumerate(operations):
            operation.id = f"op{number}"


class CellStopped(ValueError):
    """A re-run from a slider failed; the message (shown by the widget's guard) says where and why."""


def slider_spec(value):
    """``(min, max, step, value)`` around a number: two either side, or as far again as the number itself."""
    half = max(2.0, abs(value))
    step = 0.01 if half <= 10 else 10.0 ** (math.floor(math.log10(half)) - 2)
    return round(value - half, 2), round(value + half, 2), step, value


# ------------------------------------------------------------------------------ tracebacks
def cell_traceback(error, filename):
    """The error's traceback from its first frame in the cell on (what IPython shows), or None."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    return tb


def describe(error, filename):
    """``ZeroDivisionError: division by zero (line 4)``, the line being the cell's."""
    if isinstance(error, NotWalkable):
        return str(error)
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename]
    where = f" (line {lines[-1]})" if lines else ""
    return f"{type(error).__name__}: {error}{where}."


def _register_source(code, first_line):
    """A name for code that has no file, with its lines in linecache so that tracebacks show them."""
    filename = f"<walkthrough cell {next(_cell_numbers)}>"
    lines = ["\n"] * (first_line - 1) + code.splitlines(keepends=True)
    linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)
    return filename


def _parse(code, filename, first_line):
    try:
        tree = ast.parse(code, filename)
    except SyntaxError as error:
        if error.lineno is not None:
            error.lineno += first_line - 1
            if getattr(error, "end_lineno", None) is not None:
                error.end_lineno += first_line - 1
        raise
    return ast.increment_lineno(tree, first_line - 1)


def _as_a_cell_runs(tree, filename):
    """Code objects that run the cell as IPython does: the last expression's value is shown."""
    body = tree.body
    if not body or not isinstance(body[-1], ast.Expr):
        return [compile(tree, filename, "exec")]
    return [compile(ast.Module(body=body[:-1], type_ignores=[]), filename, "exec"),
            compile(ast.Interactive(body=body[-1:]), filename, "single")]  # "single": sys.displayhook shows it


def _names_bound_by_torch_imports(tree):
    """Names that ``import torch`` / ``from torch import nn`` bind: they are minigrad only inside the cell."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names if _is_torch(alias.name)}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_torch(node.module or ""):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


# ------------------------------------------------------------------------------ while the cell runs
def _is_torch(module_name):
    return module_name == "torch" or module_name.startswith("torch.")


class _NoSuchTorchModule:
    """On ``sys.meta_path`` while a cell runs: ``torch.X`` that minigrad does not have is not searched for."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if _is_torch(fullname):
            raise ModuleNotFoundError(f"No module named {fullname!r} (minigrad has no such module)", name=fullname)
        return None


@contextlib.contextmanager
def _torch_is_minigrad():
    """``import torch`` gives minigrad inside; ``sys.modules`` and ``sys.meta_path`` are as before afterwards."""
    import minigrad.autograd
    import minigrad.nn.functional
    import minigrad.optim  # noqa: F401 - every module the course imports as torch.something

    saved = {name: module for name, module in sys.modules.items() if _is_torch(name)}
    aliases = {"torch": minigrad}
    aliases.update({"torch." + name[len("minigrad."):]: module for name, module in list(sys.modules.items())
                    if name.startswith("minigrad.") and module is not None})
    for name in saved:
        del sys.modules[name]
    sys.modules.update(aliases)
    finder = _NoSuchTorchModule()
    sys.meta_path.insert(0, finder)
    try:
        yield aliases
    finally:
        sys.meta_path.remove(finder)
        for name in [name for name in sys.modules if _is_torch(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


def _with_minigrad_modules(namespace, aliases):
    """A copy of the namespace where real PyTorch modules (``torch``, ``nn``) are minigrad's."""
    copy = dict(namespace)
    for name, value in namespace.items():
        if type(value) is type(sys) and getattr(value, "__name__", None) in aliases:
            copy[name] = aliases[value.__name__]
    return copy


@contextlib.contextmanager
def _counting_creations(run):
    """``torch.tensor`` counts the 0-dim float tensors made from a number, and substitutes slider values."""
    make = minigrad.tensor

    def tensor(data, dtype=None, requires_grad=False):
        if not _is_a_float_number(data, dtype):
            return make(data, dtype=dtype, requires_grad=requires_grad)
        number = run.substitutions.get(len(run.created), data)
        made = make(number, dtype=dtype, requires_grad=requires_grad)
        run.created.append((made, data))
        return made

    tensor.__doc__, tensor.__wrapped__ = make.__doc__, make
    minigrad.tensor = tensor
    try:
        yield
    finally:
        minigrad.tensor = make


def _is_a_float_number(data, dtype):
    if isinstance(data, bool) or not isinstance(data, (int, float)):
        return False
    if dtype is None:
        return isinstance(data, float)
    return dtype is minigrad.float32


@contextlib.contextmanager
def _graphs_kept():
    """A ``backward()`` in the cell keeps its graph, so that the walkthrough can run it again, step by step."""
    backward = Tensor.backward

    def backward_keeping_the_graph(tensor, gradient=None, retain_graph=None, create_graph=False):
        return backward(tensor, gradient, True, create_graph)

    Tensor.backward = backward_keeping_the_graph
    try:
        yield
    finally:
        Tensor.backward = backward


@contextlib.contextmanager
def _observing(recorder):
    autograd_function.FORWARD_OBSERVERS.append(recorder.observe)
    try:
        yield
    finally:
        autograd_function.FORWARD_OBSERVERS.remove(recorder.observe)


@contextlib.contextmanager
def _random_numbers_from(state):
    """The cell draws the same random numbers as on its first run; the notebook's generator is left as it was."""
    current = creation.default_generator
    creation.default_generator = copy.deepcopy(state)
    try:
        yield
    finally:
        creation.default_generator = current


@contextlib.contextmanager
def _quiet():
    """A re-run from a slider prints nothing and warns nothing (the first run already did)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
