"""Ontology terms: each OntologyClass id is a CURIE whose prefix a Resource of metaData declares, and, where
the profile names the prefix's ontology file, a class of it with its label (Phenopackets 2.0
docs/ontologyclass.rst, docs/metadata.rst, docs/resource.rst)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conformance import Document, check, fail

from . import rules
from .ontologies import Ontology, declared_releases, load, release_order
from .view import Phenopackets


@check("phenopackets.ontology.curie")
def test_term_ids_are_curies(phenopackets: Phenopackets) -> None:
    """"The ID of an OntologyClass element MUST take the form of a CURIE format", prefix:reference
    (Phenopackets 2.0 docs/ontologyclass.rst, id; docs/resource.rst, CURIE)."""
    phenopackets.apply(rules.problem_curie)


@check("phenopackets.ontology.prefix-declared")
def test_term_prefixes_declared(phenopackets: Phenopackets) -> None:
    """Every OntologyClass "MUST reference the namespace prefix of a Resource named in the MetaData";
    "The MetaData element MUST have one Resource element for each ontology or terminology whose terms are
    used" (Phenopackets 2.0 docs/ontologyclass.rst, id; docs/metadata.rst; docs/resource.rst, CURIE)."""
    phenopackets.apply(rules.problem_prefix_declared)


def _terms(phenopackets: Phenopackets) -> Iterator[tuple[Document, str, Any, Ontology, str]]:
    """Each term whose prefix the profile names an ontology file for: its document, path, the term, the
    ontology and how the file's release stands to the one the document declares (``release_order``)."""
    files = phenopackets.ontology_files()
    if not files:
        pytest.skip("the profile names no ontology file (`ontologies: {PREFIX: file}`): terms are not looked up")
    for document, parsed in phenopackets.units():
        message = parsed.whole
        declared = declared_releases(list(message.meta_data.resources)) if message.HasField("meta_data") else {}
        for path, term in rules.ontology_classes(parsed):
            prefix = term.id.split(":", 1)[0] if rules.CURIE.match(term.id) else None
            if prefix in files:
                ontology = load(phenopackets, prefix, files[prefix])
                yield document, path, term, ontology, release_order(ontology.release, declared.get(prefix))


def _release(ontology: Ontology) -> str:
    return f"{ontology.prefix} release {ontology.release or '(unversioned)'} ({ontology.ref})"


def _skip_unjudged(judged: int, unjudged: list[str], named: list[str]) -> None:
    if judged:
        return
    if unjudged:
        pytest.skip(f"no term could be judged: {unjudged[0]}" + (f" (and {len(unjudged) - 1} more)"
                                                                   if len(unjudged) > 1 else ""))
    pytest.skip(f"no term of the documents has a prefix the profile names an ontology file for "
                f"({', '.join(named)})")


@check("phenopackets.ontology.term-exists")
def test_terms_exist_in_their_ontology(phenopackets: Phenopackets,
                                       record_property: Callable[[str, object], None]) -> None:
    """Each OntologyClass id is a class of the ontology its prefix references: "The Phenopacket standard
    REQUIRES that the id and the label match in the original ontology" (Phenopackets 2.0
    docs/ontologyclass.rst), judged against the release the document declares or a newer one. A term the
    file marks obsolete still exists (no sentence of the text forbids it): the scorecard notes it, with
    its replacement, as information. So does a term merged into another, whose id stays as the other's
    alternative id (OBO ``alt_id``): the id still names that class."""
    judged, unjudged = 0, []
    obsolete: dict[str, str] = {}
    merged: dict[str, str] = {}
    for document, path, term, ontology, order in _terms(phenopackets):
        if ontology.name_of(term.id) is not None:
            judged += 1
            replaced = ontology.obsoletion(term.id)
            if replaced is not None:
                obsolete[term.id] = f"{term.id} ({replaced}) in {_release(ontology)}"
        elif (survivor := ontology.merged_into(term.id)) is not None:
            # a merged term's id stays as the survivor's alt_id: the id still names that class
            judged += 1
            merged[term.id] = f"{term.id} (an alternative id of {survivor}) in {_release(ontology)}"
        elif order in ("same", "newer"):
            raise fail(f"{document.ref}: {path}.id {term.id} is no class of {_release(ontology)}",
                       document.response)
        else:
            unjudged.append(f"{term.id} is not in {_release(ontology)}, which is not known to be the release "
                            f"the document declares or a newer one ({order})")
    notes = [f"{len(shown)} {kind} term(s): {'; '.join(shown[:5])}" + (f" and {len(shown) - 5} more"
                                                                       if len(shown) > 5 else "")
             for kind, found in (("obsolete", obsolete), ("merged", merged)) if (shown := sorted(found.values()))]
    if notes:
        record_property("note", "; ".join(notes))
    _skip_unjudged(judged, unjudged, sorted(phenopackets.ontology_files()))


def _plain(label: str) -> str:
    return " ".join(label.split()).casefold()


@check("phenopackets.ontology.label-matches")
def test_labels_match_their_ontology(phenopackets: Phenopackets) -> None:
    """Each OntologyClass label "MUST match the ID in the ontology referenced by the namespace prefix"
    (Phenopackets 2.0 docs/ontologyclass.rst, label): the class's name or a synonym, in the release the
    document declares ("ontology maintainers change the primary label of a term")."""
    judged, unjudged = 0, []
    for document, path, term, ontology, order in _terms(phenopackets):
        found = ontology.name_of(term.id)
        if found is None or not term.label:
            continue  # phenopackets.ontology.term-exists' or the required fields' finding
        name, synonyms = found
        if _plain(term.label) in {_plain(n) for n in (name or "", *synonyms) if n}:
            judged += 1
        elif order == "same":
            raise fail(f"{document.ref}: {path}.label {term.label!r} is not the label of {term.id} in "
                       f"{_release(ontology)}: {name!r}", document.response)
        else:
            unjudged.append(f"the label of {term.id} differs from {_release(ontology)}, not the release the "
                            "document declares")
    _skip_unjudged(judged, unjudged, sorted(phenopackets.ontology_files()))
