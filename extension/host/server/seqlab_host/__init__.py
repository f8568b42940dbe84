"""seqlab's JupyterLab host: Debian's jupyter_server 1.23 + jupyterlab_server 2.16 serving a
JupyterLab 4.6 frontend built from npm packages (extension/host/build).

Run it with Debian's Python: ``/usr/bin/python3 extension/host/server/run.py --help-all``.
"""


def _jupyter_server_extension_points():
    # Imported here so that importing the package does not import jupyter_server.
    from .app import SeqlabLabApp

    return [{"module": "seqlab_host.app", "app": SeqlabLabApp}]
