r"""A Walkthrough: the forward and backward steps of one real run, explained one at a time.

Nothing here re-implements autograd. ``Walkthrough.run`` calls the student's function on
fresh leaf tensors while ``Function.apply`` reports every node it builds (the forward
steps, in the order the ops ran), then calls the real ``backward()`` with a hook on every
node, so the backward steps are exactly the ones the engine ran, in its order, with the
gradients it computed::

    walk = Walkthrough.run(lambda x: mg.exp(mg.sin(x ** 2)), x=2.0)
    [s.title for s in walk.steps]
    # ['y = x²', 'z = sin(y)', 'u = exp(z)', 'ExpBackward0', 'SinBackward0', 'PowBackward0', 'x.grad']
    walk.steps[4].latex
    # \frac{\partial u}{\partial y} = \frac{\partial u}{\partial z} \cdot \frac{\partial z}{\partial y}
    #   = 0.4692 \cdot \cos(4) = -0.3067

Names: inputs are named after the function's parameters, results after ``tensor.name``
(see ``named``) or else y, z, u, v, ... in the order they were computed. Every id
(``v0``, ``op0``) is a position in that order, never an ``id()``, so the same function
gives the same walkthrough, drawing and DOT text on every run.
"""

import inspect
import itertools
import re
from dataclasses import dataclass, field

import numpy as np

from .. import ops
from ..autograd import function
from ..autograd.engine import sum_to_shape
from ..creation import tensor as make_tensor
from ..tensor import Tensor
from . import notation
from .i18n import gettext as _

RESULT_NAMES = ("y", "z", "u", "v", "w", "p", "q", "r", "s", "g", "h", "k", "m", "n")
ASKED = r"\boxed{?}"  # a number guess mode asks for, in an equation (a box to fill; spaced as a number)
LATEX_NAMES = {"ŷ": r"\hat{y}", "y_hat": r"\hat{y}", "σ": r"\sigma", "loss": r"\mathcal{L}"}


def named(tensor, name):
    """Give a tensor the name the walkthrough and the drawings use; returns the tensor."""
    tensor.name = name
    return tensor


def latex_name(name):
    """A tensor name as LaTeX: ``x`` stays ``x``, ``ŷ`` becomes ``\\hat{y}``, ``wx`` stays ``wx``.

    A student's own names: ``y_pred`` becomes y with the subscript pred (``y_{\\mathrm{pred}}``,
    not ``\\hat{y}``: the name they wrote), ``x_1`` becomes ``x_{1}``; a module path such as
    ``0.weight`` is written upright, as it is.
    """
    if name in LATEX_NAMES:
        return LATEX_NAMES[name]
    base, underscore, subscript = name.partition("_")
    if underscore and base and subscript and name.isidentifier():
        return rf"{latex_name(base)}_{{{latex_name(subscript) if len(subscript) == 1 else _upright(subscript)}}}"
    if len(name) > 2 and name.isalpha():
        return _upright(name)
    if not name.isidentifier() and re.fullmatch(r"[\w.]+", name) and not _is_number(name):
        return _upright(name)  # 0.weight
    return name


def _upright(text):
    return rf"\mathrm{{{text}}}".replace("_", r"\_")


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def name_by_identity(variables):
    """Name the tensors these variables hold, by identity: ``{"w": w, "model": model}`` names ``w``
    "w" and each parameter of ``model`` by its ``named_parameters()`` path ("0.weight").

    A tensor that already has a name keeps it; the first variable to hold a tensor names it
    (pass the variables in the order that should win). Returns ``{id(tensor): name}`` of the
    names given. ``%%walkthrough`` calls this on the cell's namespace after it ran; the names
    stay on the tensors, so a later ``viz.draw(loss)`` shows them too.
    """
    given = {}

    def give(tensor, name):
        if tensor.name is None and id(tensor) not in given:
            tensor.name = name
            given[id(tensor)] = name

    for name, value in variables.items():
        if isinstance(value, Tensor):
            give(value, name)
    for value in variables.values():  # modules after plain tensors: a variable's own name wins
        named_parameters = getattr(value, "named_parameters", None)
        if callable(named_parameters) and not isinstance(value, type):
            for path, parameter in named_parameters():
                if isinstance(parameter, Tensor):
                    give(parameter, path)
    return given


def partial(of, by):
    return rf"\frac{{\partial {latex_name(of)}}}{{\partial {latex_name(by)}}}"


# ------------------------------------------------------------------------------ the graph
@dataclass(eq=False)
class Value:
    """A tensor of the graph: an input, a constant, or the result of an op."""

    id: str  # "v0", "v1", ... in the order values appear
    name: str
    role: str  # "input" (requires grad), "data" (an input without grad), "constant", "result"
    data: object  # its NumPy value
    tensor: object = None  # the minigrad tensor (None for a constant number)

    @property
    def shape(self):
        return np.shape(self.data)

    @property
    def requires_grad(self):
        return self.role in ("input", "result")

    @property
    def label(self):
        return latex_name(self.name)


@dataclass(eq=False)
class Operation:
    """One op node: which op, its inputs (in order) and its output value."""

    id: str  # "op0", "op1", ... in the order the ops ran
    node: object  # the grad_fn node the engine runs
    inputs: tuple
    output: Value

    @property
    def op(self):
        return type(self.node)

    @property
    def grad_fn_name(self):
        return self.node.name()

    @property
    def notation(self):
        return self.op.notation  # how the op is shown: written in its class in ops.py


@dataclass
class Graph:
    """Values and operations in forward order, plus the final gradients where known."""

    values: list
    operations: list
    output: Value
    grads: dict = field(default_factory=dict)  # value id -> gradient


# ------------------------------------------------------------------------------ steps
@dataclass
class Step:
    """One step of the walkthrough (forward: an op computing its output; backward: a node's backward)."""

    index: int
    phase: str  # "forward" or "backward"
    number: int  # 1-based within its phase
    title: str
    text: str  # one line in words
    latex: str  # the equation, numbers plugged in
    operation: Operation = None  # None for an AccumulateGrad step
    leaf: Value = None  # the leaf whose .grad is written (AccumulateGrad steps)
    upstream: object = None  # dL/d(output of the node)
    local: dict = field(default_factory=dict)  # input value id -> local derivative (numeric)
    contributions: dict = field(default_factory=dict)  # input value id -> upstream × local, summed to shape
    raw_contributions: dict = field(default_factory=dict)  # before broadcasting was undone
    accumulated: dict = field(default_factory=dict)  # value id -> dL/d(value) after this step
    question: str = ""  # the equation with the step's new numbers as "?" (guess mode asks for them)
    describe: object = None  # () -> ``text`` in the language chosen now (i18n): the widgets show this

    def words(self):
        """The step in words, in the current language (``text`` is as it was when the step was recorded)."""
        return self.describe() if self.describe is not None else self.text


class Walkthrough:
    """The recorded forward and backward passes of one call of a function."""

    def __init__(self, function_, inputs, constants, graph, steps):
        self.function = function_
        self.inputs = inputs  # name -> the value given
        self.constants = constants
        self.graph = graph
        self.steps = steps

    # -------------------------------------------------------------------- recording
    @classmethod
    def run(cls, function_, constants=(), **inputs):
        """Call ``function_`` on fresh leaf tensors and record both passes.

        ``inputs`` gives each parameter's value (a number, a list or a tensor); names in
        ``constants`` become data that does not require grad (the x and y of a data set).
        Parameters with a default value may be left out.
        """
        record = getattr(function_, "record_walkthrough", None)
        if record is not None:  # a cell of code (widgets.from_code) runs and records itself
            return record(**inputs)
        inputs = {**_defaults(function_), **inputs}
        graph = record_forward(function_, constants, **inputs)
        if np.size(graph.output.data) != 1:
            raise ValueError(
                f"the function's result has shape {graph.output.shape}: a walkthrough needs one number "
                "at the end (return y.sum() or y.mean())"
            )
        steps = forward_steps(graph)
        steps += record_backward(graph, start=len(steps))
        return cls(function_, inputs, tuple(constants), graph, steps)

    def rerun(self, **new_inputs):
        """The same function at new input values (same structure, same number of steps)."""
        return Walkthrough.run(self.function, constants=self.constants, **{**self.inputs, **new_inputs})

    # -------------------------------------------------------------------- reading
    @property
    def forward_steps(self):
        return [s for s in self.steps if s.phase == "forward"]

    @property
    def backward_steps(self):
        return [s for s in self.steps if s.phase == "backward"]

    @property
    def output(self):
        return self.graph.output

    def value(self, name):
        """The Value with this name."""
        for value in self.graph.values:
            if value.name == name:
                return value
        raise KeyError(f"no value named {name!r}; the names are {[v.name for v in self.graph.values]}")

    def grad(self, name):
        """The final gradient dL/d(name)."""
        return self.graph.grads[self.value(name).id]

    def phase_label(self, index):
        """``'Forward 2 / 3'`` or ``'Backward 1 / 4'`` for step ``index`` (``'Start'`` before step 0)."""
        if index < 0:
            return "Start"
        step = self.steps[index]
        total = len(self.forward_steps) if step.phase == "forward" else len(self.backward_steps)
        return f"{step.phase.capitalize()} {step.number} / {total}"

    def state(self, index=None):
        """What is known after step ``index``; ``None``: after the last step, with no step marked."""
        if index is None:
            final = State.after(self, len(self.steps) - 1)
            final.step = None
            return final
        return State.after(self, index)

    def __repr__(self):
        counts = f"{len(self.forward_steps)} forward, {len(self.backward_steps)} backward steps"
        return f"<Walkthrough of {self.output.name}: {counts}>"


@dataclass
class State:
    """The walkthrough frozen after one step: which values exist, which gradients are known."""

    step: Step
    computed: set  # value ids whose values exist
    grads: dict  # value id -> dL/d(value) so far
    carried: dict  # (input value id, operation id) -> gradient carried along that edge
    finished_ops: set  # operation ids whose backward has run (their saved values are freed)

    @classmethod
    def after(cls, walk, index):
        graph = walk.graph
        step = walk.steps[index] if index >= 0 else None
        computed = {v.id for v in graph.values if v.role != "result"}
        grads, carried, finished = {}, {}, set()
        for past in walk.steps[: index + 1]:
            if past.phase == "forward":
                computed.add(past.operation.output.id)
                continue
            grads = past.accumulated
            if past.operation is not None:
                finished.add(past.operation.id)
                for value_id, contribution in past.contributions.items():
                    carried[(value_id, past.operation.id)] = contribution
        return cls(step, computed, dict(grads), carried, finished)


# ------------------------------------------------------------------------------ recording helpers
def parameter_names(function_):
    """The function's parameter names, in order (an ``expr.Expression`` has them too)."""
    if hasattr(function_, "parameters") and not callable(function_.parameters):
        return tuple(function_.parameters)
    return tuple(inspect.signature(function_).parameters)


def _defaults(function_):
    try:
        signature = inspect.signature(function_)
    except (TypeError, ValueError):
        return {}
    return {name: p.default for name, p in signature.parameters.items() if p.default is not inspect.Parameter.empty}


def _leaf(value, name, requires_grad):
    """A fresh leaf tensor for one input (float32, like every tensor the course makes)."""
    if isinstance(value, Tensor):
        value = value.detach().numpy()
    leaf = make_tensor(np.asarray(value, dtype=np.float32))
    leaf.requires_grad_(requires_grad)
    return named(leaf, name)


def _append_value(values, name, role, data, tensor=None):
    """A new Value with the next id (v0, v1, ...: positions, never id()), appended to ``values``."""
    value = Value(f"v{len(values)}", name, role, data, tensor)
    values.append(value)
    return value


class Recorder:
    """Told of every node ``Function.apply`` builds while the student's function runs."""

    def __init__(self, leaves):
        self.values, self.operations = [], []
        self.by_tensor = {}  # id(tensor) -> Value; the tensors stay referenced, so ids are stable
        for name, leaf in leaves.items():
            self._add_value(name, "input" if leaf.requires_grad else "data", leaf._data, leaf)

    def _add_value(self, name, role, data, tensor=None):
        value = _append_value(self.values, name, role, data, tensor)
        if tensor is not None:
            self.by_tensor[id(tensor)] = value
        return value

    def _input_value(self, item):
        if isinstance(item, Tensor):
            known = self.by_tensor.get(id(item))
            if known is not None:
                return known
            role = "input" if item.requires_grad else "data"  # made inside the function
            return self._add_value(item.name or notation.format_value(item._data), role, item._data, item)
        return self._add_value(notation.format_value(item), "constant", item)

    def observe(self, node, inputs, output, options):
        input_values = tuple(self._input_value(item) for item in inputs)
        result = self._add_value(None, "result", output._data, output)
        self.operations.append(Operation(f"op{len(self.operations)}", node, input_values, result))

    def finish(self, output):
        if not isinstance(output, Tensor) or id(output) not in self.by_tensor:
            raise ValueError("the function must return a tensor computed from its inputs")
        for value in self.values:  # a name given by the end of the run wins (a variable's: name_by_identity)
            if value.tensor is not None and value.tensor.name:
                value.name = value.tensor.name
        taken = {v.name for v in self.values if v.name is not None}
        spare = (name for name in _automatic_names(RESULT_NAMES, "t") if name not in taken)
        for value in self.values:
            if value.name is None:
                value.name = next(spare)
        return Graph(self.values, self.operations, self.by_tensor[id(output)])


def _automatic_names(letters, prefix):
    """``y, z, u, ...`` then ``t1, t2, ...``, made one at a time (not 10,000 strings per walkthrough)."""
    return itertools.chain(letters, (f"{prefix}{i}" for i in itertools.count(1)))


def record_forward(function_, constants=(), **inputs):
    """Run ``function_`` on fresh leaves and return its Graph (the forward pass only).

    Inputs may be vectors: ``record_forward(f, x=np.linspace(-3, 3, 200))`` gives every
    intermediate value as a function of x (FunctionPlot draws the inner functions with it).
    """
    inputs = {**_defaults(function_), **inputs}
    names = parameter_names(function_)
    missing = [name for name in names if name not in inputs]
    if missing:
        raise ValueError(f"give a value for {', '.join(missing)}: e.g. Walkthrough.run(f, {missing[0]}=2.0)")
    leaves = {name: _leaf(inputs[name], name, requires_grad=name not in constants) for name in names}
    recorder = Recorder(leaves)
    function.FORWARD_OBSERVERS.append(recorder.observe)
    try:
        output = function_(**leaves)
    finally:
        function.FORWARD_OBSERVERS.remove(recorder.observe)
    return recorder.finish(output)


# ------------------------------------------------------------------------------ forward steps
def _display(values, plug_numbers):
    """What to put in a formula's placeholders: names, or numbers when every value is a scalar."""
    if plug_numbers:
        return [notation.latex_number(v.data) for v in values]
    return [v.label for v in values]


def _all_scalars(values):
    return all(np.ndim(v.data) == 0 for v in values)


def forward_steps(graph):
    steps = []
    for number, operation in enumerate(graph.operations, start=1):
        template = operation.notation.forward
        options = notation.options(operation.node)
        out = operation.output
        symbolic = notation.fill(template, *[v.label for v in operation.inputs], **options)
        parts = [out.label, symbolic]
        if _all_scalars(operation.inputs) and any(v.role != "constant" for v in operation.inputs):
            parts.append(notation.fill(template, *_display(operation.inputs, True), **options))
        parts.append(notation.latex_value(out.data))
        describe = _forward_words(operation)
        shown = _dedupe(parts)
        steps.append(Step(len(steps), "forward", number, f"{out.name} = {title(operation)}", describe(),
                          " = ".join(shown), operation=operation, question=" = ".join(shown[:-1] + [ASKED]),
                          describe=describe))
    return steps


def _forward_words(operation):
    """A forward step in words, said in the language chosen when it is called."""
    out = operation.output

    def describe():
        inputs_text = ", ".join(f"{v.name} = {notation.format_value(v.data)}" for v in operation.inputs
                                if v.role != "constant")
        text = _("{out} = {title}: from {inputs} we get {out} = {value}").format(
            out=out.name, title=title(operation), inputs=inputs_text or _("constants"),
            value=notation.format_value(out.data))
        return text + _why(out.data, operation.inputs, with_numbers(operation))

    return describe


def title(operation, names=None):
    names = names or [v.name for v in operation.inputs]
    symbol = operation.notation.symbol
    if operation.op is ops.Rsub:  # 1 - x: the number comes first, as it was written
        return f"{names[1]} − {names[0]}"
    if operation.op in (ops.Neg, ops.Reciprocal):  # −y and 1/y, not −x(y)
        return f"{symbol[:-1]}{names[0]}"
    if symbol == "ᵀ" and len(names) == 1:  # a transpose: Wᵀ
        return f"{names[0]}ᵀ"
    if operation.op is ops.Addmm and len(names) == 3:  # nn.Linear's addmm(b, x, Wᵀ), titled as written: x @ Wᵀ + b
        return f"{names[1]} @ {names[2]} + {names[0]}"
    if len(names) == 2 and len(symbol) == 1:
        return f"{names[0]} {symbol} {names[1]}"
    if operation.op is ops.Pow:
        return f"{names[0]}{superscript(operation.node.exponent)}"
    return f"{symbol}({', '.join(names)})"


def _why(result, inputs, computed_from, upstream=None):
    """'; e¹⁰⁰⁰ is larger than float32 can hold ...' when a finite computation gave ∞ or NaN, else ''."""
    sources = [v.data for v in inputs] + ([upstream] if upstream is not None else [])
    if any(not np.all(np.isfinite(np.asarray(data, dtype=np.float64))) for data in sources
           if not isinstance(data, function.Preview)):
        return ""  # an ∞ or NaN came in: nothing new to explain here
    reason = notation.why_not_finite(result, computed_from)
    return f": {reason}" if reason else ""


def with_numbers(operation):
    """The op with its inputs' values: ``e¹⁰⁰⁰``, ``ln(-1)``, ``2 × 3``."""
    numbers = [notation.format_value(v.data) for v in operation.inputs]
    if operation.op is ops.Exp and np.ndim(operation.inputs[0].data) == 0:
        return "e" + superscript(operation.inputs[0].data)
    return title(operation, numbers)


def superscript(number):
    text = notation.format_number(number)
    return text.translate(str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·"))


def _dedupe(parts):
    """Drop a part equal to the one before it (``y = 4 = 4`` says nothing twice)."""
    kept = []
    for part in parts:
        if not kept or kept[-1] != part:
            kept.append(part)
    return kept


# ------------------------------------------------------------------------------ backward steps
def record_backward(graph, start):
    """Run the real backward pass with a hook on every node; turn each call into a Step."""
    by_node = {id(op.node): op for op in graph.operations}
    leaves = {id(v.tensor._node): v for v in graph.values if v.role == "input"}
    events, handles = [], []

    def hook_for(node):
        def record(grad_inputs, grad_outputs):
            events.append((node, [_data(g) for g in grad_inputs], _data(grad_outputs[0])))

        return record

    nodes = [op.node for op in graph.operations] + [leaf.tensor._node for leaf in leaves.values()]
    for node in nodes:
        handles.append(node.register_hook(hook_for(node)))
    try:
        graph.output.tensor.backward(retain_graph=True)  # keep saved values: the drawings show them
    finally:
        for handle in handles:
            handle.remove()

    grads = {graph.output.id: graph.output.data.dtype.type(1)}
    steps = []
    for number, (node, grad_inputs, upstream) in enumerate(events, start=1):
        if id(node) in by_node:
            step = _op_step(by_node[id(node)], grad_inputs, upstream, grads, graph)
        else:
            step = _leaf_step(leaves[id(node)], upstream, graph)
        step.index, step.number, step.accumulated = start + len(steps), number, dict(grads)
        steps.append(step)
    graph.grads = dict(grads)
    return steps


def _data(grad):
    return None if grad is None else grad._data


def _op_step(operation, grad_inputs, upstream, grads, graph):
    output, final = operation.output, graph.output
    locals_ = operation.node.local_derivatives() or (None,) * len(operation.inputs)
    step = Step(0, "backward", 0, operation.grad_fn_name, "", "", operation=operation, upstream=upstream)
    lines, questions, words = [], [], []
    for position, (value, raw) in enumerate(zip(operation.inputs, grad_inputs)):
        if not value.requires_grad or raw is None:
            continue
        summed = sum_to_shape(raw, value.shape) if np.shape(raw) != value.shape else raw
        previous = grads.get(value.id)
        grads[value.id] = summed if previous is None else previous + summed
        step.local[value.id] = locals_[position]
        step.raw_contributions[value.id] = raw
        step.contributions[value.id] = summed
        new_lines = _chain_rule_lines(operation, position, upstream, raw, summed, previous, final)
        lines += new_lines
        questions += _question_lines(new_lines, previous)
        words.append((value, summed, previous))
    step.latex = _join(lines)
    step.question = _join(questions)

    def describe():
        said = []
        for value, summed, previous in words:
            partial_text = f"∂{final.name}/∂{value.name}"
            said.append((_("{partial} gets {value}") if previous is not None else "{partial} = {value}").format(
                partial=partial_text, value=notation.format_value(summed))
                + _why(summed, operation.inputs, partial_text, upstream=upstream))
        return _("{node}: the gradient arriving at {output} ({incoming}) times each local derivative ({rule}): "
                 "{results}").format(node=operation.grad_fn_name, output=output.name,
                                     incoming=f"∂{final.name}/∂{output.name} = {notation.format_value(upstream)}",
                                     rule=notation.said(operation.notation.text), results="; ".join(said))

    step.text, step.describe = describe(), describe
    return step


def _chain_rule_lines(operation, position, upstream, raw, summed, previous, final):
    """The chain rule for one input, with numbers: dL/dx = dL/dy · dy/dx = U · local = C."""
    value, output = operation.inputs[position], operation.output
    options = notation.options(operation.node)
    local_template = operation.notation.local[position]
    plug = _all_scalars(operation.inputs) and np.ndim(output.data) == 0
    shown = _display(operation.inputs, plug)
    out_shown = notation.latex_number(output.data) if plug else output.label
    local_text = notation.fill(local_template, *shown, out=out_shown, **options)
    result = notation.latex_value(raw)
    if operation.output is final:  # the first step: dL/dL = 1, so the gradient is the local derivative
        parts = [partial(final.name, value.name), local_text, result]
    else:
        parts = [partial(final.name, value.name),
                 rf"{partial(final.name, output.name)} \cdot {partial(output.name, value.name)}",
                 rf"{notation.wrap(notation.latex_value(upstream))} \cdot {notation.wrap(local_text)}", result]
    lines = [_dedupe(parts)]
    if np.shape(raw) != value.shape:  # broadcast: the input was used by every sample
        lines.append([partial(final.name, value.name), r"\textstyle\sum_i (\text{each sample's share})",
                      notation.latex_value(summed)])
    if previous is not None:  # the input was reached before: the paths add up
        lines.append([rf"\text{{so far: }} {partial(final.name, value.name)}",
                      rf"{notation.latex_value(previous)} + {notation.wrap(notation.latex_value(summed))}",
                      notation.latex_value(previous + summed)])
    return lines


def _question_lines(lines, previous):
    """The chain rule's lines with their results as "?"; the "so far" line adds a "?" too (its term is
    the result of the line above)."""
    asked = [parts[:-1] + [ASKED] for parts in lines]
    if previous is not None:
        asked[-1] = [asked[-1][0], rf"{notation.latex_value(previous)} + {ASKED}", ASKED]
    return asked


def _join(lines):
    """One line as ``a = b = c``; several as an aligned block lined up on the first ``=``."""
    if len(lines) == 1:
        return " = ".join(lines[0])
    rows = [parts[0] + " &= " + " = ".join(parts[1:]) for parts in lines]
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


def _leaf_step(leaf, upstream, graph):
    derivative = partial(graph.output.name, leaf.name)
    latex = rf"{leaf.label}.\mathrm{{grad}} = {derivative} = {notation.latex_value(upstream)}"
    question = rf"{leaf.label}.\mathrm{{grad}} = {derivative} = {ASKED}"
    def describe():
        return _("AccumulateGrad: {leaf} is a leaf, so its gradient is stored: {stored}").format(
            leaf=leaf.name, stored=f"{leaf.name}.grad = {notation.format_value(upstream)}")

    step = Step(0, "backward", 0, f"{leaf.name}.grad", describe(), latex, leaf=leaf, upstream=upstream,
                question=question, describe=describe)
    step.contributions[leaf.id] = upstream
    return step


# ------------------------------------------------------------------------------ any tensor's graph
def graph_of(output):
    """The Graph behind any tensor (no walkthrough needed): what ``viz.draw(loss)`` draws.

    Values come from the nodes themselves (each keeps its output's data), leaves from
    their AccumulateGrad nodes; gradients are the leaves' ``.grad`` where backward has run.
    """
    from ..autograd.engine import collect_graph

    if output._node is None:
        raise ValueError("this tensor has no graph: it does not require grad (create it with requires_grad=True)")
    nodes, leaf_counts = collect_graph(output._node)
    nodes.sort(key=lambda node: node.sequence_nr)  # creation order = forward order
    leaves = sorted(leaf_counts, key=lambda node: node.sequence_nr)
    values, by_node = [], {}

    def add(name, role, data, tensor=None):
        return _append_value(values, name, role, data, tensor)

    generated = _automatic_names(("a", "b", "c", "d", "e", "f"), "x")
    for leaf_node in leaves:
        variable = leaf_node.variable
        data = variable._data if variable is not None else None
        by_node[leaf_node] = add((variable.name if variable is not None else None) or next(generated),
                                 "input", data, variable)
    operations = []
    result_names = _automatic_names(RESULT_NAMES, "t")
    for node in nodes:
        inputs = []
        for position, next_node in enumerate(node._next_nodes):
            if next_node is None:
                data = node._inputs[position]
                inputs.append(add(notation.format_value(data), "constant", data))
            else:
                inputs.append(by_node[next_node])
        is_output = node is output._node
        result = add(output.name if is_output and output.name else next(result_names), "result", node._value,
                     output if is_output else None)
        by_node[node] = result
        operations.append(Operation(f"op{len(operations)}", node, tuple(inputs), result))
    grads = {v.id: v.tensor._grad._data for v in values if v.role == "input" and v.tensor is not None
             and v.tensor._grad is not None}
    return Graph(values, operations, by_node[output._node], grads)


# ------------------------------------------------------------------------------ the course's examples
def neuron(w, b, x, t):
    """The sigmoid neuron with binary cross-entropy: z = w·x + b, ŷ = σ(z), L = BCE(ŷ, t)."""
    from ..nn.functional import binary_cross_entropy

    z = named(named(w * x, "wx") + b, "z")
    y_hat = named(z.sigmoid(), "ŷ")
    return named(binary_cross_entropy(y_hat, t), "L")
