"""The site build's own rules, without a browser: what it takes, what it refuses, what it adds.

tests/browser/test_site.py runs the built site; these check that the build stops loudly on a file
that is not the one Pyodide's lock lists, and that it adds one setup cell and nothing else.
"""

import gzip
import hashlib
import json
import os
import pathlib
import sys
import zipfile

import nbformat
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
              "pyodide": {"packages": list(lock["packages"]), "on_demand": []}}
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


def test_the_course_needs_no_plotting_library_and_a_students_own_plot_loads_one_on_demand():
    """The plots are SVG that minigrad writes (svg_plot.py): no kernel loads matplotlib or Pillow (8.2 MB on the
    wire with what only they need) as it starts or as the first cell runs. They are in the site, for a student's
    own ``import matplotlib``: the kernel loads what a cell imports when it runs it."""
    config = build_site.bundle()
    assert set(config["pyodide"]["after_start"]) == {"numpy"} and "leave_out" not in config["pyodide"]
    assert config["pyodide"]["on_demand"] == ["matplotlib"]
    options = build_site.kernel_load_options(config, [])
    loaded = build_site.loaded_by_the_kernel({"loadPyodideOptions": options})
    assert "numpy" in loaded and not {"matplotlib", "pillow"} & set(loaded)
    lock = {"packages": {name: {"depends": []} for name in ("micropip", "sqlite3", "jedi", "numpy", "pillow")}}
    lock["packages"]["ipython"] = {"depends": ["sqlite3"]}
    lock["packages"]["matplotlib"] = {"depends": ["numpy", "pillow"]}
    shipped = build_site.pyodide_closure(lock, config["pyodide"]["packages"] + config["pyodide"]["on_demand"])
    assert {"numpy", "matplotlib", "pillow"} <= set(shipped)


def test_the_site_copy_of_a_notebook_gains_one_setup_cell_and_pyodides_kernel():
    source = ROOT / "notebooks" / "04_neuron_bce.ipynb"  # widgets, saved widget state, multi-line outputs
    original = json.loads(source.read_text(encoding="utf-8"))
    copy = build_site.site_notebook(source)
    as_read = nbformat.reads(json.dumps(copy), as_version=4)  # what JupyterLab (nbformat) would show
    assert as_read.cells[1:] == nbformat.read(source, as_version=4).cells
    assert copy["cells"][0]["metadata"]["tags"] == [build_site.SETUP_TAG]
    assert "await minigrad.teaching.render_browser.load()" in copy["cells"][0]["source"]
    assert copy["metadata"]["kernelspec"]["name"] == "python"
    assert "widgets" in original["metadata"] and "widgets" not in copy["metadata"]
    assert json.loads(source.read_text(encoding="utf-8")) == original  # the repository's notebook untouched


def test_the_site_copy_holds_each_text_as_one_string():
    """JupyterLite shows a stored list of lines joined by commas (",x = 3.0: ..."): the copy joins them."""
    copy = build_site.site_notebook(ROOT / "notebooks" / "01_square.ipynb")
    outputs = [o for cell in copy["cells"] for o in cell.get("outputs", [])]
    texts = [o["text"] for o in outputs if "text" in o] + [v for o in outputs for m, v in o.get("data", {}).items()
                                                          if not m.endswith("json")]
    assert texts and all(isinstance(text, str) for text in texts)
    assert any("x = 2.0: y = 4.0" in text and "\nx = 3.0: y = 9.0" in text for text in texts)
    assert all(isinstance(cell["source"], str) for cell in copy["cells"])


def pyc_entries(sizes):
    """bytecode.json entries for files of incompressible bytes of the given sizes, and their folder."""
    return [{"stage": f"stage {i}", "kind": "stdlib", "path": f"m{i}.pyc"} for i in range(len(sizes))]


def test_bytecode_fills_the_budget_in_the_order_a_session_needs_it(tmp_path):
    sizes = [1000, 1000, 5000, 100]
    for i, size in enumerate(sizes):
        (tmp_path / "stdlib").mkdir(exist_ok=True)
        (tmp_path / "stdlib" / f"m{i}.pyc").write_bytes(os.urandom(size))
    listed = pyc_entries(sizes)
    shipped, left = build_site.bytecode_within(listed, tmp_path, budget=3000)
    assert [entry["path"] for entry, _ in shipped] == ["m0.pyc", "m1.pyc"]
    assert [entry["path"] for entry in left] == ["m2.pyc", "m3.pyc"]  # no later module jumps the queue
    shipped, left = build_site.bytecode_within(listed, tmp_path, budget=10_000)
    assert len(shipped) == 4 and left == []


def test_the_stdlib_keeps_every_file_and_gains_bytecode_beside_its_sources(tmp_path):
    stdlib = tmp_path / "python_stdlib.zip"
    with zipfile.ZipFile(stdlib, "w") as archive:
        archive.writestr("json/__init__.py", b"x = 1\n", compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("abc.py", b"y = 2\n")
    before = {info.filename: zipfile.ZipFile(stdlib).read(info) for info in zipfile.ZipFile(stdlib).infolist()}
    build_site.add_stdlib_bytecode(stdlib, {"json/__init__.pyc": b"bytecode"})
    with zipfile.ZipFile(stdlib) as archive:
        assert {n: archive.read(n) for n in before} == before
        assert archive.read("json/__init__.pyc") == b"bytecode"
        # stored, so that the whole zip gzips smaller than file by file (the site's own zips: WIRE)
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}
    with pytest.raises(build_site.BuildError, match="has no source nowhere.py"):
        build_site.add_stdlib_bytecode(stdlib, {"nowhere.pyc": b"bytecode"})


def test_the_kernel_boots_with_its_own_packages_and_loads_the_courses_right_after():
    config = build_site.bundle()
    wheels = [pathlib.Path("minigrad_lab-0.1.0-py3-none-any.whl"), pathlib.Path("comm-0.2.3-py3-none-any.whl")]
    options = build_site.kernel_load_options(config, wheels)
    at_boot = options["packages"]
    after_start = json.loads(options["env"][build_site.AFTER_START_VARIABLE])
    assert {"micropip", "ipython", "jedi"} <= set(at_boot)  # the kernel's own: it starts with them
    assert "../../../../pypi/comm-0.2.3-py3-none-any.whl" in at_boot  # else the kernel installs it by name
    assert f"../../../../static/pyodide/{build_site.CACHE_WHEEL}" in at_boot  # its startup file, its bytecode
    assert "numpy" in after_start and "numpy" not in at_boot
    assert "../../../../pypi/minigrad_lab-0.1.0-py3-none-any.whl" in after_start
    assert f"../../../../static/pyodide/{build_site.COURSE_CACHE_WHEEL}" in after_start  # numpy's bytecode, ...
    everything = build_site.loaded_by_the_kernel({"loadPyodideOptions": options})
    assert set(config["pyodide"]["packages"]) <= set(everything) and len(everything) == len(set(everything))
    assert not [p for p in everything if "://" in p or p.startswith("/")]  # on the site, wherever it is served
    assert options["env"]["IPYTHONDIR"].endswith(f"{build_site.CACHE_PACKAGE}/ipython")


def minimal_site(folder, pyodide_url="./static/pyodide/pyodide.js", fallback=True, packages=(), after_start=()):
    (folder / "static" / "pyodide").mkdir(parents=True)
    (folder / "static" / "pyodide" / "pyodide-lock.json").write_text(json.dumps({"packages": {}}))
    env = {build_site.AFTER_START_VARIABLE: json.dumps(list(after_start))}
    settings = {build_site.KERNEL_PLUGIN: {"pyodideUrl": pyodide_url, "disablePyPIFallback": fallback,
                                           "loadPyodideOptions": {"packages": list(packages), "env": env}}}
    (folder / "jupyter-lite.json").write_text(json.dumps({"jupyter-config-data": {"litePluginSettings": settings}}))
    return folder


def test_check_site_accepts_a_clean_site(tmp_path):
    assert build_site.check_site(minimal_site(tmp_path)) > 0


def test_check_site_refuses_a_kernel_package_the_site_does_not_hold(tmp_path):
    site = minimal_site(tmp_path, packages=["numpy", "../../../../pypi/gone-1.0-py3-none-any.whl"])
    with pytest.raises(build_site.BuildError, match="gone-1.0-py3-none-any.whl, which the site does not hold"):
        build_site.check_site(site)
    (site / "pypi").mkdir()
    build_site._wheel(site / "pypi", "gone", "1.0", {"gone.py": b""}, "a wheel")
    assert build_site.check_site(site) > 0


def test_check_site_refuses_a_package_loaded_after_the_start_that_the_site_does_not_hold(tmp_path):
    site = minimal_site(tmp_path, after_start=["numpy", "../../../../pypi/late-1.0-py3-none-any.whl"])
    with pytest.raises(build_site.BuildError, match="late-1.0-py3-none-any.whl, which the site does not hold"):
        build_site.check_site(site)


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


def test_the_kernel_start_patch_takes_ssl_off_the_kernels_list_wherever_it_is(tmp_path):
    folder = tmp_path / build_site.KERNEL_STATIC
    folder.mkdir(parents=True)
    old, new = build_site.KERNEL_START_PATCH
    (folder / "352.js").write_text(f"a=1,n={old};b=2")
    (folder / "592.js").write_text(f"x={old},y={old}")
    (folder / "154.js").write_text("nothing of the kind")
    provenance = {}
    build_site.patch_kernel_start(tmp_path, provenance)
    assert (folder / "352.js").read_text() == f"a=1,n={new};b=2"
    assert (folder / "592.js").read_text() == f"x={new},y={new}"
    assert (folder / "154.js").read_text() == "nothing of the kind"
    assert '"ssl"' not in new and new.replace('"sqlite3"', '"ssl","sqlite3"') == old
    assert sorted(provenance) == [f"{build_site.KERNEL_STATIC.as_posix()}/{name}" for name in ("352.js", "592.js")]
    with pytest.raises(build_site.BuildError, match="fits jupyterlite-pyodide-kernel 0.6.1 only"):
        build_site.patch_kernel_start(tmp_path, {})  # patched already: nothing left to patch


def test_the_app_start_patch_starts_every_app_with_bubbling_keydown_as_jupyterlab(tmp_path):
    folder = tmp_path / "build"
    folder.mkdir()
    (folder / "215.js").write_text('x&&(window.jupyterapp=y),await y.start(),await y.restored}},9:(e)=>{}')
    (folder / "4793.js").write_text("await j.start(),await j.restored")
    (folder / "154.js").write_text("await j.start(),await y.restored")  # not an app's start: left as it is
    provenance = {}
    build_site.patch_app_start(tmp_path, provenance)
    assert (folder / "215.js").read_text() == (
        'x&&(window.jupyterapp=y),await y.start({bubblingKeydown:!0}),await y.restored}},9:(e)=>{}')
    assert (folder / "4793.js").read_text() == "await j.start({bubblingKeydown:!0}),await j.restored"
    assert (folder / "154.js").read_text() == "await j.start(),await y.restored"
    assert sorted(provenance) == ["build/215.js", "build/4793.js"]
    with pytest.raises(build_site.BuildError, match="fits jupyterlite-core 0.6.4 only"):
        build_site.patch_app_start(tmp_path, {})  # patched already: nothing left to patch
    (folder / "9.js").write_text("await a.start(),await a.restored;await b.start(),await b.restored")
    with pytest.raises(build_site.BuildError, match="2 times, not once"):
        build_site.patch_app_start(tmp_path, {})


def fake_pyc(source, flags=0b11, magic=b"\xcb\r\r\n"):
    """A pyc header as Python 3.12 writes it (PEP 552): magic, flags, the source's hash; no code needed."""
    import _imp

    return magic + flags.to_bytes(4, "little") + _imp.source_hash(int.from_bytes(magic, "little"), source)


@pytest.mark.parametrize("pyc, message", [
    (fake_pyc(b"x = 1\n"), None),
    (fake_pyc(b"x = 2\n"), "compiled from another source than stdlib/m.py"),
    (fake_pyc(b"x = 1\n", flags=0b01), "not a checked-hash pyc"),
])
def test_check_site_refuses_bytecode_that_is_not_its_sources(tmp_path, pyc, message):
    site = minimal_site(tmp_path)
    with zipfile.ZipFile(site / build_site.STDLIB_ZIP, "w") as archive:
        archive.writestr("m.py", b"x = 1\n")
        archive.writestr("m.pyc", pyc)
    if message is None:
        assert build_site.bytecode_problems(site) == []
    else:
        with pytest.raises(build_site.BuildError, match=message):
            build_site.check_site(site)


def test_check_site_refuses_bytecode_without_a_source(tmp_path):
    site = minimal_site(tmp_path)
    build_site._wheel(site / "static" / "pyodide", "cache", "1", {"pkg/__pycache__/m.cpython-312.pyc": fake_pyc(b"")},
                      "a cache")
    assert build_site.bytecode_problems(site) == ["site-packages/pkg/__pycache__/m.cpython-312.pyc: no source "
                                                  "site-packages/pkg/m.py"]


def test_the_build_gzips_what_gzip_shrinks_and_lists_what_never_changes(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "build").mkdir(parents=True)
    (site / "static" / "pyodide").mkdir(parents=True)
    (site / "pypi").mkdir()
    script = b"export const minigrad = 'autograd';\n" * 400
    (site / "build" / "jlab_core.8f86ffc.js").write_bytes(script)
    (site / "build" / "bootstrap.js").write_bytes(script)
    (site / "static" / "pyodide" / "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl").write_bytes(os.urandom(4096))
    (site / "static" / "pyodide" / "python_stdlib.zip").write_bytes(os.urandom(4096))
    (site / "static" / "pyodide" / "pyodide-lock.json").write_text(json.dumps({"packages": {"numpy": {
        "file_name": "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"}}}))
    (site / "pypi" / "comm-0.2.3-py3-none-any.whl").write_bytes(os.urandom(1024))
    (site / "pypi" / "minigrad_lab-0.1.0-py3-none-any.whl").write_bytes(os.urandom(1024))
    (site / "build" / "215.a8c2563.js").write_bytes(script)  # a chunk the build patched: its name is upstream's
    (site / "bundled.json").write_text(json.dumps({"build/215.a8c2563.js": {
        "from": "PyPI jupyterlite-core==0.6.4, patched by tools/build_site.py (APP_START_PATCH: ...)", "sha256": "x"}}))
    monkeypatch.setattr(build_site, "kernel_wheels", lambda site=None: [])
    total, on_the_wire = build_site.write_wire_files(site, {"wheels": {"comm-0.2.3-py3-none-any.whl": "x"}})
    assert gzip.decompress((site / "build" / "jlab_core.8f86ffc.js.gz").read_bytes()) == script
    assert not (site / "static" / "pyodide" / "python_stdlib.zip.gz").exists()  # random bytes: gzip cannot help
    assert on_the_wire < total - len(script)
    assert json.loads((site / "immutable.json").read_text()) == [
        "build/jlab_core.8f86ffc.js", "pypi/comm-0.2.3-py3-none-any.whl",
        "static/pyodide/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"]  # not bootstrap.js, 215, stdlib, minigrad
    assert build_site.wire_problems(site) == []
    big = (b"import numpy as np  # a stored zip of sources and bytecode\n" * 8000) + os.urandom(1000)
    (site / "static" / "pyodide" / "python_stdlib.zip").write_bytes(big)  # above ZOPFLI_FROM_BYTES
    build_site.write_wire_files(site, {"wheels": {}})
    packed = (site / "static" / "pyodide" / "python_stdlib.zip.gz").read_bytes()
    assert gzip.decompress(packed) == big and len(packed) <= len(gzip.compress(big, 9, mtime=0))
    (site / "build" / "bootstrap.js").write_bytes(b"// rebuilt" * 100)  # a .gz left from another build
    assert build_site.wire_problems(site) == ["build/bootstrap.js.gz is not bootstrap.js compressed (stale?)"]
