"""Official GA4GH schemas, read at run time, never copied into the project.

They come from a directory laid out as ``<standard>/<version>/...`` (the official repositories'
relative paths kept): ``--specs-dir``, else ``CONFORMANCE_SPECS_DIR``, else the user cache that
``conformance specs fetch`` fills with pinned, hash-checked copies. Where none exists, checks that
need a schema are skipped with :data:`HOW_TO_GET` as the reason, and the project's own checks still
decide the verdict.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin, urlsplit

# yaml, jsonschema (with its format checkers), referencing and requests are imported where they are used:
# `conformance --version` and `--help` do not pay for them (issue 20).
if TYPE_CHECKING:
    from jsonschema import FormatChecker
    from jsonschema.protocols import Validator
    from referencing import Registry, Resource

    FORMAT_CHECKER: FormatChecker

from conformance.errors import ConformanceError, SpecsUnavailable, UsageError

ENV = "CONFORMANCE_SPECS_DIR"
PINS = Path(__file__).with_name("specs_pins.json")
HOW_TO_GET = ("official GA4GH schemas not available: run `conformance specs fetch` (online) or point "
              f"--specs-dir / {ENV} at a copy")


def incomplete(root: Path) -> str:
    """How to get the schemas when the specs folder in use lacks some a check asked for."""
    return (f"the specs directory {root} lacks official GA4GH schemas the checks need: run `conformance specs "
            f"fetch` (online) for a complete copy or point --specs-dir / {ENV} at one")


def user_cache() -> Path:
    """The harness's folder of the user's cache (``$XDG_CACHE_HOME``, else ``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ga4gh-conformance"


def cache_dir() -> Path:
    return user_cache() / "specs"


def locate(cli_dir: str | None = None) -> Path | None:
    """The specs directory to use, or None when the official schemas cannot be had."""
    for source, candidate in (("--specs-dir", cli_dir), (ENV, os.environ.get(ENV))):
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_dir():
                # Named but missing: a typo would silently skip every schema check.
                raise UsageError(f"{source}: {candidate} is not a directory")
            return path
    cached = cache_dir()
    return cached if cached.is_dir() and any(cached.iterdir()) else None


class SpecStore:
    """Read access to the official specification files of one specs directory."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._documents: dict[Path, Any] = {}

    @property
    def available(self) -> bool:
        return self.root is not None

    def describe(self) -> str:
        return str(self.root) if self.root else HOW_TO_GET

    def path(self, relative: str) -> Path:
        if self.root is None:
            raise SpecsUnavailable(HOW_TO_GET)
        path = self.root / relative
        if not path.is_file():
            raise SpecsUnavailable(f"{relative} is not in the specs directory {self.root} "
                                   "(run `conformance specs fetch` for a complete copy)")
        return path

    def has(self, relative: str) -> bool:
        return self.root is not None and (self.root / relative).is_file()

    def load(self, relative: str) -> Any:
        """A JSON or YAML document of the specs directory, parsed once."""
        return self._parsed(self.path(relative))

    def _parsed(self, path: Path) -> Any:
        """``path`` parsed once per store: every validator's registry resolves its references through
        here, so a large OpenAPI document is not parsed again for each schema checked (issue 20)."""
        if path not in self._documents:
            self._documents[path] = _parse(path)
        return self._documents[path]

    # -- schema validation ---------------------------------------------------------------------------

    def registry(self, remote: Mapping[str, str] | None = None) -> Registry[Any]:
        """A ``referencing`` registry that resolves file URIs of the specs directory and the remote
        URL prefixes in ``remote`` (prefix → path relative to the specs directory), offline."""
        if self.root is None:
            raise SpecsUnavailable(HOW_TO_GET)
        from referencing import Registry, Resource
        from referencing.exceptions import NoSuchResource
        from referencing.jsonschema import DRAFT202012

        root = self.root.resolve()
        mapping = dict(remote or {})

        def retrieve(uri: str) -> Resource[Any]:
            local = self.local_path(uri, mapping, root)
            if local is None or not local.is_file():
                raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
            return Resource.from_contents(self._parsed(local), default_specification=DRAFT202012)

        return Registry(retrieve=retrieve)  # type: ignore[call-arg]

    @staticmethod
    def local_path(uri: str, mapping: Mapping[str, str], root: Path) -> Path | None:
        uri = urldefrag(uri)[0]
        for prefix, target in sorted(mapping.items(), key=lambda kv: -len(kv[0])):
            if uri.startswith(prefix):
                return (root / target / uri[len(prefix):]).resolve()
        parts = urlsplit(uri)
        if parts.scheme == "file":
            path = Path(parts.path).resolve()
            return path if root in path.parents else None
        return None

    def validator(self, relative: str, pointer: str = "", *, remote: Mapping[str, str] | None = None,
                  openapi: str | None = None) -> Validator:
        """A validator for the schema at ``relative#pointer`` with ``format`` checking on.

        ``openapi`` is ``"3.0"`` for OpenAPI 3.0 documents, whose Schema Objects are not quite JSON
        Schema (``nullable``); ``"3.1"`` documents are JSON Schema 2020-12 already.
        """
        path = self.path(relative)
        base = path.resolve().as_uri()
        schema = {"$ref": f"{base}#{pointer}"}
        from jsonschema import Draft202012Validator

        registry = self.registry(remote)
        cls: Callable[..., Validator] = Draft202012Validator
        if openapi == "3.0":
            from openapi_schema_validator import OAS30Validator

            cls = OAS30Validator
        elif openapi == "3.1":
            from openapi_schema_validator import OAS31Validator

            cls = OAS31Validator
        return cls(schema, registry=registry, format_checker=__getattr__("FORMAT_CHECKER"))


_format_checker: FormatChecker | None = None


def __getattr__(name: str) -> Any:
    """``FORMAT_CHECKER``, made on first use (building jsonschema's format checkers takes a while)."""
    global _format_checker
    if name == "FORMAT_CHECKER":
        if _format_checker is None:
            from jsonschema import FormatChecker

            _format_checker = FormatChecker()
            plain, raises = _format_checker.checkers["date-time"]
            _format_checker.checks("date-time", raises)(_rfc3339_date_time(plain))
        return _format_checker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: RFC 3339 §5.6 time-second "00-60", the 60 a leap second: the last second of a UTC day (§5.7), which
#: rfc3339-validator (jsonschema's date-time check) refuses; the example of §5.8 "1990-12-31T15:59:60-08:00".
_LEAP_SECOND = re.compile(r"^(\d{4}-\d{2}-\d{2}[Tt](\d{2}):(\d{2}):)60((?:\.\d+)?([Zz]|[+-](\d{2}):(\d{2})))$")


def _rfc3339_date_time(plain: Callable[[object], bool]) -> Callable[[object], bool]:
    """jsonschema's date-time check, with the leap seconds of RFC 3339 accepted: a time-second of 60 whose
    time is 23:59 in UTC."""

    def date_time(instance: object) -> bool:
        leap = _LEAP_SECOND.match(instance) if isinstance(instance, str) else None
        if leap is None:
            return plain(instance)
        hour, minute = int(leap.group(2)), int(leap.group(3))
        if leap.group(5) not in ("Z", "z"):
            sign = 1 if leap.group(5)[0] == "+" else -1
            utc = (hour * 60 + minute - sign * (int(leap.group(6)) * 60 + int(leap.group(7)))) % (24 * 60)
            hour, minute = divmod(utc, 60)
        return (hour, minute) == (23, 59) and plain(f"{leap.group(1)}59{leap.group(4)}")

    return date_time


def _parse(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except ValueError:
            pass  # a few upstream files are not strict JSON; YAML reads them
    import yaml

    # libyaml's parser where PyYAML was built with it: the same documents, several times faster
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def schema_errors(validator: Validator, instance: Any, limit: int = 3) -> list[str]:
    """Readable messages for the first few schema violations, each naming where in the document."""
    errors = sorted(validator.iter_errors(instance), key=lambda e: (len(e.path), list(map(str, e.path))))
    messages = []
    for error in errors[:limit]:
        where = "/".join(str(p) for p in error.absolute_path) or "(document)"
        message = error.message if len(error.message) < 300 else error.message[:300] + "…"
        messages.append(f"at {where}: {message}")
    if len(errors) > limit:
        messages.append(f"and {len(errors) - limit} more")
    return messages


# -- conformance specs fetch ---------------------------------------------------------------------------


def load_pins(pin_files: Iterable[Path] = ()) -> list[dict[str, str]]:
    """The pinned official files: local path, source URL at a fixed commit, and sha256. The core pins
    what it reads itself (the testbed report schema, ...); each suite pins the files of its standard in
    its own ``specs_pins.json``, which the caller passes as ``pin_files``."""
    pins: dict[str, dict[str, str]] = {}
    for path in (PINS, *pin_files):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            files = data["files"]
            if not isinstance(files, list):
                raise TypeError("'files' is not a list")
            for pin in files:
                pins[str(pin["path"])] = {"path": str(pin["path"]), "url": str(pin["url"]),
                                          "sha256": str(pin["sha256"])}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConformanceError(f"{path}: not a pins file ({exc})") from None
    return list(pins.values())


#: Consecutive connection failures (no answer at all) after which ``fetch`` stops: offline (issue 21.7).
CONNECTION_FAILURES_TO_STOP = 3
#: A progress line at least every this many seconds.
PROGRESS_EVERY = 2.0


def fetch(destination: Path, *, base_override: str | None = None, timeout: float = 30,
          log: Callable[[str], None] = print, pin_files: Iterable[Path] = (),
          connect_timeout: float = 5, stop_after: int = CONNECTION_FAILURES_TO_STOP) -> int:
    """Download every pinned file into ``destination``, checking each sha256. Returns the count.

    A file that does not match its pinned hash is not written, and the fetch fails; files already
    present with the right hash are not downloaded again. ``base_override`` replaces the
    ``https://raw.githubusercontent.com/`` prefix (a mirror, or a local server in the tests).
    After ``stop_after`` files in a row got no answer at all, the fetch stops
    with one line (offline, a proxy, a firewall) rather than trying every file; while it works it
    logs its progress.
    """
    import requests

    session = requests.Session()
    count = 0
    failures: list[str] = []
    pins = load_pins(pin_files)
    unreachable = 0
    last_progress = time.monotonic()
    log(f"fetching {len(pins)} pinned official files into {destination} …")
    for index, pin in enumerate(pins, start=1):
        target = destination / pin["path"]
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == pin["sha256"]:
            count += 1
            continue
        url = pin["url"]
        if base_override:
            url = urljoin(base_override.rstrip("/") + "/", url.split("://", 1)[1].split("/", 1)[1])
        if time.monotonic() - last_progress >= PROGRESS_EVERY:
            log(f"  {index - 1}/{len(pins)} files checked, {count} in place …")
            last_progress = time.monotonic()
        try:
            response = session.get(url, timeout=(connect_timeout, timeout))
            response.raise_for_status()
        except (requests.ConnectionError, requests.Timeout) as exc:
            failures.append(f"{pin['path']}: {type(exc).__name__}")
            unreachable += 1
            if unreachable >= stop_after:
                host = urlsplit(url).netloc
                raise ConformanceError(
                    f"cannot reach {host} ({type(exc).__name__}; {unreachable} file{'s' if unreachable != 1 else ''} "
                    "in a row got no answer): "
                    f"offline? {count} of {len(pins)} official files are in {destination}; point --specs-dir / "
                    f"{ENV} at a copy instead") from None
            continue
        except requests.RequestException as exc:
            failures.append(f"{pin['path']}: {type(exc).__name__}")
            unreachable = 0
            continue
        unreachable = 0
        digest = hashlib.sha256(response.content).hexdigest()
        if digest != pin["sha256"]:
            failures.append(f"{pin['path']}: sha256 {digest[:12]}… does not match the pin {pin['sha256'][:12]}…")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(response.content)
        count += 1
    if failures:
        shown = "; ".join(failures[:3]) + (f"; and {len(failures) - 3} more" if len(failures) > 3 else "")
        raise ConformanceError(f"{len(failures)} of {len(pins)} pinned files could not be fetched: {shown}")
    log(f"{count} official files in {destination}")
    return count


# -- on first use -----------------------------------------------------------------------------------------

#: Set (to anything but "" or "0") to never fetch the official schemas on first use (tests set it).
NO_FETCH_ENV = "CONFORMANCE_NO_SPECS_FETCH"
#: A mirror that replaces ``https://raw.githubusercontent.com/`` for every fetch (``specs fetch --mirror``).
MIRROR_ENV = "CONFORMANCE_SPECS_MIRROR"


def missing_pins(root: Path, pin_files: Iterable[Path] = ()) -> list[dict[str, str]]:
    """The pinned files (the core's and those of ``pin_files``) that ``root`` does not hold."""
    return [pin for pin in load_pins(pin_files) if not (root / pin["path"]).is_file()]


def fetch_on_first_use(pin_files: Iterable[Path], *, log: Callable[[str], None] = print,
                       base_override: str | None = None) -> Path | None:
    """Fill the user cache with the pinned files a run needs, when no specs directory is named (issue 21.3).

    Bounded: one connection that gets no answer within a few seconds ends the attempt (a firewalled or
    offline machine loses seconds, not minutes), and what fails is one line; the run then goes on with
    what the cache holds. Returns the cache when it holds every file the run needs, else None."""
    pin_files = list(pin_files)
    cache = cache_dir()
    missing = missing_pins(cache, pin_files)
    if not missing:
        return cache
    log(f"official schemas: fetching {len(missing)} pinned files into {cache} (first use; "
        f"{NO_FETCH_ENV}=1 or --specs-dir DIR skips this)")
    try:
        fetch(cache, base_override=base_override, pin_files=pin_files, connect_timeout=3, timeout=15,
              stop_after=1, log=lambda line: log("  " + line.strip()) if "…" in line and "/" in line[:8] else None)
    except ConformanceError as exc:
        reason = str(exc).split(": offline?", 1)[0]
        log(f"official schemas not fetched: {reason}; schema checks are skipped (`conformance specs fetch` "
            "tries again)")
    return cache if not missing_pins(cache, pin_files) else None


def fetch_wanted(cli_dir: str | None) -> bool:
    """Whether a run may fetch the official schemas on first use: no directory named, not opted out."""
    return not cli_dir and not os.environ.get(ENV) and os.environ.get(NO_FETCH_ENV, "") in ("", "0")
