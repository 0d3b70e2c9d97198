"""A YAML document a data standard publishes, read as the JSON data it stands for (a leaf module).

The data standards define JSON documents; YAML is their other written form. PyYAML's safe loader follows YAML
1.1, which reads a plain ``2021-02-23`` or ``2021-05-14T10:35:00Z`` as a date or a datetime: no JSON value,
and not what YAML 1.2's core schema (nor the standards' own YAML tools) read, a string. A conformant
document (an RFC 3339 ``created`` timestamp, a DUO release date, unquoted) would then be refused or misread.
"""

from __future__ import annotations

from typing import Any

import yaml

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DataLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """The safe loader (no Python objects) without YAML 1.1's implicit timestamps."""


_DataLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_yaml(text: str) -> Any:
    """The data of a YAML document, a timestamp-like plain scalar kept as its text; raises
    ``yaml.YAMLError`` for a document that is not YAML."""
    return yaml.load(text, Loader=_DataLoader)  # a safe loader: no object construction
