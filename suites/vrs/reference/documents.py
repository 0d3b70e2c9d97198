"""The documents of the VRS reference server, per version: conformant VRS objects with their computed
identifiers (2.0 by ``ga4gh-vrs``, 1.3 by the project's 1.x code); each named fault changes one thing.

A fault of content (``CONTENT``) is applied before the identifiers are computed, so that the identifiers
stay right and the fault is one violation; a fault of identifiers (``IDENTIFIERS``) after."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from ...beacon import vrs1

NAMES = ("alleles.json", "copy-numbers.yaml")
#: refget accessions of GRCh38 chr19 (NC_000019.10) and chr7 (NC_000007.14), as in the VRS docs (the
#: benchmarks' alleles name chr7; the served documents name the synthetic sequences below)
CHR19 = "SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl"
CHR7 = "SQ.F-LrLMe1SRpfUZHkQmvkVKFEGaoDeHul"


def synthetic(seed: str, size: int) -> str:
    """``size`` bases reproducible from ``seed`` (SHA-256 of a counter, two bits a base)."""
    found: list[str] = []
    counter = 0
    while len(found) < size:
        found.extend("ACGT"[byte % 4] for byte in hashlib.sha256(f"{seed}:{counter}".encode()).digest())
        counter += 1
    return "".join(found[:size])


def refget_id(bases: str) -> str:
    """The refget ``SQ.`` accession of the bases (sha512t24u, refget 2.0.0 §Checksum calculation)."""
    return "SQ." + base64.urlsafe_b64encode(hashlib.sha512(bases.encode("ascii")).digest()[:24]).decode("ascii")


#: The repeat an insertion allele is ambiguous in (normalized, it spans all of it: REPEAT_AT..+len).
REPEAT = "CTCCTCCTCCT"
REPEAT_AT = 300
#: The two sequences the documents name, small and synthetic, held by the companion refget server
#: (``VrsApp.companion_entries``): 600 bases each, chrA with REPEAT at REPEAT_AT (the bases around it
#: do not extend it).
SEQ_A = (lambda bases: bases[:REPEAT_AT] + REPEAT + bases[REPEAT_AT + len(REPEAT):])(synthetic("vrs-A", 600))
SEQ_B = synthetic("vrs-B", 600)
SQ_A = refget_id(SEQ_A)
SQ_B = refget_id(SEQ_B)
#: The sequences by name, as the companion refget server's ``extra_sequences`` option takes them.
HELD = {"vrsA": SEQ_A, "vrsB": SEQ_B}
#: A sequence no server holds (its accession is that of other bases).
SQ_UNKNOWN = refget_id(synthetic("vrs-unknown", 600))


def other_base(base: str) -> str:
    return "A" if base != "A" else "G"


def location_2(accession: str, start: int, end: int) -> dict[str, Any]:
    return {"type": "SequenceLocation", "start": start, "end": end,
            "sequenceReference": {"type": "SequenceReference", "refgetAccession": accession}}


def objects_2() -> dict[str, list[dict[str, Any]]]:
    return {
        "alleles.json": [
            # a substitution stating the reference base it replaces (SequenceLocation.sequence)
            {"type": "Allele", "location": {**location_2(SQ_A, 100, 101), "sequence": SEQ_A[100]},
             "state": {"type": "LiteralSequenceExpression", "sequence": other_base(SEQ_A[100])}},
            {"type": "Allele", "location": location_2(SQ_B, 100, 101),
             "state": {"type": "LiteralSequenceExpression", "sequence": other_base(SEQ_B[100])}},
            # CTC inserted in the repeat, fully justified over it (VRS 2.0 normalization.rst, step 5.c)
            {"type": "Allele", "location": location_2(SQ_A, REPEAT_AT, REPEAT_AT + len(REPEAT)),
             "state": {"type": "ReferenceLengthExpression", "length": len(REPEAT) + 3, "repeatSubunitLength": 3,
                       "sequence": (REPEAT[:3] * 5)[:len(REPEAT) + 3]}},
        ],
        "copy-numbers.yaml": [
            {"type": "CopyNumberCount", "location": location_2(SQ_B, 50, 250), "copies": 3},
        ],
    }


def location_1(accession: str, start: int, end: int) -> dict[str, Any]:
    return {"type": "SequenceLocation", "sequence_id": "ga4gh:" + accession,
            "interval": {"type": "SequenceInterval", "start": {"type": "Number", "value": start},
                         "end": {"type": "Number", "value": end}}}


def objects_1() -> dict[str, list[dict[str, Any]]]:
    return {
        "alleles.json": [
            {"type": "Allele", "location": location_1(SQ_A, 100, 101),
             "state": {"type": "LiteralSequenceExpression", "sequence": other_base(SEQ_A[100])}},
            {"type": "Allele", "location": location_1(SQ_B, 100, 101),
             "state": {"type": "LiteralSequenceExpression", "sequence": other_base(SEQ_B[100])}},
            # CTC inserted in the repeat, fully justified over it with a literal state (VRS 1.3 normalization.rst)
            {"type": "Allele", "location": location_1(SQ_A, REPEAT_AT, REPEAT_AT + len(REPEAT)),
             "state": {"type": "LiteralSequenceExpression", "sequence": (REPEAT[:3] * 5)[:len(REPEAT) + 3]}},
        ],
        "copy-numbers.yaml": [
            {"type": "CopyNumberCount", "subject": location_1(SQ_B, 50, 250),
             "copies": {"type": "Number", "value": 3}},
        ],
    }


def identify_2(obj: dict[str, Any]) -> dict[str, Any]:
    """The object with ``id`` and ``digest`` computed (nested ones too) by ga4gh-vrs; unchanged if ga4gh-vrs
    cannot build it (a fault made it invalid)."""
    from ga4gh.core import ga4gh_identify
    from ga4gh.vrs import models
    from pydantic import ValidationError

    try:
        model = getattr(models, obj["type"])(**obj)
    except (ValidationError, KeyError, TypeError, ValueError):
        return obj
    ga4gh_identify(model, in_place="always")
    dumped: dict[str, Any] = model.model_dump(exclude_none=True, mode="json")
    return dumped


def identify_1(obj: dict[str, Any]) -> dict[str, Any]:
    found = copy.deepcopy(obj)
    for part in (found.get("location"), found.get("subject")):
        if isinstance(part, dict) and vrs1.identifiable(part):
            part["_id"] = vrs1.ga4gh_identify(part)
    found = {"_id": vrs1.ga4gh_identify(found), **found}
    return found


Change = Callable[[dict[str, list[dict[str, Any]]]], None]


def _at(name: str, index: int, *path: str) -> Callable[[Callable[[dict[str, Any], str], None]], Change]:
    def wrap(edit: Callable[[dict[str, Any], str], None]) -> Change:
        def change(docs: dict[str, list[dict[str, Any]]]) -> None:
            target: Any = docs[name][index]
            for key in path[:-1]:
                target = target[key]
            edit(target, path[-1])
        return change
    return wrap


def put(name: str, index: int, *path: str, value: Any) -> Change:
    def edit(target: dict[str, Any], key: str) -> None:
        target[key] = value
    return _at(name, index, *path)(edit)


def drop(name: str, index: int, *path: str) -> Change:
    def edit(target: dict[str, Any], key: str) -> None:
        del target[key]
    return _at(name, index, *path)(edit)


OTHER_ID = "ga4gh:VA.0000000000000000000000000000AAAA"
#: fault → change of the objects before identifiers are computed
CONTENT: dict[str, Change] = {
    "state-sequence-not-string": put("alleles.json", 0, "state", "sequence", value=5),
    "refget-accession-missing": drop("copy-numbers.yaml", 0, "location", "sequenceReference", "refgetAccession"),
    "location-no-start-end": lambda docs: docs["alleles.json"][1].update(location={
        "type": "SequenceLocation", "sequenceReference": docs["alleles.json"][1]["location"]["sequenceReference"]}),
    # against the reference sequence (the companion refget server holds SEQ_A and SEQ_B)
    "interval-outside-sequence": put("copy-numbers.yaml", 0, "location", "end", value=len(SEQ_B) + 100),
    "reference-state-mismatch": put("alleles.json", 0, "location", "sequence", value=other_base(SEQ_A[100])),
    "unnormalized-allele": lambda docs: docs["alleles.json"][2].update(
        location=location_2(SQ_A, REPEAT_AT, REPEAT_AT),
        state={"type": "LiteralSequenceExpression", "sequence": "CTC"}),
}
#: fault → change of the objects after identifiers are computed (identifiers, and content that ga4gh-vrs
#: would repair when it builds the object: it coerces "100" to a number and infers a missing type)
IDENTIFIERS: dict[str, Change] = {
    "start-not-integer": put("alleles.json", 1, "location", "start", value="100"),
    "state-no-type": drop("alleles.json", 0, "state", "type"),
    "allele-id-wrong": put("alleles.json", 0, "id", value=OTHER_ID),
    "allele-id-of-other-allele": lambda docs: docs["alleles.json"][0].update(id=docs["alleles.json"][1]["id"]),
    "location-id-wrong": lambda docs: docs["alleles.json"][1]["location"].update(
        id="ga4gh:SL." + docs["alleles.json"][0]["location"]["digest"]),
    "allele-digest-wrong": lambda docs: docs["alleles.json"][2].update(digest=docs["alleles.json"][1]["digest"]),
    "location-digest-wrong": lambda docs: docs["copy-numbers.yaml"][0]["location"].update(
        digest=docs["alleles.json"][0]["location"]["digest"]),
    "allele-id-vrs1": lambda docs: docs["alleles.json"][0].update(
        id=identify_1(objects_1()["alleles.json"][0])["_id"]),
}
#: fault → the served bytes of a document replaced
WHOLE: dict[str, tuple[str, bytes]] = {
    "not-json": ("alleles.json", b'[{"type": "Allele", "location": '),
    "no-vrs-objects": ("copy-numbers.yaml", b"variants:\n- type: Variant\n  hgvs: NC_000007.14:g.55019017del\n"),
}
#: VRS 1.3 faults (served by the 1.3 server only): content before the ``_id`` are computed, identifiers after
CONTENT_1: dict[str, Change] = {
    "v1-state-sequence-not-string": put("alleles.json", 0, "state", "sequence", value=5),
    "v1-interval-start-not-number": put("alleles.json", 1, "location", "interval", "start", "value",
                                        value="100"),
    "v1-sequence-id-not-curie": put("alleles.json", 1, "location", "sequence_id", value=CHR7),
    "v1-copies-not-number": put("copy-numbers.yaml", 0, "copies", value=3),
    "v1-interval-outside-sequence": put("copy-numbers.yaml", 0, "subject", "interval", "end", "value",
                                        value=len(SEQ_B) + 100),
    "v1-unnormalized-allele": lambda docs: docs["alleles.json"][2].update(
        location=location_1(SQ_A, REPEAT_AT, REPEAT_AT),
        state={"type": "LiteralSequenceExpression", "sequence": "CTC"}),
}
def _share_id(docs: dict[str, list[dict[str, Any]]], stated: str) -> None:
    """The first two alleles of alleles.json, different objects, state the one ``_id``."""
    for allele in docs["alleles.json"][:2]:
        allele["_id"] = stated


IDENTIFIERS_1: dict[str, Change] = {
    "v1-allele-id-wrong": put("alleles.json", 0, "_id", value=OTHER_ID),
    "v1-allele-id-of-other-allele": lambda docs: docs["alleles.json"][0].update(_id=docs["alleles.json"][1]["_id"]),
    "v1-id-shared": lambda docs: _share_id(docs, "example:variant-1"),
    "v1-location-id-wrong": lambda docs: docs["alleles.json"][1]["location"].update(
        _id=docs["alleles.json"][0]["location"]["_id"]),
    "v1-allele-id-vrs2": lambda docs: docs["alleles.json"][0].update(
        _id=identify_2(objects_2()["alleles.json"][0])["id"]),
}
FAULTS = (*CONTENT, *IDENTIFIERS, *WHOLE, *CONTENT_1, *IDENTIFIERS_1)


def documents(version: str, faults: Iterable[str]) -> dict[str, bytes]:
    """Every served document of ``version``, the named faults applied (2.0 faults only to 2.0, the ``v1-``
    ones only to 1.3)."""
    chosen = set(faults)
    v1 = version.startswith("1.")
    docs = objects_1() if v1 else objects_2()
    for name in sorted(chosen & set(CONTENT)):
        if not v1:
            CONTENT[name](docs)
    for name in sorted(chosen & set(CONTENT_1)):
        if v1:
            CONTENT_1[name](docs)
    identify = identify_1 if v1 else identify_2
    docs = {name: [identify(obj) for obj in objs] for name, objs in docs.items()}
    for name in sorted(chosen & set(IDENTIFIERS)):
        if not v1:
            IDENTIFIERS[name](docs)
    for name in sorted(chosen & set(IDENTIFIERS_1)):
        if v1:
            IDENTIFIERS_1[name](docs)
    served: dict[str, bytes] = {}
    for name, objs in docs.items():
        if name.endswith(".yaml"):
            import yaml
            served[name] = yaml.safe_dump(objs, sort_keys=False).encode()
        else:
            served[name] = json.dumps(objs, indent=1).encode()
    for fault in sorted(chosen & set(WHOLE)):
        name, data = WHOLE[fault]
        served[name] = data
    return served
