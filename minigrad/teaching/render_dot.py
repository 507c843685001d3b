"""One Graphviz ``dot -Tsvg`` process, kept running and reused for every drawing.

Starting ``dot`` costs 20-40 ms, most of a slider move's budget; drawing a walkthrough's graph
costs well under a millisecond once it runs. ``dot`` reads graph after graph from its standard
input and writes each one's SVG, ending ``</svg>``, as soon as the graph's closing brace arrives,
so one process serves them all::

    svg = render_dot.render("digraph { x -> y }")

What can go wrong, and what happens then:

* a graph dot cannot read (a syntax error): dot says why on its standard error and exits. That
  message becomes a :class:`DotError`; the next drawing starts a new process.
* an error in a label (dot still writes an SVG, and says ``Error:``): a :class:`DotError` too, the
  process stays. Warnings are passed on to ``sys.stderr``, as ``graphviz``'s own ``pipe`` does.
* the process died (killed, crashed): started again once and the graph sent again; if that
  one dies too, a :class:`DotError` says so.
* no answer within ``timeout`` seconds: the process is killed (a watchdog), a :class:`DotError`.
* the interpreter exits: the process is closed and waited for (no zombie left behind).

Standard error goes to a temporary file opened for appending rather than a pipe: dot writes it
unbuffered, before the SVG, so it is all there when the SVG is (nothing to read in a thread, and a
chatty dot can never block on a full pipe).
"""

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

END = b"</svg>\n"  # the last line of every SVG dot writes
TIMEOUT = 30.0  # seconds: far above any course graph (1000 nodes lay out in ~1 s)


class DotError(RuntimeError):
    """The Graphviz program ``dot`` could not draw a graph."""


class DotProcess:
    """A ``dot -Tsvg`` process started on the first drawing and reused, one drawing at a time."""

    def __init__(self, program="dot", timeout=TIMEOUT):
        self.program, self.timeout = program, timeout
        self.process = self.errors = None
        self.lines_sent = 0  # dot numbers lines across every graph it has read: an error's line is ours minus this
        self.owner = None  # the pid that started it: a forked child starts its own
        self.lock = threading.Lock()

    def render(self, source):
        """The SVG text of one graph (DOT source: one graph, as ``graphviz.Digraph.source`` gives)."""
        if not source.strip():
            raise DotError("dot could not draw the graph: the DOT source is empty")
        with self.lock:
            try:
                return self._render(source)
            except _Died as died:
                self._stop()
                if died.message:  # dot said what was wrong with this graph: sending it again would not help
                    raise DotError(f"dot could not draw the graph: {died.message}") from None
            except DotError:  # an error in a label: the whole SVG was read, the process can go on
                raise
            except BaseException:  # interrupted mid-drawing (Ctrl-C): its answer would pass for the next graph's
                self._stop()
                raise
            try:  # the process died without a word (killed, crashed): once more, with a new one
                return self._render(source)
            except _Died as died:
                self._stop()
                reason = died.message or f"it exited with code {died.returncode} twice in a row"
                raise DotError(f"the Graphviz program dot stopped: {reason}") from None

    def close(self):
        """Stop the process (the next drawing starts a new one)."""
        with self.lock:
            self._stop()

    # ------------------------------------------------------------------ one drawing
    def _render(self, source):
        self._ensure_running()
        process, errors_before, lines_before = self.process, self._error_size(), self.lines_sent
        timed_out = threading.Event()
        watchdog = threading.Timer(self.timeout, lambda: (timed_out.set(), process.kill()))
        watchdog.daemon = True
        watchdog.start()
        try:
            text = source.encode("utf-8") + b"\n"
            self.lines_sent += text.count(b"\n")
            process.stdin.write(text)
            process.stdin.flush()
            svg = self._read_svg(process)
        except (BrokenPipeError, OSError):
            svg = None
        finally:
            watchdog.cancel()
        message = _in_our_lines(self._errors_since(errors_before), lines_before)
        if svg is None:
            process.wait()
            if timed_out.is_set() and not message:
                message = f"no answer within {self.timeout:g} s (the process was stopped)"
            raise _Died(message, process.returncode)
        self._report(message)
        return svg.decode("utf-8")

    @staticmethod
    def _read_svg(process):
        """Bytes up to and including ``</svg>``; None if the process ended first."""
        svg = bytearray()
        while not svg.endswith(END):  # dot waits for the next graph once this one is written
            chunk = process.stdout.read1(1 << 16)
            if not chunk:
                return None
            svg += chunk
        return bytes(svg)

    def _report(self, message):
        """An error in a graph dot still drew is an error; a warning is passed on, as graphviz.pipe does."""
        if "Error" in message:
            raise DotError(f"dot could not draw the graph: {message}")
        if message:
            sys.stderr.write(message + "\n")

    # ------------------------------------------------------------------ the process
    def _ensure_running(self):
        if self.process is not None and self.process.poll() is None and self.owner == os.getpid():
            return
        self._stop()
        program = shutil.which(self.program)
        if program is None:
            raise DotError(f"the Graphviz program {self.program} is not installed")
        self.errors = tempfile.TemporaryFile(mode="a+b")  # appending: dot writes at the end whatever we read
        self.process = subprocess.Popen([program, "-Tsvg"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.errors)
        self.owner, self.lines_sent = os.getpid(), 0

    def _stop(self):
        process, self.process = self.process, None
        if process is not None and self.owner == os.getpid():
            for pipe in (process.stdin, process.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
            try:
                process.wait(timeout=2)  # stdin closed: dot finishes and exits
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.errors is not None:
            self.errors.close()
            self.errors = None

    def _error_size(self):
        self.errors.seek(0, os.SEEK_END)
        return self.errors.tell()

    def _errors_since(self, position):
        self.errors.seek(position)
        return self.errors.read().decode("utf-8", "replace").strip()


def _in_our_lines(message, lines_before):
    """dot's message about this graph alone: a syntax error's line counted from the graph's first line
    (an error inside an HTML-like label already counts within the label)."""
    message = message.replace("Error: <stdin>: ", "Error: ")
    return re.sub(r"syntax error in line (\d+)", lambda m: f"syntax error in line {int(m.group(1)) - lines_before}",
                  message)


class _Died(Exception):
    def __init__(self, message, returncode):
        super().__init__(message)
        self.message, self.returncode = message, returncode


_shared = DotProcess()
atexit.register(_shared.close)


def render(source):
    """SVG text of DOT ``source`` from the shared ``dot`` process (started on first use)."""
    return _shared.render(source)


def close():
    """Stop the shared process (it starts again on the next drawing)."""
    _shared.close()
