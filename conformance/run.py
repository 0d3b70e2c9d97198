"""One conformance run: the profile resolved to reachable services, its limits, its results.

Both ways in share this: ``conformance run`` (the CLI) and ``pytest --conformance-profile``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import re
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance import specs, versions
from conformance import suite as suites
from conformance._version import __version__
from conformance.errors import BudgetExceeded, HarnessError, TransportError, UsageError, did_you_mean, unknown
from conformance.http import HttpClient, RunLimits, ServiceClient, credentials_for, unused_proxy
from conformance.http.redirects import listed_refusal, may_carry_credentials
from conformance.profile import (
    REFERENCE_REGISTRY,
    Auth,
    Profile,
    Service,
    has_user_info,
    is_http_url,
    load_profile,
    with_services,
)
from conformance.redact import Redactor
from conformance.reference.server import ReferenceServer
from conformance.scorecard import CaseResult, Created, Scorecard, ServiceResult, aggregate, link_causes
from conformance.timeprofile import TimeProfile


@dataclass
class Run:
    profile: Profile
    report_root: Path
    seed: int
    explore: bool
    specs: specs.SpecStore
    standards: set[str] | None = None
    selected_checks: set[str] | None = None
    #: ``--jobs``: the keys of the services a worker checks (its bin); the others of its profile are there to
    #: be read by cross-standard checks, as in a run of the whole profile (None: every service).
    service_keys: set[str] | None = None
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    run_dir: Path = Path()
    redactor: Redactor = field(default_factory=Redactor)
    servers: list[ReferenceServer] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    results: dict[str, CaseResult] = field(default_factory=dict)
    #: nodeid → (check id, service key) of every collected check, to tell what did not run.
    collected: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Standards whose checks could not all be loaded (a defect of the harness): their services are
    #: incomplete, never conformant by default.
    broken_standards: set[str] = field(default_factory=set)
    probes: dict[str, str | None] = field(default_factory=dict)
    #: service key → the JSON object its service-info endpoint answered to the probe.
    service_infos: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: ``--baseline``: the scorecard of an earlier run, compared in summary.md and report.html.
    baseline: dict[str, Any] | None = None
    scorecard: Scorecard | None = None
    interrupted: bool = False
    #: The KeyboardInterrupt of an interruption reached the session (it was not swallowed on the way).
    interrupt_seen: bool = False
    #: The suites' views of each service (:meth:`conformance.view.ServiceView.of`), by (class, key).
    views: dict[tuple[type, str], Any] = field(default_factory=dict)
    #: (service key, start of a skip reason) → what the notice says: see :meth:`count_skips`.
    skip_counts: dict[tuple[str, str], str] = field(default_factory=dict)
    #: ``registry:`` in the profile: its url, how many services it listed, those tested (id, url) and those
    #: the harness could not test (id, type, reason), for the scorecard.
    registry: dict[str, Any] | None = None
    limits: RunLimits = field(init=False)
    http: HttpClient = field(init=False)
    #: service key → what the suites created on it (``writes: true``), see :meth:`ServiceView.record_created`.
    created: dict[str, list[Created]] = field(default_factory=dict)
    #: service key → why what the profile gives for it could not be used, see :meth:`ServiceView.unusable`.
    unusable: dict[str, str] = field(default_factory=dict)
    #: ``--profile-time``: the run's clocks (None: not measured); what was written, once written.
    timing: TimeProfile | None = None
    time_profile: dict[str, Any] | None = None
    #: ``--jobs``: a worker's run, whose parent builds the scorecard and writes the reports (conformance.parallel).
    deferred_reports: bool = False
    #: ``--jobs``: the paced origins of the workers' rate summaries, merged into the scorecard's usage.
    worker_origins: dict[str, Any] = field(default_factory=dict)

    def measure_time(self, timing: TimeProfile) -> None:
        """Measure where the run spends its time (``--profile-time``)."""
        self.timing = timing
        self.http.timing = timing

    def __post_init__(self) -> None:
        self.limits = RunLimits(self.profile.budget)
        self.http = HttpClient(self.limits, self.redactor, ca_bundle=self.profile.ca_bundle, proxy=self.profile.proxy)

    # -- services -------------------------------------------------------------------------------------

    @property
    def services(self) -> list[Service]:
        """The services the run checks: those of ``--standard`` (all without it), and with ``--check`` only
        those a selected check applies to: another service would be reported with no check run, incomplete,
        and make a run whose selected checks all passed exit 2."""
        return [s for s in self.services_of_standards() if self._asked_of(s)]

    def services_of_standards(self) -> list[Service]:
        """The services ``--standard`` selects (every service without it), whatever ``--check`` asks."""
        return [s for s in self.profile.services if (self.standards is None or s.standard in self.standards)
                and (self.service_keys is None or s.key in self.service_keys)]

    def _asked_of(self, service: Service) -> bool:
        if self.selected_checks is None:
            return True
        return any(suite.applies_to_standard(service.standard) for suite in suites.discover().values()
                   if not self.selected_checks.isdisjoint(suite.requirements))

    def service(self, key: str) -> Service:
        return next(s for s in self.profile.services if s.key == key)

    def client_for(self, service: Service) -> ServiceClient:
        return ServiceClient(self.http, service, credentials_for(service, self.redactor))

    def probe(self, service: Service) -> str | None:
        """Why the service is unreachable, or None. One request per service, made once (and a second where the
        first is not answered 200 and the standard names an API prefix the url stops before)."""
        if service.key not in self.probes and suites.for_standard(service.standard).data:
            self.probes[service.key] = None  # documents, not an API: each check reads what it needs
        if service.key not in self.probes:
            path = suites.for_standard(service.standard).probe_path
            reason: str | None = None
            try:
                response = self.client_for(service).get(path, follow_redirects=True)
                if path.rstrip("/").endswith("service-info") and response.status == 200:
                    document = response.json_object()
                    if document is not None:
                        self.service_infos[service.key] = document
                if response.status != 200:
                    reason = (self._below_prefix(service, path, response.status)
                              or self._not_the_base(service, path, response.status))
            except BudgetExceeded:
                reason = None  # a spent budget says nothing about the service
            except TransportError as exc:
                reason = f"{exc.message} ({self.redactor.url(service.url)})"
                proxy = unused_proxy(service.url) if self.profile.proxy is None else None
                if proxy:
                    reason += (f"; the environment names a proxy for it ({proxy}), which the harness uses only when "
                               "the profile says proxy: environment")
            except HarnessError:
                reason = None
            self.probes[service.key] = reason
        return self.probes[service.key]

    def _below_prefix(self, service: Service, path: str, status: int) -> str | None:
        """Why a service whose url stops before its standard's API prefix, under which the API answers the
        probe, cannot be checked at that url (every check would ask paths the API does not have), or None."""
        prefix = suites.for_standard(service.standard).api_prefix
        root = service.url.rstrip("/")
        if not prefix or urlsplit(root).path.endswith(prefix):
            return None
        try:
            under = self.client_for(service).get(prefix + path, follow_redirects=True)
            # the API's JSON, not any page a server answers 200 for every path with
            found = under.status == 200 and isinstance(under.json(), (dict, list))
        except (HarnessError, AssertionError, ValueError):
            return None  # the service answered at its url: whatever happens under the prefix says no more
        if not found:
            return None
        return (f"the API is not at the profile's url {self.redactor.url(root)} (GET {path}: {status}) but under "
                f"{prefix} (GET {prefix}{path}: 200): declare url: {self.redactor.url(root + prefix)}")

    def _not_the_base(self, service: Service, path: str, status: int) -> str | None:
        """Why a service whose url answers 404 to the probe and to every path its standard serves at the API's
        base (:attr:`~conformance.suite.Suite.base_paths`) cannot be checked there, or None."""
        paths = [p for p in suites.for_standard(service.standard).base_paths if p != path]
        if status != 404 or not paths:
            return None
        for other in paths:
            try:
                if self.client_for(service).get(other, follow_redirects=True).status != 404:
                    return None
            except HarnessError:
                return None  # answered otherwise, or not at all: the checks tell
        asked = ", ".join([path, *paths])
        return (f"no API at the profile's url {self.redactor.url(service.url.rstrip('/'))}: GET {asked} each "
                "answered 404 (declare the url of the API's base, where the standard's paths are)")

    def count_skips(self, service_key: str, reason: str, notice: str) -> None:
        """Put "<service>: N checks not run: <notice>" first among the run's notices, N being the checks of
        that service skipped with a reason that starts with ``reason`` (a suite's view calls this when it
        lacks material many checks need, such as an access token)."""
        self.skip_counts[(service_key, reason)] = notice

    def _skip_count_notices(self, services: list[ServiceResult]) -> list[str]:
        found = []
        for (key, reason), notice in self.skip_counts.items():
            count = sum(1 for s in services if s.key == key for c in s.checks
                        if c.outcome == "skipped" and c.message.startswith(reason))
            if count:
                found.append(f"{key}: {count} check{'s' if count != 1 else ''} not run: {notice}")
        return found

    # -- results → scorecard ----------------------------------------------------------------------------

    def clean_up(self) -> None:
        """Let every view undo what it wrote (:meth:`ServiceView.clean_up`) before the scorecard says how."""
        for view in list(self.views.values()):
            with contextlib.suppress(Exception):
                view.clean_up()

    def build_scorecard(self) -> Scorecard:
        self.clean_up()
        finished = dt.datetime.now(dt.timezone.utc)
        by_service: dict[str, dict[str, list[CaseResult]]] = {}
        for nodeid, (check_id, service_key) in self.collected.items():
            case = self.results.get(nodeid)
            if case is None:
                continue
            by_service.setdefault(service_key, {}).setdefault(check_id, []).append(case)
        running = suites.suites_for({s.standard for s in self.services})
        catalogue = {rid: req for s in running for rid, req in s.requirements.items()}
        owners = {rid: s.standard for s in running for rid in s.requirements}
        today = dt.date.today()
        services = []
        for service in self.services:
            result = ServiceResult(service.key, service.standard, service.version,
                                   self.redactor.url(service.url), service.name,
                                   unreachable=self.probes.get(service.key), interrupted=self.interrupted)
            for check_id, cases in by_service.get(service.key, {}).items():
                requirement = catalogue[check_id]
                level = suites.level_at(requirement, service.standard, service.version)
                citation = citation_for(requirement.citation, service, owners.get(check_id))
                check = aggregate(check_id, level.value, citation, requirement.text, cases)
                self._apply_expected(check, service, today)
                result.checks.append(check)
            result.service_info = self.service_infos.get(service.key)
            result.created = [Created(c.kind, self.redactor.text(c.id), c.outcome, c.state)
                              for c in self.created.get(service.key, [])]
            link_causes(result)
            self._waived_consequences(result)
            result.not_run = sum(1 for nodeid, (_, key) in self.collected.items()
                                 if key == service.key and nodeid not in self.results)
            if any(suites.for_standard(std).applies_to_standard(service.standard) for std in self.broken_standards):
                result.not_run += 1
            result.untested = None if result.unreachable else (self._untested(service)
                                                               or self.unusable.get(service.key))
            services.append(result)
        known = {rid for s in suites.discover().values() for rid in s.requirements} \
            if self.profile.expected_failures else set()
        for entry in self.profile.expected_failures:
            if entry.check not in known:
                self.notices.append(f"expected_failures names {entry.check!r}, which is no check of this harness")
        self.scorecard = Scorecard(
            initiative=self.profile.initiative,
            initiative_id=self.profile.id,
            contact=self.profile.contact,
            harness_version=__version__,
            started=self.started,
            finished=finished,
            services=services,
            profile={"path": self.profile.path, "sha256": self.profile.sha256},
            suites={s.standard: {"versions": list(s.versions), "checks": len(s.requirements),
                                 "version": s.fingerprint()}
                    for s in suites.suites_for({x.standard for x in self.services})},
            seed=self.seed,
            explore=self.explore,
            specs=self._specs_record(services),
            budget=self.profile.budget.__dict__.copy(),
            limits_hit=sorted(self.limits.hit),
            requests=self.limits.requests,
            bytes_read=self.limits.bytes,
            rate=self._rate(),
            notices=list(dict.fromkeys(self._skip_count_notices(services) + self.notices)),
            interrupted=self.interrupted,
            selection={"standards": sorted(self.standards) if self.standards else None,
                       "checks": sorted(self.selected_checks) if self.selected_checks else None},
            baseline=self.baseline,
            registry=self.registry,
        )
        return self.scorecard

    def _untested(self, service: Service) -> str | None:
        """Why what ``service`` serves went unchecked: its entry names none of its suite's test data (with
        --check too, where a check of its standard was asked for: it may have needed them)."""
        suite = suites.for_standard(service.standard)
        keys = suite.test_data
        if not keys or any(service.options.get(k) for k in keys):
            return None
        if self.selected_checks is not None and not self.selected_checks & set(suite.requirements):
            return None  # --check asked nothing of its standard
        named = ", ".join(keys[:-1]) + (" or " if len(keys) > 1 else "") + keys[-1]
        return (f"the profile names no {named} for it: the checks of what it serves could not run (name some in "
                "a profile entry with its url)")

    def _specs_record(self, services: list[ServiceResult]) -> dict[str, Any]:
        """What the scorecard says of the official schemas: ``available`` only when every schema a
        check asked for was there. A specs folder that lacks some (empty, or an old or partial copy) is
        not "available", and says which folder it was."""
        root = self.specs.root
        lacking = root is not None and any(c.schemas_missing for s in services for c in s.checks)
        available = root is not None and not lacking
        return {"available": available,
                "source": str(root) if root else None,
                "how_to_get": None if available else specs.HOW_TO_GET if root is None else specs.incomplete(root)}

    def _rate(self) -> dict[str, Any]:
        rate = self.limits.rate_summary()
        if self.worker_origins:
            origins = {**dict(rate.get("origins") or {}), **self.worker_origins}  # type: ignore[call-overload]
            rate["origins"] = dict(sorted(origins.items()))
        return rate

    def _waived_consequences(self, result: ServiceResult) -> None:
        """A waiver of a consequence alone changes nothing: the failure counted is its cause's (one root cause,
        one failure). Said, with the check to name instead."""
        waived = {check.id for check in result.checks if check.waived}
        for check in result.checks:
            if check.id in waived and check.consequence and check.caused_by not in waived:
                self.notices.append(f"expected_failures names {check.id} on {result.key}, a consequence of "
                                    f"{check.caused_by}: the failure that counts is {check.caused_by}'s; name it "
                                    "instead (its consequences follow it)")

    def _apply_expected(self, check: Any, service: Service, today: dt.date) -> None:
        for entry in self.profile.expected_failures:
            if not entry.matches(check.id, service):
                continue
            info: dict[str, Any] = {"reason": entry.reason, "expires": entry.expires.isoformat()}
            if entry.expired(today):
                info["status"] = "expired"
                self.notices.append(f"expected failure of {check.id} on {service.key} expired on "
                                    f"{entry.expires.isoformat()}; it counts again")
            elif check.outcome == "failed":
                info["status"] = "waived"
            elif check.outcome == "passed":
                info["status"] = "no-longer-fails"
                self.notices.append(f"{check.id} on {service.key} is listed as an expected failure but "
                                    "passed: remove it from expected_failures")
            else:
                info["status"] = "not-decided"
            check.expected_failure = info

    # -- lifecycle ------------------------------------------------------------------------------------

    def close(self) -> None:
        for view in self.views.values():
            with contextlib.suppress(Exception):
                view.close()
        self.views.clear()
        self.http.close()
        _stop_all(self.servers)
        self.servers.clear()


def _stop_all(servers: list[ReferenceServer]) -> None:
    """Stop the embedded servers side by side: each stop waits up to the server loop's poll interval, so one
    after another the demo's 17 servers took about 6 s (issue 20)."""
    if len(servers) <= 1:
        for server in servers:
            with contextlib.suppress(Exception):
                server.stop()
        return
    threads = [threading.Thread(target=_stop_quietly, args=(server,), name="conformance-stop", daemon=True)
               for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)


def _stop_quietly(server: ReferenceServer) -> None:
    with contextlib.suppress(Exception):
        server.stop()


_CITED_VERSION = re.compile(r"^(?P<name>[^§\d]*?\s)(?P<v>v?)(?P<version>\d+(?:\.\d+)*)(?=[\s,;:)]|$)")


def citation_for(citation: str, service: Service, owner: str | None = None) -> str:
    """The citation as it applies to the version that was run (issue 21.13).

    A requirement is written once, citing the release it was taken from ("<Standard> 1.2.0 §<Section>"); when
    it applies to the declared version too (its ``versions``), that version's document is the one to
    cite. Only a leading "<name> <version>" of the service's own standard is rewritten: a citation of
    another document (an RFC, service-info) is left as it is.
    """
    if owner is not None and owner != service.standard:
        return citation  # a shared check (service-info) cites its own document
    match = _CITED_VERSION.match(citation)
    if match is None or match["version"] == service.version.removeprefix("v"):
        return citation
    try:
        known = suites.for_standard(service.standard).versions
    except Exception:  # an unknown standard has no versions to compare with
        return citation
    if match["version"] not in known or service.version.removeprefix("v") not in known:
        return citation
    declared = re.escape(service.version.removeprefix("v"))
    if re.search(rf"(?<![\w.]){declared}(?!\w|\.\d)", citation[match.end():]):
        return citation  # it cites the declared version's own document further on ("TES 1.0.0 and 1.1.0 ...")
    return f"{match['name']}{match['v']}{service.version.removeprefix('v')}{citation[match.end():]}"


def new_run_dir(root: Path, slug: str, started: dt.datetime) -> Path:
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    base = root / slug
    candidate = base / stamp
    n = 1
    while candidate.exists():
        n += 1
        candidate = base / f"{stamp}-{n}"
    candidate.mkdir(parents=True)
    return candidate


def auth_for_url(profile: Profile, url: str) -> Auth:
    """The credentials a service found at ``url`` (not named in the profile, e.g. listed by a registry) may
    get: those of the first service entry with an ``auth`` whose origin is the url's, or whose
    ``auth.allowed_hosts`` names the url's host (over https, unless the entry itself is on http), the url read
    as the transport reads it (:func:`may_carry_credentials`). Any other host gets none."""
    for service in profile.services:
        if not service.auth.keys():
            continue
        if may_carry_credentials(url, service.url, service.auth.allowed_hosts):
            return service.auth
    return Auth()


def is_reference_registry(profile: Profile, service: Service) -> bool:
    """Whether ``service`` is the registry of a ``registry: reference`` profile (started after the others)."""
    return (profile.registry == REFERENCE_REGISTRY and service.standard == "service-registry"
            and service.reference is not None)


def registry_entry(service: Service, run: Run) -> dict[str, Any] | str:
    """What a service registry lists for a started reference server: its own service-info with its url
    (service-registry 1.0.0 ExternalService), or why it cannot list it."""
    try:
        suite = suites.for_standard(service.standard)
    except Exception:  # an unknown standard has no service-info to list
        return "a standard this harness does not know"
    if suite.data:
        return "documents of a data standard, not a service"
    if not (suite.has_service_info(service.version) or suite.shared):
        return "no GA4GH service-info in that version"
    client = run.client_for(replace(service, auth=Auth()))  # service-info is public: no credentials
    for path in suite.service_info_paths_for(service):
        try:
            response = client.get(path)
            document = response.json() if response.status == 200 else None
        except (HarnessError, AssertionError, ValueError):
            continue
        if isinstance(document, dict) and isinstance(document.get("id"), str) \
                and isinstance(document.get("type"), dict):
            return {**document, "url": service.url}
    return "it answers no GA4GH service-info"


def start_reference_registry(profile: Profile, run: Run) -> Profile:
    """``registry: reference``: start the profile's reference service registry listing every other started
    reference server that answers a service-info (one per service-info id: a registry's ids are unique), and
    make its URL the profile's one registry URL. What it cannot list stays named in the profile, in a notice."""
    if profile.registry != REFERENCE_REGISTRY:
        return profile
    from conformance.reference import start_for_service

    listed: list[dict[str, Any]] = []
    unlisted: dict[str, list[str]] = {}  # why → the labels of the entries it keeps out, in profile order
    for service in profile.services:
        if service.reference is None or is_reference_registry(profile, service):
            continue
        entry = registry_entry(service, run)
        if isinstance(entry, dict) and any(e["id"] == entry["id"] for e in listed):
            entry = "another server with its service-info id is listed"
        if isinstance(entry, str):
            unlisted.setdefault(entry, []).append(service.label)
            continue
        listed.append(entry)
    services = list(profile.services)
    index = next((i for i, s in enumerate(services) if is_reference_registry(profile, s)), None)
    if index is None:
        raise UsageError(f"{profile.path}: registry: {REFERENCE_REGISTRY} needs a service-registry entry with "
                         "reference:")
    reference = dict(services[index].reference or {})
    reference["options"] = {**reference.get("options", {}), "listed": listed}
    started, server = start_for_service(replace(services[index], reference=reference))
    run.servers.append(server)
    services[index] = started
    if unlisted:
        counted = {reason: [f"{label} ×{n}" if n > 1 else label for label, n in Counter(labels).items()]
                   for reason, labels in unlisted.items()}
        why = "; ".join(f"{reason}: {', '.join(labels)}" for reason, labels in counted.items())
        run.notices.append(f"the reference registry {started.url} lists {len(listed)} services; named in the profile "
                           f"only ({why})")
    return replace(profile, services=tuple(services), registry=started.url)


#: The group of the types of services implementing official GA4GH specifications (service-info 1.0.0 ServiceType).
GA4GH_GROUP = "org.ga4gh"


def discover_registry(profile: Profile, run: Run) -> Profile:
    """Add the services a GA4GH service registry lists (``registry:`` in the profile)."""
    if not profile.registry:
        return profile
    # Credentials go only to hosts the profile names (a service entry's origin or its auth.allowed_hosts).
    registry_service = Service(index=-1, standard="service-registry", version="1.0.0", url=profile.registry,
                               auth=auth_for_url(profile, profile.registry))
    client = run.client_for(registry_service)
    try:
        response = client.get("/services")
        listed = response.json()
    except (HarnessError, AssertionError) as exc:
        message = getattr(exc, "message", str(exc))
        run.notices.append(f"service registry {profile.registry} could not be read: {message}")
        return profile
    if response.status != 200 or not isinstance(listed, list):
        run.notices.append(f"service registry {profile.registry}/services answered {response.status} "
                           "without a list of services")
        return profile
    by_artifact = {artifact: s for s in suites.discover().values() for artifact in s.service_info_artifacts()}
    services = list(profile.services)
    declared = {s.url.rstrip("/") for s in services}
    record: dict[str, Any] = {"url": profile.registry, "listed": len(listed), "tested": [], "not_tested": []}
    run.registry = record

    def not_tested(entry: Any, type_text: str, reason: str) -> None:
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        record["not_tested"].append({"id": entry_id if isinstance(entry_id, str) else "?", "type": type_text,
                                     "reason": reason})

    for entry in listed:
        if not isinstance(entry, dict):
            not_tested(entry, "?", "the entry is not a JSON object")
            continue
        named = entry["id"] if isinstance(entry.get("id"), str) else "an entry without a string id"
        raw_type = entry.get("type")
        service_type: dict[str, Any] = raw_type if isinstance(raw_type, dict) else {}
        artifact, version, url = service_type.get("artifact"), service_type.get("version"), entry.get("url")
        type_text = ":".join(str(service_type.get(k, "?")) for k in ("group", "artifact", "version"))
        if not isinstance(artifact, str) or not isinstance(version, str) or not is_http_url(url):
            run.notices.append(f"registry lists {named} without an http(s) url and a type: "
                               "not checked")
            not_tested(entry, type_text, "no http(s) url and type (artifact, version)")
            continue
        assert isinstance(url, str)
        group = service_type.get("group")
        if isinstance(group, str) and group != GA4GH_GROUP:
            # "Use org.ga4gh for implementations compliant with official GA4GH specifications. For services with
            # custom APIs not standardized by GA4GH, or implementations diverging from official GA4GH
            # specifications, use a different namespace" (service-info 1.0.0 ServiceType.group): such a service
            # claims no GA4GH specification to be judged by, not even its /service-info
            # (service-registry 1.0.0 ExternalService.url: the rule is for GA4GH services, "as per the type").
            run.notices.append(f"registry lists {named} as {type_text}, a type outside {GA4GH_GROUP} (it claims no "
                               "GA4GH specification): not checked")
            not_tested(entry, type_text, f"type group {group} is not {GA4GH_GROUP}: no GA4GH specification claimed")
            continue
        if has_user_info(url):
            run.notices.append(f"registry lists {named} with user information ('user:password@') in its url: "
                               "not checked (it would be sent in place of the profile's credentials)")
            not_tested(entry, type_text, "user information in the url")
            continue
        shared = suites.shared_suite()
        # a service of nothing but service-info: the shared suite is its own
        own_suite = by_artifact.get(artifact) or (shared if shared and artifact == shared.standard else None)
        # A type without a suite of its own is tested as far as its service-info only: "not tested" for its type.
        shared_only = f"{artifact} is a standard this harness has no suite for: only its service-info was checked"
        if url.rstrip("/") in declared:
            if own_suite is None:
                not_tested(entry, type_text, shared_only)
            else:
                record["tested"].append({"id": named, "url": url.rstrip("/")})
            continue
        refusal = listed_refusal(profile.registry, url)
        if refusal:  # a service the profile declares itself is checked; one only a registry names, not there
            run.notices.append(f"registry lists {named} at {run.redactor.url(url)}: {refusal}; not checked "
                               "(a service the profile declares is)")
            not_tested(entry, type_text, refusal)
            continue
        suite = own_suite
        options: dict[str, Any] = {"artifact": artifact} if suite is not None and suite is shared else {}
        if suite is None:
            # No suite for this API: still check what every GA4GH service shares.
            if shared is None:
                run.notices.append(f"registry lists {named} as {artifact}, a standard this "
                                   "harness has no suite for: not checked")
                not_tested(entry, type_text, f"{artifact} is a standard this harness has no suite for")
                continue
            suite, options = shared, {"artifact": artifact}
        supported = versions.pick_supported(version, list(suite.versions)) if suite.versions else version
        if supported is None:
            run.notices.append(f"registry lists {named} as {artifact} {version}, "
                               "a version this harness does not check")
            not_tested(entry, type_text, f"{artifact} {version} is a version this harness does not check")
            continue
        name = entry.get("name")
        services.append(Service(index=len(services), standard=suite.standard, version=supported,
                                url=url.rstrip("/"), options=options, name=name if isinstance(name, str) else None,
                                auth=auth_for_url(profile, url), listed_by=profile.registry))
        declared.add(url.rstrip("/"))
        if own_suite is None:
            not_tested(entry, type_text, shared_only)
        else:
            record["tested"].append({"id": named, "url": url.rstrip("/")})
    return with_services(profile, tuple(services))


def prepare(profile: Profile | str | Path, *, report_root: str | Path = "reports", seed: int | None = None,
            explore: bool = False, specs_dir: str | None = None, standards: list[str] | None = None,
            checks: list[str] | None = None, budget: Mapping[str, Any] | None = None) -> Run:
    """Load the profile, start embedded reference servers it asks for, discover registry services and
    make the run directory. ``budget`` overrides the profile's (the command line's ``--max-seconds`` and
    friends), in force from the start: the registry is read within it too. Raises :class:`UsageError`
    (exit 4) for anything the user must fix."""
    if not isinstance(profile, Profile):
        profile = load_profile(profile, standards=suites.discover())
    if budget:
        profile = replace(profile, budget=replace(profile.budget, **budget))
    known = suites.known_standards()
    for standard in standards or []:
        if standard not in known:
            raise UsageError(f"--standard {standard}: {unknown('standard', standard, known)}")
    requirements = {rid: r for s in suites.discover().values() for rid, r in s.requirements.items()} \
        if checks else {}
    catalogue = set(requirements)
    selected: set[str] = set()
    for check_id in checks or []:
        # a group: the checks whose ids begin with it and a dot (a requirement no check covers is none of them)
        group = {rid for rid, requirement in requirements.items()
                 if rid.startswith(check_id.rstrip(".") + ".") and requirement.uncovered is None}
        if check_id not in catalogue and not group:
            raise UsageError(f"--check {check_id}: no such check ({did_you_mean(check_id, catalogue)}"
                             "see `conformance list-checks`)")
        selected |= {check_id} if check_id in catalogue else group  # a check's id, or the group of ids it begins
    checks = sorted(selected) if checks else None
    if explore and seed is None:
        seed = random.SystemRandom().randrange(2**32)
    run = Run(profile=profile, report_root=Path(report_root), seed=0 if seed is None else seed, explore=explore,
              specs=specs.SpecStore(specs.locate(specs_dir)), standards=set(standards) if standards else None,
              selected_checks=set(checks) if checks else None)
    try:
        started_services = []
        for service in profile.services:
            if service.reference is not None and not is_reference_registry(profile, service):
                from conformance.reference import start_for_service

                service, server = start_for_service(service)
                run.servers.append(server)
            started_services.append(service)
        run.profile = with_services(profile, tuple(started_services))
        run.profile = start_reference_registry(run.profile, run)
        run.profile = discover_registry(run.profile, run)
        for service in run.profile.services:
            credentials_for(service, run.redactor)  # register every secret before anything is logged
        if checks and run.services_of_standards():
            owners = [suite for suite in suites.discover().values() if set(checks) & set(suite.requirements)]
            if not run.services:
                which = (f"no service that --standard {', '.join(standards)} selects" if standards
                         else "no service of the profile")
                raise UsageError(f"--check {', '.join(checks)}: {which} is of "
                                 f"{'its standard' if len(owners) == 1 else 'their standards'} "
                                 f"({', '.join(sorted(suite.standard for suite in owners))})")
        if not run.services:
            # a registry-only profile whose registry could not be read: why, not only that nothing is left
            why = [n for n in run.notices if n.startswith(("service registry ", "registry lists "))]
            raise UsageError(f"{profile.path}: no services to check"
                             + (f" for --standard {', '.join(standards)}" if standards else "")
                             + (f" ({'; '.join(why[:3])}{f'; and {len(why) - 3} more' if len(why) > 3 else ''})"
                                if why else ""))
        try:
            run.run_dir = new_run_dir(run.report_root, profile.slug, run.started)
        except OSError as exc:
            raise UsageError(f"--report-dir {run.report_root}: cannot create the run directory "
                             f"({exc.strerror or exc})") from None
    except BaseException:
        run.close()
        raise
    return run

