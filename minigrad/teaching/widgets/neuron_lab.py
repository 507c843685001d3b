r"""NeuronLab: the sigmoid neuron with binary cross-entropy on the CGPA → placement data.

    z = w·x + b,   ŷ = σ(z),   L = −mean[y ln ŷ + (1 − y) ln(1 − ŷ)]

Sliders for w and b; the sigmoid curve over the data; each sample's loss; the gradient from
``loss.backward()`` beside the hand formulas dL/dw = mean((ŷ − y)·x), dL/db = mean(ŷ − y)
with the per-sample terms; the loss surface over (w, b) with the current point, the
negative-gradient arrow and the training path; and training in four named stages
(forward, loss, backward, update).
"""

import asyncio
import time

import ipywidgets as widgets
import numpy as np

from ... import no_grad, sigmoid
from ...creation import tensor
from ...nn.functional import binary_cross_entropy
from .. import data, i18n, notation
from ..i18n import N_, ngettext
from ..i18n import gettext as _
from . import layout, svg_plot
from .guard import Guard
from .layout import running_loop

STAGES = ((N_("forward"), "ŷ = σ(w·x + b)"), (N_("loss"), "L = BCE(ŷ, y)"), (N_("backward"), "loss.backward()"),
          (N_("update"), "w −= lr·∂L/∂w, b −= lr·∂L/∂b"))  # (the stage's word, its formula or code)
W_RANGE, B_RANGE = (-2.0, 4.0), (-20.0, 6.0)
CGPA_RANGE = (4.0, 10.0)  # the data panel's x range, where the sigmoid is drawn
# the picture: three panels side by side (data, loss surface, loss while training), px
# (the height holds three legend rows under the loss surface: its path, point and arrow, and the colour key)
WIDTH, HEIGHT, PANEL_TOP, PANEL_WIDTH, PANEL_HEIGHT = 800, 359, 34, 186, 196
PANEL_LEFTS = (62, 328, 594)  # room on each panel's left for its tick numbers and y label
LEGEND_REACH = 52  # a legend under a panel starts under its y label
ARROW_PX = 42  # the downhill arrow's length on the screen
TRAIN, STOP = N_("Train N epochs"), N_("Stop")


def loss_and_gradients(w, b, cgpa, placed):
    """Forward, loss and backward with minigrad at (w, b): (ŷ, L, dL/dw, dL/db)."""
    w_t, b_t = tensor(float(w), requires_grad=True), tensor(float(b), requires_grad=True)
    y_hat = sigmoid(w_t * cgpa + b_t)
    loss = binary_cross_entropy(y_hat, placed)
    loss.backward()
    return y_hat.detach().numpy(), loss.item(), w_t.grad.item(), b_t.grad.item()


def _button_layout():
    """As wide as its words in either language ("N epochs train karo" did not fit ipywidgets' fixed width), and
    never narrower than that width: Stop stays under the pointer that clicked Train."""
    return widgets.Layout(width="auto", min_width="var(--jp-widgets-inline-width-short)")


def _on_step(value, slider, bounds):
    """The value as the slider will show it: inside its range, rounded to its step."""
    return round(float(np.clip(value, *bounds)) / slider.step) * slider.step


class NeuronLab(widgets.VBox):
    """Move w and b, watch the curve, the loss and the gradient; then train, step by step.

    One source of truth: ``self.w`` and ``self.b`` (floats). The sliders show them (rounded to
    their step), the readout, the table and the plots are computed from them, and the training
    path ends at them. Training in the browser runs in the kernel's event loop in slices of
    at most 1/20 s, so the front end gets at most 20 updates per second and a click on Stop
    is heard between slices.
    """

    UPDATES_PER_SECOND = 20
    MAX_EPOCHS = 5000

    def __init__(self, w=0.0, b=0.0, lr=0.1, epochs=100):
        super().__init__()
        self.cgpa, self.placed = data.load()
        self.x, self.y = self.cgpa.numpy().astype(np.float64), self.placed.numpy().astype(np.float64)
        self.start = (float(w), float(b))
        self.w, self.b = self.start
        self.w_slider = layout.float_slider("w", (*W_RANGE, 0.01, w))
        self.b_slider = layout.float_slider("b", (*B_RANGE, 0.01, b))
        # their labels as wide as their words (not ipywidgets' fixed label column): the row of training controls
        # then fits beside JupyterLab's open file browser at 1280 px, in both languages
        self.lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.1, description="lr",
                                                readout_format=".3f", style={"description_width": "initial"},
                                                layout=widgets.Layout(width="230px"))
        self.epochs = widgets.BoundedIntText(value=min(epochs, self.MAX_EPOCHS), min=1, max=self.MAX_EPOCHS,
                                             description="epochs", style={"description_width": "initial"},
                                             layout=widgets.Layout(width="130px"))
        self.step_button = widgets.Button(icon="step-forward", layout=_button_layout())
        self.train_button = widgets.Button(icon="play", button_style="primary", layout=_button_layout())
        self.reset_button = widgets.Button(layout=_button_layout())
        self.progress = widgets.IntProgress(value=0, min=0, max=epochs, layout=widgets.Layout(width="300px"))
        self.language = layout.language_toggle()
        # the training stage, on a line of its own two lines high: its words change while training (one stage
        # of four in bold, then a summary), the plots under it must not move
        self.stage = widgets.HTML(layout=widgets.Layout(width="100%", min_height="56px"))
        self.readout = widgets.HTML()
        self.message = widgets.HTML()
        self.samples = widgets.HTML()
        self.drawing = widgets.HTML(layout=widgets.Layout(width="100%"))  # the three plots, one SVG
        self.guard = Guard(self.message)
        self.path, self.losses = [self.start], []
        self.training, self._stop_requested, self._moving_sliders = False, False, False
        self.updates_sent = 0  # front-end updates during the last training (tests read it)
        self.step_button.on_click(self.guard(lambda _: self.train(1)))
        self.train_button.on_click(self.guard(lambda _: self._on_train_button()))
        self.reset_button.on_click(self.guard(lambda _: self.reset()))
        for slider in (self.w_slider, self.b_slider):
            slider.observe(self.guard(self._on_slider), names="value")
        self._setup_surface()
        # the picture's parts that do not move, made when first shown, and what they were made for
        self.still, self._still_made_for = None, None
        self.children = [
            layout.row([self.w_slider, self.b_slider]),
            layout.row([self.lr_slider, self.epochs, self.step_button, self.train_button, self.reset_button]),
            layout.row([self.progress, self.language]),
            self.stage,
            self.message, self.readout, self.drawing, self.samples,
        ]
        self._label()
        self.refresh()
        i18n.on_change(self._on_language)

    def _label(self):
        """The words on the controls, in the current language."""
        self.step_button.description = _("Step (1 epoch)")
        self.train_button.description = _(STOP if self.training else TRAIN)
        self.reset_button.description = "⟲ " + _("Reset")
        self.progress.description = _("training")

    def _on_language(self):
        self._label()
        self.still = None  # its words are in the other language now
        if not self.training:
            self.stage.value = ""
        self.refresh()

    # -------------------------------------------------------------------- state
    def _on_slider(self, change):
        if self._moving_sliders or self.training:  # our own move, or training owns (w, b) now
            return
        self.w, self.b = float(self.w_slider.value), float(self.b_slider.value)
        self.refresh()

    def _show_point_on_sliders(self):
        """The sliders show (w, b), rounded to their step, without feeding the rounding back."""
        self._moving_sliders = True
        try:
            self.w_slider.value = _on_step(self.w, self.w_slider, W_RANGE)
            self.b_slider.value = _on_step(self.b, self.b_slider, B_RANGE)
        finally:
            self._moving_sliders = False

    @property
    def path_points(self):
        """How many (w, b) points the training path has (the gaps between its pieces not counted)."""
        return int(np.sum(~np.isnan(np.array(self.path)[:, 0])))

    def reset(self):
        self.w, self.b = self.start
        self._show_point_on_sliders()
        self.path, self.losses = [self.start], []
        self.progress.value = 0
        self.stage.value = ""
        self.refresh()

    # -------------------------------------------------------------------- training
    def train(self, epochs):
        """Run ``epochs`` full-batch steps of gradient descent with minigrad, naming each stage (blocking)."""
        for _slice in self._training_slices(epochs):
            pass

    def _on_train_button(self):
        if self.training:
            self._stop_requested = True  # heard between two slices; the slice running finishes its epochs
            return
        epochs = int(np.clip(self.epochs.value, 1, self.MAX_EPOCHS))
        loop = running_loop()
        if loop is None:  # no event loop (a plain Python session, a test): train right here
            self.train(epochs)
        else:  # in a kernel: train between the kernel's other work, so that Stop and the updates get through
            slices = self._training_slices(epochs)
            if self.guard.run(next, slices, None) is not None:  # the first slice now: the button says Stop
                self._task = loop.create_task(self._train_in_slices(slices))

    async def _train_in_slices(self, slices):
        await asyncio.sleep(0.001)
        while self.guard.run(next, slices, None) is not None:  # None: finished, or failed and said so
            await asyncio.sleep(0.001)  # the kernel handles waiting messages (a click on Stop) here

    def _training_slices(self, epochs):
        """The training loop, cut into slices of at most 1/20 s; yields after each slice."""
        self._begin_training(epochs)
        w = tensor(self.w, requires_grad=True)
        b = tensor(self.b, requires_grad=True)
        lr = self.lr_slider.value
        done, slice_seconds = 0, 1 / self.UPDATES_PER_SECOND
        try:
            while done < epochs and not self._stop_requested:
                slice_end = time.monotonic() + slice_seconds
                while done < epochs and (time.monotonic() < slice_end or done == 0):
                    self._epoch(w, b, lr)
                    done += 1
                self.w, self.b = w.item(), b.item()
                if done < epochs:
                    drawing = time.monotonic()
                    self._show_progress(done)
                    # a slow machine draws less often (training keeps 2/3 of the time), but twice a second at least
                    slice_seconds = min(0.5, max(1 / self.UPDATES_PER_SECOND, 2 * (time.monotonic() - drawing)))
                    yield done
        finally:
            self.w, self.b = w.item(), b.item()
            self._end_training(epochs, done)

    def _epoch(self, w, b, lr):
        """One epoch, its four stages named: forward, loss, backward, update."""
        self._stage(0)
        y_hat = sigmoid(w * self.cgpa + b)
        self._stage(1)
        loss = binary_cross_entropy(y_hat, self.placed)
        self._stage(2)
        loss.backward()
        self._stage(3)
        with no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        self.losses.append(loss.item())
        self.path.append((w.item(), b.item()))

    def _begin_training(self, epochs):
        self.training, self._stop_requested, self.updates_sent = True, False, 0
        self._start_piece()
        self.progress.max, self.progress.value = epochs, 0
        self.progress.bar_style = ""
        self._epochs_planned = len(self.losses) + epochs  # the loss plot's x axis, fixed while training
        self.train_button.description, self.train_button.icon = _(STOP), "stop"
        self.train_button.button_style = "danger"
        for control in (self.step_button, self.reset_button, self.w_slider, self.b_slider, self.lr_slider,
                        self.epochs):
            control.disabled = True

    def _show_progress(self, done):
        """What moves while training: the progress, the loss curve, the path and the point."""
        self.updates_sent += 1
        self.progress.value = done
        self.stage.value = self._stage_html(self._current_stage) + " · " + _("epoch {done} / {total}").format(
            done=done, total=self.progress.max)
        y_hat, _loss, grad_w, grad_b = loss_and_gradients(self.w, self.b, self.cgpa, self.placed)
        self._draw(y_hat, grad_w, grad_b)

    def _end_training(self, epochs, done):
        """One consistent state everywhere: sliders, readout, table, plots, path and progress."""
        self.training = False
        self.train_button.description, self.train_button.icon = _(TRAIN), "play"
        self.train_button.button_style = "primary"
        for control in (self.step_button, self.reset_button, self.w_slider, self.b_slider, self.lr_slider,
                        self.epochs):
            control.disabled = False
        self._show_point_on_sliders()
        self.progress.value = done
        self.progress.bar_style = "success" if done == epochs else "warning"
        what = _("done") if done == epochs else _("stopped after {done} of {epochs} epochs").format(
            done=done, epochs=epochs)
        self.stage.value = ngettext(
            "{what}: {done} epoch, each forward → loss → backward → update; path: {points} points",
            "{what}: {done} epochs, each forward → loss → backward → update; path: {points} points",
            done).format(what=what, done=done, points=self.path_points)
        self.updates_sent += 1
        self.refresh()

    def _start_piece(self):
        """Training from a point the student picked by hand starts a new piece of the path."""
        last_w, last_b = self.path[-1]
        if abs(self.w - last_w) > self.w_slider.step / 2 or abs(self.b - last_b) > self.b_slider.step / 2:
            self.path += [(np.nan, np.nan), (self.w, self.b)]  # NaN: the drawn path breaks there

    _current_stage = 0

    def _stage(self, index):
        self._current_stage = index  # shown with the next update (at most 20 a second), not per epoch

    @staticmethod
    def _stage_html(index):
        names = [f"{_(word)}: {formula}" for word, formula in STAGES]
        # the stage now in bold orange, the others in dim grey (each at least 4.5:1 on white, as all text)
        marks = [f"<b style='color:#b35900'>{name}</b>" if i == index
                 else f"<span style='color:{svg_plot.DIM_GREY}'>{name}</span>"
                 for i, name in enumerate(names)]
        return " → ".join(marks)

    # -------------------------------------------------------------------- drawing
    def refresh(self):
        y_hat, loss, grad_w, grad_b = loss_and_gradients(self.w, self.b, self.cgpa, self.placed)
        self.loss, self.grad = loss, (grad_w, grad_b)
        error = y_hat - self.y
        hand_w, hand_b = float(np.mean(error * self.x)), float(np.mean(error))
        f = notation.format_number
        self.readout.value = (
            "<div class='minigrad-neuron'>"
            + _("at w = {w}, b = {b}: mean BCE loss L = {loss}").format(
                w=f"<b>{f(self.w)}</b>", b=f"<b>{f(self.b)}</b>", loss=f"<b>{f(loss)}</b>")
            + f"<br>loss.backward(): ∂L/∂w = <b>{f(grad_w)}</b>, ∂L/∂b = <b>{f(grad_b)}</b><br>"
            + _("by hand: {formula_w} = {w}, {formula_b} = {b}").format(
                formula_w="mean((ŷ − y)·x)", w=f(hand_w), formula_b="mean(ŷ − y)", b=f(hand_b))
            + "</div>")
        per_sample = -(self.y * np.log(np.clip(y_hat, 1e-12, 1)) + (1 - self.y) * np.log(np.clip(1 - y_hat, 1e-12, 1)))
        rows = [(f(x), f(y), f(p), f(loss_i), f(p - y), f((p - y) * x))
                for x, y, p, loss_i in zip(self.x, self.y, y_hat, per_sample)]
        rows.append((_("mean"), "", "", f(per_sample.mean()), f(hand_b), f(hand_w)))
        header = (_("cgpa x"), _("placed y"), "ŷ", _("loss"), "ŷ − y", "(ŷ − y)·x")
        self.samples.value = layout.table_html(header, rows, highlight=len(rows) - 1)
        self._draw(y_hat, grad_w, grad_b)

    def _setup_surface(self):
        """The loss over a grid of (w, b), once: its contour lines are the loss surface's panel."""
        self.surface_w, self.surface_b = np.linspace(*W_RANGE, 80), np.linspace(*B_RANGE, 80)
        grid_w, grid_b = np.meshgrid(self.surface_w, self.surface_b)
        z = grid_w[..., None] * self.x + grid_b[..., None]
        p = np.clip(1 / (1 + np.exp(-z)), 1e-12, 1 - 1e-12)
        self.surface = -np.mean(self.y * np.log(p) + (1 - self.y) * np.log(1 - p), axis=-1)
        self.levels = np.unique(np.quantile(self.surface, np.linspace(0.02, 0.98, 14)))
        self.curve_x = np.linspace(*CGPA_RANGE, 200)

    def _panels(self, loss_limits):
        """The three panels (data, loss surface, loss while training); the last one's ranges grow with training."""
        epochs, top_loss = loss_limits
        return [svg_plot.Panel(left, PANEL_TOP, PANEL_WIDTH, PANEL_HEIGHT, xlim, ylim) for left, (xlim, ylim) in
                zip(PANEL_LEFTS, [(CGPA_RANGE, (-0.1, 1.1)), (W_RANGE, B_RANGE), ((0, epochs), (0, top_loss))])]

    def _draw_still_parts(self, loss_limits):
        """Axes, data points, contour lines and words, made once (and again for new loss limits or words):
        (under the moving parts, over them)."""
        panels = self._panels(loss_limits)
        data_panel, surface_panel, loss_panel = self.data_panel, self.surface_panel, self.loss_panel = panels
        placed, not_placed = self.y == 1, self.y == 0
        under = [data_panel.frame(_("data and ŷ(x)"), _("CGPA x"), _("P(placed)")),
                 surface_panel.frame(_("loss surface L(w, b)"), "w", "b"),
                 surface_panel.clipped([surface_panel.contours(self.surface_w, self.surface_b, self.surface,
                                                               self.levels)]),
                 loss_panel.frame(_("loss while training"), _("epoch"), _("loss"))]
        if not self.losses:  # an empty panel says how it fills
            middle_x, middle_y = loss_panel.left + loss_panel.width / 2, loss_panel.top + loss_panel.height / 2
            for row, words in enumerate(_("Train:|the loss appears here").split("|")):  # two lines: a narrow panel
                under.append(svg_plot.text(middle_x, middle_y + (row - 0.5) * svg_plot.LEGEND_ROW_PX, words,
                                           svg_plot.LEGEND_PX, colour=svg_plot.DIM_GREY))  # 5.5:1 on white
        # the data go over the sigmoid curve: their markers stay whole where the curve passes
        points = data_panel.clipped([
            data_panel.markers(self.x[placed], self.y[placed], svg_plot.GREEN),
            data_panel.markers(self.x[not_placed], self.y[not_placed], svg_plot.DIM_GREY, shape="x")])
        over = [points,
                data_panel.legend([("ŷ = σ(w·x + b)", {"colour": svg_plot.BLUE}),
                                   (_("placed"), {"colour": svg_plot.GREEN, "marker": "circle", "line": False}),
                                   (_("not placed"), {"colour": svg_plot.DIM_GREY, "marker": "x", "line": False})],
                                  "below", LEGEND_REACH),
                surface_panel.legend([(_("training path"), {"colour": svg_plot.ORANGE, "marker": "circle"}),
                                      ("(w, b)", {"colour": svg_plot.BLACK, "marker": "circle", "line": False}),
                                      ("−gradient", {"colour": svg_plot.BLACK}),
                                      (_("low loss"), {"ramp": svg_plot.contour_colours(len(self.levels)),
                                                       "high": _("high loss")})],
                                     "below", LEGEND_REACH),
                loss_panel.legend([(_("mean BCE"), {"colour": svg_plot.PURPLE})], "below", LEGEND_REACH)]
        self.still = ("".join(under), "".join(over))

    def _moving_parts(self, grad_w, grad_b):
        """The sigmoid at (w, b); the training path, the point and the arrow downhill; the loss curve."""
        data, surface, loss = self.data_panel, self.surface_panel, self.loss_panel
        curve = data.line(self.curve_x, 1 / (1 + np.exp(-(self.w * self.curve_x + self.b))), svg_plot.BLUE)
        path = np.array(self.path)
        # downhill is −(∂L/∂w, ∂L/∂b), drawn on the screen (px; down is +y there) at one length
        dx, dy = -grad_w * surface.width / np.ptp(W_RANGE), grad_b * surface.height / np.ptp(B_RANGE)
        length = max(np.hypot(dx, dy), 1e-12)
        # the point first, the path over it: a path of a few epochs is shorter than the point is wide
        surface_parts = [surface.markers([self.w], [self.b], svg_plot.BLACK),
                         surface.line(path[:, 0], path[:, 1], svg_plot.ORANGE, width=1.5),
                         surface.markers(path[:, 0], path[:, 1], svg_plot.ORANGE, size=4)]
        if length > 1e-9:  # at a minimum there is no downhill
            surface_parts.append(surface.arrow(self.w, self.b, dx / length * ARROW_PX, dy / length * ARROW_PX,
                                               svg_plot.BLACK))
        epochs = np.arange(1, len(self.losses) + 1)
        return "".join([data.clipped([curve]), surface.clipped(surface_parts),
                        loss.clipped([loss.line(epochs, self.losses, svg_plot.PURPLE)])])

    def snapshot(self):
        """The three plots as they are now, an SVG (for a copy of the notebook without a kernel)."""
        return self.svg

    def _draw(self, y_hat, grad_w, grad_b):
        loss_limits = (max(2, len(self.losses), self._epochs_planned if self.training else 0),
                       max(self.losses, default=0.7) * 1.1)
        # made again for new loss axis limits, and for the first loss (the empty panel's words go)
        made_for = (loss_limits, bool(self.losses))
        if self.still is None or made_for != self._still_made_for:
            self._draw_still_parts(loss_limits)
            self._still_made_for = made_for
        under, over = self.still
        self.svg = svg_plot.picture(WIDTH, HEIGHT, [under, self._moving_parts(grad_w, grad_b), over])
        self.drawing.value = svg_plot.shown(self.svg)
