"""The dashboard's certified badge: on a cell of the matrix whose run (the one the cell shows: the initiative's
latest whole run of that standard) comes with a certification bundle (``conformance certify``) that verifies
against a key listed for that initiative, and is not partial (filtered with ``--check``, interrupted, cut
short by a limit: the caveats of such a bundle say it is not a whole run).

The keys file (``conformance dashboard --certification-keys FILE``) maps an initiative to the key files it
certifies with (SubjectPublicKeyInfo PEM, JWK or JWK Set; paths relative to the keys file): under ``ids:`` an
initiative whose runs carry an id (the profile's ``id:``), by that id; at the top level one whose runs carry
none, by its slug or by its name, as before ids::

    ids:
      example-national-genomics: [keys/eng-2026.pem]
    Other Initiative: [keys/other.pem]

An initiative with an id is certified only by the keys listed for its id, never by an entry of a name: a name
is not an identity (two members may keep one, another member may give any), and an id's keys are what proves a
run claiming it is its member's. A name entry certifies only an initiative known by its name.

The bundle of a run is looked for where ``conformance certify`` writes it by default, beside the run
directory: ``reports/<slug>/<stamp>.conformance.tar``. It must verify in full and hold the very
``scorecard.json`` of that run (the bytes the dashboard read and shows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from conformance.dashboard.runs import BUNDLE_SUFFIX, Collection, Run
from conformance.errors import UsageError
from conformance.profile import id_problem, slugify

#: The keys file's section of initiatives by id.
IDS = "ids"


@dataclass(frozen=True)
class Certification:
    kid: str
    bundle: Path


@dataclass
class CertificationKeys:
    """The keys file: key files (absolute paths) by initiative id, and by the slug of an initiative's name."""

    ids: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)


def _key_files(path: Path, entry: str, files: object) -> list[str]:
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise UsageError(f"--certification-keys {path}: {entry}: expected a list of key files")
    resolved = [(path.parent / f).resolve() for f in files]
    missing = [str(f) for f in resolved if not f.is_file()]
    if missing:
        raise UsageError(f"--certification-keys {path}: {entry}: no such key file {', '.join(missing)}")
    return [str(f) for f in resolved]


def load_keys_file(path: Path) -> CertificationKeys:
    """The keys file's entries, by id (``ids:``) and by name. A wrong file is a usage error naming the problem."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--certification-keys {path}: cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"--certification-keys {path}: not YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(document, dict):
        raise UsageError(f"--certification-keys {path}: expected a mapping of initiative to key files")
    keys = CertificationKeys()
    for initiative, files in document.items():
        if initiative == IDS:
            if not isinstance(files, dict):
                raise UsageError(f"--certification-keys {path}: {IDS}: expected a mapping of initiative id to key "
                                 "files")
            for initiative_id, id_files in files.items():
                problem = id_problem(initiative_id)
                if problem:
                    raise UsageError(f"--certification-keys {path}: {IDS}: {problem}")
                keys.ids[initiative_id] = _key_files(path, f"{IDS}: {initiative_id}", id_files)
            continue
        keys.names[slugify(str(initiative))] = _key_files(path, str(initiative), files)
    return keys


def bundle_of(run: Run) -> Path:
    return run.directory.parent / f"{run.directory.name}{BUNDLE_SUFFIX}"


def certification_of(run: Run, key_files: list[str]) -> Certification | None:
    """The certification of ``run`` by one of ``key_files``, or None (no bundle, or one that does not
    verify, or one of another run, or a run that is partial)."""
    from conformance.certify.keys import load_public_keys
    from conformance.certify.manifest import verify

    bundle = bundle_of(run)
    if run.partial_reasons() or not bundle.is_file():
        return None  # the bundle of a filtered or interrupted run states it as a caveat: no whole run to certify
    keys = [key for file in key_files for key in load_public_keys(file)]
    result = verify(bundle, keys)
    if not result.ok or result.manifest is None:
        return None
    listed = {f.get("path"): f.get("sha256") for f in result.manifest.get("files", []) if isinstance(f, dict)}
    if listed.get("report/scorecard.json") != run.sha256:
        return None  # a bundle of another run, or of this run's files as they were before an edit
    return Certification(result.kid or "", bundle)


def shown_runs(collection: Collection) -> list[Run]:
    """The runs the matrix's cells show (each initiative's latest whole run of each standard)."""
    runs: dict[Path, Run] = {}
    for slug in collection.initiatives():
        for standard in collection.standards():
            run = collection.latest(slug, standard)
            if run is not None:
                runs[run.directory] = run
    return list(runs.values())


def keys_for(collection: Collection, keys: CertificationKeys, slug: str) -> list[str]:
    """The key files that may certify the runs of the initiative ``slug`` (a row of the matrix): those of its id
    when its runs carry one (its runs without an id from before it took it too), else those of its name."""
    identity = collection.identity(slug)
    if identity.id is not None:
        return keys.ids.get(identity.id, [])
    return keys.names.get(identity.name_slug) or keys.names.get(slugify(collection.display_name(slug))) or []


def unused_entries(collection: Collection, keys: CertificationKeys) -> list[str]:
    """The keys file's entries that certify none of the collection's initiatives, each ``entry: why``."""
    identities = [collection.identity(slug) for slug in collection.initiatives()]
    ids = {i.id for i in identities if i.id is not None}
    by_name = {i.name_slug for i in identities if i.id is None} | \
        {slugify(collection.display_name(i.key)) for i in identities if i.id is None}
    named_ids = {slugify(name): i.id for i in identities if i.id is not None for name, _ in i.names}
    unused = [f"{IDS}: {k}: no initiative of these reports has this id" for k in keys.ids if k not in ids]
    for name in keys.names:
        if name in by_name:
            continue
        if name in named_ids:
            unused.append(f"{name}: the initiative of this name has the id {named_ids[name]}: a name entry never "
                          f"certifies an initiative with an id; list its keys under {IDS}: {named_ids[name]}")
        else:
            unused.append(f"{name}: no initiative of these reports has this name or slug")
    return unused


def certified_runs(collection: Collection, keys: CertificationKeys,
                   unused: list[str] | None = None) -> dict[Path, Certification]:
    """Run directory → its certification, for the runs the matrix shows whose bundle verifies against a key
    listed for their initiative (:func:`keys_for`). The keys file's entries that certify none of the collection's
    initiatives are added to ``unused``, each with why."""
    if unused is not None:
        unused.extend(unused_entries(collection, keys))
    found: dict[Path, Certification] = {}
    for run in shown_runs(collection):
        key_files = keys_for(collection, keys, run.slug)
        if not key_files:
            continue
        certification = certification_of(run, key_files)
        if certification is not None:
            found[run.directory] = certification
    return found
