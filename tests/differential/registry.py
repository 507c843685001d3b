"""Everything a random program may do, one line per op: the registry of the differential test.

Each entry is a line of PyTorch code with holes: ``{0}``, ``{1}`` are filled with operands
picked by the generator, by the *kinds* the entry asks for:

* ``t``: a tensor from the program so far;  ``f``: a float tensor (for ops PyTorch refuses on ints);
* ``a``: a tensor or a Python number (bool, int or float), so numbers come on both sides;
* ``n``: a Python number;  ``d``: a dim of the first operand (sometimes one out of range);
* ``k``: True or False.

Lines may call the helpers of ``programs.HELPERS`` (``same_weights``, ``features``, ``sgd_steps``,
``trained_weight``): what takes more than one line (a module with the same weights in both
libraries, a few steps of an optimizer). ``values=False`` marks what makes random or
uninitialised values (``torch.empty``, ``rand_like``): only their dtype, shape and flags are
compared, and they are never an operand.

``exact=False`` marks ops whose float32 digits PyTorch takes from Intel MKL's vector maths
(exp, log, sin, cos, tanh, sqrt, pow) or sums in another order (reductions over a dim, matrix
products, the losses; a whole tensor's sum and mean add in PyTorch's order and are exact):
minigrad computes the correctly rounded value, so their results may differ in the last bit.
Values that depend on one are compared to a relative 1e-4 (NaN, ±inf and zeros still exactly)
and their printed forms only when the values agree (see README, "How minigrad matches PyTorch").
Everything else must agree bit for bit.

To add an op: one line, ``Op("torch.clamp({0}, {1}, {2})", "fnn")``.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Op:
    template: str
    kinds: str
    exact: bool = True
    statement: bool = False  # an in-place op, backward, ...: a statement, not a value
    tensor: bool = True  # does it make a tensor? (Only tensors are picked as operands.)
    values: bool = True  # are its values the same in both libraries? (Not for empty, rand_like.)


OPS = [
    # arithmetic, both operands tensors or numbers (each side), every dtype
    Op("{0} + {1}", "ta"), Op("{1} + {0}", "ta"), Op("{0} - {1}", "ta"), Op("{1} - {0}", "ta"),
    Op("{0} * {1}", "ta"), Op("{1} * {0}", "ta"), Op("{0} / {1}", "ta"), Op("{1} / {0}", "ta"),
    Op("{0} ** {1}", "ta", exact=False), Op("{1} ** {0}", "ta", exact=False),
    Op("{0} ** 2", "t"), Op("{0} ** 3", "t"), Op("{0} ** -1", "f"), Op("{0} ** -2", "f"),
    Op("{0} ** -0.5", "f"), Op("{0} ** 0", "t"), Op("{0} ** 0.5", "f", exact=False),
    Op("-{0}", "t"), Op("+{0}", "t"),
    Op("torch.add({0}, {1})", "ta"), Op("torch.sub({0}, {1})", "ta"), Op("torch.mul({0}, {1})", "ta"),
    Op("torch.div({0}, {1})", "ta"), Op("torch.pow({0}, {1})", "ta", exact=False),
    Op("{0}.add({1})", "ta"), Op("{0}.mul({1})", "ta"), Op("{0}.sub({1})", "ta"), Op("{0}.div({1})", "ta"),
    # element-wise maths
    Op("torch.exp({0})", "t", exact=False), Op("{0}.exp()", "t", exact=False),
    Op("torch.log({0})", "t", exact=False), Op("{0}.log()", "t", exact=False),
    Op("torch.sqrt({0})", "t", exact=False), Op("torch.sin({0})", "t", exact=False),
    Op("torch.cos({0})", "t", exact=False), Op("{0}.cos()", "t", exact=False),
    Op("torch.tanh({0})", "t", exact=False), Op("{0}.tanh()", "t", exact=False),
    Op("torch.sigmoid({0})", "t"), Op("{0}.sigmoid()", "t"), Op("torch.relu({0})", "t"), Op("{0}.relu()", "t"),
    Op("torch.neg({0})", "t"), Op("torch.reciprocal({0})", "t"), Op("{0}.reciprocal()", "t"),
    Op("F.sigmoid({0})", "t"), Op("F.relu({0})", "t"), Op("F.tanh({0})", "t", exact=False),
    # reductions
    Op("{0}.sum()", "t"), Op("torch.sum({0})", "t"),
    Op("{0}.sum(dim={1})", "td", exact=False), Op("{0}.sum({1}, keepdim={2})", "tdk", exact=False),
    Op("{0}.sum(keepdim={1})", "tk"), Op("{0}.sum(dim=None)", "t"),
    Op("{0}.mean()", "t"), Op("torch.mean({0})", "t"),
    Op("{0}.mean(dim={1})", "td", exact=False), Op("{0}.mean({1}, keepdim={2})", "tdk", exact=False),
    # shapes and views
    Op("{0}.view(-1)", "t"), Op("{0}.reshape(-1)", "t"), Op("{0}.reshape(1, -1)", "t"), Op("{0}.flatten()", "t"),
    Op("{0}.squeeze()", "t"), Op("{0}.squeeze({1})", "td"), Op("{0}.unsqueeze({1})", "td"),
    Op("{0}.unsqueeze(0)", "t"), Op("{0}.transpose(0, -1)", "t"), Op("{0}.transpose({1}, 0)", "td"),
    Op("{0}.T", "t"), Op("{0}.permute(*range({0}.dim()))", "t"), Op("torch.reshape({0}, (-1,))", "t"),
    Op("torch.squeeze({0})", "t"), Op("torch.unsqueeze({0}, {1})", "td"), Op("torch.transpose({0}, 0, -1)", "t"),
    Op("{0}[None]", "t"), Op("{0}[...]", "t"), Op("{0}[0]", "t"), Op("{0}[-1]", "t"), Op("{0}[:, 0]", "t"),
    Op("{0}[0, :]", "t"), Op("{0}[:]", "t"), Op("{0}[:1]", "t"), Op("{0}[..., None]", "t"),
    Op("{0}[{0} > 0]", "t"), Op("{0}[[0]]", "t"),
    # matrix products, of float tensors (PyTorch's messages for int and bool ones name internal
    # kernels, addmv and the like, that minigrad does not have)
    Op("{0} @ {1}", "ff", exact=False), Op("torch.matmul({0}, {1})", "ff", exact=False),
    Op("torch.mm({0}, {1})", "ff", exact=False), Op("{0}.mm({1})", "ff", exact=False),
    # losses
    Op("F.mse_loss({0}, {1})", "ff", exact=False), Op("F.mse_loss({0}, {1}, reduction='sum')", "ff", exact=False),
    Op("F.binary_cross_entropy(torch.sigmoid({0}), {1})", "ff", exact=False),
    Op("F.binary_cross_entropy({0}, {1}, reduction='none')", "ff", exact=False),
    # copies, conversions, graph surgery
    Op("{0}.clone()", "t"), Op("torch.clone({0})", "t"), Op("{0}.detach()", "t"), Op("{0}.data", "t"),
    Op("{0}.double()", "t"), Op("{0}.float()", "t"), Op("{0}.long()", "t"), Op("{0}.bool()", "t"),
    Op("{0}.to(torch.float64)", "t"),
    # comparisons (no gradients)
    Op("{0} > {1}", "ta"), Op("{0} == {1}", "ta"), Op("{0} <= {1}", "ta"),
    # in-place changes, in and out of grad mode
    Op("{0}.add_({1})", "ta", statement=True), Op("{0}.mul_({1})", "ta", statement=True),
    Op("{0}.sub_({1})", "ta", statement=True), Op("{0}.div_({1})", "ta", statement=True),
    Op("{0} += {1}", "ta", statement=True), Op("{0} *= {1}", "ta", statement=True),
    Op("{0}.zero_()", "t", statement=True), Op("{0}.fill_({1})", "tn", statement=True),
    Op("with torch.no_grad(): {0}.mul_({1})", "ta", statement=True),
    Op("with torch.no_grad(): {0}.add_({1})", "ta", statement=True),
    Op("with torch.no_grad(): {0}.zero_()", "t", statement=True),
    # autograd
    Op("{0}.retain_grad()", "t", statement=True), Op("{0}.requires_grad_()", "t", statement=True),
    Op("{0}.requires_grad_(False)", "t", statement=True), Op("{0}.requires_grad = {1}", "tk", statement=True),
    Op("{0}.backward()", "t", statement=True), Op("{0}.backward(retain_graph=True)", "t", statement=True),
    Op("{0}.sum().backward()", "t", exact=False, statement=True),
    Op("{0}.sum().backward(retain_graph=True)", "t", exact=False, statement=True),
    Op("{0}.grad", "t", tensor=False), Op("{0}.grad_fn", "t", tensor=False),
    Op("torch.autograd.grad({0}, {1}, torch.ones_like({0}))", "tt", tensor=False),
    Op("torch.autograd.grad({0}.sum(), [{1}, {2}], retain_graph=True)", "ttt", exact=False, tensor=False),
    Op("torch.autograd.grad({0}, {1}, torch.ones_like({0}), allow_unused=True)", "tt", tensor=False),
]

# what the course's code also uses (the lecture's clamped BCE, PyTorch's tutorial, the next lecture's nn)
OPS += [
    # clamp and clip: numbers (ClampBackward1) or tensors (ClampBackward0) as bounds, min or max only
    Op("torch.clamp({0}, {1}, {2})", "tnn"), Op("torch.clamp({0}, 1e-8, 1 - 1e-8)", "t"),
    Op("torch.clip({0}, {1}, {2})", "tnn"), Op("torch.clamp({0}, min={1})", "tn"), Op("torch.clip({0}, max={1})", "tn"),
    Op("torch.clamp({0}, {1}, {2})", "ttt"), Op("torch.clamp({0}, min={1})", "tt"),
    Op("torch.clip({0}, max={1})", "tt"),
    Op("{0}.clamp({1}, {2})", "tnn"), Op("{0}.clip(min={1})", "tn"), Op("{0}.clamp(max={1})", "tt"),
    Op("{0}.clip({1}, {2})", "ttt"),
    Op("{0}.clamp_({1}, {2})", "tnn", statement=True), Op("{0}.clip_(max={1})", "tn", statement=True),
    Op("{0}.clamp_(min={1})", "tt", statement=True),
    Op("with torch.no_grad(): {0}.clamp_({1}, {2})", "tnn", statement=True),
    # abs, dot, norm
    Op("torch.abs({0})", "t"), Op("{0}.abs()", "t"), Op("abs({0})", "t"),
    Op("torch.dot({0}, {1})", "ff", exact=False), Op("{0}.dot({1})", "ff", exact=False),
    Op("torch.norm({0})", "t", exact=False), Op("{0}.norm()", "f", exact=False),
    Op("{0}.norm(p=2, dim={1})", "fd", exact=False), Op("{0}.norm(2, {1}, keepdim={2})", "fdk", exact=False),
    # a number first
    Op("torch.add({1}, {0})", "tn"), Op("torch.sub({1}, {0})", "tn"), Op("torch.mul({1}, {0})", "tn"),
    Op("torch.div({1}, {0})", "tn"),
    # creation, with device="cpu" and size=
    Op("torch.eye(3)", ""), Op("torch.eye(2, 3, dtype=torch.float64)", ""),
    Op("torch.eye(2, requires_grad=True, device='cpu')", ""),
    Op("torch.full((2, 1), {0})", "n"), Op("torch.full(size=(3,), fill_value={0}, device='cpu')", "n"),
    Op("torch.full((), {0}, requires_grad=True)", "n"), Op("torch.full_like({0}, {1})", "tn"),
    Op("torch.full_like({0}, {1}, dtype=torch.float64)", "tn"),
    Op("torch.zeros(2, 3, device='cpu')", ""), Op("torch.ones(size=(2, 1), requires_grad=True)", ""),
    Op("torch.tensor({0}, device='cpu')", "n"), Op("torch.zeros_like({0}, device='cpu')", "t"),
    Op("torch.empty(2, 3)", "", tensor=False, values=False), Op("torch.empty(size=(), device='cpu')", "",
                                                                 tensor=False, values=False),
    Op("torch.empty_like({0})", "t", tensor=False, values=False),
    Op("torch.rand_like({0})", "t", tensor=False, values=False),
    Op("torch.randn_like({0}, dtype=torch.float64)", "t", tensor=False, values=False),
    Op("torch.randn(size=())", "", tensor=False, values=False),
    Op("torch.rand(2, 3, device='cpu', requires_grad=True)", "", tensor=False, values=False),
    # conversions and the device
    Op("{0}.to('cpu')", "t"), Op("{0}.to({1})", "tt"), Op("{0}.to(torch.float32, copy=True)", "t"),
    Op("{0}.to('cpu', copy=True)", "t"), Op("{0}.cpu()", "t"), Op("{0}.t()", "t"),
    Op("{0}.device", "t", tensor=False), Op("{0}.is_cuda", "t", tensor=False),
    # losses with logits
    Op("F.binary_cross_entropy_with_logits({0}, {1})", "ff", exact=False),
    Op("F.binary_cross_entropy_with_logits({0}, {1}, reduction='sum')", "ff", exact=False),
    Op("F.binary_cross_entropy_with_logits({0}, {1}, reduction='none')", "ff", exact=False),
    # (the torch. function gets a target of the input's shape: PyTorch's broadcasts other shapes
    # its own way, minigrad refuses them as F.'s does; see README, "How minigrad matches PyTorch")
    Op("torch.binary_cross_entropy_with_logits({0}, torch.sigmoid({0}).detach())", "f", exact=False),
    Op("torch.binary_cross_entropy_with_logits({0}, ({0}.detach() > 0).float(), None, None, 1)", "f", exact=False),
    # nn modules (same_weights: the same parameters in both libraries) and F.linear
    Op("torch.nn.Sigmoid()({0})", "t"), Op("torch.nn.ReLU()({0})", "t"), Op("torch.nn.Tanh()({0})", "t", exact=False),
    Op("torch.nn.Identity()({0})", "t"), Op("torch.nn.Flatten()({0})", "t"), Op("torch.nn.Flatten(0)({0})", "t"),
    Op("torch.nn.MSELoss()({0}, {1})", "ff", exact=False), Op("torch.nn.MSELoss(reduction='none')({0}, {1})", "ff"),
    Op("torch.nn.BCELoss()(torch.sigmoid({0}), {1})", "ff", exact=False),
    Op("torch.nn.BCELoss(reduction='sum')({0}, {1})", "ff", exact=False),
    Op("torch.nn.BCEWithLogitsLoss()({0}, {1})", "ff", exact=False),
    Op("torch.nn.BCEWithLogitsLoss(reduction='none')({0}, {1})", "ff", exact=False),
    # (a bias of 0 or 1 dims, as a layer's: for a 2-D one PyTorch 2.13 picks addmm or matmul + add_
    # by rules minigrad does not copy, so the error for a bias that does not fit can differ)
    Op("F.linear({0}, {1})", "ff", exact=False), Op("F.linear({0}, {1}, {2}.reshape(-1))", "fff", exact=False),
    Op("F.linear({0}, {1}, {2}.sum())", "fff", exact=False),
    Op("same_weights(torch.nn.Linear(features({0}), 2))({0})", "f", exact=False),
    Op("same_weights(torch.nn.Linear(features({0}), 1, bias=False))({0})", "f", exact=False),
    Op("same_weights(torch.nn.Linear(features({0}), 2))({0}[None])", "f", exact=False),  # one more dim
    Op("same_weights(torch.nn.Sequential(torch.nn.Linear(features({0}), 2), torch.nn.Sigmoid(), "
       "torch.nn.Linear(2, 1)))({0})", "f", exact=False),
    # optimizers: steps of a training loop (zero_grad, backward, step) on a leaf, or on a Linear
    Op("sgd_steps([{0}], lambda: ({0} * {0}).sum(), lr=0.1)", "f", exact=False, statement=True),
    Op("sgd_steps([{0}], lambda: ({0} * {1}).sum(), lr=0.5, momentum=0.9, weight_decay=0.01)", "ft",
       exact=False, statement=True),
    Op("trained_weight({0}, lr=0.1)", "f", exact=False),
    Op("trained_weight({0}, lr=0.1, momentum=0.5, weight_decay=0.1)", "f", exact=False),
]

# Python conversions and queries: they make no tensor (so they are never an op's operand)
OPS += [Op(template, "td" if "{1}" in template else "t", tensor=False) for template in (
    "{0}.item()", "float({0})", "int({0})", "bool({0})", "len({0})", "{0}.tolist()", "{0}.size({1})",
    "{0}.numel()", "{0}.dim()", "{0}.is_leaf", "{0}.requires_grad", "{0}.shape", "{0}.dtype", "{0}._version",
)]

#: ops whose line is wrapped in ``with torch.no_grad():`` sometimes (the generator decides)
NO_GRAD_PREFIX = "with torch.no_grad(): "
