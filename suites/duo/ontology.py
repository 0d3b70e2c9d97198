"""One DUO release, read from the official ``duo.owl`` of the specs directory with rdflib (an RDF/XML
parser; the OWL file is never parsed by hand), once per process.

pronto 2.7 cannot load this release (the obsolete classes are subclasses of ``oboInOwl:ObsoleteClass``,
which it cannot resolve), so the graph is read with rdflib and only these facts are taken from it:
each class's ``oboInOwl:id`` (its CURIE: the IRI of DUO:0000044 is ``DUO_00000044``, one zero too many,
so the IRI is never used as the id), ``rdfs:label``, exact synonyms and shorthand, ``owl:deprecated`` or
a superclass ``oboInOwl:ObsoleteClass``, ``IAO:0100001`` (term replaced by) and the asserted superclasses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from conformance import SpecStore

#: The official ontology of each release the suite knows, relative to the specs directory.
RELEASES = {"2021-02-23": "duo/v2021-02-23/duo.owl"}
PERMISSION = "DUO:0000001"
MODIFIER = "DUO:0000017"
DISEASE_SPECIFIC = "DUO:0000007"
#: The CURIE syntax of a DUO identifier (every ``oboInOwl:id`` of the release has it).
CURIE = re.compile(r"DUO:[0-9]{7}")
#: The OBO PURL of a DUO class, the IRI that names it in duo.owl (http://purl.obolibrary.org/obo/DUO_0000042;
#: the README's links name terms so): it names the term its CURIE names.
IRI = re.compile(r"https?://purl\.obolibrary\.org/obo/DUO_([0-9]{7})")
_MENTION = re.compile(r"DUO[:_][0-9]{7}")

_OBO = "http://purl.obolibrary.org/obo/"
_OIO = "http://www.geneontology.org/formats/oboInOwl#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def curie_of(value: object) -> str | None:
    """The DUO CURIE that ``value`` names, as a CURIE or as the class's OBO IRI; None for anything else."""
    if not isinstance(value, str):
        return None
    if CURIE.fullmatch(value):
        return value
    iri = IRI.fullmatch(value)
    return f"DUO:{iri.group(1)}" if iri else None


@dataclass(frozen=True)
class Term:
    curie: str
    label: str
    #: Other names a statement may give: exact synonyms and the shorthand (GRU, HMB, DS, ...).
    names: frozenset[str]
    obsolete: bool
    #: Terms the release names as replacements (IAO:0100001), in its order.
    replaced_by: tuple[str, ...]
    #: Asserted superclasses that are DUO terms.
    parents: tuple[str, ...]


@dataclass(frozen=True)
class Release:
    version: str
    terms: dict[str, Term]
    #: The newer release whose terms this one also holds (:func:`with_newer`), if any.
    newer: str | None = None

    def ancestors(self, curie: str) -> set[str]:
        seen: set[str] = set()
        todo = list(self.terms[curie].parents) if curie in self.terms else []
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(self.terms[parent].parents if parent in self.terms else ())
        return seen

    def is_permission(self, curie: str) -> bool:
        return PERMISSION in self.ancestors(curie)

    def is_modifier(self, curie: str) -> bool:
        return MODIFIER in self.ancestors(curie)


def release(schemas: SpecStore, version: str) -> Release:
    """The DUO release ``version`` of the specs directory (raises ``SpecsUnavailable`` without it)."""
    return _load(str(schemas.path(RELEASES[version])), version)


#: The release date in an owl:versionIRI (http://purl.obolibrary.org/obo/duo/releases/2021-02-23/duo.owl).
_RELEASE_IRI = re.compile(r"/releases/v?(\d{4}-\d{2}-\d{2})/")


@functools.lru_cache(maxsize=4)
def _load(path: str, version: str) -> Release:
    import rdflib

    graph = rdflib.Graph()
    graph.parse(Path(path), format="xml")
    return _release(graph, version)


def parse_release(data: bytes) -> Release:
    """A DUO release from the bytes of its ``duo.owl`` (a newer release a profile names), its version the
    date of its ``owl:versionIRI``; raises ValueError naming the problem."""
    return _parse_release(bytes(data))


_RDF_NAMESPACE = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@functools.lru_cache(maxsize=4)
def _parse_release(data: bytes) -> Release:
    import rdflib

    if _RDF_NAMESPACE not in data[:1 << 20]:
        shown = data[:40].decode("utf-8", "replace").strip()
        if data.lstrip().startswith(b"format-version:"):
            raise ValueError(f"an OBO file, not RDF/XML (it begins {shown!r}): name the release's duo.owl")
        raise ValueError(f"not an RDF/XML ontology (no RDF namespace; it begins {shown!r})")
    graph = rdflib.Graph()
    try:
        graph.parse(data=data, format="xml")
    except Exception as exc:  # rdflib raises SAX, value and type errors alike for a bad file
        raise ValueError(f"not an RDF/XML ontology ({type(exc).__name__}: {str(exc)[:200]})") from None
    ref = rdflib.URIRef
    versions = [str(v) for v in graph.objects(None, ref(_OWL + "versionIRI"))]
    dated = [m.group(1) for v in versions for m in [_RELEASE_IRI.search(v)] if m]
    if not dated:
        raise ValueError("no owl:versionIRI naming a release (.../releases/<date>/duo.owl)")
    found = _release(graph, dated[0])
    if not found.terms:
        raise ValueError("no DUO class (no oboInOwl:id of the form DUO:0000000)")
    return found


def with_newer(declared: Release, newer: Release) -> Release:
    """``declared``, also holding the terms that only ``newer`` has (a term may come from a newer release
    the profile names); a term both have is the declared release's."""
    added = {curie: term for curie, term in newer.terms.items() if curie not in declared.terms}
    return Release(declared.version, {**added, **declared.terms}, newer.version)


def _release(graph: object, version: str) -> Release:
    import rdflib

    assert isinstance(graph, rdflib.Graph)
    ref = rdflib.URIRef
    by_iri: dict[str, str] = {}
    for subject in graph.subjects(ref(_RDF + "type"), ref(_OWL + "Class")):
        given = graph.value(subject, ref(_OIO + "id"))
        if given is not None and CURIE.fullmatch(str(given)):
            by_iri[str(subject)] = str(given)
    terms: dict[str, Term] = {}
    for iri, curie in by_iri.items():
        node = ref(iri)
        labels = sorted(str(label) for label in graph.objects(node, ref(_RDFS + "label")))
        names = {str(n) for p in ("hasExactSynonym", "shorthand") for n in graph.objects(node, ref(_OIO + p))}
        supers = [str(s) for s in graph.objects(node, ref(_RDFS + "subClassOf")) if isinstance(s, rdflib.URIRef)]
        deprecated = str(graph.value(node, ref(_OWL + "deprecated")) or "").lower() == "true"
        obsolete = deprecated or _OIO + "ObsoleteClass" in supers
        replacements: list[str] = []
        for text in graph.objects(node, ref(_OBO + "IAO_0100001")):
            for found in _MENTION.findall(str(text)):
                replacement = found.replace("_", ":")
                if replacement not in replacements:
                    replacements.append(replacement)
        parents = tuple(by_iri[s] for s in supers if s in by_iri)
        terms[curie] = Term(curie, labels[0] if labels else "", frozenset(names), obsolete,
                            tuple(replacements), parents)
    return Release(version, terms)


def same_name(given: str, term: Term) -> bool:
    """Whether ``given`` names ``term``: its label, an exact synonym or its shorthand, ignoring case and
    runs of white space (a label is text for people; "General Research Use" names DUO:0000042). An
    obsolete term's label also counts without the "obsolete " that OBO prefixes on deprecation: a
    document written before it keeps the label the term had."""
    def norm(text: str) -> str:
        return " ".join(text.split()).casefold()

    names = {norm(term.label), *(norm(n) for n in term.names)}
    if term.obsolete and norm(term.label).startswith("obsolete "):
        names.add(norm(term.label)[len("obsolete "):])
    return norm(given) in names
