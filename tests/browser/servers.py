"""The servers the browser tests start (JupyterLab, Voila, ``make serve-site``, JupyterHub), started one way.

``start`` runs a command in a process group of its own with its output in a log file, and returns once a URL
answers; if the process exits first, or the URL does not answer in time, it stops the process and fails with
the end of its output. ``Running.stop`` ends that process group, and nothing else.
"""

import os
import signal
import subprocess
import time
import urllib.request


class Running:
    """A server this test started: ``process`` (the command's own, heading its process group) and its log."""

    def __init__(self, name, process, log_path):
        self.name, self.process, self.log_path = name, process, log_path

    @property
    def pid(self):
        return self.process.pid

    def output(self, chars=3000):
        """The end of what the server wrote (stdout and stderr)."""
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self, grace_s=20):
        """SIGTERM to the process group we started, SIGKILL if it has not gone in ``grace_s`` seconds."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start(name, command, ready_url, log_path, cwd, env=None, timeout_s=90):
    """Start ``command`` (in ``cwd``, with ``env``) and wait until ``ready_url`` answers with a success."""
    with open(log_path, "w") as log:  # the child has its own copy of the file
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    running, shown = Running(name, process, log_path), ready_url.split("?")[0]  # (no token in a message)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited (status {process.returncode}) before {shown} answered:\n"
                                   f"{running.output()}")
            try:
                with urllib.request.urlopen(ready_url, timeout=2):
                    return running
            except OSError:  # not listening yet, or not ready (an HTTP error status)
                time.sleep(0.1)
        raise RuntimeError(f"{name} did not answer {shown} in {timeout_s} s:\n{running.output()}")
    except BaseException:
        running.stop()
        raise
