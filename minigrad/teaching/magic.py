"""The IPython extension: ``%load_ext minigrad``, then ``%%walkthrough`` over a cell of your own code.

::

    %load_ext minigrad

    %%walkthrough loss
    import torch
    w = torch.tensor(1.0, requires_grad=True)
    ...
    loss = binary_cross_entropy_loss(y_pred, y)

The cell runs as a normal cell would (its prints show, its variables are set), with
``import torch`` giving minigrad for the cell only, and below it comes the Walkthrough of
that run: your names, one slider per number you made a tensor from, every forward and
backward step of ``loss`` (or, without a name, of the last scalar tensor with a grad_fn the
cell assigned). See ``minigrad.teaching.widgets.from_code`` for what exactly happens.

* A cell that raises shows its own traceback, starting in the cell, with the cell's line
  numbers (as IPython shows any cell's error), and no widget.
* A cell with nothing to walk through (no tensor requires grad, everything under
  ``no_grad``) prints one line that says what to change.

Options: ``--frames`` (every step drawn in advance: plays in a saved notebook without a
kernel), ``--view autograd`` (start with the autograd graph), ``--guess`` (guess mode: each
new number stays "?" until the student types a guess), ``--widget NAME`` (also keep the widget
in the variable NAME, e.g. for ``NAME.snapshot()``).
"""

from IPython.core import magic_arguments
from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.display import display

from .widgets import from_code
from .widgets.walkthrough import Walkthrough


@magics_class
class WalkthroughMagics(Magics):
    """``%%walkthrough [target] [--frames] [--view autograd] [--guess] [--widget NAME]``."""

    @magic_arguments.magic_arguments()
    @magic_arguments.argument("target", nargs="?", default=None,
                              help="the variable to walk through (default: the last scalar tensor with a grad_fn)")
    @magic_arguments.argument("--frames", action="store_true", help="draw every step in advance (no kernel needed)")
    @magic_arguments.argument("--view", choices=("expression", "autograd"), default="expression",
                              help="the graph shown first")
    @magic_arguments.argument("--widget", metavar="NAME", default=None, help="also keep the widget in NAME")
    @magic_arguments.argument("--guess", action="store_true",
                              help="guess mode: each new number stays '?' until the student guesses it")
    @cell_magic
    def walkthrough(self, line, cell):
        """Run the cell with ``import torch`` as minigrad and show the walkthrough of its graph."""
        args = magic_arguments.parse_argstring(self.walkthrough, line)
        shell = self.shell
        # the whole cell, magic line included, as the cell's source: tracebacks show its own line numbers
        filename = shell.compile.cache(f"%%walkthrough {line}\n{cell}", shell.execution_count)
        try:
            widget = Walkthrough.from_code(cell, target=args.target, namespace=shell.user_ns, filename=filename,
                                           first_line=2, frames=args.frames, view=args.view, guess=args.guess)
        except from_code.NotWalkable as problem:
            print(problem)
            return None
        except Exception as error:
            if not _raised_by_the_cell(error, filename):
                raise  # our own mistake: the whole traceback
            if isinstance(error, SyntaxError):
                raise CellSyntaxError(error, shell.SyntaxTB.structured_traceback(type(error), error, [])) from None
            tb = from_code.cell_traceback(error, filename)
            lines = shell.InteractiveTB.structured_traceback(type(error), error, tb, tb_offset=0)
            error._render_traceback_ = lambda: lines  # IPython shows it so: from the cell on
            raise  # the cell failed, as it would without the magic (Run All stops here)
        if args.widget:
            shell.user_ns[args.widget] = widget
        display(widget)
        return None


class CellSyntaxError(Exception):
    """A syntax error in the cell, shown exactly as IPython shows one in any cell.

    IPython shows a real SyntaxError raised from a magic with the magic's frames, and ignores
    ``_render_traceback_`` for it; this stand-in (named SyntaxError, with the same message)
    lets the cell fail, as it would without the magic, and show only the cell's lines.
    """

    def __init__(self, error, lines):
        super().__init__(*error.args)
        self.error, self.lines = error, lines

    def __str__(self):
        return str(self.error)

    def _render_traceback_(self):
        return self.lines


CellSyntaxError.__name__ = CellSyntaxError.__qualname__ = "SyntaxError"


def _raised_by_the_cell(error, filename):
    if isinstance(error, SyntaxError):
        return error.filename == filename
    return from_code.cell_traceback(error, filename) is not None


def load_ipython_extension(ipython):
    """Register ``%%walkthrough`` (``%load_ext minigrad`` calls this through minigrad's own hook)."""
    ipython.register_magics(WalkthroughMagics)
