"""``rfc3987_syntax`` on first use (issue 20: start-up).

jsonschema's format module imports ``rfc3987_syntax`` (when installed) for the ``iri`` and
``iri-reference`` formats, and that import compiles about forty lark grammars: seconds of every run's
start-up on a loaded machine, even when no schema of the run names those formats. This module puts a
stand-in under that name before jsonschema is imported; the stand-in's ``is_valid_syntax`` imports the
real package the first time a value is checked and hands over to it, so those formats are checked
exactly as before, only their grammars are built when needed.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

NAME = "rfc3987_syntax"
_lock = threading.Lock()
_real: Any = None


def _load_real() -> Any:
    global _real
    with _lock:
        if _real is None:
            stand_in = sys.modules.pop(NAME, None)
            try:
                _real = importlib.import_module(NAME)
            except BaseException:
                if stand_in is not None:
                    sys.modules[NAME] = stand_in
                raise
    return _real


def _is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
    return _load_real().is_valid_syntax(*args, **kwargs)


def _module_getattr(name: str) -> Any:
    if name.startswith("__"):  # the import system asks for __path__ and the like: not a use of the package
        raise AttributeError(name)
    return getattr(_load_real(), name)


def install() -> None:
    """Put the stand-in in place, unless the real package is loaded already or is not installed."""
    if NAME in sys.modules or "jsonschema._format" in sys.modules:
        return
    try:
        if importlib.util.find_spec(NAME) is None:
            return
    except (ImportError, ValueError):
        return
    stand_in = types.ModuleType(NAME, "stand-in for rfc3987_syntax: the real package loads on first use")
    stand_in.is_valid_syntax = _is_valid_syntax  # type: ignore[attr-defined]
    stand_in.__getattr__ = _module_getattr  # type: ignore[method-assign]
    sys.modules[NAME] = stand_in
