"""Reference sequence collections server (GA4GH refget Sequence Collections 1.0.0) with named faults.

It serves the six collections of :mod:`.collections` with the recommended ancillary attributes
(``name_length_pairs``; ``sorted_name_length_pairs``, transient; ``sorted_sequences``) and one passthru
attribute (``author``), the full API (service-info with the seqcol schema, /collection at both levels,
GET and POST /comparison, paged and filtered /list/collection, /attribute, /openapi.json).

A faulty server stays self-consistent: a wrong digest algorithm is wrong everywhere (the listing, the
filters and the attribute lookups use the same wrong digests), so that each fault is one violation
and only the checks that its ``faults.yaml`` entry names fail.

Conformant variants (reference option ``variants``), each a legitimate choice a real server makes:
schema-refs: the schema points names, lengths and sequences at the approved schema with ``$ref``
  (the form of the spec's own service-info example);
comparison-without-transient: the comparison lists no transient attribute (the spec authors'
  implementation does this);
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from conformance import ReferenceApp, Reply, Request, json_reply, route, service_info_document

from ..compare import comparison
from ..digests import (
    BASE_INHERENT,
    attribute_digest,
    canonical,
    name_length_pairs,
    sha512t24u,
    sorted_name_length_pairs,
    sorted_sequences,
    top_level_digest,
)
from .collections import AUTHOR, COLLECTIONS, HELD, S1, S3, S4, S5, core

ARTIFACT = "refget.seqcol"
TRANSIENT = "sorted_name_length_pairs"
PASSTHRU = "author"
DEFAULT_PAGE_SIZE = 100
VARIANTS = ("schema-refs", "comparison-without-transient")


@dataclass
class Stored:
    label: str
    digest: str
    level1: dict[str, Any]
    #: every attribute with a level-2 value (transient ones too: the server computed them)
    full: dict[str, Any]
    #: what /collection?level=2 shows
    level2: dict[str, Any]


def _array(items: dict[str, Any], description: str, collated: bool) -> dict[str, Any]:
    return {"type": "array", "collated": collated, "description": description, "items": items}


class SeqcolApp(ReferenceApp):
    """An in-memory seqcol server."""

    OPTIONS: ClassVar[Mapping[str, str]] = {"variants": "conformant variants of its answers (VARIANTS)"}

    def __init__(self, faults: Any = (), version: str | None = None, options: Any = None) -> None:
        super().__init__(faults, version, options)
        self.variants = set(self.options.get("variants") or ())
        if self.variants - set(VARIANTS):
            raise ValueError(f"unknown seqcol variant(s) {sorted(self.variants - set(VARIANTS))}; known: {VARIANTS}")
        self.transient = set() if self.has("schema-ancillary-qualifiers") else {TRANSIENT}
        self.passthru = {PASSTHRU}
        self.store: dict[str, Stored] = {}
        for label in COLLECTIONS:
            stored = self.build(label)
            self.store[stored.digest] = stored

    # -- the collections ----------------------------------------------------------------------------

    def inherent(self) -> list[str]:
        """The inherent attributes the schema declares."""
        return ["lengths", "names", "sequences"] if self.has("schema-inherent-changed") else list(BASE_INHERENT)

    def digested(self) -> list[str]:
        """The attributes the server's top-level digest is taken over."""
        return ["lengths", "names", "sequences"] if self.has("top-level-includes-lengths") else self.inherent()

    def digest_value(self, value: Any) -> str:
        if self.has("level1-not-canonical"):  # json.dumps' default separators are not RFC 8785
            return sha512t24u(json.dumps(value).encode())
        return attribute_digest(value)

    def build(self, label: str) -> Stored:
        full: dict[str, Any] = core(label)
        if self.has("sequence-not-on-refget"):
            full["sequences"] = [S5.refget_id if s == S4.refget_id else s for s in full["sequences"]]
        if self.has("length-not-refget-length"):
            full["lengths"] = [n + 1 if s == S3.refget_id else n for n, s in zip(full["lengths"], full["sequences"])]
        names, lengths, sequences = full["names"], full["lengths"], full["sequences"]
        if self.has("lengths-as-strings"):
            lengths = full["lengths"] = [str(length) for length in lengths]
        if self.has("sequences-prefixed"):
            sequences = full["sequences"] = ["ga4gh:" + s for s in sequences]
        if self.has("collated-unequal-length") and label == "duplicate-lengths":
            lengths = full["lengths"] = lengths[:-1]
        if not self.has("ancillary-not-provided"):
            pairs = name_length_pairs(names, lengths)
            if self.has("nlp-wrong"):
                pairs = sorted(pairs, key=lambda pair: str(pair["name"]))
            full["name_length_pairs"] = pairs
            if self.has("snlp-wrong"):  # the canonical strings themselves sorted, not their digests
                full[TRANSIENT] = sorted(canonical(p).decode() for p in name_length_pairs(names, lengths))
            else:
                full[TRANSIENT] = sorted_name_length_pairs(names, lengths)
        full["sorted_sequences"] = list(sequences) if self.has("sorted-sequences-unsorted") \
            else sorted_sequences(sequences)
        full[PASSTHRU] = {"name": AUTHOR} if self.has("level2-violates-schema") and label == "renamed" else AUTHOR
        if self.has("attribute-not-in-schema"):
            full["topologies"] = ["linear"] * len(names)
        level1 = {name: (value if name in self.passthru and not self.has("passthru-digested")
                         else self.digest_value(value)) for name, value in full.items()}
        inherent = self.digested()
        if self.has("top-level-not-canonical"):
            digest = sha512t24u(json.dumps({k: level1[k] for k in inherent if k in level1}, sort_keys=True).encode())
        else:
            digest = top_level_digest(level1, inherent)
        hidden = set() if self.has("transient-at-level2") else set(self.transient)
        if self.has("level2-missing-attribute"):
            hidden.add("name_length_pairs")
        level2 = {k: v for k, v in full.items() if k not in hidden}
        return Stored(label, digest, level1, full, level2)

    def find(self, digest: str) -> Stored | None:
        stored = self.store.get(digest)
        if stored is not None and stored.label == "base" and self.has("known-collection-404"):
            return None
        return stored

    # -- the schema ---------------------------------------------------------------------------------

    def schema_document(self) -> dict[str, Any]:
        string, integer = {"type": "string"}, {"type": "integer"}
        lengths_items = string if self.has("lengths-as-strings") else integer
        properties: dict[str, Any] = {
            "lengths": _array(lengths_items, "Number of elements, such as nucleotides or amino acids, in each "
                              "sequence.", True),
            "names": _array(string, "Human-readable labels of each sequence (chromosome names).", True),
            "sequences": _array({"type": "string", "description": "Refget sequences v2 identifiers for sequences."},
                                "Refget sequences v2 identifiers.", True),
            "name_length_pairs": _array(
                {"type": "object", "properties": {"name": string, "length": lengths_items},
                 "required": ["name", "length"]},
                "Human-readable labels paired with number of elements in each sequence.", True),
            TRANSIENT: _array(string, "Digests of the name-length pairs, sorted lexicographically.", False),
            "sorted_sequences": _array(string, "The sequence digests, sorted lexicographically.", False),
            PASSTHRU: {"type": "string", "description": "Who assembled the collection (passthru)."},
        }
        if "schema-refs" in self.variants:
            for name in ("lengths", "names", "sequences"):
                properties[name] = {"$ref": f"/{name}"}
        if self.has("schema-attribute-name-non-ascii"):
            properties["länge_notes"] = {"type": "string", "description": "A custom attribute (unused)."}
        ga4gh: dict[str, Any] = {"inherent": self.inherent(), "passthru": sorted(self.passthru)}
        if self.transient:
            ga4gh["transient"] = sorted(self.transient)
        if self.has("schema-no-inherent"):
            del ga4gh["inherent"]
        document: dict[str, Any] = {
            "description": "A collection of biological sequences.",
            "type": "object",
            "properties": properties,
            "required": "names" if self.has("schema-not-json-schema") else ["names", "lengths", "sequences"],
            "ga4gh": ga4gh,
        }
        if "schema-refs" in self.variants:
            document["$id"] = "https://ga4gh.github.io/refget/schemas/seqcol_extended_v1.0.0.json"
        return document

    # -- profile entries ---------------------------------------------------------------------------

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        # No `collections` hint: the listing finds them (a hint naming the conformant digest would also
        # fail against a fault that changes the digest algorithm; tests/suites/seqcol covers hints).
        return [{"standard": "seqcol", "version": cls.versions[-1], "reference": True}]

    @classmethod
    def companion_entries(cls) -> list[dict[str, Any]]:
        """A refget 2.0.0 reference server holding the sequences the collections name, its profile entry
        naming one of them (which is how the seqcol suite tells it holds this collection set)."""
        return [{"standard": "refget", "version": "2.0.0", "sequences": [S1.refget_id],
                 "reference": {"options": {"extra_sequences": {seq.name: seq.bases for seq in HELD}}}}]

    # -- helpers -----------------------------------------------------------------------------------

    def error(self, status: int, msg: str) -> Reply:
        return json_reply({"msg": msg, "status_code": status}, status)

    def unknown(self, what: str) -> Reply:
        if self.has("unknown-digest-500"):
            return self.error(500, f"internal error looking up {what}")
        return self.error(404, f"no such {what}")

    # -- endpoints ---------------------------------------------------------------------------------

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        extra: dict[str, Any] = {}
        if not self.has("service-info-no-seqcol"):
            extra["seqcol"] = {"schema": self.schema_document()}
        return json_reply(service_info_document(ARTIFACT, self.version, name="Reference seqcol server",
                                                extra=extra))

    @route("GET", "/openapi.json")
    def openapi(self, request: Request) -> Reply:
        if self.has("openapi-missing"):
            return self.error(404, "no OpenAPI description")
        paths = ("/service-info", "/collection/{digest}", "/comparison/{digest1}/{digest2}",
                 "/comparison/{digest1}", "/list/{object_type}", "/attribute/{object_type}/{attribute}/{digest}")
        return json_reply({"openapi": "3.0.3", "info": {"title": "Reference seqcol server", "version": self.version},
                           "paths": {path: {} for path in paths}})

    @route("GET", "/collection/{digest}")
    def collection(self, request: Request) -> Reply:
        stored = self.find(request.params["digest"])
        if stored is None:
            return self.unknown("collection")
        level = request.arg("level")
        if level is None:
            level = "1" if self.has("default-level-1") else "2"
        if level == "1":
            return json_reply(stored.level2 if self.has("level1-ignored") else stored.level1)
        if level == "2":
            return json_reply(stored.level2)
        return self.error(400, "level must be 1 or 2")

    def compare(self, a: Stored, b: dict[str, Any], digest_b: str | None, b_transient: set[str]) -> dict[str, Any]:
        hidden = self.transient | self.passthru
        with_transient = "comparison-without-transient" not in self.variants
        answer = comparison(a.level2, b, (a.digest, digest_b),
                            attributes_a=(self.transient & set(a.level1)) if with_transient else (),
                            attributes_b=b_transient if with_transient else (), not_elements=hidden)
        elements = answer["array_elements"]
        if self.has("comparison-count-wrong"):
            for name in elements["a_and_b_count"]:
                elements["a_and_b_count"][name] = min(len(a.level2[name]), len(b[name]))
        if self.has("comparison-counts-unique"):
            for key, side in (("a_count", a.level2), ("b_count", b)):
                for name in elements[key]:
                    elements[key][name] = len({canonical(v) for v in side[name]})
        if self.has("comparison-same-order-wrong"):
            for name, value in elements["a_and_b_same_order"].items():
                elements["a_and_b_same_order"][name] = True if value is False else value
        if self.has("comparison-missing-key"):
            del elements["a_and_b_same_order"]
        return answer

    @route("GET", "/comparison/{digest1}/{digest2}")
    def comparison_get(self, request: Request) -> Reply:
        if self.has("comparison-not-implemented"):
            return self.error(404, "no such endpoint")
        a, b = self.find(request.params["digest1"]), self.find(request.params["digest2"])
        if a is None or b is None:
            return self.unknown("collection")
        answer = self.compare(a, b.level2, b.digest, self.transient & set(b.level1))
        if self.has("comparison-digests-swapped"):
            answer["digests"] = {"a": b.digest, "b": a.digest}
        return json_reply(answer)

    @route("POST", "/comparison/{digest1}")
    def comparison_post(self, request: Request) -> Reply:
        if self.has("comparison-not-implemented"):
            return self.error(404, "no such endpoint")
        a = self.find(request.params["digest1"])
        if a is None:
            return self.unknown("collection")
        body = request.json()
        if not isinstance(body, dict):
            return self.error(400, "the body must be a level-2 sequence collection (a JSON object)")
        if self.has("comparison-post-ignored"):
            return json_reply(self.compare(a, a.level2, None, set()) | {"digests": {"a": a.digest, "b": None}})
        return json_reply(self.compare(a, body, None, set()))

    @route("GET", "/list/{object_type}")
    def listing(self, request: Request) -> Reply:
        if request.params["object_type"] != "collection":
            return self.error(404, f"no objects of type {request.params['object_type']}")
        try:
            page = int(request.arg("page") or 0)
            page_size = int(request.arg("page_size") or DEFAULT_PAGE_SIZE)
        except ValueError:
            return self.error(400, "page and page_size must be integers")
        if page < 0 or page_size < 1:
            return self.error(400, "page must be >= 0 and page_size >= 1")
        filters = {k: v[0] for k, v in request.query.items() if k not in ("page", "page_size") and v}
        found = [s.digest for s in self.store.values() if self.matches(s, filters)]
        if self.has("list-page-size-ignored"):
            results, page_size = found, DEFAULT_PAGE_SIZE
        else:
            results = found[page * page_size: (page + 1) * page_size]
        total = len(found) + 1 if self.has("list-total-wrong") else len(found)
        body: dict[str, Any] = {"results": results}
        if not self.has("list-no-pagination"):
            body["pagination"] = {"page": page, "page_size": page_size, "total": total}
        return json_reply(body)

    def matches(self, stored: Stored, filters: dict[str, str]) -> bool:
        if not filters or self.has("list-filter-ignored"):
            return True
        hits = [stored.level1.get(name) == value for name, value in filters.items()]
        return any(hits) if self.has("list-filter-or") else all(hits)

    @route("GET", "/attribute/{object_type}/{attribute}/{digest}")
    def attribute(self, request: Request) -> Reply:
        name, digest = request.params["attribute"], request.params["digest"]
        if request.params["object_type"] != "collection" or self.has("attribute-404"):
            return self.error(404, "no such attribute")
        if name in self.passthru or (name in self.transient and not self.has("transient-attribute-served")):
            return self.error(404, f"{name} cannot be retrieved through /attribute")
        for stored in self.store.values():
            if stored.level1.get(name) == digest and name in stored.full:
                return json_reply(stored.full[name])
        return self.unknown("attribute value")
