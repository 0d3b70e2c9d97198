"""A YAML document a data standard publishes, read as the JSON data it stands for (a leaf module).

The data standards define JSON documents; YAML is their other written form. PyYAML's safe loader follows YAML
1.1, which reads a plain ``2021-02-23`` or ``2021-05-14T10:35:00Z`` as a date or a datetime: no JSON value,
and not what YAML 1.2's core schema (nor the standards' own YAML tools) read, a string. A conformant
document (an RFC 3339 ``created`` timestamp, a DUO release date, unquoted) would then be refused or misread.

Aliases make one node stand for many: a few hundred bytes of nested aliases stand for hundreds of millions of
values (a "billion laughs"), and an alias of its own parent for a document without end; neither is JSON data a
suite can walk. A document whose aliases expand it beyond :data:`EXPANSION` times its values as written (each
distinct collection and its scalars once: a document without aliases is exactly that) is refused, as is a
cyclic one, before any suite walks it. Depth is the caller's to bound before parsing (the C loader's recursion
has no limit of its own): ``conformance.documents`` reads published documents with their nesting bounded.
"""

from __future__ import annotations

from typing import Any

import yaml

#: A document whose aliases expand it to more than this many times its values as written (plus
#: :data:`EXPANSION_ALLOWANCE`) is refused: a block written once and referred to a few times stays well under it.
EXPANSION = 10
EXPANSION_ALLOWANCE = 100_000

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DataLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """The safe loader (no Python objects) without YAML 1.1's implicit timestamps."""


_DataLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


class AliasExpansionError(yaml.YAMLError):
    """A YAML document whose aliases make it cyclic or expand it beyond what JSON data of its size holds."""


def load_yaml(text: str) -> Any:
    """The data of a YAML document, a timestamp-like plain scalar kept as its text; raises
    ``yaml.YAMLError`` for a document that is not YAML, :class:`AliasExpansionError` (one) for one whose
    aliases make it cyclic or expand it too far (the module's docstring)."""
    data = yaml.load(text, Loader=_DataLoader)  # a safe loader: no object construction
    _check_expansion(data)
    return data


def _check_expansion(data: Any) -> None:
    """Count the values ``data`` stands for (a node shared through aliases once per place it stands in) from
    each distinct container once, children first; raise :class:`AliasExpansionError` on a cycle or an
    expansion past the bound."""
    sizes: dict[int, int] = {}  # container id → the values it stands for, itself included
    written = 0  # the values as written: each distinct container and its scalars once
    open_: set[int] = set()  # containers whose children are being counted (a cycle comes back to one)
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, children_counted = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        key = id(node)
        if children_counted:
            open_.discard(key)
            children = node.values() if isinstance(node, dict) else node
            sizes[key] = 1 + sum(sizes.get(id(c), 1) if isinstance(c, (dict, list)) else 1 for c in children)
            written += 1 + sum(1 for c in children if not isinstance(c, (dict, list)))
            continue
        if key in sizes:
            continue
        if key in open_:
            raise AliasExpansionError("an alias refers to a node that holds it: the document has no end, "
                                      "which JSON data cannot be")
        open_.add(key)
        stack.append((node, True))
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, False) for child in children if isinstance(child, (dict, list)))
    total = sizes.get(id(data), 1)
    limit = EXPANSION * written + EXPANSION_ALLOWANCE
    if total > limit:
        raise AliasExpansionError(f"its YAML aliases expand {written} values as written to {total} (more than "
                                  f"{limit}): not read")
