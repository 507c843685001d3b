"""Notebook files that stay whole: stored as JupyterLab writes them, and saved without broken widgets.

Two things made the course's notebooks misbehave in JupyterLab:

* **Marked modified as soon as they open.** JupyterLab rewrites what it loads in its own way:
  the kernelspec's ``display_name`` becomes the installed kernel's ("Python 3 (ipykernel)"),
  and every whole number is a JavaScript number (``2``, not ``2.0``: JSON from a browser has
  no float/int difference). :func:`as_jupyterlab_writes` stores a notebook that way, so that
  opening it changes nothing.
* **"Error displaying widget: model not found" after a save.** A notebook run in JupyterLab
  shows widgets of the live kernel, while the widget state saved in the file is the one from
  the last ``make notebooks``. (JupyterLab's own ``saveState`` setting would save the live
  state, but it also marks every notebook with saved widgets as modified the moment it opens.)
  :func:`keep_widgets_whole` is a Jupyter server pre-save hook (``make lab`` installs it): it
  asks the notebook's kernel for the state of its live widgets (what ``saveState`` would have
  saved) and saves it with the outputs; an output whose widget is still not in the state (the
  kernel is gone or busy) becomes a one-line note that says how to bring the widget back (the
  static pictures in the cells below stay); saved models no output uses are dropped.
  Reopened, every output is a widget from the saved state or that note.
"""

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
KERNEL_NAME = "python3"
LIVE_WIDGET_NOTE = ("<p style='color:#555'><i>A live widget was here when this notebook was saved. "
                    "Run this cell to bring the widget back.</i></p>")


def whole_numbers_as_integers(value):
    """Every float that is a whole number as an int, as ``JSON.stringify`` writes it (in place)."""
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = whole_numbers_as_integers(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = whole_numbers_as_integers(item)
    elif isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def kernelspec():
    """The kernelspec JupyterLab writes into a notebook it runs with this environment's kernel."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    return {"display_name": spec.display_name, "language": spec.language, "name": KERNEL_NAME}


def as_jupyterlab_writes(notebook):
    """The notebook (an nbformat node, changed in place) as JupyterLab would save it right after opening it."""
    notebook["metadata"]["kernelspec"] = kernelspec()
    whole_numbers_as_integers(notebook)
    merge_streams(notebook)
    return notebook


def merge_streams(notebook):
    """One output per run of printed text: JupyterLab joins consecutive stream outputs of the same
    stream (stdout, stderr) into one as they arrive, so a cell's prints are stored the same way whether
    the kernel sent them in one message or in several (which depends on timing)."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.get("output_type") == "stream" and previous is not None
                    and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
                previous["text"] = _text(previous["text"]) + _text(output["text"])
            else:
                merged.append(output)
        cell["outputs"] = merged


def _text(text):
    return "".join(text) if isinstance(text, list) else text


def widget_views(notebook):
    """Every output that shows a widget, with the id of the model it shows."""
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                yield output, view.get("model_id")


def _reachable(models, roots):
    """The ids of the models the roots refer to, directly or through others (children, layouts, links)."""
    seen, todo = set(), [root for root in roots if root in models]
    while todo:
        model_id = todo.pop()
        if model_id in seen:
            continue
        seen.add(model_id)
        todo += [ref for ref in _references(models[model_id]) if ref in models and ref not in seen]
    return seen


def _references(value):
    if isinstance(value, str):
        return [value[len("IPY_MODEL_"):]] if value.startswith("IPY_MODEL_") else []
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in _references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _references(item)]
    return []


# the widget state of every live widget, as the kernel's own ipywidgets writes it (buffers in base64)
_LIVE_STATE = "__import__('json').dumps(__import__('ipywidgets').Widget.get_manager_state(drop_defaults=True))"


def live_widget_state(contents_manager, path, timeout=3.0):
    """The widget state of the kernel this notebook runs with, asked of that kernel; None if there is none
    (no kernel, a busy kernel, a server that is not a Jupyter server)."""
    server = getattr(contents_manager, "parent", None)
    sessions, kernels = getattr(server, "session_manager", None), getattr(server, "kernel_manager", None)
    if sessions is None or kernels is None or not path:
        return None
    try:
        row = sessions.cursor.execute("SELECT kernel_id FROM session WHERE path=?", (path.strip("/"),)).fetchone()
        if row is None or row[0] not in kernels:
            return None
        return _ask_kernel(kernels.get_kernel(row[0]).get_connection_info(), timeout)
    except Exception as error:  # noqa: BLE001 - a save must never fail because of this
        contents_manager.log.warning("minigrad: no live widget state for %s (%s)", path, error)
        return None


def _ask_kernel(connection, timeout):
    import ast
    import json
    import time

    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient()
    client.load_connection_info(connection)
    client.start_channels()
    try:
        msg_id = client.execute("", silent=True, store_history=False, user_expressions={"state": _LIVE_STATE})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = client.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                result = reply["content"].get("user_expressions", {}).get("state", {})
                if result.get("status") != "ok":
                    return None
                return json.loads(ast.literal_eval(result["data"]["text/plain"]))
        return None
    finally:
        client.stop_channels()


def keep_widgets_whole(model=None, path=None, contents_manager=None, **_):
    """Jupyter server pre-save hook: the live widgets' state is saved with the outputs that show them, and
    no saved output points at a widget the saved state lacks."""
    if not model or model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = model["content"]
    live = live_widget_state(contents_manager, path) if contents_manager is not None else None
    if live and live.get("state"):
        saved = notebook.setdefault("metadata", {}).setdefault("widgets", {}).setdefault(WIDGET_STATE, {})
        saved.setdefault("state", {}).update(live["state"])
        saved.setdefault("version_major", live.get("version_major", 2))
        saved.setdefault("version_minor", live.get("version_minor", 0))
    widgets = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})
    models = widgets.get("state", {})
    shown = []
    for output, model_id in list(widget_views(notebook)):
        if model_id in models:
            shown.append(model_id)
        else:
            output["data"] = {"text/html": LIVE_WIDGET_NOTE, "text/plain": "(a live widget: run this cell again)"}
    reachable = _reachable(models, shown)
    # jslinks are models nobody displays: kept when what they link is kept (they make the saved pages play)
    links = [i for i, m in models.items() if i not in reachable and set(_references(m.get("state", {}))) & reachable]
    keep = reachable | _reachable(models, links)
    if widgets:
        widgets["state"] = {model_id: models[model_id] for model_id in models if model_id in keep}
        if not widgets["state"]:
            notebook["metadata"].pop("widgets")
    whole_numbers_as_integers(notebook)  # the kernel's state has 2.0 where JupyterLab writes 2
