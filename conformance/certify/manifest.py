"""Making, signing and verifying a certification bundle: ``conformance certify`` signs a finished run into one
bundle, ``conformance verify`` checks it (docs/certification.md).

The manifest is signed as a JWS (RFC 7515) with PyJWT, already the harness's JOSE library: one
maintained, widely used library for both signing and the JWK / JWK Set keys people have. Nothing here
computes a signature or canonical JSON by hand: PyJWT and ``cryptography`` sign, ``rfc8785`` writes the
manifest's canonical bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import rfc8785
import yaml

from conformance._version import __version__
from conformance.certify import bundle as archive
from conformance.certify.keys import (
    PrivateKey,
    VerificationKey,
    algorithm_for,
    thumbprint,
)
from conformance.errors import UsageError
from conformance.profile import read_profile_yaml
from conformance.redact import MASK, SENSITIVE_MEMBERS, Redactor
from conformance.scorecard import UNDECIDED, counted

FORMAT = "ga4gh-conformance-certification/1"
JWS_TYPE = "ga4gh-conformance-manifest+jws"
ALGORITHMS = ["EdDSA", "ES256", "ES384", "ES512"]
SCORECARD = "scorecard.json"
SCORECARD_FORMAT = "ga4gh-conformance-scorecard/"
#: The caveat of MUST checks skipped as undecided: its most frequent reasons, each at most this long.
REASONS_SHOWN = 3
REASON_CHARS = 100


# -- making a bundle -----------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _report_files(report_dir: Path) -> list[tuple[str, Path]]:
    if not report_dir.is_dir():
        raise UsageError(f"{report_dir}: no such report directory" if not report_dir.exists()
                         else f"{report_dir}: not a directory")
    if not (report_dir / SCORECARD).is_file():
        raise UsageError(f"{report_dir}: no {SCORECARD} (is it the run directory of `conformance run`?)")
    files = []
    for path in sorted(report_dir.rglob("*"), key=lambda p: p.relative_to(report_dir).as_posix()):
        relative = path.relative_to(report_dir).as_posix()
        if path.is_symlink():
            raise UsageError(f"{report_dir}: {relative} is a symbolic link; a bundle holds only the run's own files")
        if path.is_file():
            files.append((relative, path))
    return files


def _profile_secrets(document: Any, redactor: Redactor) -> None:
    """Register the values of the environment variables the profile names (``auth.*_env``), when set."""
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(key, str) and key.endswith("_env") and isinstance(value, str):
                redactor.add(os.environ.get(value))
            else:
                _profile_secrets(value, redactor)
    elif isinstance(document, list):
        for item in document:
            _profile_secrets(item, redactor)


def _strip_secrets(document: Any) -> Any:
    """The profile without a secret: a value under a credential-named key is masked (names of
    environment variables, ``*_env``, are kept: they are not secrets)."""
    if isinstance(document, dict):
        cleaned: dict[str, Any] = {}
        for key, value in document.items():
            name = str(key).lower()
            if not name.endswith("_env") and isinstance(value, str) and any(m in name for m in SENSITIVE_MEMBERS):
                cleaned[key] = MASK
            else:
                cleaned[key] = _strip_secrets(value)
        return cleaned
    if isinstance(document, list):
        return [_strip_secrets(item) for item in document]
    return document


def _profile_candidates(path: str, report_dir: Path) -> list[tuple[Path, Path | None]]:
    """Where the profile the scorecard names may be, each with the directory the run started in (when that
    is what the place tells). A relative path is relative to where the run started, which the scorecard does
    not record: here, then each folder above the run directory (``reports/<slug>/<stamp>`` is under it)."""
    recorded = Path(path).expanduser()
    if recorded.is_absolute():
        return [(recorded, None)]
    candidates: list[tuple[Path, Path | None]] = [(Path.cwd() / recorded, Path.cwd())]
    candidates += [(folder / recorded, folder) for folder in report_dir.resolve().parents]
    return candidates


def _profile_document(scorecard: dict[str, Any], given: str | None, report_dir: Path) -> tuple[Any, str, Path | None]:
    """The profile of the run (as a document), where it came from, and the directory the run started in when
    finding the profile told it (None: unknown)."""
    recorded = scorecard.get("profile") or {}
    path, digest = recorded.get("path"), recorded.get("sha256")
    if given is None and path == "<demo profile>":
        from conformance.demo import demo_document

        return demo_document(), "the embedded demo profile", None
    start: Path | None = None
    if given is not None:
        source = given
    elif isinstance(path, str) and path:
        # A relative path is tried where certify runs, then above the run directory; the profile's sha-256
        # decides (a file that merely has the name is not taken), the first place only without one.
        candidates = _profile_candidates(path, report_dir)
        found = next(((file, folder) for file, folder in candidates
                      if file.is_file() and digest and _sha256(file.read_bytes()) == digest), None)
        if found is None and not digest:
            found = candidates[0]
        elif found is None:  # the first that exists is named as changed, else the profile is not at hand
            found = next(((file, folder) for file, folder in candidates if file.is_file()), candidates[0])
        source, start = str(found[0]), found[1]
        if not found[0].is_file():
            where = ("" if Path(path).is_absolute() else " (a path relative to the directory the run started in, "
                     f"found neither here nor above {report_dir})")
            raise UsageError(f"the run's profile {path!r} is not at hand{where}: pass --profile PATH "
                             "(the profile of the run)")
    else:
        raise UsageError("the scorecard names no profile: pass --profile PATH (the profile of the run)")
    file = Path(source).expanduser()
    if not file.is_file():
        raise UsageError(f"--profile {source}: no such file" if not file.exists()
                         else f"--profile {source}: not a regular file")
    data = file.read_bytes()
    if digest and _sha256(data) != digest:
        raise UsageError(f"--profile {source}: not the profile of this run (its sha256 differs from the "
                         f"scorecard's {digest[:16]}…)" if given else
                         f"{source} changed since the run (sha256 differs): pass --profile with the profile as run")
    try:
        # The manifest names the profile as the scorecard does (or as --profile gave it), no folder of this machine.
        return read_profile_yaml(data), given or str(path), start
    except yaml.YAMLError as exc:
        raise UsageError(f"{source}: not YAML ({str(exc).splitlines()[0]})") from None


def _undecided(service: dict[str, Any]) -> str | None:
    """How many MUST checks of ``service`` were skipped as undecided, with their most frequent reasons."""
    reasons: Counter[str] = Counter()
    for check in service.get("checks", []):
        if check.get("level") == "MUST" and check.get("outcome") == "skipped" \
                and (check.get("skip_kind") or UNDECIDED) == UNDECIDED:
            message = " ".join(str(check.get("message") or "no reason given").split())
            reasons[message if len(message) <= REASON_CHARS else message[:REASON_CHARS - 1] + "…"] += 1
    if not reasons:
        return None
    total = sum(reasons.values())
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = "; ".join(f"{count} × {reason}" for reason, count in ranked[:REASONS_SHOWN])
    rest = sum(count for _, count in ranked[REASONS_SHOWN:])
    others = len(ranked) - REASONS_SHOWN
    more = f"; {rest} more, for {others} other reason{'s' if others > 1 else ''}" if rest else ""
    return (f"{total} MUST check{'s were' if total > 1 else ' was'} skipped as undecided (the harness could not "
            f"decide {'them' if total > 1 else 'it'}): {shown}{more}")


def caveats(scorecard: dict[str, Any], specs: dict[str, Any] | None = None) -> list[str]:
    """What keeps the run from being a complete, unfiltered, unwaived certification, one sentence each.
    ``specs``: the manifest's record of the official schemas (:func:`_specs`), when it was made."""
    found: list[str] = []
    if scorecard.get("interrupted"):
        found.append("the run was interrupted: some checks did not run")
    limits = (scorecard.get("usage") or {}).get("limits_hit") or []
    if limits:
        found.append(f"the run was cut short by a limit: {', '.join(limits)}")
    selection = scorecard.get("selection")
    if selection is None:
        found.append("the run does not record whether it was filtered with --check or --standard")
    else:
        if selection.get("standards"):
            found.append(f"the run was filtered with --standard {', '.join(selection['standards'])}")
        if selection.get("checks"):
            found.append(f"the run was filtered with --check: only {counted(len(selection['checks']), 'check')} "
                         f"({', '.join(selection['checks'][:5])}{', …' if len(selection['checks']) > 5 else ''})")
    if not (scorecard.get("specs") or {}).get("available", True):
        found.append("the official schemas were not available: schema checks were skipped")
    source = (scorecard.get("specs") or {}).get("source")
    if specs is not None and specs.get("schemas") is None and source:
        found.append(f"the run's schema directory {source!r} is not at hand: its files were not compared with the "
                     "pinned ones")
    differ = sorted(((specs or {}).get("schemas") or {}).get("differ") or {})
    if differ:
        found.append(f"official schemas that differ from the pinned files: {len(differ)}, e.g. {differ[0]}")
    for service in scorecard.get("services", []):
        label = f"{service.get('standard')} {service.get('key')}"
        verdict = service.get("verdict")
        if verdict in ("incomplete", "unreachable"):
            why = service.get("unreachable") or service.get("untested")
            reason = f": {why}" if why else ""
            found.append(f"{label} is {verdict}{reason}")
        if service.get("not_run"):
            found.append(f"{label}: {counted(service['not_run'], 'check')} did not run")
        errors = [c["id"] for c in service.get("checks", []) if c.get("outcome") == "error"]
        if errors and verdict != "unreachable":
            found.append(f"{label}: {counted(len(errors), 'check')} could not be decided (error)")
        undecided = _undecided(service)
        if undecided:
            found.append(f"{label}: {undecided}")
        expected = [c for c in service.get("checks", []) if c.get("expected_failure")]
        if expected:
            found.append(f"{label}: the profile lists {counted(len(expected), 'expected failure')} ("
                         + ", ".join(f"{c['id']}: {c['expected_failure'].get('status')}" for c in expected) + ")")
        if service.get("verdict_with_expected_failures", verdict) != verdict:
            found.append(f"{label}: {verdict}, {service['verdict_with_expected_failures']} only with the "
                         "expected failures waived")
    return found


def _specs(scorecard: dict[str, Any], start: Path | None = None) -> dict[str, Any]:
    """The pins, and how the files of the run's schema directory compare with them (``schemas`` is None when
    that directory is not at hand). A relative directory is the run's: taken from ``start``, the directory
    the run started in when the profile's place told it, else from here."""
    from conformance import specs
    from conformance import suite as suites

    pin_files = [s.path / "specs_pins.json" for s in suites.discover().values()
                 if (s.path / "specs_pins.json").is_file()]
    pins = {pin["path"]: pin["sha256"] for pin in specs.load_pins(pin_files)}
    recorded = scorecard.get("specs") or {}
    source = recorded.get("source")
    root = (start or Path.cwd()) / Path(source).expanduser() if isinstance(source, str) and source else None
    schemas: dict[str, Any] | None = None
    if root is not None and root.is_dir():
        # The files the run's schemas came from, against the pins: the count that match, and each that
        # differs or is absent by name (a pinned file no check read is absent without harm).
        differ: dict[str, str] = {}
        absent: list[str] = []
        for relative in sorted(pins):
            file = root / relative
            if not file.is_file():
                absent.append(relative)
            elif (digest := _sha256(file.read_bytes())) != pins[relative]:
                differ[relative] = digest
        schemas = {"match_pins": len(pins) - len(differ) - len(absent), "differ": differ, "absent": absent}
    return {"available": bool(recorded.get("available")), "pins": dict(sorted(pins.items())), "schemas": schemas}


def manifest_for(scorecard: dict[str, Any], files: list[tuple[str, bytes]], profile_source: str,
                 start: Path | None = None) -> dict[str, Any]:
    harness = scorecard.get("harness") or {}
    specs = _specs(scorecard, start)
    return {
        "format": FORMAT,
        "certified_by": {"harness": __version__},
        "harness": {"version": harness.get("version"), "suites": harness.get("suites", {})},
        "run": {key: scorecard.get(key) for key in
                ("initiative", "initiative_id", "contact", "started", "finished", "interrupted", "seed", "explore",
                 "budget", "usage", "selection", "verdict", "exit_code")},
        "profile": {"member": archive.PROFILE, "source": profile_source,
                    "sha256_as_run": (scorecard.get("profile") or {}).get("sha256") or None},
        "specs": specs,
        "services": [{"key": s.get("key"), "standard": s.get("standard"), "version": s.get("version"),
                      "url": s.get("url"), "verdict": s.get("verdict"),
                      "verdict_with_expected_failures": s.get("verdict_with_expected_failures"),
                      "summary": s.get("summary"), "service_info": s.get("service_info")}
                     for s in scorecard.get("services", [])],
        "caveats": caveats(scorecard, specs),
        "files": [{"path": name, "sha256": _sha256(data), "size": len(data)} for name, data in files],
    }


def sign(manifest_bytes: bytes, key: PrivateKey) -> str:
    """The JWS of ``manifest_bytes``, compact, its payload detached and unencoded (RFC 7797: PyJWT adds
    ``"b64": false, "crit": ["b64"]`` to the header): the signing input is the base64url header, ".", then
    the manifest's bytes as they are."""
    algorithm = algorithm_for(key)
    return jwt.api_jws.PyJWS().encode(manifest_bytes, key, algorithm=algorithm,
                                      headers={"kid": thumbprint(key), "typ": JWS_TYPE},
                                      is_payload_detached=True)


def certify(report_dir: Path, key: PrivateKey, output: Path, *, profile: str | None = None,
            replace: bool = False) -> dict[str, Any]:
    """Write the bundle of ``report_dir`` to ``output`` (an existing file only with ``replace``); return its
    manifest. A run directory whose records disagree (:mod:`conformance.certify.consistency`) is refused."""
    from conformance.certify.consistency import check_expected_failures, check_run
    from conformance.reports import redact_tree

    files = _report_files(report_dir)
    try:
        scorecard = json.loads((report_dir / SCORECARD).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{report_dir / SCORECARD}: not a scorecard ({exc})") from None
    if not isinstance(scorecard, dict) or not str(scorecard.get("format", "")).startswith(SCORECARD_FORMAT):
        raise UsageError(f"{report_dir / SCORECARD}: not a ga4gh-conformance scorecard")
    check_run(report_dir, scorecard, report_dir / SCORECARD)
    document, profile_source, start = _profile_document(scorecard, profile, report_dir)
    check_expected_failures(scorecard, document, report_dir / SCORECARD, profile_source)
    redactor = Redactor()
    _profile_secrets(document, redactor)
    profile_text = redactor.text(yaml.safe_dump(_strip_secrets(document), sort_keys=False, allow_unicode=True))

    # The report files pass the run's last redaction again (with the secrets of the profile's
    # environment variables where they are set): a bundle is handed to others.
    import tempfile

    members: list[tuple[str, bytes]] = [(archive.PROFILE, profile_text.encode())]
    with tempfile.TemporaryDirectory(prefix="conformance-certify-") as scratch:
        copy = Path(scratch)
        for relative, path in files:
            target = copy / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
        redact_tree(copy, redactor)
        for relative, _ in files:
            members.append((archive.REPORT_PREFIX + relative, (copy / relative).read_bytes()))
    manifest = manifest_for(scorecard, members, profile_source, start)
    manifest_bytes = rfc8785.dumps(manifest)
    signature = sign(manifest_bytes, key).encode()
    archive.write(output, [(archive.MANIFEST, manifest_bytes), (archive.SIGNATURE, signature), *members],
                  replace=replace)
    return manifest


def default_output(report_dir: Path) -> Path:
    return report_dir.parent / f"{report_dir.name}.conformance.tar"


# -- verifying a bundle ------------------------------------------------------------------------------------


@dataclass
class Verification:
    """What ``verify`` found: ``problems`` empty means the bundle verifies."""

    path: Path
    problems: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    kid: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def caveats(self) -> list[str]:
        """The caveats the signed manifest states (none unless it verifies)."""
        found = (self.manifest or {}).get("caveats") if self.ok else None
        return [str(c) for c in found] if isinstance(found, list) else []


def _header(token: str) -> dict[str, Any] | None:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    return header if isinstance(header, dict) else None


def verify(path: Path, keys: list[VerificationKey]) -> Verification:
    result = Verification(path)
    try:
        bundle = archive.read(path)
    except archive.BundleError as exc:
        result.problems.append(str(exc))
        return result
    members = bundle.members
    for required in (archive.MANIFEST, archive.SIGNATURE):
        if required not in members:
            result.problems.append(f"missing file: {required}")
    if result.problems:
        return result
    manifest_bytes = members[archive.MANIFEST]
    token = members[archive.SIGNATURE].decode("ascii", errors="replace").strip()
    header = _header(token)
    if header is None or not re.fullmatch(r"[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+", token):
        result.problems.append(f"{archive.SIGNATURE} is damaged: not a JWS with a detached payload")
        return result
    kid = header.get("kid")
    result.kid = kid if isinstance(kid, str) else None
    candidates = [k for k in keys if k.kid == kid]
    if not candidates:
        given = ", ".join(k.kid for k in keys)
        result.problems.append(f"signed with another key: the signature's key id is {kid} and the given "
                               f"key{'s are' if len(keys) > 1 else ' is'} {given}")
        return result
    verified = False
    for candidate in candidates:
        try:
            jwt.api_jws.PyJWS().decode_complete(token, candidate.key, algorithms=[algorithm_for(candidate.key)],
                                                detached_payload=manifest_bytes)
            verified = True
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            result.problems.append(f"{archive.SIGNATURE} is damaged: {exc}")
            return result
    if not verified:
        result.problems.append(f"{archive.MANIFEST} was altered after signing, or {archive.SIGNATURE} was: "
                               f"the signature of key {kid} does not match the manifest's bytes")
        return result
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        result.problems.append(f"{archive.MANIFEST} is signed but not JSON")
        return result
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(files, list):
        result.problems.append(f"{archive.MANIFEST} is signed but not a {FORMAT} manifest")
        return result
    result.manifest = manifest
    listed: set[str] = set()
    for entry in manifest["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            result.problems.append(f"{archive.MANIFEST} is signed but lists a file without a path: {entry!r:.80}")
            continue
        name, digest = entry["path"], entry.get("sha256")
        listed.add(name)
        if name not in members:
            result.problems.append(f"missing file: {name}")
        elif _sha256(members[name]) != digest:
            result.problems.append(f"changed file: {name} (sha256 {_sha256(members[name])[:16]}…, the manifest "
                                   f"says {str(digest)[:16]}…)")
    for name in members:
        if name not in listed and name not in (archive.MANIFEST, archive.SIGNATURE):
            result.problems.append(f"unexpected file: {name} is not in the manifest")
    return result


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def harness_lines(manifest: dict[str, Any]) -> list[str]:
    """Which harness and suites wrote the bundle's run, then a note for each that differs from the ones installed
    here (informative: a customer may verify with another release; the checks of the run are what its
    fingerprint names)."""
    from conformance import suite as suites
    from conformance.errors import ConformanceError

    harness = _dict(manifest.get("harness"))
    version = harness.get("version")
    recorded = _dict(harness.get("suites"))
    certified_by = _dict(manifest.get("certified_by")).get("harness")
    described = ", ".join(f"{standard} {info.get('version')} ({info.get('checks')} requirements)"
                          for standard, info in sorted(recorded.items()) if isinstance(info, dict))
    lines = [f"Harness: conformance {version}" + (f" (certified with {certified_by})" if certified_by else "")]
    if described:
        lines.append(f"Suites (fingerprint, requirements): {described}")
    if version != __version__:
        lines.append(f"note: the run's harness is conformance {version}, this one is {__version__}")
    try:
        installed = suites.discover()
    except ConformanceError as exc:
        lines.append(f"note: the installed suites could not be read to compare ({exc})")
        return lines
    for standard, info in sorted(recorded.items()):
        if not isinstance(info, dict):
            continue
        suite = installed.get(standard)
        if suite is None:
            lines.append(f"note: suite {standard} of the run is not installed here")
            continue
        here = (suite.fingerprint(), len(suite.requirements))
        then = (info.get("version"), info.get("checks"))
        if here != then:
            lines.append(f"note: suite {standard} here is {here[0]} with {here[1]} checks; the run's was {then[0]} "
                         f"with {then[1]} checks (its checks or their catalogue differ from this harness's)")
    return lines


def render_verification(result: Verification, *, strict: bool = False) -> str:
    """Caveats first, then the certified verdicts, the harness that wrote them and how it differs from this
    one; or the problems. With ``strict``, a last line says that caveats make the bundle not accepted."""
    lines: list[str] = []
    if not result.ok:
        lines.append(f"NOT VERIFIED: {result.path}")
        lines += [f"  {problem}" for problem in result.problems]
        return "\n".join(lines)
    manifest = result.manifest or {}
    run = _dict(manifest.get("run"))
    caveat_list = result.caveats
    if caveat_list:
        lines.append("CAVEATS (what this certification does not cover):")
        lines += [f"  - {c}" for c in caveat_list]
    lines.append(f"VERIFIED: {result.path} (signed by key {result.kid}; "
                 f"{len(manifest.get('files', []))} files, each sha-256 checked)")
    known_as = f" (id {run['initiative_id']})" if isinstance(run.get("initiative_id"), str) else ""
    lines.append(f"{run.get('initiative')}{known_as}: {run.get('verdict')} · {run.get('started')} → "
                 f"{run.get('finished')} · seed {run.get('seed')}")
    for service in _list(manifest.get("services")):
        if not isinstance(service, dict):
            continue
        summary = _dict(service.get("summary"))
        undecided = f", {summary['undecided']} undecided" if "undecided" in summary else ""
        lines.append(f"  {service.get('standard')!s:<13} {service.get('version')!s:<8} "
                     f"{service.get('verdict')!s:<15} "
                     f"MUST {summary.get('must_passed', '?')}/{summary.get('must_total', '?')}, "
                     f"{summary.get('warnings', 0)} warnings{undecided}  {service.get('url')}")
    lines += harness_lines(manifest)
    if strict and caveat_list:
        lines.append(f"STRICT: the bundle states {len(caveat_list)} caveat{'s' if len(caveat_list) > 1 else ''}: "
                     "not accepted as a complete certification")
    return "\n".join(lines)
