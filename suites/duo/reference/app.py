"""Reference DUO document server: serves the data-use documents of :mod:`.documents` at
``/documents/<name>``, conformant unless named faults of ``../faults.yaml`` are injected (each one
violation in one document).

It also serves ``duo-newer.owl``, a small *synthetic* "newer DUO release" (dated 2023-01-01; no real
release, only the few classes the release-drift check needs), which the fault matrix's entries name as
``newer_release`` (:meth:`DuoApp.fault_entries`; the demo names none): under the fault
``term-deprecated-since`` it deprecates DUO:0000042, which the documents use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance import DocumentApp

from .documents import NAMES, documents

NEWER = "duo-newer.owl"
NEWER_VERSION = "2023-01-01"
_OBO = "http://purl.obolibrary.org/obo/"
_OIO = "http://www.geneontology.org/formats/oboInOwl#"


def newer_release(faults: frozenset[str]) -> bytes:
    """The synthetic newer release's duo.owl (RDF/XML written by rdflib)."""
    import rdflib
    from rdflib.namespace import OWL, RDF, RDFS, XSD

    graph = rdflib.Graph()
    ontology = rdflib.URIRef(_OBO + "duo.owl")
    graph.add((ontology, RDF.type, OWL.Ontology))
    graph.add((ontology, OWL.versionIRI, rdflib.URIRef(f"{_OBO}duo/releases/{NEWER_VERSION}/duo.owl")))
    classes = (("DUO:0000001", "data use permission", None), ("DUO:0000017", "data use modifier", None),
               ("DUO:0000042", "general research use", "DUO:0000001"))
    for curie, label, parent in classes:
        node = rdflib.URIRef(_OBO + curie.replace(":", "_"))
        graph.add((node, RDF.type, OWL.Class))
        graph.add((node, rdflib.URIRef(_OIO + "id"), rdflib.Literal(curie)))
        graph.add((node, RDFS.label, rdflib.Literal(label)))
        if parent:
            graph.add((node, RDFS.subClassOf, rdflib.URIRef(_OBO + parent.replace(":", "_"))))
        if curie == "DUO:0000042" and "term-deprecated-since" in faults:
            graph.add((node, OWL.deprecated, rdflib.Literal(True, datatype=XSD.boolean)))
            graph.add((node, rdflib.URIRef(_OBO + "IAO_0100001"), rdflib.Literal("DUO:0000006")))
    return graph.serialize(format="xml").encode()


class DuoApp(DocumentApp):
    """An HTTP server of DUO data-use documents."""

    document_names = NAMES

    def __init__(self, faults: Any = (), version: str | None = None, options: Any = None) -> None:
        super().__init__(faults, version, options)
        self.newer = newer_release(self.faults)

    def served(self) -> Mapping[str, bytes]:
        return {**documents(self.faults), NEWER: self.newer}

    @classmethod
    def fault_entries(cls) -> list[dict[str, Any]]:
        return [{**entry, "newer_release": f"documents/{NEWER}"} for entry in cls.demo_entries()]
