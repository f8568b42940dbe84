"""Starts seqlab's JupyterLab host. Run with /usr/bin/python3 (Debian's Jupyter packages).

The package directory is put on sys.path here, in this process only, rather than through
PYTHONPATH, which kernels started by the server would inherit.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from seqlab_host.app import main  # noqa: E402

if __name__ == "__main__":
    main()
