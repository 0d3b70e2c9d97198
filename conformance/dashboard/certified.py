"""The dashboard's certified badge: an initiative whose latest run comes with a certification bundle
(``conformance certify``) that verifies against a key listed for that initiative.

The keys file (``conformance dashboard --certification-keys FILE``) maps an initiative, by its slug or
by its name, to the key files it certifies with (SubjectPublicKeyInfo PEM, JWK or JWK Set; paths
relative to the keys file)::

    example-national-genomics: [keys/eng-2026.pem]

The bundle of a run is looked for where ``conformance certify`` writes it by default, beside the run
directory: ``reports/<slug>/<stamp>.conformance.tar``. It must verify in full and hold the very
``scorecard.json`` of that run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from conformance.dashboard.runs import Collection, Run
from conformance.errors import UsageError
from conformance.profile import slugify

BUNDLE_SUFFIX = ".conformance.tar"


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
    verify, or one of another run)."""
    from conformance.certify.keys import load_public_keys
    from conformance.certify.manifest import verify

    bundle = bundle_of(run)
    if not bundle.is_file():
        return None
    keys = [key for file in key_files for key in load_public_keys(file)]
    result = verify(bundle, keys)
    if not result.ok or result.manifest is None:
        return None
    scorecard = run.directory / "scorecard.json"
    listed = {f.get("path"): f.get("sha256") for f in result.manifest.get("files", [])}
    if listed.get("report/scorecard.json") != hashlib.sha256(scorecard.read_bytes()).hexdigest():
        return None  # a bundle of another run, or of this run's files as they were before an edit
    return Certification(result.kid or "", bundle)


def certified_initiatives(collection: Collection, keys: Mapping[str, list[str]]) -> dict[str, Certification]:
    """Initiative slug → the certification of its latest run, for initiatives with a verifying bundle."""
    found: dict[str, Certification] = {}
    for slug in collection.initiatives():
        key_files = keys.get(slug) or keys.get(slugify(collection.display_name(slug)))
        if not key_files:
            continue
        certification = certification_of(collection.runs_of(slug)[-1], key_files)
        if certification is not None:
            found[slug] = certification
    return found
