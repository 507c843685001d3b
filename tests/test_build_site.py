"""The site build's own rules, without a browser: what it takes, what it refuses, what it adds.

tests/browser/test_site.py runs the built site; these check that the build stops loudly on a file
that is not the one Pyodide's lock lists, and that it adds one setup cell and nothing else.
"""

import hashlib
import json
import pathlib
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402


def fake_lock(**files):
    """A pyodide-lock.json naming ``files`` ({package: bytes}), each with its true sha256."""
    return {"info": {"version": "0.27.7"}, "packages": {
        name: {"name": name, "file_name": f"{name}-1.0-py3-none-any.whl", "depends": [],
               "sha256": hashlib.sha256(data).hexdigest()} for name, data in files.items()}}


def stage_with(tmp_path, monkeypatch, lock, carried):
    """Run stage_pyodide with a fake npm tarball (the lock) and a fake carrier holding ``carried``."""
    carrier = tmp_path / "carrier.whl"
    with zipfile.ZipFile(carrier, "w") as archive:
        for file_name, data in carried.items():
            archive.writestr("assets/pyodide/" + file_name, data)
    config = {"npm": {"pyodide": {"spec": "pyodide@0.27.7", "integrity": "x", "files": ["pyodide-lock.json"]}},
              "carrier": {"requirement": "carrier==1", "file": "carrier.whl", "sha256": "x",
                          "folder": "assets/pyodide/"},
              "pyodide": {"packages": list(lock["packages"])}}
    monkeypatch.setattr(build_site, "npm_files", lambda spec, integrity, names: {
        "pyodide-lock.json": json.dumps(lock).encode()})
    monkeypatch.setattr(build_site, "pypi_file", lambda requirement, sha256, file_name: carrier)
    provenance = {}
    build_site.stage_pyodide(config, tmp_path / "pyodide", provenance)
    return provenance


def test_a_package_file_the_lock_vouches_for_is_taken(tmp_path, monkeypatch):
    lock = fake_lock(numpy=b"numpy bytes")
    provenance = stage_with(tmp_path, monkeypatch, lock, {"numpy-1.0-py3-none-any.whl": b"numpy bytes"})
    assert (tmp_path / "pyodide" / "numpy-1.0-py3-none-any.whl").read_bytes() == b"numpy bytes"
    assert "pyodide-lock.json" in provenance["static/pyodide/numpy-1.0-py3-none-any.whl"]


def test_a_package_file_that_differs_from_the_lock_stops_the_build(tmp_path, monkeypatch):
    lock = fake_lock(numpy=b"numpy bytes")
    with pytest.raises(build_site.BuildError, match="sha256 .* but pyodide-lock.json of pyodide@0.27.7 says"):
        stage_with(tmp_path, monkeypatch, lock, {"numpy-1.0-py3-none-any.whl": b"other bytes"})


def test_a_package_file_missing_from_the_carrier_stops_the_build(tmp_path, monkeypatch):
    lock = fake_lock(numpy=b"numpy bytes")
    with pytest.raises(build_site.BuildError, match="has no numpy-1.0-py3-none-any.whl"):
        stage_with(tmp_path, monkeypatch, lock, {})


def test_the_closure_follows_the_locks_dependencies_by_normalized_name():
    lock = {"packages": {"ipython": {"depends": ["prompt_toolkit", "traitlets"]},
                         "prompt-toolkit": {"depends": ["wcwidth"]}, "traitlets": {"depends": []},
                         "wcwidth": {"depends": []}, "pandas": {"depends": []}}}
    assert build_site.pyodide_closure(lock, ["ipython"]) == ["ipython", "prompt-toolkit", "traitlets", "wcwidth"]
    with pytest.raises(build_site.BuildError, match="no package 'scipy'"):
        build_site.pyodide_closure(lock, ["scipy"])


def test_the_site_copy_of_a_notebook_gains_one_setup_cell_and_pyodides_kernel():
    source = ROOT / "notebooks" / "01_square.ipynb"
    original = json.loads(source.read_text(encoding="utf-8"))
    copy = build_site.site_notebook(source)
    assert copy["cells"][1:] == original["cells"]
    assert copy["cells"][0]["metadata"]["tags"] == [build_site.SETUP_TAG]
    assert "await minigrad.render_browser.load()" in "".join(copy["cells"][0]["source"])
    assert copy["metadata"]["kernelspec"]["name"] == "python"
    assert json.loads(source.read_text(encoding="utf-8")) == original  # the repository's notebook untouched


def minimal_site(folder, pyodide_url="./static/pyodide/pyodide.js", fallback=True):
    (folder / "static" / "pyodide").mkdir(parents=True)
    (folder / "static" / "pyodide" / "pyodide-lock.json").write_text(json.dumps({"packages": {}}))
    settings = {build_site.KERNEL_PLUGIN: {"pyodideUrl": pyodide_url, "disablePyPIFallback": fallback}}
    (folder / "jupyter-lite.json").write_text(json.dumps({"jupyter-config-data": {"litePluginSettings": settings}}))
    return folder


def test_check_site_accepts_a_clean_site(tmp_path):
    assert build_site.check_site(minimal_site(tmp_path)) > 0


@pytest.mark.parametrize("defect, message", [
    ("source map", "source maps left"),
    ("CDN", "https://cdn.jsdelivr.net"),
    ("PyPI fallback", "PyPI fallback"),
])
def test_check_site_refuses_what_would_leave_the_machine_or_bloat_it(tmp_path, defect, message):
    site = minimal_site(tmp_path, pyodide_url="https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.js"
                        if defect == "CDN" else "./static/pyodide/pyodide.js", fallback=defect != "PyPI fallback")
    if defect == "source map":
        (site / "app.js.map").write_text("{}")
    with pytest.raises(build_site.BuildError, match=message):
        build_site.check_site(site)


def test_the_run_all_patch_fits_only_the_pinned_jupyterlite(tmp_path):
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "100.js").write_text("no such code here")
    with pytest.raises(build_site.BuildError, match="fits jupyterlite-core 0.6.4 only"):
        build_site.patch_run_all(tmp_path, {})
