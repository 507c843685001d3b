"""The next lecture's nn and optim against PyTorch 2.13: reprs, parameter names, the graph
nn.Linear builds, the initial values' distribution, and a training loop's numbers."""

import math

import numpy as np
import pytest

import minigrad


def graph_names(node):
    """The backward graph below a node as nested names: [name, [child, ...]] (None for a constant)."""
    if node is None:
        return None
    return [node.name().replace("torch::autograd::", ""), [graph_names(child) for child, _ in node.next_functions]]


def model_texts(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.Sigmoid())

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 1)
            self.w = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return self.fc(x) + self.w

    net = Net()
    return {
        "model": repr(model), "print": str(model), "names": [name for name, _ in model.named_parameters()],
        "shapes": [list(p.shape) for p in model.parameters()], "items": [repr(model[0]), repr(model[-1])],
        "slice": [type(model[0:2]).__name__, repr(model[0:2])], "len": len(model),
        "leaves": [repr(m) for m in (nn.Tanh(), nn.BCELoss(), nn.BCEWithLogitsLoss(), nn.MSELoss(reduction="sum"),
                                     nn.Linear(2, 1, bias=False), nn.Module(), nn.Identity(), nn.Flatten())],
        "net": [repr(net), [name for name, _ in net.named_parameters()], [name for name, _ in net.named_children()]],
        "training": [model.training, model.eval().training, model[0].training, model.train().training],
        "parameter": [repr(nn.Parameter(torch.tensor([1.0, 2.0]))), str(nn.Parameter(torch.tensor(1.0))),
                      repr(nn.Parameter(torch.tensor(1.0), requires_grad=False)),
                      repr(nn.Parameter(torch.tensor([1.0])) * 2)],
        "flags": [isinstance(model[0].weight, torch.Tensor), isinstance(model[0].weight, nn.Parameter),
                  isinstance(model[0].weight * 1, nn.Parameter), model[0].weight.is_leaf,
                  model[0].weight.requires_grad],
        "sgd": [repr(torch.optim.SGD(model.parameters(), lr=0.1)),
                repr(torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)),
                list(torch.optim.SGD(model.parameters(), lr=0.1).param_groups[0].keys())],
    }


def test_models_print_and_name_their_parameters_as_pytorch(torch):
    ours, theirs = model_texts(minigrad), model_texts(torch)
    for key in theirs:
        assert ours[key] == theirs[key], key


MODULE_ERRORS = {
    "no forward": lambda t: type("E", (t.nn.Module,), {})()(1),
    "no such attribute": lambda t: t.nn.Linear(1, 1).nothing,
    "wrong input size": lambda t: t.nn.Linear(3, 2)(t.ones(4, 5)),
    "wrong vector size": lambda t: t.nn.Linear(3, 2)(t.ones(5)),
    "wrong size, 3-D": lambda t: t.nn.Linear(3, 2)(t.ones(2, 2, 5)),
    "float64 input": lambda t: t.nn.Linear(3, 2)(t.ones(3, dtype=t.float64)),
    "a number": lambda t: t.nn.Linear(3, 2)(t.tensor(1.0)),
    "empty parameters": lambda t: t.optim.SGD([], lr=0.1),
    "negative lr": lambda t: t.optim.SGD([t.ones(1, requires_grad=True)], lr=-1),
}


@pytest.mark.parametrize("name", MODULE_ERRORS)
def test_errors_match_pytorch(torch, name):
    def error(library):
        with pytest.raises(Exception) as caught:
            MODULE_ERRORS[name](library)
        return type(caught.value).__name__, str(caught.value).splitlines()[0]

    assert error(minigrad) == error(torch)


@pytest.mark.parametrize("shape, needs_grad", [((4, 3), False), ((3,), False), ((3,), True), ((5, 4, 3), False),
                                               ((4, 3), True)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_builds_pytorchs_graph(torch, request, shape, needs_grad, bias):
    """AddmmBackward0 (bias, X, TBackward0 of W) for rows; ViewBackward0 around it for a vector or
    more dimensions; MmBackward0 without a bias."""
    if not bias and len(shape) > 2:  # a known difference, listed in docs/parity.md: it fails until fixed
        request.applymarker(pytest.mark.xfail(strict=True, reason="x @ W.t() for 3-D x is one UnsafeViewBackward0 "
                                              "node in minigrad (ops.MatMul); PyTorch has UnsafeViewBackward0 over "
                                              "MmBackward0"))

    def build(library):
        layer = library.nn.Linear(3, 2, bias=bias)
        y = layer(library.ones(*shape, requires_grad=needs_grad))
        node = y.grad_fn
        addmm = node if node.name() == "AddmmBackward0" else (node.next_functions[0][0] or node)
        saved = None
        if addmm.name() == "AddmmBackward0":  # which matrices it keeps (only those backward will need)
            saved = [addmm._saved_mat1 is None, addmm._saved_mat2 is None, addmm._saved_alpha, addmm._saved_beta,
                     list(addmm._saved_mat1_sym_sizes), list(addmm._saved_mat2_sym_sizes)]
        view = list(node._saved_self_sym_sizes) if node.name() == "ViewBackward0" else None
        return graph_names(node), list(y.shape), saved, view

    assert build(minigrad) == build(torch)


def test_linear_computes_what_pytorch_computes(torch):
    weight = [[0.5, -0.25, 1.0], [1.5, 0.75, -2.0]]
    bias = [0.1, -0.2]
    x = [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25], [0.0, 0.0, 1.0], [2.0, -3.0, 0.5]]

    def run(library):
        layer = library.nn.Linear(3, 2)
        layer.weight.data = library.tensor(weight)
        layer.bias.data = library.tensor(bias)
        inputs = library.tensor(x, requires_grad=True)
        y = layer(inputs)
        (y * library.tensor([[1.0, 2.0]])).sum().backward()
        return [t.detach().numpy() for t in (y, layer.weight.grad, layer.bias.grad, inputs.grad)]

    for ours, theirs in zip(run(minigrad), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_linear_starts_from_pytorchs_distribution():
    """W and b uniform in [-1/√in, 1/√in): kaiming_uniform(a=√5) and PyTorch's bias rule."""
    minigrad.manual_seed(0)
    layer = minigrad.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for values in (layer.weight.detach().numpy(), layer.bias.detach().numpy()):
        assert values.dtype == np.float32
        assert -bound <= values.min() < -0.95 * bound and 0.95 * bound < values.max() <= bound
        spread = bound / math.sqrt(3)  # a uniform's standard deviation
        assert abs(values.mean()) < 5 * spread / math.sqrt(values.size)  # five standard errors
        assert values.std() == pytest.approx(spread, rel=0.1)
    minigrad.manual_seed(0)
    assert minigrad.nn.Linear(400, 300).weight.tolist() == layer.weight.tolist()  # the seed decides


def training_loop(torch, **options):
    nn = torch.nn
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(0.5)
        model.bias.fill_(0.0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, **options)
    x, y = torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([[2.0], [4.0], [6.0]])
    loss_fn = nn.MSELoss()
    printed = []
    for epoch in range(4):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        printed.append(f"epoch {epoch}: loss {loss.item():.4f}, w.grad {model.weight.grad}, b.grad {model.bias.grad}")
    optimizer.zero_grad()
    printed.append(f"{model.weight} {model.bias} {model.weight.grad}")
    model.zero_grad()
    return printed


@pytest.mark.parametrize("options", [{}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True},
                                     {"momentum": 0.5, "dampening": 0.1, "weight_decay": 0.01}], ids=str)
def test_a_training_loop_prints_what_pytorch_prints(torch, options):
    assert training_loop(minigrad, **options) == training_loop(torch, **options)


def test_maximize_climbs_as_pytorch(torch):
    """maximize=True walks up the loss (its growing numbers then differ in the 7th digit: not printed here)."""
    ours, theirs = training_loop(minigrad, maximize=True), training_loop(torch, maximize=True)
    assert ours[:2] == theirs[:2]


def test_parameters_are_labelled_by_their_names_in_drawings():
    model = minigrad.nn.Sequential(minigrad.nn.Linear(2, 1), minigrad.nn.Sigmoid())
    assert [p.name for p in model.parameters()] == ["0.weight", "0.bias"]
    from minigrad import viz

    source = viz.draw(model(minigrad.ones(1, 2)).sum()).source
    assert "0.weight" in source and "0.bias" in source


def test_loss_modules_compute_their_functions(torch):
    def losses(library):
        p, t = library.tensor([0.2, 0.9]), library.tensor([0.0, 1.0])
        z = library.tensor([-1.5, 2.0])
        return [library.nn.BCELoss()(p, t).item(), library.nn.MSELoss(reduction="sum")(p, t).item(),
                library.nn.BCEWithLogitsLoss(pos_weight=library.tensor(2.0))(z, t).item(),
                library.nn.Sigmoid()(z).tolist(), library.nn.ReLU()(z).tolist(), library.nn.Tanh()(z).tolist()]

    np.testing.assert_allclose(np.hstack(losses(minigrad)), np.hstack(losses(torch)), rtol=1e-6)


def test_a_walkthrough_explains_a_linear_layer_with_pytorchs_gradients(torch):
    from minigrad.trace import Walkthrough

    minigrad.manual_seed(0)
    layer = minigrad.nn.Linear(2, 1)
    x, t = [[1.0, 2.0], [3.0, -4.0]], [[1.0], [0.0]]

    def loss(x=x):
        z = layer(minigrad.tensor(x))
        return minigrad.nn.functional.binary_cross_entropy_with_logits(z, minigrad.tensor(t))

    walk = Walkthrough.run(loss, constants=("x",))
    titles = [step.title for step in walk.steps]
    # titled as the maths is written (the node itself is drawn "addmm", PyTorch's name for it)
    assert titles[0] == "y = weightᵀ" and titles[1].startswith("z = ") and titles[1].endswith(" @ y + bias")
    assert {"TBackward0", "AddmmBackward0", "BinaryCrossEntropyWithLogitsBackward0", "weight.grad",
            "bias.grad"} <= set(titles)
    shown = {step.title: step.contributions for step in walk.steps if step.title.endswith(".grad")}

    reference = torch.nn.Linear(2, 1)
    reference.weight.data = torch.tensor(layer.weight.tolist())
    reference.bias.data = torch.tensor(layer.bias.tolist())
    torch.nn.functional.binary_cross_entropy_with_logits(reference(torch.tensor(x)), torch.tensor(t)).backward()
    for name, expected in (("weight.grad", reference.weight.grad), ("bias.grad", reference.bias.grad)):
        (value,) = shown[name].values()
        np.testing.assert_allclose(np.asarray(value), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("start_dim, end_dim, shape", [(1, -1, (2,)), (1, -1, ()), (0, -1, ()), (0, -1, (2,)),
                                                       (1, -1, (1, 2)), (1, 0, (2, 2)), (0, 0, (2, 3))])
def test_flatten_module_matches_pytorch(torch, start_dim, end_dim, shape):
    """Found by the differential test: dims checked (0-dim counts as 1-dim), a 0-dim input becomes (1,),
    nothing to merge returns the input itself (no ViewBackward0), start after end is refused."""
    def run(library):
        x = library.ones(shape, requires_grad=True)
        try:
            y = library.nn.Flatten(start_dim, end_dim)(x)
        except Exception as error:  # the error is what is compared
            return type(error).__name__, str(error)
        grad_fn = None if y.grad_fn is None else y.grad_fn.name() if library is minigrad else type(y.grad_fn).__name__
        return tuple(y.shape), y is x, grad_fn

    assert run(minigrad) == run(torch)
