"""DrsObject metadata: schema, required fields, size, times, checksums, access methods
(DRS 1.2.0 - 1.5.0 §Models › DrsObject, Checksum, AccessMethod)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conformance import FORMAT_CHECKER, Response, SpecStore, check, fail, json_type, schema_errors

from .view import (
    ACCESS_TYPES,
    AUTH_TYPES,
    DRS_TYPE_NAMES,
    HEX,
    HEX_LENGTH,
    IANA_HASH_NAMES,
    Drs,
    accepted_reason,
    is_int,
    object_path,
    same_object_data,
)

PORTABLE = re.compile(r"^[A-Za-z0-9._-]+$")
REQUIRED = ("id", "self_uri", "size", "created_time", "checksums")
DRS_OBJECT = "/components/schemas/DrsObject"
SCHEMA_VALID = "drs.object.schema-valid"


@check("drs.object.get-known-id-returns-200", per="objects")
def test_listed_object_answers_200(drs: Drs, case: str) -> None:
    """GET /objects/{object_id} for an id the server holds answers 200 with a DrsObject (DRS 1.2.0
    §Objects › GetObject)."""
    response = drs.object_response(case)
    if response.status == 202:
        pytest.skip(f"GET of listed object {case!r} {accepted_reason(response)} (DRS allows 202; see "
                    "drs.http.accepted-has-retry-after)")
    if response.status != 200:
        raise fail(f"GET of listed object {case!r} answered {response.status}, not 200", response)
    if not isinstance(response.json(), dict):
        raise fail(f"GET of listed object {case!r} answered JSON that is not an object", response)


@check("drs.object.schema-valid")
def test_objects_match_official_schema(drs: Drs, schemas: SpecStore) -> None:
    """Every DrsObject validates against the declared version's DrsObject schema, formats checked
    (DRS 1.2.0 §Models › DrsObject)."""
    validator = drs.validator(schemas, DRS_OBJECT)
    # every object's violations, not the first object's: a check naming this one as its cause judged a field of
    # some object, and that field's violation is then among those reported here
    failing = [(object_id, errors, response) for object_id, document, response in drs.require_documents()
               if (errors := schema_errors(validator, document))]
    if failing:
        described = [f"{object_id}: {'; '.join(errors)}" for object_id, errors, _ in failing[:3]]
        more = f"; and {len(failing) - 3} more objects" if len(failing) > 3 else ""
        raise fail(f"{len(failing)} DrsObject(s) do not match the DRS {drs.version} DrsObject schema: "
                   f"{' | '.join(described)}{more}", failing[0][2])


def schema_flags(drs: Drs, schemas: SpecStore, document: Any, *path: str | int) -> bool:
    """Whether the DrsObject schema (formats checked) finds a violation at ``document[path...]`` (a key, or the
    keys and indices down to a member: "access_methods", 0, "type"), its absence among them: then
    drs.object.schema-valid, which judges the same documents, reports that defect and a check judging the field
    fails as its consequence. False without the official schemas (the check's failure then stands alone)."""
    if not schemas.available:
        return False
    validator = drs.validator(schemas, DRS_OBJECT)
    for error in validator.iter_errors(document):
        at = tuple(error.absolute_path)
        if at[:len(path)] == path:
            return True
        if error.validator == "required" and at == path[:-1] and path[-1] in (error.validator_value or ()) \
                and isinstance(error.instance, dict) and path[-1] not in error.instance:
            return True  # the member is missing where the schema requires it
    return False


@check("drs.object.required-fields-present")
def test_required_fields_present(drs: Drs, schemas: SpecStore) -> None:
    """Every DrsObject has id, self_uri, size, created_time and checksums (DRS 1.2.0 §Models ›
    DrsObject, required)."""
    for object_id, document, response in drs.require_documents():
        missing = [key for key in REQUIRED if key not in document]
        if missing:
            # the schema requires them too: drs.object.schema-valid reports that defect
            flagged = all(schema_flags(drs, schemas, document, key) for key in missing)
            raise fail(f"{object_id} lacks the required field(s) {', '.join(missing)}", response,
                       caused_by=SCHEMA_VALID if flagged else None)


@check("drs.object.size-is-non-negative-integer")
def test_size_is_non_negative_integer(drs: Drs, schemas: SpecStore) -> None:
    """size is an integer number of bytes, >= 0 (DRS 1.2.0 §Models › DrsObject.size). A size that is no
    integer (a string "12") breaks the schema's type too: drs.object.schema-valid reports it, and this check
    fails as its consequence; a negative integer, which the schema allows, is this check's own failure."""
    for object_id, document, response in drs.require_documents():
        size = document.get("size")
        if "size" in document and (not is_int(size) or size < 0):
            raise fail(f"{object_id}: size is {size!r}, not an integer number of bytes >= 0", response,
                       caused_by=SCHEMA_VALID if schema_flags(drs, schemas, document, "size") else None)


@check("drs.object.created-time-is-rfc3339")
def test_created_time_is_rfc3339(drs: Drs, schemas: SpecStore) -> None:
    """created_time is an RFC 3339 date-time (DRS 1.2.0 §Models › DrsObject.created_time)."""
    _check_time(drs, schemas, "created_time")


@check("drs.object.updated-time-is-rfc3339")
def test_updated_time_is_rfc3339(drs: Drs, schemas: SpecStore) -> None:
    """updated_time, when present, is an RFC 3339 date-time (DRS 1.2.0 §Models › DrsObject.updated_time)."""
    _check_time(drs, schemas, "updated_time")


def _check_time(drs: Drs, schemas: SpecStore, key: str) -> None:
    for object_id, document, response in drs.require_documents():
        if key in document:
            value = document[key]
            if not isinstance(value, str) or not FORMAT_CHECKER.conforms(value, "date-time"):
                # null (Galaxy 26.1 sends "updated_time": null), or a time without zone the schema's date-time
                # format refuses too, breaks the DrsObject schema, which drs.object.schema-valid reports: one
                # root cause, one failure (issue 19)
                flagged = value is None or schema_flags(drs, schemas, document, key)
                raise fail(f"{object_id}: {key} {value!r} is not an RFC 3339 date-time", response,
                           caused_by=SCHEMA_VALID if flagged else None)


@check("drs.object.checksums-non-empty")
def test_checksums_non_empty(drs: Drs, schemas: SpecStore) -> None:
    """checksums has at least one Checksum with string checksum and type ("At least one checksum must
    be provided", DRS 1.2.0 §Models › DrsObject.checksums)."""
    for object_id, document, response in drs.require_documents():
        checksums = document.get("checksums")
        if "checksums" not in document:
            continue  # drs.object.required-fields-present reports it
        # a defect the DrsObject schema finds in checksums too is drs.object.schema-valid's (one cause, one failure)
        flagged = SCHEMA_VALID if schema_flags(drs, schemas, document, "checksums") else None
        if not isinstance(checksums, list) or not checksums:
            raise fail(f"{object_id}: checksums is {checksums!r}; at least one checksum must be provided", response,
                       caused_by=flagged)
        for item in checksums:
            if not isinstance(item, dict) or not isinstance(item.get("checksum"), str) \
                    or not isinstance(item.get("type"), str):
                raise fail(f"{object_id}: checksum {item!r} lacks a string checksum and type", response,
                           caused_by=flagged)


def _checksums(drs: Drs) -> list[tuple[str, dict[str, Any], Response]]:
    found = []
    for object_id, document, response in drs.require_documents():
        for item in document.get("checksums") or []:
            if isinstance(item, dict) and isinstance(item.get("checksum"), str) and isinstance(item.get("type"), str):
                found.append((object_id, item, response))
    if not found:
        pytest.skip("no DrsObject carries a checksum (see drs.object.checksums-non-empty)")
    return found


@check("drs.checksum.value-is-hex")
def test_checksum_is_hex(drs: Drs) -> None:
    """Checksum.checksum is "the hex-string encoded checksum for the data" (DRS 1.2.0 §Models ›
    Checksum.checksum); an etag is exempt (an S3 multipart etag is not hex)."""
    for object_id, item, response in _checksums(drs):
        if item["type"].lower() == "etag":
            continue
        if not HEX.match(item["checksum"]):
            raise fail(f"{object_id}: the {item['type']} checksum {item['checksum']!r} is not a hex string", response)


@check("drs.checksum.hex-length-matches-type")
def test_checksum_length_matches_type(drs: Drs) -> None:
    """A checksum of a fixed-size algorithm has that algorithm's hex length (md5 32, sha-256 64, ...)
    (DRS 1.2.0 §Models › Checksum)."""
    for object_id, item, response in _checksums(drs):
        expected = HEX_LENGTH.get(item["type"].lower())
        if expected and HEX.match(item["checksum"]) and len(item["checksum"]) != expected:
            raise fail(f"{object_id}: the {item['type']} checksum has {len(item['checksum'])} hex digits, "
                       f"not {expected}", response)


@check("drs.checksum.type-is-known-name")
def test_checksum_type_is_known_name(drs: Drs) -> None:
    """Checksum.type SHOULD be an IANA Hash Name String (``sha-256``) or one of md5, etag, crc32c,
    trunc512, sha1 (DRS 1.2.0 §Models › Checksum.type)."""
    for object_id, item, response in _checksums(drs):
        kind = item["type"]
        if kind not in IANA_HASH_NAMES and kind not in DRS_TYPE_NAMES:
            raise fail(f"{object_id}: checksum type {kind!r} is neither an IANA Hash Name String nor one of "
                       "md5, etag, crc32c, trunc512, sha1", response)


@check("drs.object.blob-has-access-methods")
def test_blob_has_access_methods(drs: Drs) -> None:
    """A blob has access_methods ("Required for single blobs", DRS 1.2.0 §Models ›
    DrsObject.access_methods)."""
    for object_id, document, response in drs.require_documents():
        if "contents" not in document and "access_methods" not in document:
            raise fail(f"{object_id} is a blob without access_methods, which blobs require", response)


@check("drs.object.access-methods-non-empty")
def test_access_methods_non_empty(drs: Drs) -> None:
    """access_methods, when present, has at least one AccessMethod (DRS 1.2.0 §Models ›
    DrsObject.access_methods, minItems 1)."""
    for object_id, document, response in drs.require_documents():
        if "access_methods" in document and document["access_methods"] == []:
            raise fail(f"{object_id}: access_methods is an empty array", response)


@check("drs.object.name-is-portable-filename")
def test_name_is_portable_filename(drs: Drs) -> None:
    """name uses the POSIX portable filename characters [A-Za-z0-9._-] (DRS 1.2.0 §Models ›
    DrsObject.name)."""
    for object_id, document, response in drs.require_documents():
        name = document.get("name")
        if isinstance(name, str) and not PORTABLE.match(name):
            raise fail(f"{object_id}: name {name!r} has characters outside [A-Za-z0-9._-]", response)


@check("drs.object.id-always-returns-same-data")
def test_same_id_same_data(drs: Drs) -> None:
    """"One DRS ID MUST always return the same object data": a second GET reports the same size and
    checksums, in any order (DRS 1.2.0 §DRS API Principles › DRS IDs)."""
    listed = drs.option("objects") + drs.option("bundles")
    # every listed object that answered a DrsObject: one not ready (202) or refused hides none of the others
    readable = [(i, d) for i, d, _ in drs.documents() if i in listed]
    if not readable:
        pytest.skip("no listed object answered a DrsObject (see drs.object.get-known-id-returns-200)")
    compared = 0
    not_ready: list[str] = []
    for object_id, first in readable:  # one at a time: the check stops at the first that differs
        response = drs.get_accepted(object_path(object_id))
        if response.status == 202:
            not_ready.append(f"a second GET of {object_id!r} {accepted_reason(response)}")
            continue
        compared += 1
        if response.status != 200:
            raise fail(f"a second GET of {object_id!r} answered {response.status}", response)
        second = response.json()
        differs = same_object_data(first, second, ("size", "checksums")) if isinstance(second, dict) else "size"
        if differs:
            got = second.get(differs) if isinstance(second, dict) else second
            raise fail(f"{object_id}: a second GET reports {differs} {got!r}, the first {first.get(differs)!r}",
                       response)
    if not compared:
        pytest.skip("; ".join(not_ready))


def _methods(drs: Drs) -> list[tuple[str, int, dict[str, Any], Response]]:
    found = []
    for object_id, document, response in drs.require_documents():
        methods = document.get("access_methods")
        for index, method in enumerate(methods if isinstance(methods, list) else []):
            if isinstance(method, dict):
                found.append((object_id, index, method, response))
    if not found:
        pytest.skip("no DrsObject lists an access method")
    return found


@check("drs.access-method.type-in-enum")
def test_access_method_type_in_enum(drs: Drs, schemas: SpecStore) -> None:
    """AccessMethod.type is one of s3, gs, ftp, gsiftp, globus, htsget, https, file (DRS 1.2.0 §Models ›
    AccessMethod.type)."""
    documents = {object_id: document for object_id, document, _ in drs.require_documents()}
    for object_id, index, method, response in _methods(drs):
        if method.get("type") not in ACCESS_TYPES:
            # the schema's enum (or a missing type) is drs.object.schema-valid's finding of the same defect
            flagged = schema_flags(drs, schemas, documents[object_id], "access_methods", index, "type")
            raise fail(f"{object_id}: access_methods[{index}].type is {method.get('type')!r}, not one of "
                       f"{', '.join(ACCESS_TYPES)}", response, caused_by=SCHEMA_VALID if flagged else None)


@check("drs.access-method.has-access-url-or-access-id")
def test_access_method_has_url_or_id(drs: Drs) -> None:
    """"at least one of access_url and access_id must be provided" (DRS 1.2.0 §Models › AccessMethod)."""
    for object_id, index, method, response in _methods(drs):
        if "access_url" not in method and "access_id" not in method:
            raise fail(f"{object_id}: access_methods[{index}] has neither access_url nor access_id", response)


@check("drs.access-method.access-id-unique-within-object")
def test_access_ids_unique(drs: Drs) -> None:
    """access_id "must be unique within the scope of a single object" (DRS 1.2.0 §Models ›
    AccessMethod.access_id)."""
    seen: dict[str, set[str]] = {}
    for object_id, index, method, response in _methods(drs):
        access_id = method.get("access_id")
        if access_id is None:
            continue
        ids = seen.setdefault(object_id, set())
        if access_id in ids:
            raise fail(f"{object_id}: access_id {access_id!r} is used by more than one access method "
                       f"(again at access_methods[{index}])", response)
        ids.add(access_id)


@check("drs.access-method.cloud-uses-standard-names")
def test_cloud_uses_standard_names(drs: Drs) -> None:
    """AccessMethod.cloud for AWS, GCP or Azure "should be aws, gcp, or azure" (DRS 1.5.0 §Models ›
    AccessMethod.cloud)."""
    standard = {"aws", "gcp", "azure"}
    aliases = {"amazon", "google", "microsoft", "gcs", "s3"}
    for object_id, index, method, response in _methods(drs):
        cloud = method.get("cloud")
        if isinstance(cloud, str) and cloud not in standard and (cloud.lower() in standard | aliases
                                                                  or "amazon" in cloud.lower()):
            raise fail(f"{object_id}: access_methods[{index}].cloud is {cloud!r}; the values for these "
                       "providers should be aws, gcp or azure", response)


@check("drs.access-method.authorizations-valid")
def test_access_method_authorizations_valid(drs: Drs) -> None:
    """AccessMethod.authorizations, when present, is an Authorizations object: supported_types from
    None, BasicAuth, BearerAuth, PassportAuth; issuer lists of strings (DRS 1.3.0 §Models ›
    AccessMethod.authorizations)."""
    for object_id, index, method, response in _methods(drs):
        if "authorizations" in method:
            problem = authorizations_problem(method["authorizations"])
            if problem:
                raise fail(f"{object_id}: access_methods[{index}].authorizations {problem}", response)


def authorizations_problem(value: object) -> str | None:
    if not isinstance(value, dict):
        return f"is a JSON {json_type(value)}, not an Authorizations object"
    types = value.get("supported_types", [])
    if not isinstance(types, list) or any(t not in AUTH_TYPES for t in types):
        return f"has supported_types {types!r}; each must be one of {', '.join(AUTH_TYPES)}"
    for key in ("passport_auth_issuers", "bearer_auth_issuers"):
        issuers = value.get(key, [])
        if not isinstance(issuers, list) or not all(isinstance(i, str) for i in issuers):
            return f"has {key} {issuers!r}, not an array of strings"
    return None
