"""The DUO rules, each a function giving the one-sentence problem of a term mention, a statement or one data
object's statements (or None): the document checks and the check of the terms other services return share
them."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from . import ontology
from .statements import Mention, Statement

#: How a DUO release is written: its date (the owl:versionIRI's ".../releases/2021-02-23/duo.owl"), with
#: the "v" of the repository's tags, day first as in Beacon v2's duoDataUse example ("17-07-2016"), or the
#: whole owl:versionIRI.
_ISO = re.compile(r"v?(\d{4})-(\d{2})-(\d{2})")
_DAY_FIRST = re.compile(r"(\d{2})-(\d{2})-(\d{4})")
#: A release's owl:versionIRI (README "Versions": http://purl.obolibrary.org/obo/duo/releases/2017-10-16/duo.owl).
_VERSION_IRI = re.compile(r"https?://purl\.obolibrary\.org/obo/duo/releases/v?(\d{4})-(\d{2})-(\d{2})/[\w.-]+")


def curie(mention: Mention) -> str | None:
    if mention.curie is not None:
        return None
    return (f"the id {mention.id!r} is not a DUO CURIE (DUO: and seven digits) nor a DUO class's IRI "
            "(http://purl.obolibrary.org/obo/DUO_ and seven digits)")


def exists(release: ontology.Release, mention: Mention) -> str | None:
    if mention.curie is None:
        return None  # duo.term.curie
    if mention.curie in release.terms:
        return None
    newer = f" nor of the newer release {release.newer}" if release.newer else ""
    last = max(release.terms)
    later = (f" (its terms end at {last}: for a term a later release minted, name that release's duo.owl as "
             "newer_release)" if not release.newer and mention.curie > last else "")
    return f"{mention.id} is not a term of DUO {release.version}{newer}{later}"


def not_obsolete(release: ontology.Release, mention: Mention) -> str | None:
    term = release.terms.get(mention.curie) if mention.curie else None
    if term is None or not term.obsolete:
        return None
    instead = (f"; DUO {release.version} replaces it by {', '.join(term.replaced_by)}" if term.replaced_by
               else "; the release names no replacement")
    return f"{term.curie} ({term.label}) is obsolete{instead}"


def label(release: ontology.Release, mention: Mention) -> str | None:
    term = release.terms.get(mention.curie) if mention.curie else None
    if term is None or mention.label is None:
        return None
    if isinstance(mention.label, str) and ontology.same_name(mention.label, term):
        return None
    return f"the label {mention.label!r} of {term.curie} is not its label in DUO {release.version} ({term.label!r})"


def _live(release: ontology.Release, mention: Mention) -> ontology.Term | None:
    """The live term ``mention`` names; None for an unknown, malformed or obsolete one (other rules)."""
    term = release.terms.get(mention.curie) if mention.curie else None
    return term if term is not None and not term.obsolete else None


def permission(release: ontology.Release, conditions: Sequence[Statement]) -> str | None:
    """One data object's data-use conditions (the statements of one group: a duoDataUse array, a list of
    statements, one statement) name a data use permission. Beacon v2's duoDataUse lists "Data Use Ontology
    codes", so a modifier may be an item of its own beside the permission (GRU, then NCU); only conditions
    made of modifiers alone lack the permission that DUO:0000017's "additional conditions for use" add to.
    Conditions with a term another rule judges (malformed, unknown, obsolete) are left to it."""
    terms = [_live(release, statement.permission) for statement in conditions]
    if not terms or any(term is None for term in terms):
        return None
    live = [term for term in terms if term is not None]
    if any(release.is_permission(term.curie) for term in live):
        return None
    named = ", ".join(f"{term.curie} ({term.label}"
                      f"{', a data use modifier' if release.is_modifier(term.curie) else ''})" for term in live)
    return f"the data-use conditions name no data use permission, only {named}"


def modifiers(release: ontology.Release, statement: Statement) -> str | None:
    """No data use permission among a statement's modifiers. A DUO term that is neither a permission nor a
    modifier (a research purpose, "genetic research" DUO:0000038) may qualify a modifier (research specific
    restrictions, DUO:0000012: "limited to studies of a certain research type") as a disease term qualifies
    disease specific research: not judged."""
    for modifier in statement.modifiers:
        term = _live(release, modifier)
        if term is not None and release.is_permission(term.curie):
            return f"the modifier {term.curie} ({term.label}) is a data use permission, not a data use modifier"
    return None


def disease_specific(release: ontology.Release, statement: Statement) -> bool:
    """Whether the statement's term is disease specific research (DUO:0000007) or a live term under it."""
    term = _live(release, statement.permission)
    return term is not None and (term.curie == ontology.DISEASE_SPECIFIC
                                 or ontology.DISEASE_SPECIFIC in release.ancestors(term.curie))


def disease(release: ontology.Release, statement: Statement) -> str | None:
    if not disease_specific(release, statement) or statement.other_terms:
        return None
    return (f"the disease-specific research statement ({statement.permission.curie}) names no disease term "
            "(MONDO, say)")


def release_date(text: str) -> datetime.date | None:
    for pattern, order in ((_ISO, (0, 1, 2)), (_DAY_FIRST, (2, 1, 0)), (_VERSION_IRI, (0, 1, 2))):
        match = pattern.fullmatch(text.strip())
        if match:
            year, month, day = (int(match.group(i + 1)) for i in order)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                return None
    return None


def version(statement: Statement) -> str | None:
    if not statement.has_version:
        return None
    given = statement.version
    date = release_date(given) if isinstance(given, str) else None
    if date is None:
        return f"the version {given!r} names no DUO release (releases are dated, 2021-02-23 say)"
    if date > datetime.date.today():
        return f"the version {given!r} is a date in the future, no DUO release"
    return None
