"""The servers the browser tests start (JupyterLab, Voila, ``make serve-site``, JupyterHub), started one way.

``start`` runs a command in a process group of its own with its output in a log file, and returns once a URL
answers; if the process exits first, or the URL does not answer in time, it stops the process and fails with
the end of its output. ``Running.stop`` ends that process group, and nothing else. The functions below it read
what those processes and their children are doing from /proc (their command lines, memory and CPU time).
"""

import os
import re
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


# ------------------------------------------------------------------------------ what they are doing, from /proc
def descendants(pid):
    """Every process under ``pid`` (by parent), from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as file:
                    children.setdefault(int(file.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                continue
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def memory_mb(pid, field):
    """A memory field of /proc/PID/status (VmRSS, VmHWM) in MB; 0 once the process has gone."""
    try:
        with open(f"/proc/{pid}/status") as file:
            match = re.search(rf"{field}:\s+(\d+) kB", file.read())
        return int(match.group(1)) / 1024 if match else 0.0
    except OSError:
        return 0.0


def cpu_seconds(pids):
    """The CPU seconds (user + system) the processes have used; those gone count 0."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return total


def cmdline(pid):
    """A process's command line, its arguments joined by spaces ("" once it has gone)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return file.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
