"""One guard for every widget callback: nothing a student does can raise out of a widget.

A callback that raises inside a kernel does not stop anything visibly: its traceback goes to
JupyterLab's log console (a badge the student never opens) and the widget stays as it was,
so the click seems to do nothing. A :class:`Guard` runs each callback instead so that

* an exception never escapes: it is caught and said in plain words, inline, in the
  widget's own message area (where the student is looking);
* the last good state stays on screen (a callback computes first and only then replaces
  what is shown, so a failure half-way leaves the old picture);
* the next callback that succeeds clears the message, so no stale message stays;
* NumPy's floating-point complaints and other warnings never reach the log console
  (PyTorch prints nothing for 1/0 either); a warning is shown inline as a note instead.

::

    guard = Guard(message_widget)
    slider.observe(guard(self._on_input), names="value")
    button.on_click(guard(lambda _: self.step()))
"""

import functools
import warnings

import numpy as np

from ..i18n import N_
from ..i18n import gettext as _
from . import layout

_PLAIN_WORDS = {
    OverflowError: N_("a number got too big to compute"),
    ZeroDivisionError: N_("a division by zero"),
    RecursionError: N_("the formula is nested too deeply to compute"),
    MemoryError: N_("this needs more memory than the computer has"),
    FloatingPointError: N_("a number could not be computed"),
}


KEEP_STATE_NOTE = N_("the last good result is still shown")


def plain_words(error):
    """What went wrong, for a student: the message of a ValueError we wrote ourselves as it is,
    anything else as what happened in words, then Python's own type and message."""
    if isinstance(error, ValueError):
        return error.said() if hasattr(error, "said") else str(error)
    for kind, words in _PLAIN_WORDS.items():
        if isinstance(error, kind):
            return _("Could not compute this: {words} ({error}).").format(
                words=_(words), error=f"{type(error).__name__}: {error}")
    if isinstance(error, RuntimeError):
        return f"RuntimeError: {error}"
    return _("Something went wrong here ({error}).").format(error=f"{type(error).__name__}: {error}")


class Guard:
    """Wraps callbacks so that a failure is shown in ``message`` (an HTML widget) and never raised."""

    def __init__(self, message, keep_state_note=KEEP_STATE_NOTE):
        self.message = message
        self.note = keep_state_note
        self.failures = []  # the exceptions caught, newest last (tests and teachers can look)
        self._shown = None  # the message this guard put up (the widget's own messages are left alone)
        self._informed = False
        self._depth = 0  # a guarded callback that triggers another: only the outermost one reports

    def __call__(self, callback):
        @functools.wraps(callback)
        def guarded(*args, **kwargs):
            return self.run(callback, *args, **kwargs)

        return guarded

    def run(self, callback, *args, **kwargs):
        """Call ``callback``; show what went wrong instead of raising. Returns its result, or None."""
        if self._depth:  # inside another guarded callback: let it decide what the student sees
            return callback(*args, **kwargs)
        self._depth += 1
        try:
            return self._run_outermost(callback, *args, **kwargs)
        finally:
            self._depth -= 1

    def _run_outermost(self, callback, *args, **kwargs):
        self._informed = False
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            try:
                result = callback(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - this is the one place that must catch everything
                self.fail(error)
                return None
        self.succeed(caught)
        return result

    def fail(self, error):
        self.failures.append(error)
        self._show(layout.error_html(f"{plain_words(error)}\n({_(self.note)})"))

    def succeed(self, caught=()):
        """A callback worked: the guard's stale message goes (or a warning it raised is noted)."""
        notes = [str(w.message) for w in caught if not issubclass(w.category, (RuntimeWarning, DeprecationWarning))]
        if notes:
            self._show(note_html(_("Note: {note}").format(note=notes[0])))
        elif self._informed:
            pass  # the callback itself said something worth keeping (see inform)
        elif self._shown is not None and self.message.value == self._shown:
            self._show("")

    def inform(self, text):
        """A one-line note from inside a callback (not an error); the next success without one clears it."""
        self._informed = bool(text)
        if text:
            self._show(note_html(text))
        elif self._shown is not None and self.message.value == self._shown:
            self._show("")

    def _show(self, value):
        self.message.value = value
        self._shown = value or None


def not_finite_reason(arrays):
    """One line on why a value shows as ∞ or NaN (float32 arithmetic, as in PyTorch), or "" if all are finite."""
    flat = []
    for array in arrays:
        try:
            flat.append(np.asarray(array, dtype=float).ravel())
        except (TypeError, ValueError):  # not numbers (a preview of a big array, say): nothing to say
            continue
    values = np.concatenate(flat) if flat else np.zeros(0)
    if np.all(np.isfinite(values)):
        return ""
    if np.any(np.isnan(values)):
        return _("NaN (not a number) here means the arithmetic has no answer at this point, e.g. ∞ − ∞, 0 · ∞ "
                 "or the log of a negative number; PyTorch gives the same.")
    return _("∞ here is float32's infinity: a result too big for float32 (above about 3.4·10³⁸), or a limit "
             "such as ln 0 = −∞ or 1/0; PyTorch gives the same.")


def note_html(text):
    """A warning said inline, in grey: not an error, but worth knowing."""
    import html

    return f"<div class='minigrad-note' style='color:#555;margin:2px 0'>{html.escape(text)}</div>"
