"""What the seqcol checks share: one cached view of a sequence collections service per run.

Every answer several checks need (service-info and its schema, each collection at level 1 and level
2, the listing, comparisons) is fetched once. The collections come from the profile's ``collections``
and from the first page of ``/list/collection``; the deep checks read at most :data:`MAX_COLLECTIONS`
of them, so a run against a large server stays bounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import pytest

from conformance import Response, ServiceView, SpecStore

from . import schema as seqcol_schema
from .digests import DIGEST, sha512t24u

#: Collections read in depth (both levels, digests recomputed, compared, listed, attributes fetched).
MAX_COLLECTIONS = 5
#: Collections whose pairwise comparisons are fetched (and the first with itself).
MAX_COMPARED = 4
#: Digests taken from the first page of /list/collection to find collections.
DISCOVER_PAGE_SIZE = 20


def collection_path(digest: str) -> str:
    return f"/collection/{quote(digest, safe='')}"


def attribute_path(attribute: str, digest: str) -> str:
    return f"/attribute/collection/{quote(attribute, safe='')}/{quote(digest, safe='')}"


def comparison_path(first: str, second: str | None = None) -> str:
    path = f"/comparison/{quote(first, safe='')}"
    return path if second is None else f"{path}/{quote(second, safe='')}"


def unknown_digest() -> str:
    """A well-formed sha512t24u digest no server holds: that of a text no collection serialises to. Fixed,
    not random, so that the same deployment gets the same scorecard, evidence included (issue 19.13)."""
    digest = sha512t24u(b"ga4gh-conformance: no sequence collection has this digest")
    assert DIGEST.match(digest)
    return digest


class Seqcol(ServiceView):
    """The run's view of one seqcol service."""

    # -- service-info and its schema ---------------------------------------------------------------

    def service_info_response(self) -> Response:
        return self.memo("service-info", lambda: self.client.get("/service-info"))

    def schema(self) -> tuple[dict[str, Any], Response]:
        """The JSON Schema under service-info ``seqcol.schema``; skips when there is none."""
        response = self.service_info_response()
        body = response.json_object() if response.status == 200 else None
        if body is None:
            pytest.skip(f"GET /service-info answered {response.status} without a JSON object "
                        "(see service-info.endpoint.answers-200)")
        section = body.get("seqcol")
        document = section.get("schema") if isinstance(section, dict) else None
        if not isinstance(document, dict):
            pytest.skip("service-info has no seqcol.schema object (see seqcol.service-info.schema-present)")
        return document, response

    def qualifiers(self) -> seqcol_schema.Qualifiers:
        document, _ = self.schema()
        found: seqcol_schema.Qualifiers = self.memo("qualifiers", lambda: seqcol_schema.qualifiers(document))
        return found

    def inherent(self) -> list[str]:
        found = self.qualifiers().inherent
        if found is None:
            pytest.skip("the schema declares no usable ga4gh.inherent list, so the top-level digest cannot be "
                        "recomputed (see seqcol.service-info.schema-qualifiers)")
        return found

    def transient(self) -> set[str]:
        """The transient attributes (none when the schema lists none); skips without a usable schema,
        since then which attributes lack a level-2 value is unknown."""
        return self._qualifier("transient")

    def passthru(self) -> set[str]:
        """The passthru attributes, as :meth:`transient`."""
        return self._qualifier("passthru")

    def _qualifier(self, name: str) -> set[str]:
        qualifiers = self.qualifiers()
        if name in qualifiers.malformed:
            pytest.skip(f"the schema's ga4gh.{name} is malformed (see seqcol.service-info.schema-qualifiers)")
        found: set[str] = getattr(qualifiers, name)
        return found

    def usable_schema(self) -> tuple[dict[str, Any], Response]:
        """The schema, when it is a valid JSON Schema the collections can be validated with."""
        document, response = self.schema()
        problem = self.memo("meta-problem", lambda: seqcol_schema.meta_problem(document))
        if problem:
            pytest.skip("the served schema is not a valid JSON Schema (see seqcol.service-info.schema-is-json-schema)")
        return document, response

    def terms(self, schemas: SpecStore) -> dict[str, Any]:
        terms: dict[str, Any] = self.memo("terms", lambda: seqcol_schema.official_terms(schemas))
        return terms

    # -- collections -------------------------------------------------------------------------------

    def collection_response(self, digest: str, level: int | None) -> Response:
        params = None if level is None else {"level": str(level)}
        return self.memo(("collection", digest, level),
                         lambda: self.client.get(collection_path(digest), params=params))

    def level2(self, digest: str) -> tuple[dict[str, Any], Response] | None:
        """The level-2 collection (``?level=2``), or None when it is not a JSON object answered 200."""
        response = self.collection_response(digest, 2)
        body = response.json_object() if response.status == 200 else None
        return (body, response) if body is not None else None

    def level1(self, digest: str) -> tuple[dict[str, Any], Response] | None:
        """The level-1 collection (``?level=1``) when it is one: a JSON object answered 200 whose
        attributes, but passthru ones, are digest strings."""
        response = self.collection_response(digest, 1)
        body = response.json_object() if response.status == 200 else None
        if body is None:
            return None
        passthru = self.passthru()
        if any(not isinstance(v, str) for k, v in body.items() if k not in passthru):
            return None
        return body, response

    def listed(self) -> list[str]:
        """The digests on the first page of /list/collection (none when it does not answer a listing)."""
        def read() -> list[str]:
            response = self.list_response({"page": "0", "page_size": str(DISCOVER_PAGE_SIZE)})
            body = response.json_object() if response.status == 200 else None
            results = body.get("results") if body is not None else None
            return [r for r in results if isinstance(r, str)] if isinstance(results, list) else []
        listed: list[str] = self.memo("listed", read)
        return listed

    def discovered(self) -> list[str]:
        """The profile's collections, then the listed ones, each once."""
        found: list[str] = []
        for digest in self.option("collections") + self.listed():
            if digest not in found:
                found.append(digest)
        return found

    def collections(self) -> list[tuple[str, dict[str, Any], Response]]:
        """(digest, level-2 collection, response) of the first readable collections; skips with the
        reason when there are none."""
        def read() -> list[tuple[str, dict[str, Any], Response]]:
            found = []
            for digest in self.discovered():
                got = self.level2(digest)
                if got is not None:
                    found.append((digest, got[0], got[1]))
                if len(found) == MAX_COLLECTIONS:
                    break
            if not found:
                pytest.skip("no collection could be read at level 2 (the profile lists no collections and "
                            "/list/collection lists none, or none answered 200; see "
                            "seqcol.collection.known-digest-answers-200)")
            return found
        found: list[tuple[str, dict[str, Any], Response]] = self.memo("collections", read)
        return found

    def both_levels(self) -> list[tuple[str, dict[str, Any], dict[str, Any], Response]]:
        """(digest, level 2, level 1, level-1 response) of the readable collections with a usable level 1."""
        found = []
        for digest, level2, _ in self.collections():
            got = self.level1(digest)
            if got is not None:
                found.append((digest, level2, got[0], got[1]))
        if not found:
            pytest.skip("no collection answered a level-1 representation (see seqcol.collection.level1-is-digests)")
        return found

    # -- list --------------------------------------------------------------------------------------

    def list_response(self, params: Mapping[str, str]) -> Response:
        key = ("list", tuple(sorted(params.items())))
        return self.memo(key, lambda: self.client.get("/list/collection", params=dict(params)))

    # -- comparison and attribute ------------------------------------------------------------------

    def comparison_get(self, first: str, second: str) -> Response:
        return self.memo(("compare", first, second), lambda: self.client.get(comparison_path(first, second)))

    def comparison_post(self, first: str, second: str, body: dict[str, Any]) -> Response:
        return self.memo(("compare-post", first, second),
                         lambda: self.client.post(comparison_path(first), json=body))

    def pairs(self) -> list[tuple[str, str]]:
        """The pairs compared: the first collection with itself, then every pair of the first few."""
        digests = [digest for digest, _, _ in self.collections()][:MAX_COMPARED]
        found = [(digests[0], digests[0])]
        found += [(a, b) for i, a in enumerate(digests) for b in digests[i + 1:]]
        return found

    def attribute_response(self, attribute: str, digest: str) -> Response:
        return self.memo(("attribute", attribute, digest), lambda: self.client.get(attribute_path(attribute, digest)))
