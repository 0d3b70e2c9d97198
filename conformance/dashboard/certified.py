"""The dashboard's certified badge: on a cell of the matrix whose run (the one the cell shows: the initiative's
latest whole run of that standard) comes with a certification bundle (``conformance certify``) that verifies
against a key listed for that initiative, and is not partial (filtered with ``--check``, interrupted, cut
short by a limit: the caveats of such a bundle say it is not a whole run).

The keys file (``conformance dashboard --certification-keys FILE``) maps an initiative, by its slug or
by its name, to the key files it certifies with (SubjectPublicKeyInfo PEM, JWK or JWK Set; paths
relative to the keys file)::

    example-national-genomics: [keys/eng-2026.pem]

The bundle of a run is looked for where ``conformance certify`` writes it by default, beside the run
directory: ``reports/<slug>/<stamp>.conformance.tar``. It must verify in full and hold the very
``scorecard.json`` of that run (the bytes the dashboard read and shows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from conformance.dashboard.runs import BUNDLE_SUFFIX, Collection, Run
from conformance.errors import UsageError
from conformance.profile import slugify


@dataclass(frozen=True)
class Certification:
    kid: str
    bundle: Path


def load_keys_file(path: Path) -> dict[str, list[str]]:
    """Initiative slug → key files (absolute). A wrong file is a usage error naming the problem."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--certification-keys {path}: cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"--certification-keys {path}: not YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(document, dict):
        raise UsageError(f"--certification-keys {path}: expected a mapping of initiative to key files")
    keys: dict[str, list[str]] = {}
    for initiative, files in document.items():
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise UsageError(f"--certification-keys {path}: {initiative}: expected a list of key files")
        resolved = [(path.parent / f).resolve() for f in files]
        missing = [str(f) for f in resolved if not f.is_file()]
        if missing:
            raise UsageError(f"--certification-keys {path}: {initiative}: no such key file {', '.join(missing)}")
        keys[slugify(str(initiative))] = [str(f) for f in resolved]
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


def certified_runs(collection: Collection, keys: Mapping[str, list[str]],
                   unused: list[str] | None = None) -> dict[Path, Certification]:
    """Run directory → its certification, for the runs the matrix shows whose bundle verifies against a key
    listed for their initiative. The keys file's initiatives that name none of the collection's are added to
    ``unused``."""
    names = {slug: slugify(collection.display_name(slug)) for slug in collection.initiatives()}
    if unused is not None:
        unused.extend(k for k in keys if k not in names and k not in names.values())
    found: dict[Path, Certification] = {}
    for run in shown_runs(collection):
        key_files = keys.get(run.slug) or keys.get(names[run.slug])
        if not key_files:
            continue
        certification = certification_of(run, key_files)
        if certification is not None:
            found[run.directory] = certification
    return found
