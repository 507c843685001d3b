"""The Walkthrough explorer: sliders for the inputs, then the forward and backward passes, step by step.

::

    Walkthrough("exp(sin(x**2))", x=(-3, 3, 0.01, 2.0))
    Walkthrough(lambda x: (x ** 2).mean(), x=[1.0, 2.0, 3.0])   # a vector: walked as one node, no slider

An input's spec is a slider's tuple ``(min, max, step[, start])`` or a number (a slider starting
there), or a vector start value (a list, a NumPy array or a tensor): the input is then one vector
node, drawn and tabled with all its values, and gets no slider (its value is written in its place).

Steps are numbered 1 to N, forward pass then backward pass, the same way everywhere a student
looks: the step slider shows the number, the label beside it says where in its pass the step is
("Backward 2 / 4" at step 5 of a walkthrough with 3 forward steps), and ``snapshot(5)`` is the
picture the slider shows at 5. (``walk.walk.steps`` is a Python list: ``steps[0]`` is step 1.)

Top to bottom: the expression box (for text) and one slider per input, the step controls
(Play, Previous, Next, Reset, the step slider, the phase label and the Present toggle), the
speed and the view, the graph at the current step, the equation of the step, and a table of
every node. Controls, graph and equation fit one screen (720 px); the equation area is as tall
as the walkthrough's tallest step, so stepping never moves the page.

**Present mode** (the *Present* toggle; on by default when ``MINIGRAD_PRESENT=1``, which
``make present`` sets): the compact drawing at 1.7 × its size (labels 25 px), the equation at
30 px, and only the inputs and the step controls; ← / → on the focused step slider still step.

**Guess mode** (``guess=True``, or the *Guess* toggle): each step's new numbers (the forward
value; then each local derivative and each gradient so far) are "?" in the drawing, the equation
and the table until the student types a guess in the box under the equation (Enter or *Check*):
right → shown, with praise; wrong → a hint (the step's formula with its numbers, in words) and a
second try; then shown. *Show me* shows it without a guess. The score counts the steps whose every
number was guessed ("5 of 7 steps guessed"). In Present mode the box is the class poll: the
teacher types the room's answer, at 22 px. ``guess("0.67, 1.33, 2")`` does what typing does.
(The logic is ``guess.GuessSession``.)

``frames=True`` precomputes every step's drawing and equation and switches between them
in the browser (``jslink``), so stepping keeps working in a saved notebook with no kernel.
When an input moves, the current step's drawing is made first and sent at once; the other
frames follow 0.15 s later, one at a time, when the kernel is idle (so the picture keeps up with
the slider, and a slider dragged along redraws only the step shown); a step the student moves to
before its frame is redrawn is drawn at once.
"""

import asyncio
import html
import inspect
import os

import ipywidgets as widgets
import numpy as np

from .. import expr, i18n, trace, viz
from ..i18n import N_
from ..i18n import gettext as _
from . import layout
from .from_code import Cell, CellStopped, describe
from .guard import Guard, not_finite_reason

LATE_TEXT_S = 2.0  # guess mode: text arriving this soon after a click on Check was typed before it
LATER_FRAMES_DELAY_S = 0.15  # frames=True: the other frames start this long after the current one is sent
PRESENT_FIT = (690, 270)  # CSS px at natural size: × PRESENT_SCALE fills 1280 × 720 with room for the equation
PRESENT_GUESS_FIT = (690, 230)  # guess mode in Present mode: lower, for the guess row under the equation
PRESENT_GUESS_GRAPH_PX, PRESENT_GUESS_MIN_SCALE = 380, 1.25  # and a tall drawing shown at most 380 px tall


def present_by_default():
    """``make present`` sets MINIGRAD_PRESENT=1: the walkthroughs start in Present mode."""
    return os.environ.get("MINIGRAD_PRESENT", "").strip() == "1"


class Walkthrough(widgets.VBox):
    """One cell, one widget: a live walkthrough of a function (text or a Python callable)."""

    def __init__(self, source, frames=False, expression_box=None, view="expression", show_saved=False,
                 constants=(), interval=1200, present=None, guess=False, **inputs):
        super().__init__(layout=widgets.Layout(width="100%"))
        self.add_class("minigrad-walkthrough")
        self.frames = frames
        self.constants = tuple(constants)
        self.function = expr.parse(source) if isinstance(source, str) else source
        self.specs = dict(inputs)
        self._generation = 0  # bumped on every new walkthrough: a frame job of an older one stops
        self._stale_frames = set()  # frames=True: the steps whose frames still show the inputs before a move
        self._build_controls(source, expression_box, view, show_saved, interval,
                             present_by_default() if present is None else present)
        self._build_guess_panel(guess)
        self._rebuild_sliders()
        self.walk = self._run()
        self._label_controls()
        self._refresh_all(keep_step=False)
        i18n.on_change(self._on_language)

    def _label_controls(self):
        """The words on the controls, in the current language (English | Hinglish: ``i18n``)."""
        self.previous_button.description = _("◀ Previous")
        self.next_button.description = _("Next ▶")
        self.present.tooltip = _("Present mode: big graph and equation, fewer controls")
        self.guess_toggle.tooltip = _("Guess mode: type each new number before it is shown")
        self.guess_box.placeholder = _("your guess")
        self.check_button.description = _("Check")
        self.show_button.description = _("Show me")
        self.show_button.tooltip = _("Show this number without a guess")

    def _on_language(self):
        """Every word on screen again in the language just chosen (the numbers and the layout stay)."""
        self._label_controls()
        self.guard.run(self._refresh_all, keep_step=True)

    @classmethod
    def from_code(cls, code, target=None, namespace=None, filename=None, first_line=1, **options):
        """The walkthrough of a cell of PyTorch code, with its own names (what ``%%walkthrough`` shows).

        ``namespace``: the variables the cell can see, and where the ones it assigns are left (a notebook's;
        ``None``: a fresh one). ``filename`` and ``first_line`` say where the code comes from, for tracebacks
        (the magic passes the notebook cell's, so that lines match). ``options`` go to the widget
        (``frames=True``, ``view="autograd"``, ...); see ``from_code``'s docstring for what happens.
        """
        cell = Cell(code, target=target, namespace=namespace, filename=filename, first_line=first_line,
                    reserved=WIDGET_OPTIONS)
        cell.prepare()
        return CodeWalkthrough(cell, **options)

    # -------------------------------------------------------------------- building
    def _build_controls(self, source, expression_box, view, show_saved, interval, present):
        self.show_box = isinstance(source, str) if expression_box is None else expression_box
        self.expression = widgets.Text(value=source if isinstance(source, str) else "", description="f =",
                                       continuous_update=False, layout=widgets.Layout(width="300px"))
        self.expression_error = widgets.HTML()
        self.guard = Guard(self.expression_error)  # every callback below: a failure is said here, never raised
        self.expression.observe(self.guard(self._on_expression), names="value")
        self.expression_row = widgets.VBox([self.expression, self.expression_error])
        self.sliders_box = layout.row([])
        self.sliders = {}

        self.play = widgets.Play(value=1, min=1, max=1, step=1, interval=interval, description="Play")
        self.speed = widgets.IntSlider(value=interval, min=200, max=3000, step=100, description="ms / step",
                                       layout=widgets.Layout(width="250px"))
        self.previous_button = widgets.Button(description="◀ Previous", layout=widgets.Layout(width="100px"))
        self.next_button = widgets.Button(description="Next ▶", layout=widgets.Layout(width="90px"))
        self.reset_button = widgets.Button(description="⟲ Reset", layout=widgets.Layout(width="80px"))
        self.step_slider = widgets.IntSlider(value=1, min=1, max=1, description="step",  # numbered from 1
                                             layout=widgets.Layout(width="185px"),
                                             style={"description_width": "35px"})
        self.phase = widgets.Label(layout=widgets.Layout(width="120px"))
        self.present = widgets.ToggleButton(value=present, description="Present", icon="desktop",
                                            tooltip="Present mode: big graph and equation, fewer controls",
                                            layout=widgets.Layout(width="95px"))
        self.previous_button.on_click(self.guard(lambda _: self._move(-1)))
        self.next_button.on_click(self.guard(lambda _: self._move(+1)))
        self.reset_button.on_click(self.guard(lambda _: self._set_step(1)))
        self.links = [self._link((self.play, "value"), (self.step_slider, "value")),
                      self._link((self.speed, "value"), (self.play, "interval"))]
        self.step_slider.observe(self.guard(lambda change: self._refresh_step()), names="value")
        self.present.observe(self.guard(lambda change: self._on_present()), names="value")

        self.view = widgets.ToggleButtons(options=[("Expression graph", "expression"), ("Autograd graph", "autograd")],
                                          value=view, style={"button_width": "140px"})
        self.saved = widgets.Checkbox(value=show_saved, description="saved tensors", indent=False,
                                      layout=widgets.Layout(width="130px"))
        self.view.observe(self.guard(lambda change: self._refresh_all(keep_step=True)), names="value")
        self.saved.observe(self.guard(lambda change: self._refresh_all(keep_step=True)), names="value")

        self.graph = layout.graph_box()
        self.equation = widgets.HTMLMath()
        self.equation.add_class("minigrad-step-equation")  # the step's own (the sizer beside it is invisible)
        self.equation_sizer = widgets.HTMLMath()  # every step, invisible: the area's one height
        self.table = widgets.HTML()
        if self.frames:  # every step drawn in advance; the browser switches frames itself: no kernel needed
            self.graph_frames = widgets.Stack(layout=widgets.Layout(width="100%"))
            self.equation_frames, self.phase_frames = widgets.Stack(), widgets.Stack()
            self.table_frames = widgets.Stack()  # the node table too, so that it follows Play on a saved page
            # the slider's number is the frame's index: each stack's index 0 holds an empty box, never shown
            self.links += [widgets.jslink((self.step_slider, "value"), (stack, "selected_index"))
                           for stack in self._frame_stacks()]
        self.table_view = self.table_frames if self.frames else self.table
        self.phase_view = self.phase_frames if self.frames else self.phase
        equation = layout.overlay([self.equation_sizer, self.equation_frames if self.frames else self.equation],
                                  "minigrad-equation")

        self.inputs_row = layout.row([self.expression_row, self.sliders_box])
        self.guess_toggle = widgets.ToggleButton(value=False, description="Guess", icon="question",
                                                 tooltip="Guess mode: type each new number before it is shown",
                                                 layout=widgets.Layout(width="90px"))
        self.step_row = layout.row([self.play, self.previous_button, self.next_button, self.reset_button,
                                    self.step_slider, self.phase_view, self.present, self.guess_toggle])
        self.language = layout.language_toggle()  # English | Hinglish, for every widget on the page
        self.options_row = layout.row([self.speed, self.view, self.saved, self.language])
        self.guess_panel = widgets.VBox(layout=widgets.Layout(width="100%"))
        self.children = [self.inputs_row, self.step_row, self.options_row,
                         self.graph_frames if self.frames else self.graph, equation, self.guess_panel,
                         self.table_view]

    def _frame_stacks(self):
        return self.graph_frames, self.equation_frames, self.phase_frames, self.table_frames

    def _link(self, source, target):
        return (widgets.jslink if self.frames else widgets.link)(source, target)

    def _rebuild_sliders(self):
        """One slider per parameter: keep the ones whose names survive, make new ones for the rest.

        A vector start value (``x=[1.0, 2.0, 3.0]``) gets no slider: its value is written where the
        slider would be. Data given as a value (a name in ``constants``) gets neither."""
        names = trace.parameter_names(self.function)
        sliders, shown = {}, []
        for name in names:
            if name in self.sliders:
                sliders[name] = shown_slider = self.sliders[name]
                shown.append(shown_slider)
                continue
            spec = self.specs.get(name, 1.0)
            if self._is_fixed(name):
                if layout.is_vector(spec) and name not in self.constants:
                    shown.append(self._vector_label(name, spec))
                continue  # a vector, or data given as a value: no slider
            slider = layout.float_slider(name, spec)
            slider.layout.width = "300px"
            slider.observe(self.guard(lambda change: self._on_input()), names="value")
            sliders[name] = slider
            shown.append(slider)
        self.sliders = sliders
        self.sliders_box.children = shown

    def _vector_label(self, name, spec):
        label = widgets.HTML(layout.vector_html(name, spec, self._vector_px()))
        label.vector = (name, spec)  # (Present mode writes it again, larger)
        return label

    def _vector_px(self):
        return layout.PRESENT_GUESS_PX if self.present.value else 14

    def _is_fixed(self, name):
        """An input walked at the value given, with no slider: a vector, or a constant not given as a range."""
        spec = self.specs.get(name, 1.0)
        return layout.is_vector(spec) or (name in self.constants and not isinstance(spec, tuple))

    # -------------------------------------------------------------------- running
    def input_values(self, function=None):
        """The value of each parameter: its slider's, else its start value (1.0 for a new name)."""
        return {name: self.sliders[name].value if name in self.sliders else self._start_value(name)
                for name in trace.parameter_names(function or self.function)}

    def _start_value(self, name):
        spec = self.specs.get(name, 1.0)
        if layout.is_vector(spec):
            return layout.vector_value(spec)  # a vector node: walked as given
        if name in self.constants and not isinstance(spec, tuple):
            return spec  # data (a number) is used as given
        return layout.slider_spec(spec)[3]

    def _run(self):
        return trace.Walkthrough.run(self.function, constants=self.constants, **self.input_values())

    # -------------------------------------------------------------------- guess mode
    def _build_guess_panel(self, guess):
        """The guess row (under the equation): what is asked, a box, Check, Show me, the score; the verdict
        under it. Shown in guess mode only."""
        self.guess_prompt = widgets.HTML(layout=widgets.Layout(margin="0 6px 0 0"))
        self.guess_prompt.add_class("minigrad-guess-prompt")
        self.guess_box = widgets.Text(placeholder="your guess", continuous_update=False,
                                      layout=widgets.Layout(width="200px"))
        self.guess_box.add_class("minigrad-guess-box")
        self.check_button = widgets.Button(description="Check", button_style="info",
                                           layout=widgets.Layout(width="80px"))
        self.show_button = widgets.Button(description="Show me", tooltip="Show this number without a guess",
                                          layout=widgets.Layout(width="90px"))
        self.guess_score = widgets.HTML(layout=widgets.Layout(margin="0 0 0 10px"))
        self.guess_score.add_class("minigrad-guess-score")
        self.guess_verdict = widgets.HTML()
        self.guess_verdict.add_class("minigrad-guess-verdict")
        self.guess_guard = Guard(self.guess_verdict, keep_state_note=N_("type your guess again"))
        self.guess_row = layout.row([self.guess_prompt, self.guess_box, self.check_button, self.show_button,
                                     self.guess_score])
        self.guess_panel.children = [self.guess_row, self.guess_verdict]
        self.guess_session = None  # a GuessSession of the walkthrough shown, made when guess mode is on
        self._guess_fits = {}  # the steps' titles, view, saved -> Present mode's fit in guess mode
        self._judged_at = None  # when the last guess was judged (a click arriving just after it is its own)
        self._clicked_at = None  # when Check was last clicked (text arriving just after it was typed before it)
        self._clearing = False
        self.guess_box.observe(self.guess_guard(self._on_guess_text), names="value")
        self.guess_box.on_msg(self.guess_guard(self._on_guess_submit))
        self.check_button.on_click(self.guess_guard(lambda _: self._on_check()))
        self.show_button.on_click(self.guess_guard(lambda _: self._on_show()))
        self.guess_toggle.value = bool(guess)
        self.guess_toggle.observe(self.guard(lambda change: self._on_guess_toggle()), names="value")

    @property
    def guessing(self):
        """True in guess mode."""
        return self.guess_toggle.value

    def _session(self):
        """The guesses of the walkthrough shown (a new walkthrough, new inputs: a new session)."""
        from .guess import GuessSession

        if self.guess_session is None or self.guess_session.walk is not self.walk:
            self.guess_session = GuessSession(self.walk, room=self.present.value)
        self.guess_session.room = self.present.value
        return self.guess_session

    def _hidden(self, index):
        """The numbers of ``walk.steps[index]`` still "?" (guess mode), as ``{(kind, value id)}``."""
        return self._session().hidden(index) if self.guessing else set()

    def _on_guess_toggle(self):
        self._refresh_all(keep_step=True)

    def guess(self, text):
        """Judge ``text`` as the guess for the number asked at the step shown (what Check does); the Verdict."""
        index = self._index(self.step)
        session = self._session()
        verdict = session.answer(index, text)
        self._show_verdict(index, verdict)
        return verdict

    def _on_guess_text(self, change):
        """Text sent by the box (Enter, or the box losing focus: a click on Check) is judged as it arrives. The
        browser may send it after the click (``check.py`` tells why): an emptied box arriving just after a
        click is judged too (the click was about it: "type your guess first")."""
        import time

        if self._clearing or not self.guessing:
            return
        if change["new"].strip():
            self.guess(change["new"])
            self.guess_box.focus()  # ready for the next guess (Enter made it let go, see _on_guess_submit)
        elif self._clicked_at is not None and time.monotonic() - self._clicked_at < LATE_TEXT_S:
            self.guess("")

    def _on_guess_submit(self, box, content, buffers):
        """Enter in the box. JupyterLab sends the typed text with it; the browser site (JupyterLite) sends it
        only when the box loses focus, so the box is told to let go (the text then arrives and is judged, and
        the box gets the focus back)."""
        if content.get("event") == "submit":
            self.guess_box.blur()

    def _on_check(self):
        import time

        self._clicked_at = time.monotonic()
        text = self.guess_box.value
        if not text.strip() and self._judged_at is not None and time.monotonic() - self._judged_at < LATE_TEXT_S:
            return  # the guess typed before this click was judged as it arrived (Enter, or the box lost focus)
        self.guess(text)

    def _on_show(self):
        index = self._index(self.step)
        self._show_verdict(index, self._session().reveal(index))

    def _show_verdict(self, index, verdict):
        import time

        if verdict.kind != "odd":
            self._judged_at = time.monotonic()
            self._clicked_at = None  # the click, if any, has had its verdict
            self._clearing = True
            try:
                self.guess_box.value = ""  # ready for the next guess (a second try may be the same text)
            finally:
                self._clearing = False
        colour = {"right": "#1b5e20", "wrong": "#7a4a00", "revealed": "#1a237e", "odd": "#555"}[verdict.kind]
        self.guess_verdict.value = (f"<div class='minigrad-guess-{verdict.kind}' style='color:{colour};"
                                    f"{self._guess_font()}'>{html.escape(verdict.message)}</div>")
        if verdict.kind in ("right", "revealed"):  # a number is shown now: draw the step again
            if self.frames:
                self._draw_frame(index)
            else:
                self._refresh_step(keep_verdict=True)
            self._update_guess_panel(index)
        else:
            self._update_guess_panel(index)

    def _guess_font(self):
        return f"font-size:{layout.PRESENT_GUESS_PX}px;line-height:1.3" if self.present.value else "font-size:14px"

    def _update_guess_panel(self, index):
        """The question asked at ``walk.steps[index]`` and the score; hidden outside guess mode."""
        self.guess_panel.layout.display = layout.SHOWN if self.guessing else "none"
        self.play.layout.display = "none" if self.guessing else layout.SHOWN  # Play would step past the questions
        if not self.guessing:
            return
        session = self._session()
        question = session.current(index)
        font = self._guess_font()
        if question is None:
            more = _("Press Next ▶ for the next step.") if index + 1 < len(self.walk.steps) else \
                _("That was the last step.")
            prompt = html.escape(_("All of this step's numbers are shown.") + " " + more)
        else:
            who = _("The room's answer for") if session.room else _("Your guess:")
            prompt = f"{html.escape(who)} <b>{html.escape(question.label)} = ?</b>"
            if question.size > 1:
                prompt += " <span style='color:#555'>" + html.escape(_("({count} numbers, commas between)").format(
                    count=question.size)) + "</span>"
        self.guess_prompt.value = f"<span style='{font}'>{prompt}</span>"
        for control in (self.guess_box, self.check_button, self.show_button):  # nothing to guess: not shown
            control.layout.display = "none" if question is None else layout.SHOWN
        size = f"{layout.PRESENT_GUESS_PX}px" if self.present.value else "14px"  # (JupyterLab's own: 13 px)
        self.guess_box.style.font_size = size
        self.check_button.style.font_size = self.show_button.style.font_size = size
        self.guess_box.layout.width = "260px" if self.present.value else "200px"
        self.check_button.layout.width = "110px" if self.present.value else "80px"
        self.show_button.layout.width = "130px" if self.present.value else "90px"
        self.guess_score.value = f"<span style='{font};color:#333'>{html.escape(session.score_text())}</span>"

    def _on_input(self):
        self.walk = self._run()
        self._refresh_all(keep_step=True, inputs_moved=True)

    def _on_expression(self, change):
        """A new expression: parse it, run it, and only then replace the walkthrough on screen."""
        try:
            function = expr.parse(change["new"])
            walk = trace.Walkthrough.run(function, constants=self.constants, **self.input_values(function))
        except ValueError as error:
            self.expression_error.value = layout.error_html(error.said() if hasattr(error, "said") else str(error))
            return  # the last good walkthrough stays on screen
        self.expression_error.value = ""
        self.function, self.walk = function, walk
        self._rebuild_sliders()
        self._refresh_all(keep_step=False)

    def _on_present(self):
        self._refresh_all(keep_step=True)

    # -------------------------------------------------------------------- stepping
    @property
    def step(self):
        """The step shown, numbered from 1 as on the step slider."""
        return self.step_slider.value

    def _index(self, step):
        """Step ``step`` (from 1) as an index into ``walk.steps`` (from 0); a clear error out of range."""
        count = len(self.walk.steps)
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= count:
            raise IndexError(f"step {step!r} is out of range: this walkthrough's steps are numbered 1 to {count}, "
                             "as on its step slider")
        return int(step) - 1

    def _set_step(self, step):
        self.step_slider.value = int(np.clip(step, 1, len(self.walk.steps)))

    def _move(self, delta):
        self._set_step(self.step + delta)

    # -------------------------------------------------------------------- drawing
    def _draw(self, index):
        """The drawing of ``walk.steps[index]`` (step ``index + 1``: ``viz.draw`` numbers steps from 1); in
        guess mode, the numbers not yet guessed are "?"."""
        hide = self._hidden(index)
        if self.present.value:  # the compact drawing, sized to fill a projector at PRESENT_SCALE; a vector
            # by its first value (a batch's boxes are then narrow enough for one screen, the table is hidden)
            return viz.draw(self.walk, step=index + 1, view=self.view.value, show_saved=self.saved.value,
                            legend=False, compact=True if self.view.value == "expression" else None,
                            fit=self._present_fit(), short_vectors=True, hide=hide)
        return viz.draw(self.walk, step=index + 1, view=self.view.value, show_saved=self.saved.value, hide=hide)

    def _present_fit(self):
        """Present mode's room for the drawing: lower in guess mode (the guess row is under the equation), unless
        the drawing would then only fit far wider than the screen (07's hand-written BCE: 2565 px): then the
        usual room (the guess row still fits, the drawing scrolls no sideways)."""
        if not self.guessing:
            return PRESENT_FIT
        key = (tuple(step.title for step in self.walk.steps), self.view.value, self.saved.value)
        if key not in self._guess_fits:
            lower = viz.draw(self.walk, step=1, view=self.view.value, show_saved=self.saved.value, legend=False,
                             compact=True if self.view.value == "expression" else None, fit=PRESENT_GUESS_FIT,
                             short_vectors=True)
            width = viz.natural_size(viz.to_svg(lower))[0]
            self._guess_fits[key] = PRESENT_GUESS_FIT if width <= PRESENT_FIT[0] * viz.WRAP_SLACK else PRESENT_FIT
        return self._guess_fits[key]

    def _equation_html(self, index):
        """The step's equation; in guess mode, with its new numbers as "?" until they are guessed."""
        step = self.walk.steps[index]
        if self._hidden(index):
            return layout.equation_html(step, self.walk, self._equation_px(), question=True)
        return layout.equation_html(step, self.walk, self._equation_px())

    def snapshot(self, step=None):
        """The SVG of the graph at ``step`` (numbered from 1, as on the step slider; the step shown by
        default), for a static picture: ``SVG(walk.snapshot(5))``; ``snapshot(len(walk.walk.steps))``
        is the last step.

        Laid out to fit a notebook column at its natural size, labels 11 pt = 14.7 px.
        """
        return self._svg(self._index(self.step if step is None else step))

    def _svg(self, index):
        return viz.to_svg(self._draw(index))

    def _graph_html(self, index):
        svg = self._svg(index)
        scale = layout.PRESENT_SCALE if self.present.value else 1.0
        if self.present.value and self.guessing:  # the guess row under the equation needs room: a tall drawing
            # (07's neuron by hand, 3 rows) is shown at most PRESENT_GUESS_GRAPH_PX tall, its labels >= 18 px;
            # its size is the structure's, the same at every step (the page stays still)
            height = viz.natural_size(svg)[1]
            scale = min(scale, max(PRESENT_GUESS_MIN_SCALE, PRESENT_GUESS_GRAPH_PX / height))
        return layout.svg_html(svg, scale=scale)

    def _equation_px(self):
        return layout.PRESENT_EQUATION_PX if self.present.value else None

    def _refresh_all(self, keep_step, inputs_moved=False):
        count = len(self.walk.steps)
        step = min(self.step, count) if keep_step else 1
        self._generation += 1
        self._show_present_mode()
        with self.hold_sync():  # the picture is sent first: the browser shows it before typesetting maths
            self.step_slider.max = self.play.max = count
            if self.frames:
                self._build_frames(step - 1, later=inputs_moved)
            self._style_phase_labels()
            self.step_slider.value = step
            self._refresh_step()
            if not inputs_moved:  # same structure, same heights: the sizer's maths is not typeset again
                self.equation_sizer.value = layout.equation_sizer_html(self.walk, self._equation_px())
        self.guard.inform(not_finite_reason(value.data for value in self.walk.graph.values))  # ∞ is not an error

    def _show_present_mode(self):
        hidden = "none" if self.present.value else layout.SHOWN
        for label in self.sliders_box.children:  # a vector's values, read from the back of the room too
            if hasattr(label, "vector"):
                label.value = layout.vector_html(*label.vector, self._vector_px())
        self.options_row.layout.display = hidden
        self.table_view.layout.display = hidden
        # the box hides, its message does not: a failure is said where the student is looking
        self.expression.layout.display = "none" if self.present.value or not self.show_box else layout.SHOWN

    def _style_phase_labels(self):
        """"Forward 3 / 11" is how a room knows where the walkthrough is: in Present mode, big and bold."""
        for label in self.phase_frames.children[1:] if self.frames else [self.phase]:
            label.style.font_size = layout.PRESENT_PHASE_FONT if self.present.value else layout.SHOWN
            label.style.font_weight = "bold" if self.present.value else layout.SHOWN
        self.phase_view.layout.width = "190px" if self.present.value else (layout.SHOWN if self.frames else "120px")

    def _build_frames(self, current, later):
        """Every step's drawing and equation; with ``later``, all but the ``current`` step's are made
        after this callback returns (one step per turn of the kernel's event loop), so the picture
        the student is looking at changes at once."""
        count = len(self.walk.steps)
        if len(self.graph_frames.children) != count + 1:  # a new structure: new frames (else: updated in place)
            # index 0 of each stack is an empty box: a stack's index is the step slider's number, from 1
            self.graph_frames.children = [widgets.Box()] + [widgets.HTML(layout=widgets.Layout(width="100%"))
                                                            for _ in range(count)]
            self.equation_frames.children = [widgets.Box()] + [widgets.HTMLMath() for _ in range(count)]
            for frame in self.equation_frames.children[1:]:
                frame.add_class("minigrad-step-equation")
            self.phase_frames.children = [widgets.Box()] + [widgets.Label() for _ in range(count)]
            self.table_frames.children = [widgets.Box()] + [widgets.HTML() for _ in range(count)]
        self._draw_frame(current)
        for index in range(count):
            self.frame(self.phase_frames, index).value = self.walk.phase_label(index)
        rest = [i for i in range(count) if i != current]
        loop = _running_loop() if later else None
        if loop is None:
            for index in rest:
                self._draw_frame(index)
        else:
            self._stale_frames = set(rest)
            # not at once: the current picture is still on its way (kernel -> server -> browser, each waiting for
            # a core on a busy machine); drawing and sending a dozen more frames meanwhile would slow it down
            loop.call_later(LATER_FRAMES_DELAY_S, self._draw_frames_later, self._generation, rest, loop)

    @property
    def frames_drawn(self):
        """The drawings made in advance (``frames=True``), one per step, in step order."""
        return self.graph_frames.children[1:] if self.frames else ()

    @staticmethod
    def frame(stack, index):
        """The frame of ``walk.steps[index]`` in one of the frame stacks (step ``index + 1``)."""
        return stack.children[index + 1]

    def _draw_frame(self, index):
        self._stale_frames.discard(index)
        self.frame(self.graph_frames, index).value = self._graph_html(index)
        self.frame(self.equation_frames, index).value = self._equation_html(index)
        self.frame(self.table_frames, index).value = self._table(index)

    def _draw_frames_later(self, generation, indices, loop):
        """One frame, then the next on a later turn; stops if a newer walkthrough replaced this one."""
        if generation != self._generation or not indices:
            return
        index, rest = indices[0], indices[1:]
        try:
            if index in self._stale_frames:  # (not drawn already because the student stepped to it)
                self._draw_frame(index)
        except Exception as error:  # noqa: BLE001 - a callback of the event loop: never let it escape
            self.frame(self.graph_frames, index).value = layout.error_html(
                _("could not draw step {step}: {error}").format(step=index + 1, error=error))
        if rest:
            loop.call_soon(self._draw_frames_later, generation, rest, loop)

    def _refresh_step(self, keep_verdict=False):
        index = self._index(self.step)
        self.phase.value = self.walk.phase_label(index)
        if self.frames:
            if index in self._stale_frames:  # stepped to a frame not yet redrawn for the inputs: draw it now
                self._draw_frame(index)
            for stack in self._frame_stacks():
                stack.selected_index = self.step
        else:
            self.graph.value = self._graph_html(index)
            self.equation.value = self._equation_html(index)
        if not self.present.value and not self.frames:
            self.table.value = self._table(index)
        if not keep_verdict:
            self.guess_verdict.value = ""  # a verdict is about the step it was given at
        self._update_guess_panel(index)

    def _table(self, index):
        """Every node at ``walk.steps[index]``: its value, the local derivative its consumer used, its
        gradient so far."""
        state = self.walk.state(index)
        hidden = self._hidden(index)
        locals_ = {}
        for past in self.walk.steps[: index + 1]:
            locals_.update(past.local)
        rows, highlight = [], None
        for value in self.walk.graph.values:
            if value.role == "constant":
                continue
            if self._is_current(value, state.step):
                highlight = len(rows)
            computed = value.id in state.computed
            rows.append((value.name, "?" if ("value", value.id) in hidden else layout.value_text(
                             value.data if computed else None),
                         ("?" if ("local", value.id) in hidden else layout.value_text(locals_.get(value.id)))
                         if value.requires_grad else _("no grad"),
                         ("?" if ("grad", value.id) in hidden else layout.value_text(state.grads.get(value.id)))
                         if value.requires_grad else _("no grad")))
        header = (_("node"), _("value"), _("local derivative"),
                  _("{gradient} so far").format(gradient=f"∂{self.walk.output.name}/∂node"))
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


def _running_loop():
    """The kernel's event loop when called from a widget callback (None in a plain script or test)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


WIDGET_OPTIONS = tuple(inspect.signature(Walkthrough).parameters)  # frames, view, ...: never a slider's name


class CodeWalkthrough(Walkthrough):
    """The Walkthrough widget over a cell of code: one slider per number the cell made a tensor from."""

    def __init__(self, cell, **options):
        self.cell = cell
        super().__init__(cell, expression_box=False, **options, **cell.slider_specs())

    def _on_input(self):
        """A slider moved: run the cell again. If it fails at these numbers the widget's guard says so,
        inline (with the cell's line), and the last drawing stays."""
        try:
            super()._on_input()
        except Exception as error:
            values = ", ".join(f"{name} = {slider.value:.2f}" for name, slider in self.sliders.items())
            raise CellStopped(_("At {values} the cell stopped: {why}").format(
                values=values, why=describe(error, self.cell.filename))) from error

    def __repr__(self):
        return f"<widgets.Walkthrough of {self.walk.output.name} (your code) at step {self.step}>"
