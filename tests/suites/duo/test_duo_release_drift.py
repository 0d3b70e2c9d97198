"""Release drift (issue 17): a newer DUO release the profile names (``newer_release``), read from a small
synthetic duo.owl derived at test time from the shipped one: terms may come from it, terms it deprecates
since the declared release are reported (a warning), and the scorecard notes which release the terms
come from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conformance_suites.duo import ontology

from conformance.testing import run_profile

OBO = "http://purl.obolibrary.org/obo/"
OIO = "http://www.geneontology.org/formats/oboInOwl#"


@pytest.fixture()
def shipped(specs_dir: str | None) -> Path:
    path = Path(specs_dir or "") / ontology.RELEASES["2021-02-23"]
    if specs_dir is None or not path.is_file():
        pytest.skip("the official DUO release is not in the specs directory")
    return path


def _derived(shipped: Path, target: Path, date: str, *, deprecate: str | None = None,
             new_modifier: str | None = None) -> Path:
    """The shipped duo.owl with another release date, ``deprecate`` marked deprecated (replaced by
    DUO:0000006) and a new modifier class ``new_modifier``."""
    import rdflib
    from rdflib.namespace import OWL, RDF, RDFS, XSD

    graph = rdflib.Graph()
    graph.parse(shipped, format="xml")
    ontology_node = rdflib.URIRef(OBO + "duo.owl")
    graph.remove((ontology_node, OWL.versionIRI, None))
    graph.add((ontology_node, OWL.versionIRI, rdflib.URIRef(f"{OBO}duo/releases/{date}/duo.owl")))
    if deprecate:
        node = rdflib.URIRef(OBO + deprecate.replace(":", "_"))
        graph.add((node, OWL.deprecated, rdflib.Literal(True, datatype=XSD.boolean)))
        graph.add((node, rdflib.URIRef(OBO + "IAO_0100001"), rdflib.Literal("DUO:0000006")))
    if new_modifier:
        node = rdflib.URIRef(OBO + new_modifier.replace(":", "_"))
        graph.add((node, RDF.type, OWL.Class))
        graph.add((node, rdflib.URIRef(OIO + "id"), rdflib.Literal(new_modifier)))
        graph.add((node, RDFS.label, rdflib.Literal("a modifier of a later release")))
        graph.add((node, RDFS.subClassOf, rdflib.URIRef(OBO + "DUO_0000017")))
    graph.serialize(target, format="xml")
    return target


def _run(tmp_path: Path, specs_dir: str | None, newer: Path | None) -> Any:
    document = tmp_path / "data-use.yaml"
    document.write_text("- id: DUO:0000042\n  label: general research use\n"
                        "  modifiers: [{id: DUO:0000099, label: a modifier of a later release}]\n")
    entry: dict[str, Any] = {"standard": "duo", "version": "2021-02-23", "documents": [str(document)]}
    if newer is not None:
        entry["newer_release"] = str(newer)
    return run_profile({"initiative": "drift", "services": [entry]}, tmp_path / "reports", specs_dir=specs_dir,
                       checks=["duo.term.exists", "duo.term.deprecated-since", "duo.statement.modifiers"])


def _check(result: Any, check_id: str) -> Any:
    [found] = [c for s in result.scorecard.services for c in s.checks if c.id == check_id]
    return found


def test_a_parsed_newer_release_is_named_by_its_version_iri(shipped: Path, tmp_path: Path) -> None:
    newer = ontology.parse_release(_derived(shipped, tmp_path / "n.owl", "2025-06-01",
                                            new_modifier="DUO:0000099").read_bytes())
    assert newer.version == "2025-06-01" and "DUO:0000099" in newer.terms
    with pytest.raises(ValueError, match="not an RDF/XML ontology"):
        ontology.parse_release(b"<not owl")


def test_a_page_is_refused_saying_what_it_is(shipped: Path) -> None:
    # an HTML page named as newer_release was refused with rdflib's "TypeError: sequence item 0: ..."
    with pytest.raises(ValueError, match=r"no RDF namespace; it begins '<!DOCTYPE html>"):
        ontology.parse_release(b"<!DOCTYPE html><html><body>Not found</body></html>")
    # the OBO rendering of a release is named as such
    with pytest.raises(ValueError, match=r"an OBO file, not RDF/XML .*name the release's duo.owl"):
        ontology.parse_release(b"format-version: 1.2\ndata-version: duo/releases/2025-06-01/duo.obo\n")
    # a DOCTYPE naming IRIs, as ontology editors write it, is read
    owl = shipped.read_bytes()
    prolog = b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY owl "http://www.w3.org/2002/07/owl#" >]>\n'
    assert ontology.parse_release(prolog + owl[owl.index(b"<rdf:RDF"):]).version == "2021-02-23"


def test_terms_deprecated_since_the_declared_release_are_a_warning(shipped: Path, tmp_path: Path,
                                                                   specs_dir: str) -> None:
    newer = _derived(shipped, tmp_path / "newer.owl", "2025-06-01", deprecate="DUO:0000042",
                     new_modifier="DUO:0000099")
    result = _run(tmp_path, specs_dir, newer)
    drift = _check(result, "duo.term.deprecated-since")
    assert drift.outcome == "failed" and drift.level == "SHOULD", result.output
    assert "DUO:0000042 (general research use) of DUO 2021-02-23 is deprecated in DUO 2025-06-01" in drift.message
    assert "replaces it by DUO:0000006" in drift.message
    # a term only the newer release has exists, and is a modifier there; the note says where it came from
    exists = _check(result, "duo.term.exists")
    assert exists.outcome == "passed"
    assert exists.message == ("2 DUO terms from DUO release 2021-02-23; 1 only in the newer release "
                              "2025-06-01 (DUO:0000099)")
    assert _check(result, "duo.statement.modifiers").outcome == "passed"
    assert result.exit_code == 0, result.output  # a SHOULD: a warning, never non-conformance


def test_without_a_newer_release_drift_does_not_apply(shipped: Path, tmp_path: Path, specs_dir: str) -> None:
    result = _run(tmp_path, specs_dir, None)
    drift = _check(result, "duo.term.deprecated-since")
    assert drift.outcome == "skipped" and drift.to_dict()["skip_kind"] == "not-applicable"
    exists = _check(result, "duo.term.exists")
    assert exists.outcome == "failed" and "DUO:0000099 is not a term of DUO 2021-02-23" in exists.message


def test_an_older_release_named_as_newer_is_a_clear_error(shipped: Path, tmp_path: Path, specs_dir: str) -> None:
    older = _derived(shipped, tmp_path / "older.owl", "2020-01-01")
    result = _run(tmp_path, specs_dir, older)
    drift = _check(result, "duo.term.deprecated-since")
    assert drift.outcome == "error"
    assert drift.message.startswith("newer_release: ") and "not newer than the declared release 2021-02-23" \
        in drift.message


def test_a_newer_release_that_is_no_regular_file_is_named_not_read(tmp_path: Path, specs_dir: str) -> None:
    """A FIFO would block the read whatever --max-seconds says."""
    import os

    fifo = tmp_path / "newer.owl"
    os.mkfifo(fifo)
    drift = _check(_run(tmp_path, specs_dir, fifo), "duo.term.deprecated-since")
    assert drift.outcome == "error" and drift.message == f"newer_release: {fifo} is not a regular file, so not read"
