"""Everything a random program may do, one line per op: the registry of the differential test.

Each entry is a line of PyTorch code with holes: ``{0}``, ``{1}`` are filled with operands
picked by the generator, by the *kinds* the entry asks for:

* ``t``: a tensor from the program so far;  ``f``: a float tensor (for ops PyTorch refuses on ints);
* ``a``: a tensor or a Python number (bool, int or float), so numbers come on both sides;
* ``n``: a Python number;  ``d``: a dim of the first operand (sometimes one out of range);
* ``k``: True or False.

``exact=False`` marks ops whose float32 digits PyTorch takes from Intel MKL's vector maths
(exp, log, sin, cos, tanh, sqrt, pow) or sums in another order (reductions, matrix products,
the losses): minigrad computes the correctly rounded value, so their results may differ in
the last bit. Values that depend on one are compared to a relative 1e-4 (NaN, ±inf and zeros
still exactly) and their printed forms only when the values agree (see README, "How minigrad
matches PyTorch"). Everything else must agree bit for bit.

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
    Op("{0}.sum()", "t", exact=False), Op("torch.sum({0})", "t", exact=False),
    Op("{0}.sum(dim={1})", "td", exact=False), Op("{0}.sum({1}, keepdim={2})", "tdk", exact=False),
    Op("{0}.sum(keepdim={1})", "tk"), Op("{0}.sum(dim=None)", "t", exact=False),
    Op("{0}.mean()", "t", exact=False), Op("torch.mean({0})", "t", exact=False),
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
]

# Python conversions and queries: they make no tensor (so they are never an op's operand)
OPS += [Op(template, "td" if "{1}" in template else "t", tensor=False) for template in (
    "{0}.item()", "float({0})", "int({0})", "bool({0})", "len({0})", "{0}.tolist()", "{0}.size({1})",
    "{0}.numel()", "{0}.dim()", "{0}.is_leaf", "{0}.requires_grad", "{0}.shape", "{0}.dtype", "{0}._version",
)]

#: ops whose line is wrapped in ``with torch.no_grad():`` sometimes (the generator decides)
NO_GRAD_PREFIX = "with torch.no_grad(): "
