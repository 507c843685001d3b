"""The Walkthrough explorer: sliders for the inputs, then the forward and backward passes, step by step.

::

    Walkthrough("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0))

Top to bottom: the expression box (for text), one slider per input, the step controls
(Play with its speed, Previous, Next, Reset, the step slider and the phase label), the
graph at the current step, the equation of the step, and a table of every node.

``frames=True`` precomputes every step's drawing and equation and switches between them
in the browser (``jslink``), so stepping keeps working in a saved notebook with no kernel.
"""

import html

import ipywidgets as widgets
import numpy as np

from .. import expr, trace, viz
from . import layout
from .guard import Guard, not_finite_reason


class Walkthrough(widgets.VBox):
    """One cell, one widget: a live walkthrough of a function (text or a Python callable)."""

    def __init__(self, source, frames=False, expression_box=None, view="expression", show_saved=False,
                 constants=(), interval=1200, **inputs):
        super().__init__(layout=widgets.Layout(width="100%"))
        self.frames = frames
        self.constants = tuple(constants)
        self.function = expr.parse(source) if isinstance(source, str) else source
        self.specs = dict(inputs)
        self._build_controls(source, expression_box, view, show_saved, interval)
        self._rebuild_sliders()
        self.walk = self._run()
        self._refresh_all(keep_step=False)

    # -------------------------------------------------------------------- building
    def _build_controls(self, source, expression_box, view, show_saved, interval):
        show_box = isinstance(source, str) if expression_box is None else expression_box
        self.expression = widgets.Text(value=source if isinstance(source, str) else "", description="f =",
                                       continuous_update=False, layout=widgets.Layout(width="340px"))
        self.expression_error = widgets.HTML()
        self.guard = Guard(self.expression_error)  # every callback below: a failure is said here, never raised
        self.expression.observe(self.guard(self._on_expression), names="value")
        self.expression.layout.display = None if show_box else "none"  # the message shows either way
        expression_row = widgets.VBox([self.expression, self.expression_error])
        self.sliders_box = layout.row([])
        self.sliders = {}

        self.play = widgets.Play(value=0, min=0, max=1, step=1, interval=interval, description="Play")
        self.speed = widgets.IntSlider(value=interval, min=200, max=3000, step=100, description="ms / step",
                                       layout=widgets.Layout(width="260px"))
        self.previous_button = widgets.Button(description="◀ Previous", layout=widgets.Layout(width="110px"))
        self.next_button = widgets.Button(description="Next ▶", layout=widgets.Layout(width="110px"))
        self.reset_button = widgets.Button(description="⟲ Reset", layout=widgets.Layout(width="90px"))
        self.step_slider = widgets.IntSlider(value=0, min=0, max=1, description="step",
                                             layout=widgets.Layout(width="300px"))
        self.phase = widgets.Label(layout=widgets.Layout(width="150px"))
        self.previous_button.on_click(self.guard(lambda _: self._move(-1)))
        self.next_button.on_click(self.guard(lambda _: self._move(+1)))
        self.reset_button.on_click(self.guard(lambda _: self._set_step(0)))
        self.links = [self._link((self.play, "value"), (self.step_slider, "value")),
                      self._link((self.speed, "value"), (self.play, "interval"))]
        self.step_slider.observe(self.guard(lambda change: self._refresh_step()), names="value")

        self.view = widgets.ToggleButtons(options=[("Expression graph", "expression"), ("Autograd graph", "autograd")],
                                          value=view, style={"button_width": "150px"})
        self.saved = widgets.Checkbox(value=show_saved, description="saved tensors", indent=False)
        self.view.observe(self.guard(lambda change: self._refresh_all(keep_step=True)), names="value")
        self.saved.observe(self.guard(lambda change: self._refresh_all(keep_step=True)), names="value")

        self.graph = layout.graph_box()
        self.equation = widgets.HTMLMath(layout=widgets.Layout(min_height="110px"))
        self.table = widgets.HTML()
        if self.frames:  # every step drawn in advance; the browser switches frames itself: no kernel needed
            self.graph_frames = widgets.Stack(layout=widgets.Layout(width="100%"))
            self.equation_frames, self.phase_frames = widgets.Stack(), widgets.Stack()
            self.table_frames = widgets.Stack()  # the node table too, so that it follows Play on a saved page
            self.links += [widgets.jslink((self.step_slider, "value"), (stack, "selected_index"))
                           for stack in self._frame_stacks()]

        step_row = layout.row([self.play, self.previous_button, self.next_button, self.reset_button,
                               self.step_slider, self.phase_frames if self.frames else self.phase])
        self.children = [
            expression_row,
            self.sliders_box,
            step_row,
            layout.row([self.speed, self.view, self.saved]),
            self.graph_frames if self.frames else self.graph,
            self.equation_frames if self.frames else self.equation,
            self.table_frames if self.frames else self.table,
        ]

    def _frame_stacks(self):
        return self.graph_frames, self.equation_frames, self.phase_frames, self.table_frames

    def _link(self, source, target):
        return (widgets.jslink if self.frames else widgets.link)(source, target)

    def _rebuild_sliders(self):
        """One slider per parameter: keep the ones whose names survive, make new ones for the rest."""
        names = trace.parameter_names(self.function)
        sliders = {}
        for name in names:
            if name in self.sliders:
                sliders[name] = self.sliders[name]
                continue
            spec = self.specs.get(name, 1.0)
            if name in self.constants and not isinstance(spec, tuple):
                continue  # data given as a value: no slider
            slider = layout.float_slider(name, spec)
            slider.observe(self.guard(lambda change: self._on_input()), names="value")
            sliders[name] = slider
        self.sliders = sliders
        self.sliders_box.children = list(sliders.values())

    # -------------------------------------------------------------------- running
    def input_values(self, function=None):
        """The value of each parameter: its slider's, else its start value (1.0 for a new name)."""
        return {name: self.sliders[name].value if name in self.sliders else self._start_value(name)
                for name in trace.parameter_names(function or self.function)}

    def _start_value(self, name):
        spec = self.specs.get(name, 1.0)
        if name in self.constants and not isinstance(spec, tuple):
            return spec  # data (a number or a list) is used as given
        return layout.slider_spec(spec)[3]

    def _run(self):
        return trace.Walkthrough.run(self.function, constants=self.constants, **self.input_values())

    def _on_input(self):
        self.walk = self._run()
        self._refresh_all(keep_step=True)

    def _on_expression(self, change):
        """A new expression: parse it, run it, and only then replace the walkthrough on screen."""
        try:
            function = expr.parse(change["new"])
            walk = trace.Walkthrough.run(function, constants=self.constants, **self.input_values(function))
        except ValueError as error:
            self.expression_error.value = layout.error_html(str(error))
            return  # the last good walkthrough stays on screen
        self.expression_error.value = ""
        self.function, self.walk = function, walk
        self._rebuild_sliders()
        self._refresh_all(keep_step=False)

    # -------------------------------------------------------------------- stepping
    @property
    def step(self):
        return self.step_slider.value

    def _set_step(self, index):
        self.step_slider.value = int(np.clip(index, 0, len(self.walk.steps) - 1))

    def _move(self, delta):
        self._set_step(self.step + delta)

    # -------------------------------------------------------------------- drawing
    def snapshot(self, step=None):
        """The SVG of the graph at ``step`` (the current step by default), for a static picture."""
        return viz.to_svg(viz.draw(self.walk, step=self.step if step is None else step, view=self.view.value,
                                   show_saved=self.saved.value))

    def _refresh_all(self, keep_step):
        last = len(self.walk.steps) - 1
        step = min(self.step, last) if keep_step else 0
        with self.hold_sync():
            self.step_slider.max = self.play.max = last
            if self.frames:
                self._build_frames()
            self.step_slider.value = step
            self._refresh_step()
        self.guard.inform(not_finite_reason(value.data for value in self.walk.graph.values))  # ∞ is not an error

    def _build_frames(self):
        walk = self.walk
        self.graph_frames.children = [widgets.HTML(layout.svg_html(self.snapshot(i)),
                                                   layout=widgets.Layout(height=layout.GRAPH_HEIGHT))
                                      for i in range(len(walk.steps))]
        self.equation_frames.children = [widgets.HTMLMath(layout.equation_html(s, walk)) for s in walk.steps]
        self.phase_frames.children = [widgets.Label(walk.phase_label(i)) for i in range(len(walk.steps))]
        self.table_frames.children = [widgets.HTML(self._table(i)) for i in range(len(walk.steps))]

    def _refresh_step(self):
        step = self.walk.steps[self.step]
        self.phase.value = self.walk.phase_label(self.step)
        if self.frames:
            for stack in self._frame_stacks():
                stack.selected_index = self.step
        else:
            self.graph.value = layout.svg_html(self.snapshot())
            self.equation.value = layout.equation_html(step, self.walk)
        self.table.value = self._table()

    def _table(self, step=None):
        """Every node at ``step`` (the current one by default): its value, the local derivative its
        consumer used, its gradient so far."""
        step = self.step if step is None else step
        state = self.walk.state(step)
        locals_ = {}
        for past in self.walk.steps[: step + 1]:
            locals_.update(past.local)
        rows, highlight = [], None
        for value in self.walk.graph.values:
            if value.role == "constant":
                continue
            if self._is_current(value, state.step):
                highlight = len(rows)
            computed = value.id in state.computed
            rows.append((value.name, layout.value_text(value.data if computed else None),
                         layout.value_text(locals_.get(value.id)) if value.requires_grad else "no grad",
                         layout.value_text(state.grads.get(value.id)) if value.requires_grad else "no grad"))
        header = ("node", "value", "local derivative", f"∂{self.walk.output.name}/∂node so far")
        return layout.table_html(header, rows, highlight)

    @staticmethod
    def _is_current(value, step):
        if step is None:
            return False
        if step.leaf is value:
            return True
        return step.operation is not None and step.operation.output is value

    def __repr__(self):
        return f"<widgets.Walkthrough of {html.escape(self.walk.output.name)} at step {self.step}>"
