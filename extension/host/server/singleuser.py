"""Starts seqlab's JupyterLab host as a JupyterHub single-user server (seqlab_host/hub.py).

The command jupyter-config/hub/jupyterhub_config.py gives the spawner; run with Debian's
/usr/bin/python3. As run.py, the package directory goes on sys.path in this process only,
not through PYTHONPATH, which the student's kernels would inherit.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from seqlab_host.hub import main  # noqa: E402

if __name__ == "__main__":
    main()
