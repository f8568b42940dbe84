"""REST and websocket endpoints the JupyterLab 4.6 frontend calls that jupyter_server 1.23 lacks.

Without them every page load logs 404s (``/api/me``, ``/lsp/status``), the event bus
websocket retries forever, and every traceback asks ``/api/resolvePath`` in vain.
"""
import getpass
import json
import os
from functools import lru_cache

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.base.zmqhandlers import WebSocketMixin
from jupyterlab_server.handlers import LabHandler
from tornado import web
from tornado.websocket import WebSocketHandler


def _os_user():
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry, e.g. in some containers
        return "user"


def _user_names(current_user):
    """(username, display name) for jupyter_server 1.x's current user.

    1.x identifies a token-authenticated browser by a random id, or by the name a custom login
    handler gives; this is a single-user server, so the display name is the OS user's.
    """
    if isinstance(current_user, dict):
        name = str(current_user.get("name") or current_user.get("username") or _os_user())
        return name, name
    if isinstance(current_user, str) and current_user:
        return current_user, _os_user()
    return _os_user(), _os_user()


class IdentityHandler(APIHandler):
    """``GET /api/me``: who the browser is talking as (jupyter_server 2's identity API)."""

    @web.authenticated
    def get(self):
        username, name = _user_names(self.current_user)
        identity = {
            "username": username,
            "name": name,
            "display_name": name,
            "initials": name[:1].upper(),
            "avatar_url": None,
            "color": None,
        }
        # One user with every permission: jupyter_server 1.x has no finer authorisation to report.
        self.finish(json.dumps({"identity": identity, "permissions": {}}))


class EventsHandler(APIHandler):
    """``POST /api/events``: accepts a well-formed event; 1.23 has no event bus to route it to."""

    @web.authenticated
    def post(self):
        try:
            event = json.loads(self.request.body.decode("utf-8"))
        except ValueError:
            raise web.HTTPError(400, "the event is not valid JSON")
        if not isinstance(event, dict):
            raise web.HTTPError(400, "the event must be a JSON object")
        for key in ("schema_id", "version", "data"):
            if key not in event:
                raise web.HTTPError(400, f"the event lacks '{key}'")
        self.log.debug("event %s v%s accepted (no event bus in this server)", event["schema_id"], event["version"])
        self.set_status(204)
        self.finish()


class EventsSubscribeHandler(WebSocketMixin, WebSocketHandler, JupyterHandler):
    """``/api/events/subscribe``: an authenticated websocket that stays open and quiet.

    The frontend reconnects whenever this socket closes; holding it open (with the usual
    keep-alive pings) is what stops that loop.
    """

    def set_default_headers(self):
        # JupyterHandler's headers (CSP and so on) do not apply to a websocket upgrade.
        pass

    async def get(self, *args, **kwargs):
        if self.get_current_user() is None:
            raise web.HTTPError(403, "not authenticated")
        await super().get(*args, **kwargs)

    def on_message(self, message):
        # Clients do not send on this socket; nothing to do.
        pass


class LspStatusHandler(APIHandler):
    """``GET /lsp/status``: the language server status, as jupyter-lsp reports it with no servers."""

    @web.authenticated
    def get(self):
        self.finish(json.dumps({"version": 2, "sessions": {}, "specs": {}}))


class ResolvePathHandler(APIHandler):
    """``GET /api/resolvePath?path=P[&kernel=ID]``: where a path seen in an output lives.

    Answers ``{"resolved": [{"scope": ..., "path": ...}], "unresolved": [...]}`` as
    jupyter_server 2 does. A relative path is tried against the kernel's working directory (the
    folder of the notebook its session belongs to) and then the server root. An existing file
    inside the server root resolves in the server scope (path relative to the root), so
    JupyterLab can open it; an existing file elsewhere resolves in the kernel scope.
    """

    @web.authenticated
    async def get(self):
        raw = self.get_argument("path", "")
        if not raw:
            raise web.HTTPError(400, "missing the 'path' argument")
        root = os.path.realpath(os.path.expanduser(self.settings.get("server_root_dir", os.getcwd())))
        path = os.path.expanduser(raw)
        if os.path.isabs(path):
            candidates = [path]
        else:
            candidates = [os.path.join(d, path) for d in await self._kernel_dirs(root)] + [os.path.join(root, path)]
        resolved, unresolved = [], []
        for candidate in candidates:
            full = os.path.realpath(candidate)
            if not os.path.exists(full):
                continue
            if full == root or full.startswith(root + os.sep):
                relative = os.path.relpath(full, root).replace(os.sep, "/")
                resolved.append({"scope": "server", "path": "" if relative == "." else relative})
            else:
                resolved.append({"scope": "kernel", "path": full})
            break
        if not resolved:
            unresolved.append({"scope": "server", "path": raw})
        self.finish(json.dumps({"resolved": resolved, "unresolved": unresolved}))

    async def _kernel_dirs(self, root):
        """The working directory of the kernel named in the request, if a session holds it."""
        kernel_id = self.get_argument("kernel", "")
        if not kernel_id:
            return []
        try:
            sessions = await self.session_manager.list_sessions()
        except Exception:  # the sessions API is best effort here
            return []
        for session in sessions:
            if (session.get("kernel") or {}).get("id") == kernel_id:
                notebook_dir = os.path.dirname(session.get("path") or "")
                return [os.path.join(root, notebook_dir)]
        return []


class PageNotFoundHandler(LabHandler):
    """The lab page for an unknown ``/lab/...`` URL, with jupyterlab_server 2.16's bug fixed.

    2.16's ``NotFoundHandler`` writes ``notFoundUrl`` into the page config dict that every
    handler shares, so after one bad URL every later ``/lab`` load says "Path Not Found".
    This handler puts it into a copy.
    """

    @lru_cache()  # noqa: B019 - per request handler instance, as in LabHandler
    def get_page_config(self):
        page_config = dict(LabHandler.get_page_config(self))
        page_config["notFoundUrl"] = self.request.path
        return page_config


def api_handlers():
    """The URL patterns (relative to base_url) and handlers this module adds."""
    return [
        (r"/api/me/?", IdentityHandler),
        (r"/api/events/?", EventsHandler),
        (r"/api/events/subscribe/?", EventsSubscribeHandler),
        (r"/lsp/status/?", LspStatusHandler),
        (r"/api/resolvePath/?", ResolvePathHandler),
    ]
