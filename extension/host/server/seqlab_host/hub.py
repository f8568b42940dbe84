"""seqlab's JupyterLab host as a JupyterHub single-user server.

What `jupyter labhub` is for the Python jupyterlab package: Debian's jupyter_server with
JupyterHub's authentication mixed in (``make_singleuser_app``), the seqlab_host server
extension (the JupyterLab 4.6 frontend built in extension/host/build) enabled, and ``/lab``
as the landing page. JupyterHub's spawner starts it through ``singleuser.py``; it reads the
usual ``JUPYTERHUB_*`` environment the spawner sets.
"""
from jupyter_server.serverapp import ServerApp
from jupyter_server.utils import url_path_join
from jupyterhub.singleuser.mixins import make_singleuser_app
from traitlets import default

SingleUserServerApp = make_singleuser_app(ServerApp)


class SeqlabSingleUserApp(SingleUserServerApp):
    """A student's server on JupyterHub: JupyterLab with the seqlab kernel and views."""

    name = "seqlab-singleuser"
    description = "seqlab's JupyterLab host as a JupyterHub single-user server."

    @default("default_url")
    def _default_url(self):
        return "/lab"

    def find_server_extensions(self):
        # Whatever else the configuration enables, the frontend is seqlab_host's.
        super().find_server_extensions()
        self.jpserver_extensions["seqlab_host"] = True

    def load_server_extensions(self):
        result = super().load_server_extensions()
        # What `jupyter labhub` tells the frontend, so JupyterLab's hub plugin offers the Hub
        # Control Panel and Log Out (the mixin above has cleared the token: cookies are used).
        page_config = self.web_app.settings.setdefault("page_config_data", {})
        page_config["hubPrefix"] = self.hub_prefix
        page_config["hubHost"] = self.hub_host
        page_config["hubUser"] = self.user
        page_config["hubServerName"] = getattr(self, "server_name", "")
        page_config["shareUrl"] = url_path_join(self.hub_prefix, "user-redirect")
        return result


def main(argv=None):
    """Starts a single-user server (the spawner passes ``--port``, ``--notebook-dir`` and so on)."""
    return SeqlabSingleUserApp.launch_instance(argv)
