"""Package exports imported when first used (PEP 562's module ``__getattr__``).

A package such as ``shiliao.extract`` names, at its top, what its submodules offer; importing
them all whenever any submodule is imported (``shiliao.extract.finish`` for one function) cost
every command hundreds of milliseconds of imports it did not use (PDF, OCR, HTTP, signing
libraries). ``exports`` lets the package keep its names while each submodule is imported on
first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["exports"]


def exports(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``package.<names[name]>`` and
    returns its ``name`` the first time ``name`` is asked for (then cached in the package).

    Args:
        package: the package's ``__name__``.
        names: exported name -> the submodule (relative to the package) that defines it.

    Returns:
        The function to assign to the package's ``__getattr__``.

    Raises (from the returned function):
        AttributeError: ``name`` is not an export, as for any missing attribute.
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(importlib.import_module(package), name, value)
        return value

    return __getattr__
