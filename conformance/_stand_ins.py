"""Stand-ins for modules whose import is slow and seldom of use to a run (issue 20: start-up).

A stand-in is put under a module's name before anything imports it. It offers the functions the importers
take from the module; the first call of one, or the first use of any other name, imports the real module
and hands over to it, so that everything works exactly as before and only the import comes later.

- ``rfc3987_syntax``: jsonschema's format module imports it (when installed) for the ``iri`` and
  ``iri-reference`` formats, and that import compiles about forty lark grammars: seconds of every run's
  start-up on a loaded machine, even when no schema of the run names those formats.
- ``openapi_schema_validator.settings``: openapi-schema-validator's package imports it, and with it pydantic
  and pydantic-settings (about 75 ms), for the cache size of its ``validate`` shortcut. The harness uses the
  package's validator classes (OpenAPI 3.0 and 3.1 Schema Objects), never that shortcut.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

_lock = threading.RLock()  # a real module whose import used another stand-in would not deadlock


class StandIn:
    """The stand-in of the module ``name``, offering ``functions`` until the real module is needed."""

    def __init__(self, name: str, functions: tuple[str, ...]) -> None:
        self.name = name
        self.real: Any = None
        module = types.ModuleType(name, f"stand-in for {name}: the real module loads on first use")
        for function in functions:
            setattr(module, function, self._forward(function))
        module.__getattr__ = self._attribute  # type: ignore[method-assign]
        self.module = module

    def load(self) -> Any:
        with _lock:
            if self.real is None:
                if sys.modules.get(self.name) is self.module:
                    del sys.modules[self.name]
                try:
                    self.real = importlib.import_module(self.name)
                except BaseException:
                    sys.modules.setdefault(self.name, self.module)
                    raise
        return self.real

    def _forward(self, function: str) -> Callable[..., Any]:
        def forwarded(*args: Any, **kwargs: Any) -> Any:
            return getattr(self.load(), function)(*args, **kwargs)

        forwarded.__name__ = function
        return forwarded

    def _attribute(self, name: str) -> Any:
        if name.startswith("__"):  # the import system asks for __path__ and the like: not a use of the module
            raise AttributeError(name)
        return getattr(self.load(), name)


def _installed(name: str) -> bool:
    """Whether the module ``name`` is installed, found without importing anything (a submodule's package
    would run its ``__init__``)."""
    package, _, rest = name.partition(".")
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    if not rest:
        return True
    locations = list(spec.submodule_search_locations or [])
    relative = Path(*rest.split("."))
    return any((Path(location) / relative).with_suffix(".py").is_file() for location in locations)


def install(name: str, functions: tuple[str, ...], *, importers: tuple[str, ...]) -> StandIn | None:
    """Put the stand-in of ``name`` in place, unless the module or one of its ``importers`` is loaded
    already, or the module is not installed."""
    if name in sys.modules or any(importer in sys.modules for importer in importers) or not _installed(name):
        return None
    stand_in = StandIn(name, functions)
    sys.modules[name] = stand_in.module
    return stand_in


def install_all() -> None:
    install("rfc3987_syntax", ("is_valid_syntax",), importers=("jsonschema._format",))
    install("openapi_schema_validator.settings", ("get_settings", "reset_settings_cache"),
            importers=("openapi_schema_validator",))
