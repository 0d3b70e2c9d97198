"""The ontology files a profile names per CURIE prefix (``ontologies: {HP: hp.obo, MONDO: https://...}``),
read with pronto (OBO, OBO Graphs JSON, OWL in RDF/XML; imports are not followed), and what a term of a
document is in them. Phenopackets 2.0 docs/ontologyclass.rst: "The Phenopacket standard REQUIRES that the id
and the label match in the original ontology. We note that occasionally, ontology maintainers change the
primary label of a term" -- so a label is judged against the release the document declares, and ids against
that release or a newer one (OBO practice keeps an id once issued, obsoleted rather than removed)."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from conformance import DocumentUnavailable, ServiceView, read_document

#: The most bytes read of one ontology file (the documents' own cap is far smaller: ontologies are large).
ONTOLOGY_BYTES = 256 * 1024 * 1024

DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Ontology:
    """One ontology file of the profile, parsed."""

    prefix: str
    ref: str
    #: The release the file names (OBO data-version, OWL versionIRI/versionInfo), as given; None if none.
    release: str | None
    terms: Any  # pronto.Ontology
    #: Each alternative id (OBO ``alt_id``, OWL ``oboInOwl:hasAlternativeId``) and the class it names: the id of
    #: a term merged into another stays as the survivor's alternative id (pronto looks up primary ids only).
    alternates: dict[str, str] = field(default_factory=dict)

    def name_of(self, curie: str) -> tuple[str | None, list[str]] | None:
        """The term's primary label and its synonyms, or None when the file has no such id."""
        if curie not in self.terms:
            return None
        term = self.terms[curie]
        return term.name, [s.description for s in getattr(term, "synonyms", ())]

    def merged_into(self, curie: str) -> str | None:
        """The class whose alternative id ``curie`` is (a term merged into it), or None."""
        return self.alternates.get(curie) if curie not in self.terms else None

    def obsoletion(self, curie: str) -> str | None:
        """None unless the file marks the term obsolete (OBO ``is_obsolete``, OWL ``owl:deprecated``); then
        what replaces it, as "replaced by X" or "no replacement named"."""
        if curie not in self.terms or not getattr(self.terms[curie], "obsolete", False):
            return None
        try:
            replaced = sorted(t.id for t in getattr(self.terms[curie], "replaced_by", ()))
        except KeyError as exc:  # pronto resolves replaced_by in the file: a replacement it does not hold
            return f"replaced by {exc.args[0]}, which the file does not hold"
        return f"replaced by {', '.join(replaced)}" if replaced else "no replacement named"


def declared_releases(resources: list[Any]) -> dict[str, str]:
    """The version each metaData Resource declares, by namespace prefix."""
    return {r.namespace_prefix: r.version for r in resources if r.namespace_prefix and r.version}


def release_order(file_release: str | None, declared: str | None) -> str:
    """How the file's release stands to the document's declared one: ``same``, ``newer``, ``older`` or
    ``unknown`` (no comparable date in one of them)."""
    if file_release is None or not declared:
        return "unknown"
    if _names(declared, file_release) or _names(file_release, declared):
        return "same"
    found, wanted = DATE.search(file_release), DATE.search(declared)
    if found is None or wanted is None:
        return "unknown"
    if found.groups() == wanted.groups():
        return "same"
    return "newer" if found.groups() > wanted.groups() else "older"


def _names(version: str, release: str) -> bool:
    """Whether ``release`` names ``version`` whole ("2024-04-26" in "hp/releases/2024-04-26"), not a part of it
    (a year, a month, a digit of a longer version: "2024-04", "2")."""
    return re.search(rf"(?<![\w.-]){re.escape(version)}(?![\w.-])", release) is not None


def load(view: ServiceView, prefix: str, ref: str) -> Ontology:
    """Read and parse the ontology file ``ref`` (a path beside the profile or an http(s) URL, with the
    entry's own client). A file that cannot be read or parsed raises :class:`DocumentUnavailable`."""
    return view.memo(("ontology", ref), lambda: _load(view, prefix, ref))


def _load(view: ServiceView, prefix: str, ref: str) -> Ontology:
    import pronto.ontology  # imported when a profile names an ontology (issue 20: start-up)

    document = read_document(view, ref, limit=ONTOLOGY_BYTES)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pronto warns of every OBO construct it does not model
            terms = pronto.ontology.Ontology(io.BytesIO(document.data), import_depth=0)
    except Exception as exc:  # pronto raises many kinds for a file that is no ontology it reads
        # without the addresses of objects a message names ("<_io.BytesIO object at 0x7f...>"): one cause, one text
        said = re.sub(r"<([\w.]+) object at 0x[0-9a-fA-F]+>", r"<\1>", str(exc))[:200]
        raise DocumentUnavailable(f"the ontology file {ref} named for {prefix} could not be parsed as OBO, "
                                  f"OBO Graphs JSON or OWL: {type(exc).__name__}: {said}") from None
    release = terms.metadata.data_version or None
    alternates = {alternate: term.id for term in terms.terms() for alternate in term.alternate_ids}
    return Ontology(prefix, ref, release, terms, alternates)
