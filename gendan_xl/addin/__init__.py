"""Builds the 跟单助手 Excel add-in (gendan_xl.xlam) from ``macros/`` on any OS.

``build_addin(out)`` writes the add-in; ``install_addin()`` puts it into Excel's
XLSTART folder on Windows. See ``build.py`` for what the add-in holds.
"""

from gendan_xl.addin.build import AddinError, build_addin, install_addin

__all__ = ["AddinError", "build_addin", "install_addin"]
