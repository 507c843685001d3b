"""Notebook files stay whole: stored as JupyterLab writes them, saved without broken widget outputs."""

import copy
import importlib.util
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("**/*.ipynb"))  # the English lessons and their Hinglish twins


def _jupyter_module(name):
    """A module of the Jupyter configuration (jupyter/), which is not part of the minigrad package."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "jupyter" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


notebook_files = _jupyter_module("notebook_files")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks").with_suffix("")))
def test_notebooks_are_stored_as_jupyterlab_writes_them(path):
    """Opening in JupyterLab changes nothing: so it does not mark the notebook modified."""
    stored = json.loads(path.read_text(encoding="utf-8"))
    rewritten = notebook_files.as_jupyterlab_writes(copy.deepcopy(stored))
    assert rewritten == stored
    assert all(type(v) is int for v in _whole_floats(stored)), "a 2.0 that JupyterLab would save as 2"
    assert stored["metadata"]["kernelspec"]["display_name"] == notebook_files.kernelspec()["display_name"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks").with_suffix("")))
def test_every_saved_widget_output_has_its_model_and_no_model_is_unused(path):
    stored = json.loads(path.read_text(encoding="utf-8"))
    saved = copy.deepcopy(stored)
    notebook_files.keep_widgets_whole({"type": "notebook", "content": saved})
    assert saved == stored  # the hook has nothing to repair or drop in a notebook ``make notebooks`` wrote
    views = list(notebook_files.widget_views(stored))
    assert views, "a course notebook shows widgets"


def _whole_floats(value):
    if isinstance(value, dict):
        return [v for item in value.values() for v in _whole_floats(item)]
    if isinstance(value, list):
        return [v for item in value for v in _whole_floats(item)]
    return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value) else []


def notebook_with(models, shown):
    cells = [{"cell_type": "code", "source": "w", "metadata": {}, "outputs": [
        {"output_type": "display_data", "metadata": {},
         "data": {notebook_files.WIDGET_VIEW: {"model_id": model_id, "version_major": 2, "version_minor": 0},
                  "text/plain": "VBox(...)"}}]} for model_id in shown]
    state = {"state": {i: {"model_name": name, "state": refs} for i, (name, refs) in models.items()},
             "version_major": 2, "version_minor": 0}
    return {"type": "notebook", "content": {"cells": cells, "metadata": {"widgets": {notebook_files.WIDGET_STATE:
                                                                                      state}}}}


def test_a_live_widget_saved_without_its_model_becomes_a_note_and_unused_models_go():
    models = {"box": ("VBoxModel", {"children": ["IPY_MODEL_slider", "IPY_MODEL_stack"]}),
              "slider": ("IntSliderModel", {"layout": "IPY_MODEL_layout"}), "layout": ("LayoutModel", {}),
              "stack": ("StackModel", {}),
              "link": ("LinkModel", {"source": ["IPY_MODEL_slider", "value"], "target": ["IPY_MODEL_stack", "x"]}),
              "old": ("VBoxModel", {"children": ["IPY_MODEL_old_child"]}), "old_child": ("HTMLModel", {})}
    model = notebook_with(models, shown=["box", "live_from_the_kernel"])
    notebook_files.keep_widgets_whole(model)
    outputs = [cell["outputs"][0]["data"] for cell in model["content"]["cells"]]
    assert notebook_files.WIDGET_VIEW in outputs[0]
    assert notebook_files.WIDGET_VIEW not in outputs[1] and "Run this cell" in outputs[1]["text/html"]
    kept = model["content"]["metadata"]["widgets"][notebook_files.WIDGET_STATE]["state"]
    assert sorted(kept) == ["box", "layout", "link", "slider", "stack"]  # the jslink stays; the old box goes


def test_the_hook_leaves_other_files_alone():
    model = {"type": "file", "content": "text"}
    notebook_files.keep_widgets_whole(model)
    assert model == {"type": "file", "content": "text"}
    notebook_files.keep_widgets_whole(None)


class _FakeServer:
    """Just enough of a Jupyter server for the hook: a sessions table and a kernel manager."""

    def __init__(self, kernels=()):
        import logging
        import sqlite3

        connection = sqlite3.connect(":memory:")
        connection.execute("CREATE TABLE session (session_id, path, name, type, kernel_id)")
        connection.execute("INSERT INTO session VALUES ('s', 'notebook.ipynb', '', 'notebook', 'gone')")
        self.session_manager = type("Sessions", (), {"cursor": connection.cursor()})()
        self.kernel_manager = set(kernels)
        self.contents_manager = type("Contents", (), {"parent": self, "log": logging.getLogger("test")})()


def test_with_no_live_kernel_the_hook_saves_the_note_and_never_fails():
    server = _FakeServer()  # a session whose kernel has gone
    assert notebook_files.live_widget_state(server.contents_manager, "notebook.ipynb") is None
    assert notebook_files.live_widget_state(server.contents_manager, "other.ipynb") is None
    assert notebook_files.live_widget_state(object(), "notebook.ipynb") is None
    model = notebook_with({"box": ("VBoxModel", {})}, shown=["live"])
    notebook_files.keep_widgets_whole(model, path="notebook.ipynb", contents_manager=server.contents_manager)
    assert "Run this cell" in model["content"]["cells"][0]["outputs"][0]["data"]["text/html"]


def test_consecutive_prints_are_stored_as_one_output_as_jupyterlab_joins_them():
    """How many messages a kernel split a cell's prints into depends on timing; the stored file must not."""
    cell = {"cell_type": "code", "source": "", "metadata": {}, "outputs": [
        {"output_type": "stream", "name": "stdout", "text": ["a 1\n", "b 2\n"]},
        {"output_type": "stream", "name": "stdout", "text": "c 3\n"},
        {"output_type": "stream", "name": "stderr", "text": "careful\n"},
        {"output_type": "stream", "name": "stdout", "text": "d 4\n"}]}
    notebook = {"cells": [cell], "metadata": {}}
    notebook_files.merge_streams(notebook)
    assert [(o["name"], o["text"]) for o in cell["outputs"]] == [
        ("stdout", "a 1\nb 2\nc 3\n"), ("stderr", "careful\n"), ("stdout", "d 4\n")]
