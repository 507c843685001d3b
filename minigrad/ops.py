r"""The derivative table: every op minigrad knows, each written once.

Read it like a table. Each op is a small class, and everything about it is in that class:

* its docstring: what it computes, :math:`y = \sin x`;
* ``forward(ctx, *inputs)``: the output from NumPy data; it saves what the derivative will
  need with ``ctx.save_for_backward``;
* ``local_derivatives(ctx)``: :math:`\partial y/\partial x` for each input, value by value (an
  element-wise op, a sum, a mean). The walkthrough shows these very numbers;
* ``backward(ctx, grad)``: the upstream gradient :math:`\partial L/\partial y` in, one gradient
  :math:`\partial L/\partial x` per input out. For element-wise ops it is the chain rule, upstream ×
  local, written once in ``Elementwise.backward``; an op that writes its own says why in one line
  (PyTorch's order of operations, for its digits), and ``tests/test_gradcheck.py`` proves that its
  backward(g) still equals g × its local derivative. Ops without a value-by-value derivative (a
  matrix product, a reshape) write ``backward`` themselves;
* ``notation``: how a student sees it, in the walkthrough and the drawings (see ``Notation``).

Broadcasting and accumulation are the engine's job, never an op's.
"""

from dataclasses import dataclass

import numpy as np

from . import numeric
from .autograd.function import NO_CONTEXT, Function
from .numeric import ONE, ZERO, Typed, largest, smallest, total


@dataclass(frozen=True)
class Notation:
    r"""How the walkthrough and the drawings show an op.

    ``forward`` and ``local`` are LaTeX templates, filled with the inputs' names (``x``) or their
    numbers (``2``): ``{0}``, ``{1}`` are the inputs, ``{out}`` the output, ``{0!w}`` an input put in
    parentheses if it is negative (``(-2)^{2}``), and ``{exponent}``, ``{count}``, ... the op's own
    numbers (its ``placeholders()``).
    """

    forward: str  # the output in terms of the inputs: \sin({0})
    local: tuple  # d(output)/d(input), one per input: (\cos({0}),)
    text: str  # the same derivatives in plain text, for the drawing: ∂/∂x = cos x
    symbol: str  # what the op's node shows: sin

    def __post_init__(self):
        object.__setattr__(self, "local", tuple(self.local))  # written as a list, kept as a tuple


# ---------------------------------------------------------------------------------------
# Element-wise ops: backward = upstream gradient × local derivative (the chain rule)
# ---------------------------------------------------------------------------------------


class Elementwise(Function):
    """An op applied value by value; its Jacobian is diagonal, so backward is a product."""

    __slots__ = ()
    can_shrink = False  # the output has the inputs' broadcast shape: never fewer numbers

    def local_derivatives(ctx):
        """One array (or number) per input: dy/d(input), value by value."""
        raise NotImplementedError

    def backward(ctx, grad):
        """The chain rule, for every element-wise op: upstream × local, for each input whose
        gradient goes somewhere (a constant's would go nowhere). A local derivative of exactly 1
        (a + b) passes the gradient on as it is: × 1 would change no digit, only cost a copy."""
        local = ctx.local_derivatives()
        if len(local) == 1:  # sin(x), x ** 2: one input, which needs its gradient (else there is no node)
            return (grad * local[0],)
        return [None if d is None or next_node is None else grad if type(d) is int and d == 1 else grad * d
                for d, next_node in zip(local, ctx._next_nodes)]


class Add(Elementwise):
    r"""y = a + b"""

    __slots__ = ()
    grad_fn_name = "AddBackward0"
    notation = Notation("{0} + {1}", ["1", "1"], "∂/∂a = 1, ∂/∂b = 1", "+")
    alpha = 1  # PyTorch's add(a, b, alpha=1); shown as _saved_alpha

    def forward(ctx, a, b):
        return a + b

    def local_derivatives(ctx):
        return 1, 1


class Sub(Elementwise):
    r"""y = a - b"""

    __slots__ = ()
    grad_fn_name = "SubBackward0"
    notation = Notation("{0} - {1!w}", ["1", "-1"], "∂/∂a = 1, ∂/∂b = −1", "−")
    alpha = 1

    def forward(ctx, a, b):
        return a - b

    def local_derivatives(ctx):
        return 1, -1


class Rsub(Elementwise):
    r"""y = c - x, for a number c (PyTorch's ``rsub``)"""

    __slots__ = ()
    grad_fn_name = "RsubBackward1"
    notation = Notation("{1} - {0!w}", ["-1"], "∂/∂x = −1", "−")
    alpha = 1

    def forward(ctx, x, c):
        return c - x

    def local_derivatives(ctx):
        return (-1,)


class Mul(Elementwise):
    r"""y = a \cdot b"""

    __slots__ = ()
    grad_fn_name = "MulBackward0"
    notation = Notation(r"{0!w} \cdot {1!w}", ["{1}", "{0}"], "∂/∂a = b, ∂/∂b = a", "×")
    saved_names = ("self", "other")

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    def needs_saved_input(ctx, index):
        # PyTorch saves a only for b's gradient, and b only for a's
        return ctx._next_nodes[1 - index] is not None

    def local_derivatives(ctx):
        a, b = ctx.saved_tensors
        return b, a


class Div(Elementwise):
    r"""y = a / b"""

    __slots__ = ()
    grad_fn_name = "DivBackward0"
    notation = Notation(
        r"\frac{{{0}}}{{{1}}}",
        [r"\frac{{1}}{{{1}}}", r"-\frac{{{0}}}{{{1}^2}}"],
        "∂/∂a = 1/b, ∂/∂b = −a/b²",
        "÷",
    )
    saved_names = ("self", "other")

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    def needs_saved_input(ctx, index):
        # PyTorch saves a only for b's gradient (-grad · (a / b) / b); b for both gradients
        return index == 1 or ctx._next_nodes[1] is not None

    def local_derivatives(ctx):
        a, b = ctx.saved_tensors
        return np.reciprocal(b), -a / (b * b)  # np.reciprocal: 1 / (Python float -0.0) is -inf, not an error

    def backward(ctx, grad):
        # PyTorch's order, for its digits: grad / b and -grad · ((a / b) / b) (so x / x has the gradient 0 exactly)
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx._next_nodes
        return (None if needs_a is None else grad / b,
                None if needs_b is None else -grad * ((a / b) / b))


class Neg(Elementwise):
    r"""y = -x"""

    __slots__ = ()
    grad_fn_name = "NegBackward0"
    notation = Notation("-{0}", ["-1"], "∂/∂x = −1", "−x")

    def forward(ctx, x):
        return -x

    def local_derivatives(ctx):
        return (-1,)


class Reciprocal(Elementwise):
    r"""y = 1 / x"""

    __slots__ = ()
    grad_fn_name = "ReciprocalBackward0"
    notation = Notation(r"\frac{{1}}{{{0}}}", ["-{out!w}^2"], "∂/∂x = −1/x²", "1/x")
    saved_names = ("result",)

    def forward(ctx, x):
        y = 1 / x
        ctx.save_for_backward(y)
        return y

    def local_derivatives(ctx):
        (y,) = ctx.saved_tensors
        return (-(y * y),)


def power(x, n):
    """x ** n for a number n, as PyTorch's kernel computes it: x·x for 2, x·x·x for 3, √x for 0.5,
    1/√x for -0.5 (so (-0.0) ** -0.5 is -inf), 1/x for -1, 1/(x·x) for -2, else C's pow()."""
    if n == 2:
        return x * x
    if n == 3:
        return x * x * x
    if n == 1:
        return x.copy() if type(x) is np.ndarray else x
    if n == 0:
        return np.ones_like(x)[()] if type(x) is np.ndarray else ONE[x.dtype]
    if x.dtype.kind == "f":
        one = ONE[x.dtype]
        if n == 0.5:
            return np.sqrt(x)
        if n == -0.5:
            return one / np.sqrt(x)
        if n == -1:
            return one / x
        if n == -2:
            return one / (x * x)
        # C's powf(x, n), as PyTorch calls it (x ** 4 by NumPy would multiply: other digits)
        return numeric.power(x, n)
    return x**n  # integers: exact either way


def integer_power(base, exponent):
    """base ** exponent for integers, as PyTorch: a negative exponent truncates (2 ** -1 is 0,
    1 ** -1 is 1, (-1) ** -1 is -1) where NumPy would raise."""
    negative = exponent < 0
    if not np.any(negative):
        return base**exponent
    base, exponent = np.broadcast_arrays(base, exponent)
    result = np.where(negative, 0, base ** np.where(negative, 0, exponent)).astype(np.result_type(base, exponent))
    result = np.where(negative & (base == 1), 1, result)
    result = np.where(negative & (base == -1), np.where(exponent % 2 == 0, 1, -1), result)
    return result.astype(np.result_type(base, exponent))[()]


class Pow(Elementwise):
    r"""y = x^n, for a number n"""

    __slots__ = ("exponent",)  # a slot, not the instance dict: x ** 2 is the course's favourite op
    grad_fn_name = "PowBackward0"
    notation = Notation(
        "{0!w}^{{{exponent}}}",
        [r"{exponent} \cdot {0!w}^{{{exponent_less_one}}}"],
        "∂/∂x = n·xⁿ⁻¹",
        "xⁿ",
    )
    saved_names = ("self",)

    def forward(ctx, x, exponent):
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        return x * x if exponent == 2 else power(x, exponent)

    def placeholders(ctx):
        return {"exponent": ctx.exponent, "exponent_less_one": ctx.exponent - 1}

    def local_derivatives(ctx):
        (x,), n = ctx.saved_tensors, ctx.exponent
        if n == 0:  # d/dx x^0 = 0 everywhere, even at x = 0 or inf (PyTorch: zeros, all +0)
            return (np.zeros_like(x)[()] if type(x) is np.ndarray else ZERO[x.dtype],)
        if n == 2:
            return (2 * x,)  # the course's x²: n x^(n-1) = 2x (no need to compute x¹)
        return (n * power(x, n - 1),)


class PowTensor(Elementwise):
    r"""y = a^b, both tensors"""

    __slots__ = ()
    grad_fn_name = "PowBackward1"
    notation = Notation(
        "{0!w}^{{{1}}}",
        [r"{1!w} \cdot {0!w}^{{{1} - 1}}", r"{out!w} \ln {0!w}"],
        "∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a",
        "aᵇ",
    )
    saved_names = ("self", "exponent", "result")

    def forward(ctx, a, b):
        y = integer_power(a, b) if a.dtype.kind in "iu" else a**b
        ctx.save_for_backward(a, b, y)
        return y

    def local_derivatives(ctx):
        # PyTorch's: 0 where b = 0 (d/da a^0 = 0, even at a = 0), and a^b ln a taken as its
        # limit 0 where a = 0 and b >= 0 (so x ** x at 0 has the gradient 0, not nan)
        a, b, y = ctx.saved_tensors
        zero = ZERO[y.dtype]
        d_base = np.where(b == 0, zero, b * a ** (b - ONE[b.dtype]))[()]
        d_exponent = np.where((a == 0) & (b >= 0), zero, y * numeric.log(a))[()]
        return d_base, d_exponent


class RPow(Elementwise):
    r"""y = c^x, for a number c"""

    __slots__ = ()
    grad_fn_name = "PowBackward2"
    notation = Notation("{base}^{{{0}}}", [r"{base}^{{{0}}} \ln {base}"], "∂/∂x = cˣ·ln c", "cˣ")
    saved_names = ("exponent", "result")

    def forward(ctx, x, base):
        # the number is rounded to the data's dtype first, as PyTorch's kernel sees it
        typed_base = x.dtype.type(base)
        y = integer_power(typed_base, x) if x.dtype.kind in "iu" else typed_base**x
        ctx.save_for_backward(x, y)
        ctx.base = base
        return y

    def placeholders(ctx):
        return {"base": ctx.base}

    def local_derivatives(ctx):
        # PyTorch: c^x · ln c, with ln c of the number itself (in double precision), and 0 where
        # c = 0 and x >= 0 (the limit), not nan: so 0 ** x at x = 1 has the gradient 0
        x, y = ctx.saved_tensors
        base = ctx.base
        if base == 0:
            return (np.where(x >= 0, ZERO[y.dtype], y * -np.inf)[()],)
        return (y * np.log(np.float64(base)).astype(y.dtype) if base > 0 else y * y.dtype.type(np.nan),)


class Exp(Elementwise):
    r"""y = e^x"""

    __slots__ = ()
    grad_fn_name = "ExpBackward0"
    notation = Notation("e^{{{0}}}", ["e^{{{0}}}"], "∂/∂x = eˣ", "exp")
    saved_names = ("result",)

    def forward(ctx, x):
        y = numeric.exp(x)
        ctx.save_for_backward(y)
        return y

    def local_derivatives(ctx):
        return (ctx.saved_tensors[0],)  # the output itself: e^x is its own derivative


class Log(Elementwise):
    r"""y = \ln x"""

    __slots__ = ()
    grad_fn_name = "LogBackward0"
    notation = Notation(r"\ln {0!w}", [r"\frac{{1}}{{{0}}}"], "∂/∂x = 1/x", "ln")
    saved_names = ("self",)

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return numeric.log(x)  # log(0) = -inf, log(-1) = nan, as in PyTorch

    def local_derivatives(ctx):
        (x,) = ctx.saved_tensors
        return (ONE[x.dtype] / x,)

    def backward(ctx, grad):
        # PyTorch's order, for its digits: grad / x (one rounding), not grad · (1 / x)
        (x,) = ctx.saved_tensors
        return (grad / x,)


class Sqrt(Elementwise):
    r"""y = \sqrt{x}"""

    __slots__ = ()
    grad_fn_name = "SqrtBackward0"
    notation = Notation(r"\sqrt{{{0}}}", [r"\frac{{1}}{{2 \cdot {out}}}"], "∂/∂x = 1/(2√x)", "√")
    saved_names = ("result",)

    def forward(ctx, x):
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    def local_derivatives(ctx):
        (y,) = ctx.saved_tensors
        return (ONE[y.dtype] / (2 * y),)

    def backward(ctx, grad):
        # PyTorch's order, for its digits: grad / (2y), not grad · (1 / (2y))
        (y,) = ctx.saved_tensors
        return (grad / (2 * y),)


class Sin(Elementwise):
    r"""y = \sin x"""

    __slots__ = ()
    grad_fn_name = "SinBackward0"
    notation = Notation(r"\sin({0})", [r"\cos({0})"], "∂/∂x = cos x", "sin")
    saved_names = ("self",)

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return numeric.sin(x)

    def local_derivatives(ctx):
        (x,) = ctx.saved_tensors
        return (numeric.cos(x),)


class Cos(Elementwise):
    r"""y = \cos x"""

    __slots__ = ()
    grad_fn_name = "CosBackward0"
    notation = Notation(r"\cos({0})", [r"-\sin({0})"], "∂/∂x = −sin x", "cos")
    saved_names = ("self",)

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return numeric.cos(x)

    def local_derivatives(ctx):
        (x,) = ctx.saved_tensors
        return (-numeric.sin(x),)


class Tanh(Elementwise):
    r"""y = \tanh x"""

    __slots__ = ()
    grad_fn_name = "TanhBackward0"
    notation = Notation(r"\tanh({0})", ["1 - {out!w}^2"], "∂/∂x = 1 − tanh²x", "tanh")
    saved_names = ("result",)

    def forward(ctx, x):
        y = numeric.tanh(x)
        ctx.save_for_backward(y)
        return y

    def local_derivatives(ctx):
        (y,) = ctx.saved_tensors
        return (ONE[y.dtype] - y * y,)


class Sigmoid(Elementwise):
    r"""y = \sigma(x) = \frac{1}{1 + e^{-x}}"""

    __slots__ = ()
    grad_fn_name = "SigmoidBackward0"
    notation = Notation(r"\sigma({0})", [r"{out} \cdot (1 - {out})"], "∂/∂x = σ(x)(1 − σ(x))", "σ")
    saved_names = ("result",)

    def forward(ctx, x):
        y = numeric.sigmoid(x)
        ctx.save_for_backward(y)
        return y

    def local_derivatives(ctx):
        (y,) = ctx.saved_tensors
        return (y * (ONE[y.dtype] - y),)

    def backward(ctx, grad):
        # PyTorch's order, for its digits: (grad · (1 - y)) · y, not grad · (y (1 - y))
        (y,) = ctx.saved_tensors
        return (grad * (ONE[y.dtype] - y) * y,)


class Relu(Elementwise):
    r"""y = \max(0, x)"""

    __slots__ = ()
    grad_fn_name = "ReluBackward0"
    notation = Notation(r"\max(0, {0})", ["[{0} > 0]"], "∂/∂x = 1 if x > 0 else 0", "relu")
    saved_names = ("result",)

    def forward(ctx, x):
        # PyTorch: 0 where x < 0, else x itself: relu(-0.0) is -0.0 and relu(nan) is nan
        if type(x) is not np.ndarray:
            y = ZERO[x.dtype] if x < 0 else x
        else:
            y = np.where(x < 0, ZERO[x.dtype], x)
        ctx.save_for_backward(y)
        return y

    def local_derivatives(ctx):
        (y,) = ctx.saved_tensors
        return ((y > 0).astype(y.dtype),)

    def backward(ctx, grad):
        # PyTorch's choice, not a product with the 0/1 mask: a NaN or inf upstream stays out of the zeros
        (y,) = ctx.saved_tensors
        if type(y) is not np.ndarray and type(grad) is not np.ndarray:
            return (ZERO[y.dtype] if y <= 0 else grad,)
        return (np.where(y <= 0, ZERO[y.dtype], grad)[()],)


class ToCopy(Elementwise):
    r"""y = x in another dtype (``x.double()``, ``x.to(torch.float64)``)"""

    __slots__ = ("dtype",)
    grad_fn_name = "ToCopyBackward0"
    notation = Notation("{0}", ["1"], "∂/∂x = 1", "to")

    def forward(ctx, x, dtype):
        if ctx is not NO_CONTEXT:  # the engine casts the gradient back to the input's dtype
            ctx.dtype, ctx.grad_dtypes = x.dtype, (x.dtype,)
        return x.astype(dtype)

    def local_derivatives(ctx):
        return (1,)


class Fill(Elementwise):
    r"""y = c everywhere (``x.fill_(c)``): y does not depend on x"""

    __slots__ = ()
    grad_fn_name = "FillBackward2"
    notation = Notation("{value}", ["0"], "∂/∂x = 0", "fill")

    def forward(ctx, x, value):
        ctx.value = value
        return np.full(x.shape, value, x.dtype)[()]

    def local_derivatives(ctx):
        return (0,)

    def backward(ctx, grad):
        # PyTorch's zeros, not grad · 0: an inf or NaN upstream gives 0 too
        return (np.zeros_like(grad)[()],)

    def placeholders(ctx):
        return {"value": ctx.value}


class Zero(Fill):
    r"""y = 0 everywhere (``x.zero_()``): y does not depend on x"""

    __slots__ = ()
    grad_fn_name = "ZeroBackward0"
    notation = Notation("0", ["0"], "∂/∂x = 0", "zero")


class Clone(Elementwise):
    r"""y = x (a copy)"""

    __slots__ = ()
    grad_fn_name = "CloneBackward0"
    notation = Notation("{0}", ["1"], "∂/∂x = 1", "clone")

    def forward(ctx, x):
        return np.array(x, copy=True)[()] if np.ndim(x) == 0 else np.array(x, copy=True)

    def local_derivatives(ctx):
        return (1,)


# ---------------------------------------------------------------------------------------
# Reductions: every input value contributed to the output, so each gets the gradient back
# ---------------------------------------------------------------------------------------


def _expand_back(grad, shape, dims, keepdim):
    """Spread a reduced gradient back over the shape it was reduced from."""
    if dims is not None and not keepdim:
        grad = np.expand_dims(grad, dims)
    return np.broadcast_to(grad, shape)


class Sum(Function):
    r"""y = \sum_i x_i"""

    __slots__ = ()
    grad_fn_name = "SumBackward0"
    notation = Notation(r"\sum {0}", ["1"], "∂/∂xᵢ = 1", "Σ")

    def forward(ctx, x, dims=None, keepdim=False):
        ctx.self_sym_sizes, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if dims is None and not keepdim:
            return total(x)
        return np.add.reduce(x, axis=dims, keepdims=keepdim)

    def local_derivatives(ctx):
        return (1,)

    def backward(ctx, grad):
        return (_expand_back(grad, ctx.self_sym_sizes, ctx.dims, ctx.keepdim),)


class SumDim(Sum):
    r"""y = \sum over the chosen dims (``x.sum(dim)``)"""

    __slots__ = ()
    grad_fn_name = "SumBackward1"


class Mean(Function):
    r"""y = \frac{1}{n}\sum_i x_i"""

    __slots__ = ()
    grad_fn_name = "MeanBackward0"
    notation = Notation(r"\operatorname{{mean}}({0})", [r"\frac{{1}}{{{count}}}"], "∂/∂xᵢ = 1/n", "mean")

    def forward(ctx, x, dims=None, keepdim=False):
        count = x.size if dims is None else int(np.prod([x.shape[d] for d in dims]))
        ctx.self_sym_sizes, ctx.self_sym_numel, ctx.dims, ctx.keepdim = x.shape, count, dims, keepdim
        if dims is None and not keepdim:
            return total(x) / count
        return np.add.reduce(x, axis=dims, keepdims=keepdim) / count

    def placeholders(ctx):
        return {"count": ctx.self_sym_numel}

    def local_derivatives(ctx):
        return (1 / ctx.self_sym_numel,)

    def backward(ctx, grad):
        return (_expand_back(grad / ctx.self_sym_numel, ctx.self_sym_sizes, ctx.dims, ctx.keepdim),)


class MeanDim(Mean):
    r"""y = the mean over the chosen dims (``x.mean(dim)``)"""

    __slots__ = ()
    grad_fn_name = "MeanBackward1"


# ---------------------------------------------------------------------------------------
# Matrix product: dL/dA = dL/dY · Bᵀ and dL/dB = Aᵀ · dL/dY
# ---------------------------------------------------------------------------------------


class MatMul(Function):
    r"""Y = A B (matrix product; 1-D operands are a row or a column)"""

    __slots__ = ()
    # PyTorch computes a batched product with bmm and a view: its grad_fn is the view's
    grad_fn_name = "UnsafeViewBackward0"
    notation = Notation("{0} {1}", [r"(\cdot)\,{1}^\top", r"{0}^\top (\cdot)"], "∂/∂A = G·Bᵀ, ∂/∂B = Aᵀ·G", "@")
    saved_names = ("self", "mat2")

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # view vectors as matrices (a row for a, a column for b), then use the matrix rule
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = np.asarray(grad)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)  # the column b's product lost
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)  # the row a's product lost
        # a product is only worth computing for an input whose gradient goes somewhere: the
        # data x in  x @ w  needs none, and its product would cost as much as the weights' one
        needs_a, needs_b = ctx.needs_input_grad
        grad_a = grad_b = None
        if needs_a:
            grad_a = np.matmul(g2, np.swapaxes(b2, -1, -2))
            grad_a = grad_a[..., 0, :] if a.ndim == 1 else grad_a
        if needs_b:
            grad_b = np.matmul(np.swapaxes(a2, -1, -2), g2)
            grad_b = grad_b[..., :, 0] if b.ndim == 1 else grad_b
        return grad_a, grad_b  # extra batch axes are summed away by the engine


class Mm(MatMul):
    r"""Y = A B for two matrices"""

    __slots__ = ()
    grad_fn_name = "MmBackward0"


class Mv(MatMul):
    r"""y = A v, matrix times vector"""

    __slots__ = ()
    grad_fn_name = "MvBackward0"
    notation = Notation("{0} {1}", [r"(\cdot)\,{1}^\top", r"{0}^\top (\cdot)"], "∂/∂A = g·vᵀ, ∂/∂v = Aᵀ·g", "@")
    saved_names = ("self", "vec")


class Dot(MatMul):
    r"""y = a \cdot b = \sum_i a_i b_i, two vectors"""

    __slots__ = ()
    grad_fn_name = "DotBackward0"
    notation = Notation(r"{0!w} \cdot {1!w}", ["{1}", "{0}"], "∂/∂a = b, ∂/∂b = a", "·")
    saved_names = ("self", "tensor")


# ---------------------------------------------------------------------------------------
# Shape ops: the values move, so the gradient moves back the same way
# ---------------------------------------------------------------------------------------


class View(Function):
    r"""y = x viewed with a new shape"""

    __slots__ = ()
    grad_fn_name = "ViewBackward0"
    notation = Notation(r"\operatorname{{reshape}}({0})", ["1"], "reshape back", "view")

    def forward(ctx, x, shape):
        ctx.self_sym_sizes = x.shape
        return np.reshape(x, shape)

    def backward(ctx, grad):
        return (np.reshape(grad, ctx.self_sym_sizes),)


class Squeeze(View):
    r"""y = x without its size-1 axes"""

    __slots__ = ()
    grad_fn_name = "SqueezeBackward0"
    notation = Notation(r"\operatorname{{squeeze}}({0})", ["1"], "reshape back", "squeeze")


class SqueezeDim(View):
    r"""y = x without one size-1 axis"""

    __slots__ = ()
    grad_fn_name = "SqueezeBackward1"
    notation = Notation(r"\operatorname{{squeeze}}({0})", ["1"], "reshape back", "squeeze")


class SqueezeAfterMatmul(View):
    r"""y = the one-row matrix product of ``vector @ matrix``, back to a vector"""

    __slots__ = ()
    grad_fn_name = "SqueezeBackward4"


class Alias(View):
    r"""y = x, the same view (``x[...]``)"""

    __slots__ = ()
    grad_fn_name = "AliasBackward0"

    def forward(ctx, x):
        ctx.self_sym_sizes = x.shape
        return x.view() if type(x) is np.ndarray else x


class Unsqueeze(View):
    r"""y = x with a new size-1 axis"""

    __slots__ = ()
    grad_fn_name = "UnsqueezeBackward0"
    notation = Notation(r"\operatorname{{unsqueeze}}({0})", ["1"], "reshape back", "unsqueeze")


class Transpose(Function):
    r"""y = x with two axes swapped"""

    __slots__ = ()
    grad_fn_name = "TransposeBackward0"
    notation = Notation(r"{0}^\top", ["1"], "transpose back", "ᵀ")

    def forward(ctx, x, dim0, dim1):
        ctx.dim0, ctx.dim1 = dim0, dim1
        return np.swapaxes(x, dim0, dim1) if x.ndim else x  # a 0-dim tensor: transpose(0, 0) is itself

    def backward(ctx, grad):
        return (np.swapaxes(grad, ctx.dim0, ctx.dim1) if np.ndim(grad) else grad,)


class Permute(Function):
    r"""y = x with its axes reordered"""

    __slots__ = ()
    grad_fn_name = "PermuteBackward0"
    notation = Notation(r"{0}^\top", ["1"], "permute back", "ᵀ")

    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x, dims)

    def backward(ctx, grad):
        return (np.transpose(grad, np.argsort(ctx.dims)),)


class Index(Function):
    r"""y = x[index]"""

    __slots__ = ()
    grad_fn_name = "IndexBackward0"
    notation = Notation(r"{0}[\dots]", ["1"], "1 where picked, else 0", "[ ]")

    def forward(ctx, x, index):
        ctx.self_sym_sizes, ctx.index, ctx.dtype = x.shape, index, x.dtype
        return np.asarray(x)[index]  # (a number, as a 0-dim array, can take a mask too)

    def backward(ctx, grad):
        grad_x = np.zeros(ctx.self_sym_sizes, dtype=ctx.dtype)
        np.add.at(grad_x, ctx.index, grad)  # add.at, not =, so an index picked twice gets both
        return (grad_x,)


class BasicIndex(Index):
    r"""Base of Select and Slice: ints and slices never pick a position twice."""

    __slots__ = ()

    def backward(ctx, grad):
        grad_x = np.zeros(ctx.self_sym_sizes, dtype=ctx.dtype)
        grad_x[ctx.index] = grad
        return (grad_x,)


class Select(BasicIndex):
    r"""y = x[i] along one axis (the axis disappears)"""

    __slots__ = ()
    grad_fn_name = "SelectBackward0"
    notation = Notation("{0}[\\dots]", ["1"], "1 where picked, else 0", "[i]")


class Slice(BasicIndex):
    r"""y = x[start:stop:step] along one axis"""

    __slots__ = ()
    grad_fn_name = "SliceBackward0"
    notation = Notation("{0}[\\dots]", ["1"], "1 where picked, else 0", "[a:b]")


# ---------------------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------------------


def _reduce(values, reduction):
    if reduction == "mean":
        return total(values) / values.size
    if reduction == "sum":
        return total(values)
    return values


def _loss_placeholders(ctx):
    """A loss's N: how many values its mean divides by (1 for a sum, or no reduction)."""
    shape = np.broadcast_shapes(*(np.shape(data) for data in ctx._inputs))  # kept after backward, unlike saved values
    return {"count": int(np.prod(shape)) if ctx.reduction == "mean" else 1}


def _reduction_scale(values, reduction):
    """d(mean)/d(value) = 1/N; for a sum (or no reduction) it is 1. In the values' dtype."""
    one = ONE[values.dtype]
    return one / values.size if reduction == "mean" else one


LOG_CLAMP = -100.0  # PyTorch clamps each log at -100 so that a confident mistake costs 100, not inf
BCE_EPSILON = Typed(1e-12)  # and keeps the derivative's denominator p(1 - p) at least this far from 0
# When every p(1 - p) is above this, every p and 1 - p is above e^-100: no log reaches the clamp
SAFE_SPREAD = 1e-40


def _first_out_of_range(p, t):
    """PyTorch checks each element's input, then its target: the first bad element decides the message."""
    bad_p = ~((p >= 0) & (p <= 1))
    bad_t = ~((t >= 0) & (t <= 1))
    either = np.ravel(np.broadcast_to(bad_p | bad_t, np.shape(p)))
    if either.any():
        first = int(np.argmax(either))
        which = "input" if np.ravel(np.broadcast_to(bad_p, np.shape(p)))[first] else "target"
        raise RuntimeError(f"all elements of {which} should be between 0 and 1")


def _clamped_logs(p, smallest_spread):
    """ln p and ln(1 - p), each clamped at -100 (so ln 0 gives -100, without a warning).

    ln(1 - p) is computed as log1p(-p), which keeps its digits when p is tiny (as PyTorch does).
    """
    # C's logf and log1pf, as PyTorch's loop calls them: the correctly rounded values (see numeric)
    if smallest_spread > SAFE_SPREAD:  # the usual case: no p is within e^-100 of 0 or of 1
        return numeric.log(p), numeric.log1p(-p)
    return np.maximum(numeric.log(p), LOG_CLAMP), np.maximum(numeric.log1p(-p), LOG_CLAMP)


class BinaryCrossEntropy(Elementwise):
    r"""L = -[t \ln p + (1 - t) \ln(1 - p)], averaged (or summed) over the N samples"""

    __slots__ = ("reduction",)
    can_shrink = True  # the mean (or sum) is one number
    grad_fn_name = "BinaryCrossEntropyBackward0"
    notation = Notation(
        r"-\operatorname{{mean}}\left[{1} \ln {0} + (1 - {1}) \ln(1 - {0})\right]",
        [r"{mean_factor}\frac{{{0} - {1}}}{{{0}(1 - {0})}}", r"{mean_factor}\ln\frac{{1 - {0}}}{{{0}}}"],
        "∂L/∂p = (p − t) / (N·p(1 − p))",
        "BCE",
    )
    saved_names = ("self", "target")
    placeholders = _loss_placeholders

    def forward(ctx, p, t, reduction="mean"):
        if t.dtype != p.dtype:
            names = {"float32": "Float", "float64": "Double", "float16": "Half"}
            raise RuntimeError(f"Found dtype {names.get(t.dtype.name, t.dtype.name)} but expected "
                               f"{names.get(p.dtype.name, p.dtype.name)}")
        spread = p * (ONE[p.dtype] - p)  # p(1 - p): checks the range, and backward divides by it
        lowest = smallest(spread)  # p(1 - p) >= 0 exactly when 0 <= p <= 1 (NaN fails it too)
        if not lowest >= 0 or not (smallest(t) >= 0 and largest(t) <= 1):
            _first_out_of_range(p, t)  # PyTorch's message: the first bad element's
        log_p, log_1mp = _clamped_logs(p, lowest)
        epsilon = BCE_EPSILON[p.dtype]  # the denominator is kept at least this far from 0
        ctx.save_for_backward(p, t, spread if lowest >= epsilon else np.maximum(spread, epsilon))
        ctx.reduction = reduction
        # -[t ln p + (1 - t) ln(1 - p)] as (t - 1) ln(1 - p) - t ln p, PyTorch's arrangement (no
        # cancellation when t is 0 or 1, and its digits and signed zeros)
        return _reduce((t - ONE[t.dtype]) * log_1mp - t * log_p, reduction)

    def local_derivatives(ctx):
        return ctx._chain_rule(1)

    def backward(ctx, grad):
        # PyTorch's order, for its digits: the numbers (upstream × 1/N) first, then the arrays
        return ctx._chain_rule(grad)

    def _chain_rule(ctx, upstream):
        """upstream × local derivative for p (and t, if it needs a gradient).

        The numbers (the upstream gradient of a mean and its 1/N) are multiplied together
        first, so that only one product involves the arrays.
        """
        p, t, denominator = ctx.saved_tensors
        factor = upstream * _reduction_scale(p, ctx.reduction)
        d_p = factor * (p - t) / denominator
        # needs_input_grad[1], read straight off the edge: building the tuple costs a quarter of this backward
        if ctx._next_nodes[1] is None:  # the usual case: the targets are data, they need no gradient
            return d_p, None
        log_p, log_1mp = _clamped_logs(p, 0)
        return d_p, factor * (log_1mp - log_p)


class MseLoss(Elementwise):
    r"""L = (p - t)^2, averaged (or summed) over the N samples"""

    __slots__ = ("reduction",)
    can_shrink = True  # the mean (or sum) is one number
    grad_fn_name = "MseLossBackward0"
    notation = Notation(
        r"\operatorname{{mean}}\left[({0} - {1})^2\right]",
        [r"\frac{{2}}{{{count}}} ({0} - {1})", r"-\frac{{2}}{{{count}}} ({0} - {1})"],
        "∂L/∂p = 2(p − t)/N",
        "MSE",
    )
    saved_names = ("self", "target")
    placeholders = _loss_placeholders

    def forward(ctx, p, t, reduction="mean"):
        ctx.save_for_backward(p, t)
        ctx.reduction = reduction
        return _reduce((p - t) ** 2, reduction)

    def local_derivatives(ctx):
        p, t = ctx.saved_tensors
        difference = p - t
        scale = _reduction_scale(difference, ctx.reduction)
        d_p = 2 * difference * scale
        if ctx._next_nodes[1] is None:  # the usual case: the targets are data, they need no gradient
            return d_p, None
        # the target's own 2(t - p), not -2(p - t): PyTorch's signed zeros where p = t
        return d_p, 2 * (t - p) * scale



# ---------------------------------------------------------------------------------------
# Ops the course's code also uses: clamp (the lecture's hand-written BCE), ...
# ---------------------------------------------------------------------------------------


def clamped(x, low, high):
    """min(max(x, low), high), value by value, PyTorch's way: x itself is kept where it equals a
    bound (so clamp(-0.0, 0.0) is -0.0), a NaN in x or in a bound gives NaN, and where
    low > high every value is high. ``low`` or ``high`` may be None (no bound on that side)."""
    with np.errstate(invalid="ignore"):
        if low is not None:
            x = np.where((x < low) | (low != low), low, x)
        if high is not None:
            x = np.where((x > high) | (high != high), high, x)
    return x[()] if x.ndim == 0 else x


def _where(condition, grad):
    """The gradient where the condition holds, 0 elsewhere (never NaN · 0: where, not a product)."""
    result = np.where(condition, grad, ZERO[np.result_type(grad)])
    return result[()] if result.ndim == 0 else result


class Clamp(Elementwise):
    r"""y = \min(\max(x, \text{min}), \text{max}), for numbers min and max (one may be None)"""

    __slots__ = ("min", "max")  # shown as _saved_min and _saved_max, as given (None: no bound)
    grad_fn_name = "ClampBackward1"
    notation = Notation(
        r"\operatorname{{clamp}}({0}, {min}, {max})",
        [r"[{min} \le {0} \le {max}]"],
        "∂/∂x = 1 if min ≤ x ≤ max else 0",
        "clamp",
    )
    saved_names = ("self",)

    def forward(ctx, x, min=None, max=None):
        ctx.save_for_backward(x)
        ctx.min, ctx.max = min, max
        return clamped(x, min, max)

    def placeholders(ctx):  # a bound not given is no bound: -inf or +inf
        return {"min": -np.inf if ctx.min is None else ctx.min, "max": np.inf if ctx.max is None else ctx.max}

    def local_derivatives(ctx):
        (x,) = ctx.saved_tensors
        return (ctx._inside(x).astype(x.dtype)[()],)  # [()]: a NumPy scalar for a 0-dim x

    def backward(ctx, grad):
        # PyTorch's choice, not a product with the 0/1 mask (1 at the bounds themselves, 0 at NaN):
        # a NaN or inf upstream stays out of the zeros
        (x,) = ctx.saved_tensors
        return (_where(ctx._inside(x), grad),)

    def _inside(ctx, x):
        """min <= x <= max (False for NaN)."""
        inside = np.ones(np.shape(x), dtype=bool)
        with np.errstate(invalid="ignore"):
            if ctx.min is not None:
                inside &= x >= ctx.min
            if ctx.max is not None:
                inside &= x <= ctx.max
        return inside


class ClampTensor(Function):
    r"""y = \min(\max(x, \text{min}), \text{max}), with tensors min and max"""

    # a bound not given is passed as the constant -inf or +inf (a graph input like any other
    # constant, so next_functions has PyTorch's three entries); ``_bounds_given`` remembers it
    __slots__ = ("_bounds_given",)
    grad_fn_name = "ClampBackward0"
    notation = Notation(
        r"\operatorname{{clamp}}({0}, {1}, {2})",
        [r"[{1} \le {0} \le {2}]", "[{0} < {1} < {2}]", r"[{0} > {2} \text{{ or }} {2} < {1}]"],
        "∂/∂x = 1 if min ≤ x ≤ max else 0",
        "clamp",
    )
    can_shrink = False  # the output has the inputs' broadcast shape
    saved_names = ("self", "min", "max")

    def forward(ctx, x, low, high, dtype=None, bounds_given=(True, True)):
        # computed in the promoted dtype (PyTorch's result_type: a 0-dim float64 bound does not
        # make a float32 vector float64, as NumPy would)
        x, low, high = (np.asarray(a, dtype=dtype) for a in (x, low, high))
        ctx.save_for_backward(x, low, high)
        ctx._bounds_given = bounds_given
        return clamped(x, low, high)

    def local_derivatives(ctx):
        x = ctx.saved_tensors[0]
        return tuple(None if mask is None else mask.astype(x.dtype) for mask in ctx._masks())

    def backward(ctx, grad):
        # PyTorch's choice, not a product with the 0/1 masks: a NaN or inf upstream stays out of the zeros
        return tuple(None if mask is None else _where(mask, grad) for mask in ctx._masks())

    def _masks(ctx):
        """Where each input's gradient goes: PyTorch's rule (clamp_backward_min_max)."""
        x, low, high = ctx.saved_tensors
        has_low, has_high = ctx._bounds_given
        with np.errstate(invalid="ignore"):
            if not has_high:
                return x >= low, x < low, None
            if not has_low:
                return x <= high, None, x > high
            return (x >= low) & (x <= high), (x < low) & (low < high), (x > high) | (high < low)

    @property
    def _saved_min(self):
        return self._bound_or_none(0)

    @property
    def _saved_max(self):
        return self._bound_or_none(1)

    def _bound_or_none(self, which):
        # None for a bound not given, as in PyTorch; the saved tensor (freed after backward) otherwise
        if not self._bounds_given[which]:
            return None
        return Function.__getattr__(self, ("_saved_min", "_saved_max")[which])


class Abs(Elementwise):
    r"""y = |x|"""

    __slots__ = ()
    grad_fn_name = "AbsBackward0"
    notation = Notation(r"\left|{0}\right|", [r"\operatorname{{sign}}({0})"], "∂/∂x = sign(x)", "|x|")
    saved_names = ("self",)

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    def local_derivatives(ctx):
        (x,) = ctx.saved_tensors
        # PyTorch's sgn: (0 < x) - (x < 0), so 0 (not NaN) at a NaN, and +0 at -0
        return (((x > 0).astype(x.dtype) - (x < 0).astype(x.dtype))[()],)


REDUCTION_NUMBERS = {"none": 0, "mean": 1, "sum": 2}  # PyTorch's _saved_reduction


def log_sigmoid(z):
    r"""\ln \sigma(z) = \min(z, 0) - \ln(1 + e^{-|z|}): never exp of a large number, PyTorch's formula
    (and its functions: C's log1pf, see numeric.c_log1p)."""
    return np.minimum(z, ZERO[z.dtype]) - numeric.c_log1p(numeric.exp(-np.abs(z)))


class BinaryCrossEntropyWithLogits(Elementwise):
    r"""L = -[t \ln \sigma(z) + (1 - t) \ln(1 - \sigma(z))], from the logit z, averaged over the N samples"""

    __slots__ = ("reduction", "weight", "pos_weight")
    can_shrink = True  # the mean (or sum) is one number
    grad_fn_name = "BinaryCrossEntropyWithLogitsBackward0"
    notation = Notation(
        r"-\operatorname{{mean}}\left[{1} \ln \sigma({0}) + (1 - {1}) \ln(1 - \sigma({0}))\right]",
        [r"{mean_factor}(\sigma({0}) - {1})", "-{mean_factor}{0}"],
        "∂L/∂z = (σ(z) − t) / N",
        "BCE",
    )
    saved_names = ("self", "target")
    placeholders = _loss_placeholders

    def forward(ctx, z, t, reduction="mean", weight=None, pos_weight=None):
        ctx.save_for_backward(z, t)
        ctx.reduction, ctx.weight, ctx.pos_weight = reduction, weight, pos_weight
        # PyTorch's stable arrangement: (1 - t) z - ln σ(z), since ln(1 - σ(z)) = ln σ(z) - z
        log_sig = log_sigmoid(z)
        if pos_weight is not None:  # the positive term weighted: ln σ(z) · ((w₊ - 1) t + 1)
            log_sig = log_sig * ((pos_weight - 1) * t + 1)
        loss = (ONE[z.dtype] - t) * z - log_sig
        if weight is not None:
            loss = loss * weight
        # PyTorch computes the loss in place in a tensor like the target: the target's dtype
        loss = np.asarray(loss).astype(t.dtype, copy=False) if t.dtype.kind == "f" else loss
        return _reduce(np.asarray(loss), reduction) if reduction != "none" else loss

    @property
    def _saved_reduction(self):
        return REDUCTION_NUMBERS[self.reduction]

    def local_derivatives(ctx):
        return ctx._chain_rule(1)

    def backward(ctx, grad):
        # PyTorch's order, for its digits: (σ(z) - t) · upstream, then the weight, then 1/N
        return ctx._chain_rule(grad)

    def _chain_rule(ctx, upstream):
        """upstream × local derivative for z (and t, if it needs a gradient)."""
        z, t = ctx.saved_tensors
        sig = Sigmoid.forward(NO_CONTEXT, z)  # PyTorch's backward uses its own sigmoid: so do we
        if ctx.pos_weight is None:
            d_z = (sig - t) * upstream
        else:
            scaled = ctx.pos_weight * t
            d_z = ((scaled + 1 - t) * sig - scaled) * upstream
        d_t = None
        if ctx._next_nodes[1] is not None:  # a target that needs a gradient (rare): dL/dt = -z
            d_t = -z if ctx.pos_weight is None else log_sigmoid(-z) - ctx.pos_weight * log_sigmoid(z)
            d_t = d_t * upstream
        return tuple(None if d is None else ctx._weighted_mean(d) for d in (d_z, d_t))

    def _weighted_mean(ctx, d):
        if ctx.weight is not None:
            d = d * ctx.weight
        if ctx.reduction == "mean":
            d = d / np.size(ctx._inputs[0])
        return d


class T(Function):
    r"""y = x^\top (``x.t()``: a matrix transposed; a vector or a number stays as it is)"""

    __slots__ = ()
    grad_fn_name = "TBackward0"
    notation = Notation(r"{0}^\top", ["1"], "transpose back", "ᵀ")
    can_shrink = False

    def forward(ctx, x):
        return x.T  # NumPy's .T: a matrix transposed, a vector or a number unchanged

    def backward(ctx, grad):
        return (np.asarray(grad).T[()],)


class Addmm(Function):
    r"""Y = b + X W (``nn.Linear``'s step: a bias row plus a matrix product)"""

    __slots__ = ("mat1_sym_sizes", "mat2_sym_sizes")
    grad_fn_name = "AddmmBackward0"
    notation = Notation(
        "{0} + {1} {2}",
        ["1", r"(\cdot)\,{2}^\top", r"{1}^\top (\cdot)"],
        "∂/∂b = Σ G, ∂/∂X = G·Wᵀ, ∂/∂W = Xᵀ·G",
        "addmm",
    )
    saved_names = ("mat1", "mat2")  # PyTorch keeps the two matrices, not the bias
    alpha = beta = 1  # PyTorch's addmm(b, X, W, beta=1, alpha=1), shown as _saved_alpha, _saved_beta

    def forward(ctx, bias, mat1, mat2):
        # each matrix is kept only if the other one needs a gradient (PyTorch does the same): in
        # nn.Linear the data X needs none, so W is not kept
        if ctx is not NO_CONTEXT:
            _, mat1_node, mat2_node = ctx._next_nodes
            ctx.save_for_backward(mat1 if mat2_node is not None else None, mat2 if mat1_node is not None else None)
        ctx.mat1_sym_sizes, ctx.mat2_sym_sizes = mat1.shape, mat2.shape
        return np.matmul(mat1, mat2) + bias

    @property
    def _saved_mat1(self):
        return self._kept_or_none(0)

    @property
    def _saved_mat2(self):
        return self._kept_or_none(1)

    def _kept_or_none(self, position):
        if self.saved_tensors is not None and self.saved_tensors[position] is None:
            return None  # not kept: the other matrix needs no gradient
        return Function.__getattr__(self, ("_saved_mat1", "_saved_mat2")[position])

    def backward(ctx, grad):
        mat1, mat2 = ctx.saved_tensors
        _, needs_mat1, needs_mat2 = ctx.needs_input_grad
        grad_mat1 = np.matmul(grad, mat2.T) if needs_mat1 else None
        grad_mat2 = np.matmul(mat1.T, grad) if needs_mat2 else None
        return grad, grad_mat1, grad_mat2  # the bias's gradient is summed over the rows by the engine


class VectorNorm(Function):
    r"""y = \lVert x \rVert_2 = \sqrt{\sum_i x_i^2} (``x.norm()``; over ``dim`` if given)"""

    __slots__ = ("dim", "keepdim")  # shown as _saved_dim, _saved_keepdim (and _saved_ord: always 2)
    grad_fn_name = "LinalgVectorNormBackward0"
    notation = Notation(r"\lVert {0} \rVert", [r"\frac{{{0}}}{{{out}}}"], "∂/∂xᵢ = xᵢ/‖x‖", "‖x‖")
    saved_names = ("self", "result")
    ord = 2

    def forward(ctx, x, dim=None, keepdim=False):
        reduced = x.size if dim is None else int(np.prod([x.shape[d] for d in dim]))
        # one value per norm: PyTorch gives |x| itself (x² of a tiny x would underflow to 0), except
        # for a 0-dim x with a dim given, where it squares
        reduced = 0 if x.ndim == 0 and dim is not None else reduced
        squares = np.abs(x) if reduced == 1 else x * x
        result = np.add.reduce(squares, axis=dim, keepdims=keepdim)
        result = result if reduced == 1 else np.sqrt(result)
        ctx.save_for_backward(x, result)
        ctx.dim, ctx.keepdim = dim, keepdim
        return result[()] if np.ndim(result) == 0 else result

    def backward(ctx, grad):
        x, result = ctx.saved_tensors
        axes = tuple(range(np.ndim(x))) if ctx.dim is None else ctx.dim
        if not ctx.keepdim:  # put the reduced axes back, to divide value by value
            result, grad = np.expand_dims(result, axes), np.expand_dims(grad, axes)
        with np.errstate(divide="ignore", invalid="ignore"):
            # PyTorch's rule: x / ‖x‖ times the gradient, and 0 where the norm is 0
            return (np.where(result == 0, ZERO[x.dtype], x / result * grad),)


#: Every differentiable op, for the tests (gradcheck runs over this list) and the docs.
DERIVATIVE_TABLE = (
    Add, Sub, Rsub, Mul, Div, Neg, Reciprocal, Pow, PowTensor, RPow, Exp, Log, Sqrt, Sin, Cos,
    Tanh, Sigmoid, Relu, Clone, Sum, SumDim, Mean, MeanDim, MatMul, Mm, Mv, Dot, View, Squeeze,
    SqueezeDim, Unsqueeze, Transpose, Permute, Index, Select, Slice, BinaryCrossEntropy, MseLoss,
)
DERIVATIVE_TABLE += (Clamp, ClampTensor, Abs, ToCopy, BinaryCrossEntropyWithLogits, T, Addmm,
                     VectorNorm, Fill, Zero)  # the course's extra ops

