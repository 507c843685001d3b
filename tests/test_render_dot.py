"""One ``dot`` process for every drawing: each graph gets its own SVG, and nothing that goes wrong hangs it."""

import os
import signal
import sys

import pytest

from minigrad.teaching import render_dot
from minigrad.teaching.render_dot import DotError, DotProcess

pytestmark = pytest.mark.skipif(render_dot.shutil.which("dot") is None,
                                reason="the Graphviz program dot is not installed")


def graph(name, *nodes):
    return f"digraph {name} {{ " + " -> ".join(nodes or ("a", "b")) + " }"


@pytest.fixture
def dot():
    process = DotProcess()
    yield process
    process.close()


def test_many_drawings_in_a_row_each_get_their_own_svg_from_one_process(dot):
    pids = set()
    for index in range(25):
        svg = dot.render(graph(f"g{index}", f"n{index}", "out"))
        pids.add(dot.process.pid)
        assert svg.startswith("<?xml") and svg.endswith("</svg>\n")
        assert f"<title>g{index}</title>" in svg and f"<title>n{index}</title>" in svg
        assert svg.count("</svg>") == 1  # nothing of the previous graph or the next one
    assert len(pids) == 1


def test_a_syntax_error_is_a_clear_error_and_the_next_drawing_still_works(dot):
    dot.render(graph("first"))  # a few lines already sent: the error's line number is still the graph's own
    dot.render(graph("second"))
    with pytest.raises(DotError, match=r"dot could not draw the graph: Error: syntax error in line 2 near '\['"):
        dot.render("digraph broken {\n  x -> [\n}")
    assert "<title>after</title>" in dot.render(graph("after"))


def test_an_error_in_a_label_is_an_error_and_keeps_the_process(dot):
    dot.render(graph("first"))
    pid = dot.process.pid
    with pytest.raises(DotError, match="mismatched tag"):
        dot.render('digraph bad { x [label=<<B>unclosed>] }')
    assert "<title>after</title>" in dot.render(graph("after"))
    assert dot.process.pid == pid


def test_a_warning_is_passed_on_and_the_drawing_made(dot, capsys):
    svg = dot.render('digraph odd { x [shape=nosuchshape] }')
    assert "<title>odd</title>" in svg
    assert "using box for unknown shape nosuchshape" in capsys.readouterr().err


def test_a_killed_process_is_started_again(dot):
    dot.render(graph("first"))
    old = dot.process
    os.kill(old.pid, signal.SIGKILL)
    old.wait()  # dead before the next drawing (else the write may still reach it)
    assert "<title>after</title>" in dot.render(graph("after"))
    assert dot.process.pid != old.pid


def test_a_process_killed_while_drawing_is_started_again_once(dot, monkeypatch):
    dot.render(graph("first"))
    old = dot.process
    os.kill(old.pid, signal.SIGSTOP)  # it cannot answer before it is killed, mid-drawing
    original = DotProcess._read_svg

    def kill_then_read(process):
        if process is old:
            os.kill(process.pid, signal.SIGKILL)
        return original(process)

    monkeypatch.setattr(DotProcess, "_read_svg", staticmethod(kill_then_read))
    assert "<title>during</title>" in dot.render(graph("during"))
    assert dot.process is not old


def test_a_drawing_interrupted_midway_never_hands_its_answer_to_the_next(dot, monkeypatch):
    dot.render(graph("first"))
    old = dot.process

    def interrupted(process):
        raise KeyboardInterrupt  # Ctrl-C after the graph was sent, before its SVG was read

    monkeypatch.setattr(DotProcess, "_read_svg", staticmethod(interrupted))
    with pytest.raises(KeyboardInterrupt):
        dot.render(graph("interrupted"))
    monkeypatch.undo()
    svg = dot.render(graph("next"))
    assert "<title>next</title>" in svg and "interrupted" not in svg and dot.process is not old


def test_a_program_that_keeps_dying_gives_a_clear_error():
    dies = DotProcess(program="true")  # exits at once, whatever it is sent
    with pytest.raises(DotError, match="dot stopped: it exited with code 0 twice in a row"):
        dies.render(graph("g"))
    assert dies.process is None


def test_no_answer_in_time_stops_the_process_with_a_clear_error():
    slow = DotProcess(timeout=0.5)
    with pytest.raises(DotError, match=r"no answer within 0.5 s"):
        slow.render("digraph unfinished { a -> ")  # dot waits for the rest, forever
    assert slow.process is None
    assert "<title>next</title>" in slow.render(graph("next"))
    slow.close()


def test_an_empty_source_and_a_missing_program_are_refused_clearly(dot):
    with pytest.raises(DotError, match="the DOT source is empty"):
        dot.render("  \n")
    with pytest.raises(DotError, match="nosuchdot is not installed"):
        DotProcess(program="nosuchdot").render(graph("g"))


def test_close_waits_for_the_process_and_the_next_drawing_starts_another(dot):
    dot.render(graph("first"))
    process = dot.process
    dot.close()
    assert process.returncode == 0  # exited and reaped: no zombie left
    assert "<title>again</title>" in dot.render(graph("again"))


def test_the_shared_process_is_closed_when_the_interpreter_exits(tmp_path):
    import subprocess

    script = ("from minigrad.teaching import render_dot\n"
              "render_dot.render('digraph g { a -> b }')\n"
              "print(render_dot._shared.process.pid)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    pid = int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                             env=env).stdout)
    with pytest.raises(ProcessLookupError):  # gone, not a zombie waiting for its parent
        os.kill(pid, 0)
