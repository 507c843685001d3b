"""GradientLab: press the real API's buttons on y = x² at x = 2 and watch the graph and x.grad.

* ``backward()`` builds y = x**2 and calls y.backward(): x.grad grows 4, 8, 12 (it accumulates);
* ``x.grad.zero_()`` resets it to 0 (why training loops zero gradients);
* "inside no_grad()", "use x.detach()" and "x.requires_grad_(False)" each stop tracking, and the
  next backward() raises PyTorch's RuntimeError, shown with its real text;
* ``backward() again`` runs a second backward through the same graph, with or without
  ``retain_graph=True``: without it PyTorch (and minigrad) refuse.

Every press is written in the log as the line of code it ran.
"""

import html

import ipywidgets as widgets

from ... import no_grad
from ...creation import tensor
from .. import i18n, notation, viz
from ..i18n import N_
from ..i18n import gettext as _
from . import layout
from .guard import Guard

_AUTO_WIDTH = widgets.Layout(width="auto")


class GradientLab(widgets.VBox):
    """Buttons that run minigrad's real API on a small graph."""

    def __init__(self, x=2.0):
        super().__init__()
        self.x = tensor(float(x), requires_grad=True)
        self.x.name = "x"
        self.y = None
        self.backward_button = widgets.Button(description="backward()", button_style="primary", layout=_AUTO_WIDTH)
        self.again_button = widgets.Button(layout=_AUTO_WIDTH)
        self.zero_button = widgets.Button(description="x.grad.zero_()", layout=_AUTO_WIDTH)
        self.no_grad_toggle = widgets.ToggleButton(icon="ban", layout=_AUTO_WIDTH)
        self.detach_toggle = widgets.ToggleButton(icon="cut", layout=_AUTO_WIDTH)
        self.requires_grad_toggle = widgets.ToggleButton(description="x.requires_grad_(False)", icon="lock",
                                                         layout=_AUTO_WIDTH)
        self.retain_box = widgets.Checkbox(description="retain_graph=True", indent=False)
        self.grad_label = widgets.HTML()
        self.message = widgets.HTML()
        self.history = widgets.HTML()
        self.graph = layout.graph_box()
        self.lines = []
        self.guard = Guard(self.message, keep_state_note=N_("x and x.grad are as before"))
        self.language = layout.language_toggle()
        self.y_untracked_by = []  # the switches that were on when the y in memory was built
        self.backward_button.on_click(self.guard(lambda _: self.backward()))
        self.again_button.on_click(self.guard(lambda _: self.backward_again()))
        self.zero_button.on_click(self.guard(lambda _: self.zero_grad()))
        self.requires_grad_toggle.observe(self.guard(self._on_requires_grad), names="value")
        self.children = [
            layout.row([self.backward_button, self.zero_button, self.again_button, self.retain_box]),
            layout.row([self.no_grad_toggle, self.detach_toggle, self.requires_grad_toggle, self.language]),
            self.grad_label, self.message, self.graph, self.history,
        ]
        self._label()
        self._build_graph()
        self._show()
        i18n.on_change(self._on_language)

    def _label(self):
        """The words on the buttons, in the current language (the code on them stays code)."""
        self.again_button.description = _("backward() again (same graph)")
        self.no_grad_toggle.description = _("inside no_grad()")
        self.detach_toggle.description = _("use x.detach()")

    def _on_language(self):
        self._label()
        if self.message.value and self.lines and self.lines[-1][2]:  # the refusal on screen, explained again
            result = self.lines[-1][1]
            self.message.value = layout.error_html(result) + self._explain(result)
        self._write_log()
        self._show()

    # -------------------------------------------------------------------- actions
    def _build_graph(self):
        """y = x**2, built the way the toggles say."""
        self.y_untracked_by = self._toggles_on()  # the toggles themselves: their words change with the language
        if self.no_grad_toggle.value:
            with no_grad():
                self.y = self.x**2
            return "with torch.no_grad():\n    y = x ** 2"
        if self.detach_toggle.value:
            self.y = self.x.detach() ** 2
            return "y = x.detach() ** 2"
        self.y = self.x**2
        return "y = x ** 2"

    def backward(self):
        """Build a fresh graph and call backward() on it: the gradient accumulates into x.grad."""
        code = self._build_graph()
        retain = self.retain_box.value
        code += "\ny.backward(retain_graph=True)" if retain else "\ny.backward()"
        self._run(code, lambda: self._backward_through_y(retain))

    def backward_again(self):
        """A second backward() through the graph the last press built."""
        if self.y is None:
            self.backward()
            return
        retain = self.retain_box.value
        code = f"y.backward({'retain_graph=True' if retain else ''})   # " + _("the same y as before")
        self._run(code, lambda: self._backward_through_y(retain))

    def _backward_through_y(self, retain):
        self.y.backward(retain_graph=retain or None)

    def _toggles_on(self):
        return [toggle for toggle in (self.no_grad_toggle, self.detach_toggle, self.requires_grad_toggle)
                if toggle.value]

    def switches_on(self):
        """The names of the stop-tracking switches that are on, as the buttons say them."""
        return [toggle.description for toggle in (self.no_grad_toggle, self.detach_toggle, self.requires_grad_toggle)
                if toggle.value]

    def zero_grad(self):
        if self.x.grad is None:
            self._write("x.grad.zero_()", _("x.grad is None: there is nothing to zero yet"), error=True)
            return
        self._run("x.grad.zero_()", self.x.grad.zero_)

    def _on_requires_grad(self, change):
        self.x.requires_grad_(not change["new"])
        self._write(f"x.requires_grad_({not change['new']})",
                    _("x.requires_grad is now {value}").format(value=self.x.requires_grad))
        self._show()

    def _run(self, code, action):
        try:
            action()
        except RuntimeError as error:  # PyTorch's own refusals: part of the lesson, said in the log
            self._write(code, f"RuntimeError: {error}", error=True)
        else:
            self._write(code, f"x.grad = {self._grad_text()}")
        self._show()

    # -------------------------------------------------------------------- display
    def _explain(self, message):
        """Why PyTorch refused, and what to do now: words that are true in the state the lab is in."""
        if "does not require grad" in message:
            reason = self._why_untracked()
        elif "second time" in message:
            reason = _("backward() frees the values the graph saved (here x, for ∂y/∂x = 2x).") + " "
            if self.retain_box.value:
                reason += _("The last backward() ran without retain_graph=True, so they are gone already: "
                            "press backward() to build the graph again; with the box ticked it then survives "
                            "backward() again.")
            else:
                reason += _("Tick retain_graph=True to keep them, or build the graph again with backward().")
        else:
            reason = ""
        return f"<div style='color:#444'>{html.escape(reason)}</div>" if reason else ""

    def _why_untracked(self):
        built_by = self.y_untracked_by
        if not built_by:
            return _("y has no grad_fn: it was computed without tracking.")
        names = _(" and ").join(f"“{toggle.description}”" for toggle in built_by)
        still_on = [toggle for toggle in built_by if toggle.value]
        reason = _("y has no grad_fn: it was computed with {names} on, so backward() has no graph to follow.").format(
            names=names) + " "
        if still_on:
            if len(still_on) == 1:
                return reason + _("Turn it off, then press backward() again.")
            return reason + _("Turn them off, then press backward() again.")
        if self.switches_on():
            return reason + _("Turn every stop-tracking switch off, then press backward() again.")
        return reason + _("The switches are off now: press backward() to build a new y with tracking.")

    def _grad_text(self):
        grad = self.x.grad
        return "None" if grad is None else notation.format_number(grad.item())

    def _write(self, code, result, error=False):
        self.lines.append((code, result, error))
        friendly = self._explain(result) if error else ""
        self.message.value = layout.error_html(result) + friendly if error else ""
        self._write_log()

    def _write_log(self):
        entries = "".join(
            f"<pre style='margin:2px 0'>&gt;&gt;&gt; {html.escape(c)}\n"
            f"<span style='color:{'#b00020' if e else '#2e7d32'}'>{html.escape(r)}</span></pre>"
            for c, r, e in self.lines[-8:])
        self.history.value = f"<div class='minigrad-log'>{entries}</div>"

    def _show(self):
        self.grad_label.value = (f"<div class='minigrad-grad' style='font-size:18px'>x = "
                                 f"{notation.format_number(self.x.item())}, x.requires_grad = "
                                 f"{self.x.requires_grad}, <b>x.grad = {self._grad_text()}</b></div>")
        target = self.y if self.y is not None and self.y.requires_grad else None
        if target is None:
            self.graph.value = ("<p style='padding:1em'>" + html.escape(_(
                "No graph: y was computed without tracking (y.grad_fn is None), so there is nothing for "
                "backward() to follow.")) + "</p>")
        else:
            self.graph.value = layout.svg_html(viz.to_svg(viz.draw(target, view="autograd", show_saved=True)))
