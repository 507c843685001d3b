"""Every command the README and the docs give is run by a test, exactly as written.

``documented_commands`` reads README.md and docs/*.md: the lines of their shell blocks, and the inline code
that starts like a command (``make …``, ``.venv/bin/python …``). ``RUN_BY`` names, for each one, the test that
runs it; a command the docs give and no test runs fails here. The commands that need no server run below.
"""

import pathlib
import re
import shlex
import subprocess

import pytest
from browser import servers  # the one way the tests start a server (tests/browser/servers.py)

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND = re.compile(r"^(?:[A-Z_]+=\S+ )*(?:make|python3?|\.venv/bin/\S+|bash|npm|pip3?|jupyter|apt-get|curl) \S")
SHELL_BLOCK = re.compile(r"```(?:bash|sh|shell|console)\n(.*?)```", re.S)

# command, as the docs write it -> the test that runs it (through the Makefile's own recipe for make targets)
SERVE_SITE = "tests/test_commands.py::test_make_serve_site_serves_the_site_and_nothing_above_it"
RUN_BY = {
    "make lab": "tests/browser/test_commands.py::test_make_lab_answers_and_lists_the_notebooks",
    "make present":
        "tests/browser/test_commands.py::test_make_present_lists_the_notebooks_and_renders_one_in_present_mode",
    "make serve-site": SERVE_SITE,
    "make site": "tests/browser/test_site.py::build_site_if_stale",
    "SITE_PORT=8080 make serve-site": SERVE_SITE,
    "make test": "tests/test_commands.py::test_ci_runs_make_test",
    "make bench": "tests/test_commands.py::test_make_bench_prints_the_speed_tables",
    "make notebooks": "tests/test_commands.py::test_make_notebooks_reexecutes_a_notebook_with_the_same_checked_outputs",
    '.venv/bin/python -m minigrad.viz "exp(sin(x**2))" --at x=2 --step 5 --view expression -o chain.svg':
        "tests/test_commands.py::test_the_drawing_command_writes_the_svg",
    ".venv/bin/python tools/export_html.py notebooks/03_three_links.ipynb -o build/html":
        "tests/browser/test_offline_page.py::offline_page",
}


def documented_commands():
    """(file name, command) for every command README.md and docs/*.md give."""
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for block in SHELL_BLOCK.findall(text):
            lines = (re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines())
            found += [(path.name, line) for line in lines if line and not line.startswith("#")]
        prose = SHELL_BLOCK.sub("", text)
        found += [(path.name, span) for span in re.findall(r"`([^`\n]+)`", prose) if COMMAND.match(span)]
    return found


def documented(command):
    """The one command of the docs that starts like ``command`` (so a test runs the docs' own words)."""
    (match,) = {text for _, text in documented_commands() if text.startswith(command)}
    return match


def test_every_documented_command_is_run_by_a_test():
    commands = documented_commands()
    assert {"make lab", "make test", "make present"} <= {text for _, text in commands}
    not_run = sorted({f"{where}: {text}" for where, text in commands if text not in RUN_BY})
    assert not_run == [], "commands the docs give that no test runs (add one to RUN_BY and write its test)"
    for command, test in RUN_BY.items():
        path, name = test.split("::")
        code = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", code, re.M), test
        # a make target runs through the Makefile's recipe; any other command stands in its test word for word
        assert command.split()[-1] in code if "make " in command else command in code, (command, test)


def test_ci_runs_make_test():
    """``make test`` is what CI runs: the last command of .ci/run, after installing what the tests need."""
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert [line for line in lines if line and not line.startswith("#")][-1] == "make test"


def test_the_drawing_command_writes_the_svg():
    command = documented(".venv/bin/python -m minigrad.viz")
    output = ROOT / shlex.split(command)[-1]
    output.unlink(missing_ok=True)
    try:
        result = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        svg = output.read_text(encoding="utf-8")
    finally:
        output.unlink(missing_ok=True)
    assert svg.lstrip().startswith(("<?xml", "<svg")) and svg.rstrip().endswith("</svg>")
    for label in ("sin", "exp", "0.4692"):  # the step the docs describe: ∂u/∂y = 0.4692 on its way back
        assert label in svg


@pytest.mark.parametrize("where, text", [(w, t) for w, t in documented_commands() if t.startswith(".venv/")])
def test_a_venv_command_names_a_program_make_lab_installs(where, text):
    program = text.split()[0]
    assert program in {".venv/bin/python", ".venv/bin/jupyter"}, f"{where}: {text}"


def test_make_bench_prints_the_speed_tables():
    """``make bench``'s recipe, told to run one round of the core suite (the whole takes minutes)."""
    result = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "bench", "BENCH_ARGS=core --rounds 1"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"^\|.*W1.*\|", result.stdout, re.M), result.stdout[-3000:]


def test_make_notebooks_reexecutes_a_notebook_with_the_same_checked_outputs(tmp_path):
    """``make notebooks``'s recipe on a copy of one notebook: run again, it prints what is stored."""
    import nbformat

    name = "01_square.ipynb"
    (tmp_path / name).write_bytes((ROOT / "notebooks" / name).read_bytes())
    result = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "notebooks", f"NOTEBOOKS={tmp_path}",
                             "NAMES=01_square"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "01_square.ipynb: executed in" in result.stdout

    def texts(path):
        """What each code cell prints and shows as text (a print may arrive as one stream piece or two)."""
        cells = nbformat.read(path, as_version=4).cells
        return ["".join(output.get("text", output.get("data", {}).get("text/plain", "")) for output in cell.outputs)
                for cell in cells if cell.cell_type == "code"]

    assert texts(tmp_path / name) == texts(ROOT / "notebooks" / name)


def answer(port, path):
    """(status, body) of GET http://127.0.0.1:port/path, the path sent as written (no ../ folded away)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("command", ["make serve-site", "SITE_PORT=8080 make serve-site"])
def test_make_serve_site_serves_the_site_and_nothing_above_it(command, tmp_path):
    import os

    assert command in {text for _, text in documented_commands()}
    if not (ROOT / "build" / "site" / "index.html").exists():
        message = "build/site/ is not built (make site)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": .ci/run builds it before the tests")
        pytest.skip(message)
    port = 8080 if "SITE_PORT=8080" in command else 8000
    server = servers.start("make serve-site", ["sh", "-c", command], f"http://127.0.0.1:{port}/",
                           tmp_path / "server.log", cwd=ROOT, timeout_s=60)  # the command exactly as written
    try:
        status, body = answer(port, "/")
        assert status == 200 and b"<html" in body.lower()
        assert answer(port, "/lab/index.html")[0] == 200
        for outside in ("/../Makefile", "/%2e%2e/Makefile", "/../../README.md"):
            status, body = answer(port, outside)
            assert b"serve-site" not in body and b"minigrad-lab" not in body, (outside, status)
    finally:
        server.stop()
