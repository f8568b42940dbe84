"""What jupyterhub_config.py needs from this checkout: the seqlab kernelspec, the student's
server command, the proxy, and each student's working copy of the lecture notebooks.

Imported by jupyterhub_config.py (which puts this folder on sys.path); runs inside the hub.
"""
import asyncio
import os
import pwd
import shutil
import subprocess

#: The repository this config belongs to (jupyter-config/hub/ -> the root).
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: The Python with Debian's jupyter_server and jupyterhub (scripts/system-deps.sh hub).
DEBIAN_PYTHON = "/usr/bin/python3"


class SetupError(Exception):
    """Something the hub needs is missing; the message says what to run."""


def _need(path, what, fix):
    if not os.path.exists(path):
        raise SetupError(f"seqlab hub: {what} is missing ({path}); {fix}")
    return path


def node():
    """The Node that runs the seqlab kernel and the helpers (`node` on PATH, else /usr/bin/node)."""
    found = shutil.which("node") or "/usr/bin/node"
    return _need(found, "Node.js 20", "install Node 20 (the README's quick start)")


def install_kernel(prefix, threads, display_name="TypeScript (seqlab)"):
    """Writes the seqlab kernelspec into ``prefix/share/jupyter`` with ``--threads`` and
    returns that folder (for ``JUPYTER_PATH``).

    The kernel comes from this checkout when it is built, else from a ``seqlab`` installed from
    the packed tarball (``npm install -g seqlab-kernel-*.tgz``). Run at every hub start: cheap,
    and the kernelspec then follows this config.
    """
    checkout = os.path.join(REPO, "kernel", "bin", "seqlab.js")
    if os.path.exists(os.path.join(REPO, "kernel", "dist", "cli", "main.js")):
        command = [node(), checkout]
    elif shutil.which("seqlab"):
        command = [shutil.which("seqlab")]
    else:
        raise SetupError("seqlab hub: the seqlab kernel is not built; run `npm ci && npm run build` in " + REPO)
    subprocess.run(
        [*command, "install", "--prefix", prefix, "--threads", str(threads), "--display-name", display_name],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return os.path.join(prefix, "share", "jupyter")


def singleuser_command():
    """A student's server: seqlab's JupyterLab host (Debian's jupyter_server with the JupyterLab
    4.6 frontend built from npm packages) as a JupyterHub single-user server."""
    _need(
        os.path.join(REPO, "extension", "host", "build", "templates", "index.html"),
        "the JupyterLab frontend",
        f"build it with `npm run host:build` in {REPO}",
    )
    return [DEBIAN_PYTHON, os.path.join(REPO, "extension", "host", "server", "singleuser.py")]


def proxy_command():
    """configurable-http-proxy from npm (a devDependency: `npm ci` installs it).

    Not Debian's node-configurable-http-proxy, which jupyterhub pulls in: it loads its modules
    from /usr/share/nodejs, which only Debian's own nodejs searches, so under the Node 20 this
    project needs it stops with "Cannot find module 'commander'".
    """
    return [
        _need(
            os.path.join(REPO, "node_modules", ".bin", "configurable-http-proxy"),
            "configurable-http-proxy",
            f"run `npm ci` in {REPO}",
        )
    ]


def unreadable_by_others(path):
    """The first folder on the way to ``path`` that other users cannot enter or read, or None."""
    path = os.path.abspath(path)
    parts = path.split(os.sep)
    for i in range(1, len(parts) + 1):
        folder = os.sep.join(parts[:i]) or os.sep
        if os.stat(folder).st_mode & 0o005 != 0o005:
            return folder
    return None


def check_readable_by_students(spawner):
    """Students' servers run under their own accounts (the local process spawner switches to
    them when the hub runs as root): they must be able to read this checkout, where the kernel,
    the frontend and the notebooks are."""
    switches_user = os.geteuid() == 0 and not hasattr(spawner, "home_dir")
    blocked = unreadable_by_others(REPO) if switches_user else None
    if blocked:
        raise SetupError(
            f"seqlab hub: students cannot read {REPO} ({blocked} is closed to other users); "
            "put the checkout where everyone can read it (for example /opt/seqlab) or open it with chmod o+rx"
        )


def home_of(spawner):
    """The student's home: the spawner's own idea of it (SimpleLocalProcessSpawner), else the
    system user's."""
    return getattr(spawner, "home_dir", None) or pwd.getpwnam(spawner.user.name).pw_dir


def working_copy_hook(folder="seqlab-notebooks"):
    """A ``Spawner.pre_spawn_hook`` that gives each student ``~/<folder>``: a working copy of the
    lecture notebooks, made on their first start and kept (extension/host/src/working-copy.ts,
    the same code as `npm start`'s copy). It runs as the student, so the files are theirs."""
    script = _need(
        os.path.join(REPO, "extension", "host", "dist", "working-copy.js"),
        "the working-copy helper",
        f"run `npm run build` in {REPO}",
    )
    source = os.path.join(REPO, "notebooks")

    async def hook(spawner):
        check_readable_by_students(spawner)
        target = os.path.join(home_of(spawner), folder)
        process = await asyncio.create_subprocess_exec(
            node(),
            script,
            "--source",
            source,
            "--target",
            target,
            "--backup",
            os.path.join(home_of(spawner), ".seqlab-notebook-backups"),
            # The spawner's own: switches to the student's uid and home (and makes the home
            # for SimpleLocalProcessSpawner).
            preexec_fn=spawner.make_preexec_fn(spawner.user.name),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        said, _ = await process.communicate()
        for line in said.decode("utf-8", "replace").splitlines():
            spawner.log.info("%s: %s", spawner.user.name, line)
        if process.returncode != 0:
            raise SetupError(f"seqlab hub: the working copy for {spawner.user.name} failed (exit {process.returncode})")

    return hook
