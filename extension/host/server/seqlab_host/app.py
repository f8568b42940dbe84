"""The JupyterLab application served by Debian's jupyter_server 1.23 and jupyterlab_server 2.16.

jupyterlab_server's ``LabServerApp`` serves any JupyterLab-style frontend given its static,
template, schema and theme folders; this subclass points them at extension/host/build, adds the
page config the real ``jupyter lab`` adds, the endpoints 1.23 lacks (handlers.py), and fixes
the not-found page bug.
"""
import json
import os

from jupyter_core.paths import jupyter_config_dir
from jupyter_server._version import version_info as server_version_info
from jupyterlab_server import LabServerApp
from jupyterlab_server.config import get_static_page_config
from jupyterlab_server.handlers import NotFoundHandler
from traitlets import Bool, Unicode, default

from .handlers import PageNotFoundHandler, api_handlers

HOST_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPO_ROOT = os.path.dirname(os.path.dirname(HOST_DIR))


class SeqlabLabApp(LabServerApp):
    """JupyterLab 4.6 (built from npm packages) with seqlab's kernel and extension."""

    name = "seqlab_host"
    app_name = "JupyterLab"
    description = "seqlab's JupyterLab host: a JupyterLab 4.6 frontend on Debian's Jupyter Server."
    # Other server extensions Debian may have installed (for older JupyterLab or the classic
    # notebook) are not meant for this frontend.
    load_other_extensions = False

    frontend_dir = Unicode(
        os.path.join(HOST_DIR, "build"),
        config=True,
        help="The built frontend (static/, templates/, schemas/, themes/): extension/host/build.",
    )

    expose_app_in_browser = Bool(
        False,
        config=True,
        help="Expose the application as window.jupyterapp (for browser tests).",
    )

    @default("static_dir")
    def _default_static_dir(self):
        return os.path.join(self.frontend_dir, "static")

    @default("templates_dir")
    def _default_templates_dir(self):
        return os.path.join(self.frontend_dir, "templates")

    @default("schemas_dir")
    def _default_schemas_dir(self):
        return os.path.join(self.frontend_dir, "schemas")

    @default("themes_dir")
    def _default_themes_dir(self):
        return os.path.join(self.frontend_dir, "themes")

    @default("app_settings_dir")
    def _default_app_settings_dir(self):
        # page_config.json (disabled plugins) and overrides.json (default settings).
        return os.path.join(REPO_ROOT, "jupyter-config", "lab")

    @default("user_settings_dir")
    def _default_user_settings_dir(self):
        # Where a real JupyterLab keeps them, so a user's settings carry over.
        return os.path.join(jupyter_config_dir(), "lab", "user-settings")

    @default("workspaces_dir")
    def _default_workspaces_dir(self):
        return os.path.join(jupyter_config_dir(), "lab", "workspaces")

    @default("app_version")
    def _default_app_version(self):
        return self._build_info().get("jupyterlab", "")

    def _build_info(self):
        path = os.path.join(self.frontend_dir, "build-info.json")
        try:
            with open(path, encoding="utf-8") as fid:
                return json.load(fid)
        except (OSError, ValueError):
            return {}

    def initialize_handlers(self):
        index = os.path.join(self.templates_dir, "index.html")
        if not os.path.isfile(index):
            raise SystemExit(
                f"seqlab_host: no built frontend at {self.frontend_dir} (missing {index}); "
                "build it with `npm run host:build` from the repository root"
            )
        page_config = self.serverapp.web_app.settings.setdefault("page_config_data", {})
        page_config.update(get_static_page_config(logger=self.log, level="all"))
        # What `jupyter lab` puts in the page config and the frontend reads.
        page_config.setdefault("buildAvailable", False)
        page_config.setdefault("buildCheck", False)
        page_config["devMode"] = False
        page_config["token"] = self.serverapp.token
        page_config["exposeAppInBrowser"] = self.expose_app_in_browser
        page_config["quitButton"] = self.serverapp.quit_button
        page_config["allow_hidden_files"] = getattr(self.serverapp.contents_manager, "allow_hidden", False)
        if hasattr(self.serverapp.contents_manager, "delete_to_trash"):
            page_config["delete_to_trash"] = self.serverapp.contents_manager.delete_to_trash
        # The frontend expects a JSON-encoded version tuple here.
        page_config["notebookVersion"] = json.dumps(list(server_version_info))
        page_config["news"] = {"disabled": True}

        self.handlers.extend(api_handlers())
        super().initialize_handlers()
        # jupyterlab_server's catch-all not-found handler, replaced by the fixed one.
        self.handlers = [
            (h[0], PageNotFoundHandler, *h[2:]) if len(h) > 1 and h[1] is NotFoundHandler else h
            for h in self.handlers
        ]


def main(argv=None):
    """Starts the server: ``run.py [--ServerApp.root_dir=DIR] [--SeqlabLabApp.expose_app_in_browser=True]``."""
    SeqlabLabApp.launch_instance(argv)
