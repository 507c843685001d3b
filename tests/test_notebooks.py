"""The notebooks as files: checked cells with outputs, fresh outputs, sound widget state, the shape of each lesson.

nbval (``pytest --nbval-lax notebooks``, part of ``make test``) re-runs each notebook and
compares every ``# NBVAL_CHECK_OUTPUT`` cell. These tests add what nbval cannot see: a
checked cell with no stored output would pass nbval trivially, stale outputs, broken widget
metadata, the deliberate errors, and the time a notebook takes.
"""

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


def checked_cells(notebook):
    return [cell for cell in code_cells(notebook) if cell.source.startswith("# NBVAL_CHECK_OUTPUT")]


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
    assert len(cells) >= 8, f"{name} has {len(cells)} checked cells"
    for cell in cells:
        assert text_of(cell).strip(), f"a checked cell of {name} has no stored output:\n{cell.source}"
        assert all(output.output_type != "error" for output in cell.outputs)


@pytest.mark.parametrize("name", NAMES)
def test_each_lesson_opens_with_goals_and_closes_with_a_summary_and_self_checks(name):
    notebook = load(name)
    first = notebook.cells[0].source
    assert first.startswith("# ") and re.search(r"\*\*What you will (learn|do)", first)
    assert any("## Summary" in cell.source for cell in notebook.cells[-5:] if cell.cell_type == "markdown")
    checks = [cell for cell in code_cells(notebook) if re.search(r"^check\(", cell.source, re.M)]
    assert 2 <= len(checks) <= 4
    assert all(WIDGET_VIEW in (o.get("data") or {}) for cell in checks for o in cell.outputs)


@pytest.mark.parametrize("name", NAMES)
def test_every_live_widget_has_a_static_picture_and_one_walkthrough_plays_without_a_kernel(name):
    cells = code_cells(load(name))
    assert any("frames=True" in cell.source for cell in cells), f"{name} has no kernel-free walkthrough"
    for index, cell in enumerate(cells):
        shows_widget = any(WIDGET_VIEW in o.get("data", {}) for o in cell.outputs)
        live = re.search(r"^\w+ = (Walkthrough|FunctionPlot|NeuronLab)\(", cell.source, re.M)
        if shows_widget and live and "frames=True" not in cell.source:
            following = cells[index + 1]
            data = [o.get("data", {}) for o in following.outputs]
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
