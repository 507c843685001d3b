"""The notebooks as files: checked cells with outputs, fresh outputs, sound widget state, the shape of each lesson.

nbval (``pytest --nbval-lax notebooks``, part of ``make test``) re-runs each notebook and
compares every cell tagged ``nbval-check-output`` (nbval reads its markers from cell tags, so the
code a student reads carries none). These tests add what nbval cannot see: a checked cell with
no stored output would pass nbval trivially, stale outputs, broken widget metadata, the
deliberate errors, and the time a notebook takes; and the shape of a lesson: a sentence before
every code cell, self-checks placed before the cell that reveals their answer, a score at the end.

A self-check is a code cell that calls ``check(`` or ``choice(``. Its metadata names the text that
reveals its answer (``self_check.answer_shown_as``: a number or phrase, never translated). The
*answer cell* is the first other cell that shows that text: a markdown cell's source or a code
cell's stored output (self-checks themselves do not count). A check placed before its answer
cell asks the student to predict; one placed after it is a review.
"""

import ast
import json
import pathlib
import re
import shutil
import time

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ["00_start_here", "01_square", "02_chain_rule_sin", "03_three_links", "04_neuron_bce",
         "05_autograd_in_practice", "06_playground", "07_your_code"]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
STOP_TRACKING_ERROR = "element 0 of tensors does not require grad and does not have a grad_fn"


def load(name):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def tags(cell):
    return cell.metadata.get("tags", [])


def checked_cells(notebook):
    return [cell for cell in code_cells(notebook) if "nbval-check-output" in tags(cell)]


def is_self_check(cell):
    return cell.cell_type == "code" and re.search(r"^(check|choice)\(", cell.source, re.M) is not None


def answer_cell_index(notebook, shown_as):
    """The index of the first cell (not a self-check) that shows ``shown_as``, or None."""
    for index, cell in enumerate(notebook.cells):
        if is_self_check(cell):
            continue
        shown = cell.source if cell.cell_type == "markdown" else text_of(cell) if cell.cell_type == "code" else ""
        if shown_as.lower() in shown.lower():
            return index
    return None


def self_checks(notebook):
    """(index, cell, index of its answer cell) for every self-check."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if is_self_check(cell):
            shown_as = cell.metadata.get("self_check", {}).get("answer_shown_as", "")
            found.append((index, cell, answer_cell_index(notebook, shown_as) if shown_as else None))
    return found


def text_of(cell):
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(output.data.get("text/plain", ""))
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
    return "".join(parts)


def test_the_suite_is_complete():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_checked_cells_exist_and_have_outputs(name):
    cells = checked_cells(load(name))
    assert len(cells) >= 4, f"{name} has {len(cells)} checked cells"
    for cell in cells:
        assert text_of(cell).strip(), f"a checked cell of {name} has no stored output:\n{cell.source}"
        assert all(output.output_type != "error" for output in cell.outputs)


@pytest.mark.parametrize("name", NAMES)
def test_each_lesson_opens_with_goals_and_closes_with_a_summary_and_the_score(name):
    notebook = load(name)
    first = notebook.cells[0].source
    assert first.startswith("# ") and re.search(r"\*\*What you will (learn|do)", first)
    assert any("## Summary" in cell.source for cell in notebook.cells[-4:] if cell.cell_type == "markdown")
    last = code_cells(notebook)[-1]
    assert last.source.strip() == "score()" and "You got" not in text_of(last)
    assert "self-checks" in last.outputs[0]["data"]["text/plain"]


@pytest.mark.parametrize("name", NAMES)
def test_self_checks_come_where_the_idea_is_taught_most_before_their_answer(name):
    notebook = load(name)
    found = self_checks(notebook)
    assert len(found) >= 3, f"{name} has {len(found)} self-checks"
    for index, cell, answer in found:
        assert answer is not None, f"{name}: no cell shows the answer of\n{cell.source}"
        assert answer != index
        assert "nbval-ignore-output" in tags(cell)
        assert all(WIDGET_VIEW in (o.get("data") or {}) for o in cell.outputs), cell.source
    before = sum(answer > index for index, _, answer in found)
    assert 2 * before >= len(found), f"{name}: only {before} of {len(found)} self-checks come before their answer"
    assert any("choice(" in cell.source for _, cell, _ in found) or name in ("01_square",), (
        f"{name}: no multiple-choice check of an idea")
    summary = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "markdown" and "## Summary" in c.source)
    assert sum(index < summary for index, _, _ in found) >= 3, f"{name}: the self-checks wait for the end"


def number_check_answer(cell):
    """The answer a ``check(question, answer, ...)`` cell expects (a number, or a sum like 4 / 3), else None."""
    call = ast.parse(cell.source).body[0].value
    if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "check"):
        return None
    return float(eval(compile(ast.Expression(call.args[1]), "<answer>", "eval"), {"__builtins__": {}}))


@pytest.mark.parametrize("name", NAMES)
def test_a_number_checks_answer_is_the_number_its_answer_cell_shows(name):
    """The key of each number box is what the lesson itself computes: its answer cell shows that number."""
    notebook = load(name)
    for _index, cell, answer in self_checks(notebook):
        expected = number_check_answer(cell)
        if expected is None:
            continue
        shown = notebook.cells[answer]
        text = shown.source if shown.cell_type == "markdown" else text_of(shown)
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text.replace("−", "-"))]
        assert any(abs(n - expected) <= 5e-4 * max(1.0, abs(expected)) for n in numbers), (
            f"{name}: the check expects {expected}, its answer cell shows {text[:200]!r}")


@pytest.mark.parametrize("name", NAMES)
def test_lessons_read_as_lessons(name):
    """No test markers in the code a student reads, and a sentence before every code cell."""
    notebook = load(name)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        assert "NBVAL" not in cell.source.upper(), f"{name}: a test marker in the code:\n{cell.source}"
        before = notebook.cells[index - 1] if index else None
        assert before is not None and before.cell_type == "markdown" and before.source.strip(), (
            f"{name}: no sentence before\n{cell.source}")


def test_each_term_is_explained_where_it_first_appears():
    """Reading the notebooks in order, a term's first appearance is in a markdown cell that explains it (in bold)."""
    terms = ["computation graph", "kernel", "leaf", "AccumulateGrad", "upstream", "broadcasting", "_saved_self",
             "gradient descent", "local derivative", "tensor"]
    cells = [cell for name in NAMES for cell in load(name).cells]
    for term in terms:
        first = next(cell for cell in cells if re.search(rf"(?<![\w.]){re.escape(term)}", cell.source, re.I))
        assert first.cell_type == "markdown", f"{term!r} first appears in code:\n{first.source}"
        assert re.search(rf"\*\*`?{re.escape(term)}`?\*\*|\*`?{re.escape(term)}`?\*", first.source, re.I), (
            f"{term!r} is not explained where it first appears:\n{first.source}")


def test_the_colour_key_is_given_once_where_the_explorers_are_introduced():
    text = " ".join(cell.source for cell in load("00_start_here").cells if cell.cell_type == "markdown")
    assert "colour key" in text.lower()
    for colour in ("**gold**", "**red**", '**dashed box with "?"**'):
        assert colour in text
    for name in NAMES[1:]:
        for cell in load(name).cells:
            assert not re.search(r"\bred (line|curve)", cell.source), f"{name}: red means a gradient, nothing else"


@pytest.mark.parametrize("name", NAMES)
def test_every_live_widget_has_a_static_picture_and_one_walkthrough_plays_without_a_kernel(name):
    cells = code_cells(load(name))
    assert any("frames=True" in cell.source for cell in cells), f"{name} has no kernel-free walkthrough"
    for index, cell in enumerate(cells):
        shows_widget = any(WIDGET_VIEW in o.get("data", {}) for o in cell.outputs)
        live = re.search(r"^\w+ = (Walkthrough|FunctionPlot|NeuronLab)\(", cell.source, re.M)
        if shows_widget and live and "frames=True" not in cell.source:
            following = []  # the code cells after it, up to the next widget that is not a self-check
            for later in cells[index + 1:]:
                if any(WIDGET_VIEW in o.get("data", {}) for o in later.outputs) and not is_self_check(later):
                    break
                following.append(later)
            data = [o.get("data", {}) for later in following for o in later.outputs]
            assert any("image/svg+xml" in d or "image/png" in d for d in data), (
                f"{name}: no static picture after\n{cell.source}")


@pytest.mark.parametrize("name", NAMES)
def test_widget_state_metadata_is_well_formed(name):
    notebook = load(name)
    state = notebook.metadata["widgets"][WIDGET_STATE]
    assert state["version_major"] == 2 and isinstance(state["state"], dict)
    models = state["state"]
    for model_id, model in models.items():
        assert {"model_name", "model_module", "state"} <= model.keys(), model_id
        for child in model["state"].get("children", []):
            assert child.startswith("IPY_MODEL_") and child[len("IPY_MODEL_"):] in models
    views = [o["data"][WIDGET_VIEW]["model_id"] for cell in code_cells(notebook) for o in cell.outputs
             if WIDGET_VIEW in o.get("data", {})]
    assert views and all(view in models for view in views)
    stacks = [m for m in models.values() if m["model_name"] == "StackModel"]
    assert stacks and all(len(m["state"]["children"]) >= 3 for m in stacks)


@pytest.mark.parametrize("name", NAMES)
def test_no_absolute_paths_and_no_unexpected_errors(name):
    raw = (NOTEBOOKS / f"{name}.ipynb").read_text()
    assert not re.search(r"/work/|/root/|/tmp/|/home/", raw)
    for cell in code_cells(load(name)):
        deliberate = "raises-exception" in cell.metadata.get("tags", [])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert bool(errors) == deliberate, cell.source


def test_the_three_ways_to_stop_tracking_show_pytorchs_error():
    cells = [c for c in code_cells(load("05_autograd_in_practice")) if "raises-exception" in c.metadata.get("tags", [])]
    assert len(cells) == 3
    text = " ".join(c.source for c in load("05_autograd_in_practice").cells if c.cell_type == "markdown").lower()
    for words in ("memory", "faster", "inference", "in-place", "context manager"):
        assert words in text
    for cell, way in zip(cells, ["requires_grad_(False)", "detach()", "torch.no_grad()"]):
        assert way in cell.source
        (error,) = [o for o in cell.outputs if o.output_type == "error"]
        assert (error.ename, error.evalue) == ("RuntimeError", STOP_TRACKING_ERROR)


@pytest.mark.parametrize("name", NAMES)
def test_stored_outputs_are_fresh_and_execution_is_quick(name, tmp_path):
    shutil.copy(NOTEBOOKS / f"{name}.ipynb", tmp_path)
    notebook = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
    stored = [text_of(cell) for cell in checked_cells(notebook)]
    for cell in code_cells(notebook):
        cell.outputs = []
    notebook.metadata.pop("widgets", None)
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    assert seconds < 60, f"{name} took {seconds:.1f} s"
    fresh = [text_of(cell) for cell in checked_cells(notebook)]
    assert fresh == stored, f"{name} has stale outputs: run `make notebooks`"
    assert json.dumps(notebook.metadata.get("widgets", {}))  # the new widget state serialises
