# JupyterHub for a class on one machine, with seqlab: each student logs in with a local
# account and gets JupyterLab with the seqlab kernel and views, and a working copy of the
# lecture notebooks in ~/seqlab-notebooks. Debian's jupyterhub 3.0; README.md here and
# docs/lecturers.md say how to set it up and how many students a machine holds.
#
#   sudo bash scripts/system-deps.sh hub          # Debian's jupyterhub and Jupyter Server
#   npm ci && npm run host:build                  # kernel, extension, frontend, the proxy
#   sudo jupyterhub -f jupyter-config/hub/jupyterhub_config.py
#
# Settings from the environment (all optional):
#   SEQLAB_HUB_DIR      the hub's state: database, cookie secret, the seqlab kernelspec
#                       (default /srv/seqlab-hub as root, else .seqlab/hub in the checkout)
#   SEQLAB_HUB_URL      where students connect (default http://:8000, every interface)
#   SEQLAB_HUB_GROUP    the Unix group whose members may log in (default seqlab-students)
#   SEQLAB_HUB_ADMINS   comma-separated users with the admin page (start/stop servers)
#   SEQLAB_HUB_SSL_CERT, SEQLAB_HUB_SSL_KEY   serve HTTPS (do, unless a TLS proxy is in front:
#                       students send their passwords)
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seqlab_hub  # noqa: E402

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)

# --- Where the hub keeps its state -----------------------------------------------------------
state = os.path.abspath(
    os.environ.get("SEQLAB_HUB_DIR")
    or ("/srv/seqlab-hub" if os.geteuid() == 0 else os.path.join(seqlab_hub.REPO, ".seqlab", "hub"))
)
os.makedirs(state, mode=0o755, exist_ok=True)
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "jupyterhub-proxy.pid")
c.JupyterHub.bind_url = os.environ.get("SEQLAB_HUB_URL", "http://:8000")
if os.environ.get("SEQLAB_HUB_SSL_CERT"):
    c.JupyterHub.ssl_cert = os.environ["SEQLAB_HUB_SSL_CERT"]
    c.JupyterHub.ssl_key = os.environ["SEQLAB_HUB_SSL_KEY"]

# The proxy in front of the hub and the students' servers (npm's, see seqlab_hub.proxy_command).
c.ConfigurableHTTPProxy.command = seqlab_hub.proxy_command()

# --- Who may log in ----------------------------------------------------------------------------
# Local Unix accounts and their passwords (PAM). Make the accounts with
#   sudo groupadd seqlab-students; sudo useradd -m -G seqlab-students alice; sudo passwd alice
c.JupyterHub.authenticator_class = "pam"
c.LocalAuthenticator.allowed_groups = {os.environ.get("SEQLAB_HUB_GROUP", "seqlab-students")}
c.Authenticator.admin_users = {u.strip() for u in os.environ.get("SEQLAB_HUB_ADMINS", "").split(",") if u.strip()}

# --- Each student's server ---------------------------------------------------------------------
# One process per student, run as that student (the hub runs as root for this).
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = seqlab_hub.singleuser_command()
c.Spawner.default_url = "/lab"
c.Spawner.pre_spawn_hook = seqlab_hub.working_copy_hook("seqlab-notebooks")
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

# The seqlab kernel, installed into the hub's state folder at every start and put on the
# students' JUPYTER_PATH. Threads per kernel: the engine's threads per large product
# (SEQLAB_THREADS in kernel.json). With many kernels on one machine, one each keeps them from
# fighting over cores; raise it only with fewer students than cores.
KERNEL_THREADS = 1
c.Spawner.environment = {
    "JUPYTER_PATH": seqlab_hub.install_kernel(os.path.join(state, "jupyter"), threads=KERNEL_THREADS),
    # The kernel's language service (completion, inspection with types) starts on a student's
    # first Tab instead of a second after their first cell: ~100 MiB less per kernel that
    # never completes; the first completion then waits about a second.
    "SEQLAB_LANGUAGE_WARMUP": "0",
}

# Limits per student. The local process spawner does not enforce these (it only passes them
# on as MEM_LIMIT and CPU_LIMIT); spawners that run each server in a cgroup or container do
# (jupyterhub-systemdspawner, dockerspawner: not packaged by Debian). docs/lecturers.md has the
# memory one student needs; size the machine with it.
c.Spawner.mem_limit = "1G"
c.Spawner.cpu_limit = 1.0

# --- Idle culling, with what Jupyter Server itself offers (no extra package) --------------------
c.Spawner.args = [
    # A kernel idle for an hour is shut down, even with its tab open; a running cell never is.
    "--MappingKernelManager.cull_idle_timeout=3600",
    "--MappingKernelManager.cull_interval=300",
    "--MappingKernelManager.cull_connected=True",
    "--MappingKernelManager.cull_busy=False",
    # A server with no kernels and no requests for two hours stops itself; the student's next
    # visit starts it again (their notebooks stay in their home).
    "--ServerApp.shutdown_no_activity_timeout=7200",
]
# Logging out stops the student's server and kernels.
c.JupyterHub.shutdown_on_logout = True
