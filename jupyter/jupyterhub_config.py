# JupyterHub for a class on one Linux server, set up by hand (docs/classroom.md; The Littlest JupyterHub is
# the easier road and needs none of this). Every student signs in with an account of this machine and gets a
# JupyterLab of their own, running as their own unix user in their own home folder (mode 700): no student can
# read or write another's files. There is no sign-up page: only the names listed in students.txt get in.
#
#     sudo jupyterhub -f jupyter/jupyterhub_config.py        # as root: it starts each student as that student
#
# students.txt (beside this file, or the file named by MINIGRAD_HUB_STUDENTS): one user name per line; the
# first line starting with "teacher:" names the teacher (an admin). The hub creates a unix account for each
# listed name that does not exist yet; the teacher then gives each one a password (docs/classroom.md:
# `sudo chpasswd < passwords.txt`).
import os
import pathlib
import pwd

c = get_config()  # noqa: F821 (JupyterHub provides it)

HERE = pathlib.Path(__file__).resolve().parent
STUDENTS = pathlib.Path(os.environ.get("MINIGRAD_HUB_STUDENTS", HERE / "students.txt"))


def read_class(path):
    """(students, teachers) from a class list: a name per line, "teacher: name" for a teacher, # for comments."""
    students, teachers = set(), set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("teacher:"):
            teachers.add(line.removeprefix("teacher:").strip())
        elif line:
            students.add(line)
    return students, teachers


def private_home(home):
    """A student's home folder readable, writable and listable by its owner alone (mode 700)."""
    os.chmod(home, 0o700)


def before_each_server(spawner):
    private_home(pwd.getpwnam(spawner.user.name).pw_dir)


students, teachers = read_class(STUDENTS)
# Who may sign in: this machine's accounts (PAM: the system's own passwords), only the listed names.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = students | teachers
c.Authenticator.admin_users = teachers
c.LocalAuthenticator.create_system_users = True
# Each student's JupyterLab runs as that student (sudo-free: the hub runs as root), in their home folder.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.pre_spawn_hook = before_each_server
# A kernel left running by a student who went home is stopped after an hour (the memory goes back).
c.JupyterHub.services = [{"name": "idle-culler", "command": ["python3", "-m", "jupyterhub_idle_culler",
                                                             "--timeout=3600"]}]
c.JupyterHub.load_roles = [{"name": "idle-culler", "services": ["idle-culler"],
                            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]
# Serve over HTTPS on a real network (the passwords cross it): a certificate and key, or a proxy in front.
if os.environ.get("MINIGRAD_HUB_SSL_CERT"):
    c.JupyterHub.ssl_cert = os.environ["MINIGRAD_HUB_SSL_CERT"]
    c.JupyterHub.ssl_key = os.environ["MINIGRAD_HUB_SSL_KEY"]
