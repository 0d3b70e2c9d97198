"""The rules of the Phenopackets 2.0 schema documentation, as functions of a parsed document that give
the first problem found (None when there is none). Each names the JSON path of what is wrong."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from google.protobuf.message import Message

from .model import Parsed, of_type

#: metadata.rst, phenopacket_schema_version: "Permitted values MUST be one of 1.0.0, 1.0 or 2.0".
SCHEMA_VERSIONS = ("1.0.0", "1.0", "2.0")
#: resource.rst, CURIE: "colon (:) separated prefix and reference elements" (a W3C CURIE: the prefix is an
#: NCName, the reference is not empty and has no white space).
CURIE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*:\S+$")
#: A number of an ISO 8601 duration: "the lowest order components may have a decimal fraction" (ISO
#: 8601-1:2019 §5.5.2.4), with a comma or a full stop (P0.5Y, P1,5D, PT0.25S), which :func:`duration`
#: allows only on the last component given.
_N = r"(\d+(?:[.,]\d+)?)"
#: ISO 8601 durations (PnYnMnDTnHnMnS, or PnW), the format docs/age.rst links.
DURATION = re.compile(rf"^P(?!$)(?:{_N}Y)?(?:{_N}M)?(?:{_N}D)?(?:T(?=\d)(?:{_N}H)?(?:{_N}M)?(?:{_N}S)?)?$"
                      rf"|^P{_N}W$")
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


class Consequence(str):
    """A problem that follows from another check's finding (``caused_by``, its id): failed as its consequence."""

    caused_by: str

    def __new__(cls, text: str, caused_by: str) -> Consequence:
        made = super().__new__(cls, text)
        made.caused_by = caused_by
        return made


def problem_required(parsed: Parsed) -> str | None:
    """phenopacket.rst, family.rst, cohort.rst: id and metaData REQUIRED; a Family's proband and pedigree,
    a Cohort's members; metadata.rst: created and created_by 1..1; ontologyclass.rst: an OntologyClass's label
    1..1, REQUIRED (its id is phenopackets.ontology.curie's)."""
    for path, term in parsed.of_type("OntologyClass"):
        if not term.label:
            return f"{path} ({term.id or 'no id'}) has no label (REQUIRED)"
    if parsed.index is not None:
        return None  # one member of a Cohort read member by member: its whole is judged once
    message: Any = parsed.message
    if not message.id:
        return f"the {parsed.kind} has no id (REQUIRED)"
    if not message.HasField("meta_data"):
        return f"the {parsed.kind} has no metaData (REQUIRED)"
    if parsed.kind == "Family":
        for name in ("proband", "pedigree"):
            if not message.HasField(name):
                return f"the Family has no {name} (REQUIRED)"
    if parsed.kind == "Cohort" and not (parsed.members if parsed.members is not None else len(message.members)):
        return "the Cohort has no members (REQUIRED)"
    meta = message.meta_data
    if not meta.HasField("created"):
        return "metaData has no created timestamp (1..1)"
    if not meta.created_by:
        return "metaData has no createdBy (1..1)"
    return None


def problem_schema_version(parsed: Parsed) -> str | None:
    if parsed.index is not None:
        return None  # one member of a Cohort read member by member: its whole is judged once
    if not parsed.message.HasField("meta_data"):
        return None  # no metaData at all: problem_required reports it (one root cause, one failure)
    version = parsed.message.meta_data.phenopacket_schema_version
    if version not in SCHEMA_VERSIONS:
        return (f"metaData.phenopacketSchemaVersion is {version!r}, not one of "
                f"{', '.join(SCHEMA_VERSIONS)}")
    return None


def problem_resources(parsed: Parsed) -> str | None:
    """resource.rst: id, name, namespace_prefix, url and iri_prefix REQUIRED (version may be blank:
    "for resources without release versions, this field should be left blank")."""
    for path, resource in parsed.of_type("Resource"):
        for field, name in (("id", "id"), ("name", "name"), ("namespace_prefix", "namespacePrefix"),
                            ("url", "url"), ("iri_prefix", "iriPrefix")):
            if not getattr(resource, field):
                return f"{path} has no {name} (REQUIRED)"
    return None


def declared_prefixes(parsed: Parsed) -> set[str]:
    """Every namespace prefix a Resource of any MetaData of the document declares."""
    if parsed.declared is not None:
        return set(parsed.declared)
    return {resource.namespace_prefix for _, resource in parsed.of_type("Resource")}


def ontology_classes(parsed: Parsed) -> Iterator[tuple[str, Any]]:
    return parsed.of_type("OntologyClass")


def problem_curie(parsed: Parsed) -> str | None:
    for path, term in ontology_classes(parsed):
        if not CURIE.match(term.id):
            return f"{path}.id {term.id!r} is not a CURIE (prefix:reference)"
    return None


def problem_prefix_declared(parsed: Parsed) -> str | None:
    if not parsed.whole.HasField("meta_data"):
        return None  # no metaData to declare prefixes in: problem_required reports it (one root cause)
    declared = declared_prefixes(parsed)
    for path, term in ontology_classes(parsed):
        if not CURIE.match(term.id):
            continue  # see the CURIE check
        prefix = term.id.split(":", 1)[0]
        if prefix not in declared:
            problem = (f"{path}.id {term.id} uses the prefix {prefix}, which no metaData.resources entry declares "
                       f"(declared: {', '.join(sorted(declared - {''})) or 'none'})")
            if "" in declared:  # a Resource without its namespacePrefix (REQUIRED): which prefix it is, is unknown
                return Consequence(problem + "; a Resource has no namespacePrefix",
                                   "phenopackets.metadata.resource-fields")
            return problem
    return None


def problem_age_present(parsed: Parsed) -> str | None:
    """age.rst: "If the Age message is used, the iso8601duration value must be present"."""
    for path, age in parsed.of_type("Age"):
        if not age.iso8601duration:
            return f"{path} has no iso8601duration"
    return None


def problem_age(parsed: Parsed) -> str | None:
    """age.rst: the age is "a string that should be formatted according to ISO8601 Duration" (a SHOULD; an
    absent one is problem_age_present's)."""
    for path, age in parsed.of_type("Age"):
        if age.iso8601duration and duration(age.iso8601duration) is None:
            return f"{path}.iso8601duration {age.iso8601duration!r} is not an ISO 8601 duration"
    return None


def duration(text: str) -> tuple[float, ...] | None:
    """The years, months, days, hours, minutes, seconds and weeks of an ISO 8601 duration (0 for each
    component not given), or None when ``text`` is none: a decimal fraction only on its last component."""
    match = DURATION.match(text)
    if not match:
        return None
    given = [g for g in match.groups() if g is not None]
    if any(not g.isdigit() for g in given[:-1]):
        return None
    return tuple(float(g.replace(",", ".")) if g else 0.0 for g in match.groups())


def days(text: str) -> tuple[float, float] | None:
    """The least and the most days an ISO 8601 duration can span (months and years vary)."""
    parts = duration(text)
    if parts is None:
        return None
    y, mo, d, h, mi, s, w = parts
    exact = w * 7 + d + h / 24 + mi / 1440 + s / 86400
    return exact + y * 365 + mo * 28, exact + y * 366 + mo * 31


def moment(element: Any) -> tuple[str, float, float] | None:
    """A TimeElement as a comparable range: ("age", least days, most days) or ("timestamp", s, s)."""
    which = element.WhichOneof("element")
    if which == "age":
        span = days(element.age.iso8601duration)
        return ("age", *span) if span else None
    if which == "timestamp":
        seconds = float(element.timestamp.seconds) + element.timestamp.nanos / 1e9
        return ("timestamp", seconds, seconds)
    return None


def problem_onset_after_resolution(parsed: Parsed) -> str | None:
    """phenotype.rst and disease.rst: onset is when the feature was first observed, resolution when it
    resolved, so the onset is not after the resolution (compared when both are ages or both times)."""
    for kind in ("PhenotypicFeature", "Disease"):
        for path, found in parsed.of_type(kind):
            if not (found.HasField("onset") and found.HasField("resolution")):
                continue
            onset, resolution = moment(found.onset), moment(found.resolution)
            if onset is None or resolution is None or onset[0] != resolution[0]:
                continue
            if onset[1] > resolution[2]:
                return f"{path} has its onset {describe(found.onset)} after its resolution {describe(found.resolution)}"
    return None


def describe(element: Any) -> str:
    if element.WhichOneof("element") == "age":
        return str(element.age.iso8601duration)
    return datetime.fromtimestamp(element.timestamp.seconds, timezone.utc).isoformat()


def subjects(message: Message) -> set[str]:
    """Every Individual id and Biosample id inside ``message``."""
    found = {i.id for _, i in of_type(message, "Individual") if i.id}
    return found | {b.id for _, b in of_type(message, "Biosample") if b.id}


def problem_pedigree(parsed: Parsed) -> str | None:
    """family.rst, pedigree: "The pedigree defining the relations between the proband and their relatives";
    "Pedigree.individual_id MUST map to the PhenoPacket.Individual.id": the proband is a person of the
    pedigree. A relative need not be: relatives "may be genetically related or may be members of a cohort",
    a pedigree "expected" for the genetically related only (family.rst, relatives), and "It is allowable for the
    Pedigree to have individuals that do not have an associated Phenopacket" (pedigree.rst); which relative is
    genetically related the document does not say."""
    if parsed.kind != "Family":
        return None
    family: Any = parsed.message
    persons = {person.individual_id for person in family.pedigree.persons}
    proband = family.proband
    if proband.HasField("subject") and proband.subject.id and proband.subject.id not in persons:
        return (f"the proband's subject {proband.subject.id!r} is not a person of the pedigree "
                f"(pedigree individualIds: {', '.join(sorted(persons)) or 'none'})")
    return None


def problem_file_identifiers(parsed: Parsed) -> str | None:
    """file.rst, individual_to_file_identifiers: "The key values must correspond to the Individual::id for
    the individuals in the message or Biosample::id for biosamples"."""
    known = set(parsed.subjects) if parsed.subjects is not None else subjects(parsed.message)
    if parsed.kind == "Family":
        known |= {p.individual_id for p in parsed.message.pedigree.persons}
    for path, file in parsed.of_type("File"):
        for key in file.individual_to_file_identifiers:
            if key not in known:
                return (f"{path}.individualToFileIdentifiers names {key!r}, which is no Individual or Biosample "
                        "id of the document")
    return None


def problem_file_uri(parsed: Parsed) -> str | None:
    """file.rst: uri "A valid URI ... REQUIRED"."""
    for path, file in parsed.of_type("File"):
        if not file.uri:
            return f"{path} has no uri (REQUIRED)"
        if not URI.match(file.uri):
            return f"{path}.uri {file.uri!r} is not a URI"
    return None


#: The skip of a rule on a document without metaData: the finding of phenopackets.document.required-fields.
NO_META_DATA = ("no document has a metaData to judge (REQUIRED: phenopackets.document.required-fields judged "
                "its absence)")


def _none_of(parsed: Parsed, *types: str) -> bool:
    return not any(True for name in types for _ in parsed.of_type(name))


def _meta_data_part(parsed: Parsed) -> str | None:
    """The part of a document that holds the whole's metaData (a streamed Cohort's members hold none)."""
    if parsed.index is not None:
        return "does not apply: no document holds a metaData"
    return None if parsed.message.HasField("meta_data") else NO_META_DATA


def _resources_part(parsed: Parsed) -> str | None:
    if _none_of(parsed, "Resource"):
        return NO_META_DATA if parsed.index is None and not parsed.whole.HasField("meta_data") \
            else "does not apply: no metaData lists a Resource"
    return None


def _terms_part(parsed: Parsed) -> str | None:
    return "does not apply: no document holds an OntologyClass" if _none_of(parsed, "OntologyClass") else None


def _declared_part(parsed: Parsed) -> str | None:
    if not any(CURIE.match(term.id) for _, term in ontology_classes(parsed)):
        return "does not apply: no document holds an OntologyClass whose id is a CURIE"
    return None if parsed.whole.HasField("meta_data") else NO_META_DATA


def _ages_part(parsed: Parsed) -> str | None:
    return "does not apply: no document holds an Age" if _none_of(parsed, "Age") else None


def _onsets_part(parsed: Parsed) -> str | None:
    for kind in ("PhenotypicFeature", "Disease"):
        for _, found in parsed.of_type(kind):
            if found.HasField("onset") and found.HasField("resolution"):
                onset, resolution = moment(found.onset), moment(found.resolution)
                if onset is not None and resolution is not None and onset[0] == resolution[0]:
                    return None
    return ("does not apply: no phenotypic feature or disease has an onset and a resolution that are both ages "
            "or both timestamps")


def _pedigree_part(parsed: Parsed) -> str | None:
    proband: Any = parsed.message.proband if parsed.kind == "Family" else None
    if proband is not None and proband.HasField("subject") and proband.subject.id:
        return None
    return "does not apply: no document is a Family whose proband's subject has an id"


def _files_part(parsed: Parsed) -> str | None:
    return "does not apply: no document holds a File" if _none_of(parsed, "File") else None


def _file_identifiers_part(parsed: Parsed) -> str | None:
    if any(file.individual_to_file_identifiers for _, file in parsed.of_type("File")):
        return None
    return "does not apply: no File has individualToFileIdentifiers"


#: For each rule that judges only some contents, why a part of a document gives it nothing to judge (None when
#: it gives something): a check none of whose documents gives it anything skips with the reason, never passes.
#: "does not apply: " when the document lacks what is optional; the required-fields check otherwise.
NOTHING_TO_JUDGE: dict[Callable[[Parsed], str | None], Callable[[Parsed], str | None]] = {
    problem_schema_version: _meta_data_part,
    problem_resources: _resources_part,
    problem_curie: _terms_part,
    problem_prefix_declared: _declared_part,
    problem_age_present: _ages_part,
    problem_age: _ages_part,
    problem_onset_after_resolution: _onsets_part,
    problem_pedigree: _pedigree_part,
    problem_file_uri: _files_part,
    problem_file_identifiers: _file_identifiers_part,
}


def nothing_to_judge(rule: Callable[[Parsed], str | None], parsed: Parsed) -> str | None:
    """Why ``parsed`` (a document, or a part of a streamed Cohort) gives ``rule`` nothing to judge; None when it
    gives something."""
    reason = NOTHING_TO_JUDGE.get(rule)
    return None if reason is None else reason(parsed)


#: The rules the checks apply (``Phenopackets.apply``): a Cohort read member by member is walked once for
#: all of them.
RULES = (problem_required, problem_schema_version, problem_resources, problem_curie, problem_prefix_declared,
         problem_age_present, problem_age, problem_onset_after_resolution, problem_pedigree,
         problem_file_identifiers, problem_file_uri)
