"""The pytest plugin: the one place that knows pytest's hooks.

Registered through the ``pytest11`` entry point, so ``pytest --conformance-profile x.yaml`` works
without the CLI; ``conformance run`` registers a :class:`RunPlugin` for a run it prepared itself.
It collects the suites of the declared services, parametrizes every check over the services (and
profile-given cases) it applies to, provides the fixtures, classifies each outcome (passed, failed,
error, skipped), captures evidence, builds the scorecard and writes the reports.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import gc
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as hypothesis_seed

from conformance import interrupts
from conformance import suite as suites
from conformance.checks import MARKER, Requirement
from conformance.errors import (
    BudgetExceeded,
    CheckFailure,
    ConformanceError,
    HarnessError,
    ServiceUnreachable,
    SpecsUnavailable,
)
from conformance.exchange import Exchange
from conformance.http.client import ServiceClient
from conformance.limits import Budget
from conformance.profile import Service
from conformance.run import Run, citation_for, prepare
from conformance.scorecard import NOT_APPLICABLE, UNDECIDED, CaseResult, Scorecard, utc_stamp
from conformance.specs import SpecStore

HYPOTHESIS_PROFILE = "ga4gh-conformance"
SYMBOLS = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}
#: A suite says a requirement does not apply to a service (another role, a feature the version makes
#: optional) by starting its skip reason with this; any other skip is "could not be decided" (issue 21.12).
NOT_APPLICABLE_PREFIX = "does not apply: "


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "GA4GH conformance harness")
    group.addoption("--conformance-profile", metavar="PROFILE", help="run the checks a profile declares")
    group.addoption("--conformance-report-dir", metavar="DIR", default="reports",
                    help="root of the report directories (default: reports)")
    group.addoption("--conformance-standard", metavar="STANDARD", action="append", default=[],
                    help="only check services of this standard (repeatable)")
    group.addoption("--conformance-check", metavar="ID", action="append", default=[],
                    help="only run this check id, or the checks whose ids begin with it and a dot (repeatable)")
    group.addoption("--conformance-seed", metavar="N", type=int, default=None,
                    help="seed of the property checks (default 0: the same deployment gets the same verdict)")
    group.addoption("--conformance-explore", action="store_true",
                    help="let property checks search with a random (recorded) seed")
    group.addoption("--specs-dir", metavar="DIR", default=None,
                    help="directory of the official GA4GH schemas (default: $CONFORMANCE_SPECS_DIR)")


@contextlib.contextmanager
def hypothesis_storage() -> Iterator[None]:
    """What hypothesis keeps between processes (its Unicode tables: a run keeps no examples) goes to the user
    cache instead of a ``.hypothesis`` folder in the current directory, where a run writes nothing but its
    reports. ``HYPOTHESIS_STORAGE_DIRECTORY``, when set, wins; the previous place is restored at the end."""
    from hypothesis import configuration

    from conformance import specs

    # The setting as it stands, None while hypothesis has not yet chosen a place (it chooses on first use,
    # from HYPOTHESIS_STORAGE_DIRECTORY or the current directory): asking it where would make it choose.
    setting = "__hypothesis_home_directory"
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY") or setting not in vars(configuration):
        yield
        return
    previous = vars(configuration)[setting]
    configuration.set_hypothesis_home_dir(specs.user_cache() / "hypothesis")
    try:
        yield
    finally:
        configuration.set_hypothesis_home_dir(previous)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(id, per=None): a conformance check of requirement `id`")
    path = config.getoption("conformance_profile", None)
    if not path or config.pluginmanager.has_plugin(RunPlugin.NAME):
        return
    try:
        run = prepare(path, report_root=config.getoption("conformance_report_dir"),
                      seed=config.getoption("conformance_seed"),
                      explore=config.getoption("conformance_explore"),
                      specs_dir=config.getoption("specs_dir"),
                      standards=config.getoption("conformance_standard") or None,
                      checks=config.getoption("conformance_check") or None)
    except ConformanceError as exc:
        raise pytest.UsageError(str(exc)) from None
    plugin = RunPlugin(run, owns_run=True)
    plugin._storage.enter_context(hypothesis_storage())  # left at pytest_unconfigure
    config.pluginmanager.register(plugin, RunPlugin.NAME)


RUN_KEY = pytest.StashKey[Run]()


# The run's session fixtures are module functions, not methods of RunPlugin: pytest deprecates
# session-scoped fixtures that are instance methods (PytestRemovedIn10Warning, issue 21.14).
@pytest.fixture(scope="session")
def conformance_run(request: pytest.FixtureRequest) -> Run:
    return request.config.stash[RUN_KEY]


@pytest.fixture(scope="session")
def schemas(request: pytest.FixtureRequest) -> SpecStore:
    """The official schemas; a check that needs a missing one is skipped with how to get it."""
    return request.config.stash[RUN_KEY].specs


@pytest.fixture(scope="session")
def budget(request: pytest.FixtureRequest) -> Budget:
    return request.config.stash[RUN_KEY].profile.budget


class SuiteModule(pytest.Module):
    """A suite's check module, imported under its installed package name (``conformance_suites.x``)
    rather than a name derived from the file's location, so suites never claim a top-level name."""

    module_name: str = ""

    def _getobj(self) -> Any:
        return importlib.import_module(self.module_name)


class RunPlugin:
    NAME = "conformance-run"

    def __init__(self, run: Run, *, owns_run: bool = False, progress: bool = False) -> None:
        self.run = run
        self.owns_run = owns_run
        self.progress = progress
        running = suites.suites_for({x.standard for x in run.services})
        self.suites = {s.path.resolve(): s for s in running}
        # the requirements of the suites that run (issue 20: every suite's requirements.yaml was read)
        self.catalogue: dict[str, Requirement] = {rid: req for s in running for rid, req in s.requirements.items()}
        self.owners = {rid: s.standard for s in running for rid in s.requirements}
        self._previous_hypothesis_profile = "default"
        self._restore_constants: Callable[[], None] = lambda: None
        self._froze = False
        self._unfreeze = False
        #: the deferral of a Ctrl-C while pytest writes junit.xml (pytest_sessionfinish)
        self._writing = contextlib.ExitStack()
        #: where hypothesis keeps its files while a ``pytest --conformance-profile`` session runs
        self._storage = contextlib.ExitStack()
        self._started: dict[str, float] = {}
        #: Items the harness itself skipped as not applicable (the declared version lacks the requirement).
        self._not_applicable: set[str] = set()
        #: (service key, message) → how many checks ended in that same error (progress lines).
        self._repeated_errors: dict[tuple[str, str], int] = {}

    # -- configuration --------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        run_dir = self.run.run_dir
        config.stash[RUN_KEY] = self.run
        module = sys.modules[__name__]
        if not config.pluginmanager.is_registered(module):
            config.pluginmanager.register(module, "conformance-session-fixtures")
        # A user's --junitxml wins (plugin mode); --collect-only writes no report (issue 21.14). report.html is
        # the harness's own page (conformance.reports.html); pytest-html writes a page only where the user
        # asks pytest for one (--html), with the scorecard block on top.
        if not getattr(config.option, "collectonly", False) and not getattr(config.option, "xmlpath", None):
            config.option.xmlpath = str(run_dir / "junit.xml")
        for suite in self.suites.values():
            if not suite.package.startswith(suites.BUILT_IN + "."):
                # An installed kit's check modules have their bare asserts explained (``assert 404 == 200``).
                # The built-in suites fail through CheckFailure; their few asserts only narrow types, and
                # rewriting their modules cost about a second per run (issue 20). Discovery imported the
                # package already (its check modules are imported at collection, and rewritten).
                config.addinivalue_line("filterwarnings", "ignore:Module already imported so cannot be "
                                        f"rewritten; {suite.package}:pytest.PytestAssertRewriteWarning")
                pytest.register_assert_rewrite(suite.package)
            try:
                fixtures = importlib.import_module(f"{suite.package}.fixtures")
            except ModuleNotFoundError as exc:
                if exc.name != f"{suite.package}.fixtures":
                    raise
                continue
            if not config.pluginmanager.is_registered(fixtures):
                config.pluginmanager.register(fixtures, f"conformance-fixtures-{suite.standard}")
        budget = self.run.profile.budget
        phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if self.run.explore else [])
        settings.register_profile(
            # Issue 19.13: the same deployment gets the same verdict. No example database; every property
            # is seeded with the run's (printed) seed, and outside --explore a property a check forgot to
            # seed is derandomized too.
            HYPOTHESIS_PROFILE, max_examples=budget.max_examples, deadline=None, database=None,
            derandomize=not self.run.explore, phases=phases, suppress_health_check=list(HealthCheck),
            print_blob=False, report_multiple_bugs=False,
        )
        self._previous_hypothesis_profile = getattr(settings, "_current_profile", None) or "default"
        settings.load_profile(HYPOTHESIS_PROFILE)
        self._restore_constants = _without_harness_constants()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # Everything made so far (modules, suites, the profile, the collected items) lives to the end of the
        # session: out of the collector's reach, a full collection no longer walks it. A run's collections
        # took about 0.35 s of CPU per process of the demo, most of it walking those (issue 20).
        if not self._froze:
            # A worker of --jobs starts frozen by its parent, and leaves it so to its end.
            self._unfreeze = gc.get_freeze_count() == 0
            gc.freeze()
            self._froze = True

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        try:
            self._unconfigure(config)
        finally:
            if self._froze and self._unfreeze:  # after the reports: a later session here collects as before
                gc.unfreeze()
            self._froze = False
            self._storage.close()

    def _unconfigure(self, config: pytest.Config) -> None:
        settings.load_profile(self._previous_hypothesis_profile)
        self._restore_constants()
        from conformance.reports import redact_tree
        from conformance.reports.junit import annotate

        writing = time.monotonic()
        if self.run.scorecard is not None:
            annotate(self.run.run_dir / "junit.xml", self.run.scorecard)

        if self.run.interrupted:
            mark_session_reports(self.run.run_dir)
        redact_tree(self.run.run_dir, self.run.redactor)
        if self.run.timing is not None and self.run.time_profile is not None:
            # junit.xml's causes and the last redaction of every report are report writing too (issue 20):
            # the profile is written again with them (it holds check ids and numbers, nothing to redact)
            self.run.timing.report_seconds += time.monotonic() - writing
            self.run.time_profile = self.run.timing.write(self.run.run_dir, self.run.limits.rate_wait)
        if self.owns_run:
            self.run.close()
            if self.run.scorecard is None:
                _remove_empty_run_dir(self.run.run_dir, config)

    def suite_dirs(self) -> list[str]:
        return [str(path) for path in self.suites]

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        # `pytest --conformance-profile p.yaml` with no paths: collect the declared suites.
        if self.owns_run and session.config.args_source != pytest.Config.ArgsSource.ARGS:
            session.config.args[:] = self.suite_dirs()

    # -- collection -----------------------------------------------------------------------------------

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
        if not (file_path.name.startswith("check_") and file_path.suffix == ".py"):
            return None
        suite = self.suites.get(file_path.parent.resolve())
        if suite is None:
            return None
        module: SuiteModule = SuiteModule.from_parent(parent, path=file_path)
        module.module_name = f"{suite.package}.{file_path.stem}"
        return module

    def _suite_of(self, module_name: str) -> suites.Suite | None:
        package = module_name.rsplit(".", 1)[0]
        return next((s for s in self.suites.values() if s.package == package), None)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        suite = self._suite_of(metafunc.module.__name__)
        if suite is None:
            return
        marker = metafunc.definition.get_closest_marker(MARKER)
        if marker is None:
            raise ConformanceError(f"{metafunc.definition.nodeid}: a suite test without @check(...)")
        per = marker.kwargs.get("per")
        services = [s for s in self.run.services if suite.applies_to_standard(s.standard)]
        if per is None:
            metafunc.parametrize("service", services, ids=[s.key for s in services], scope="session")
            return
        params = []
        for service in services:
            cases = service.options.get(per) or []
            if not cases:
                params.append(pytest.param(service, None, id=f"{service.key}-no-{per}", marks=pytest.mark.skip(
                    reason=f"the profile lists no {per} for {service.key}")))
            for index, case in enumerate(cases):
                params.append(pytest.param(service, case, id=f"{service.key}-{_case_id(case, index)}"))
        metafunc.parametrize(("service", "case"), params, scope="session")

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        selected, deselected = [], []
        for item in items:
            check_id = _check_id(item)
            if check_id is None:
                selected.append(item)
                continue
            # `-k <check id>` selects a check by the name shown everywhere (issue 21.14).
            item.extra_keyword_matches.add(check_id)
            if check_id not in self.catalogue:
                # A defect of the suite: say so, and never let its services look conformant.
                module = getattr(item, "module", None)
                suite = self._suite_of(module.__name__) if module is not None else None
                self.run.notices.append(f"harness defect: {item.nodeid} names check {check_id!r}, which is not in "
                                        "its suite's requirements.yaml; not run")
                if suite is not None:
                    self.run.broken_standards.add(suite.standard)
                deselected.append(item)
                continue
            if self.run.selected_checks is not None and check_id not in self.run.selected_checks:
                deselected.append(item)
                continue
            service = _service(item)
            if service is not None:
                self.run.collected[item.nodeid] = (check_id, service.key)
            function = getattr(item, "obj", None)
            if function is not None and getattr(function, "is_hypothesis_test", False):
                hypothesis_seed(self.run.seed)(function)
                if not getattr(function, "_hypothesis_internal_settings_applied", False):
                    # @given keeps the settings current when its module was first imported: in a process
                    # that imported the suite before this run (a test session, an earlier run) those are
                    # another run's or hypothesis's defaults (a 200 ms deadline). This run's profile counts.
                    function._hypothesis_internal_use_settings = settings.default
            selected.append(item)
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = selected

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        # Deselected by the user (-k, -m, --deselect): not a check that did not run.
        for item in items:
            self.run.collected.pop(item.nodeid, None)

    # -- fixtures -------------------------------------------------------------------------------------

    @pytest.fixture
    def client(self, service: Service) -> ServiceClient:
        """The HTTP client of this check, bound to its service; its exchanges are the evidence."""
        return self.run.client_for(service)

    @pytest.fixture(autouse=True)
    def _conformance_guard(self, request: pytest.FixtureRequest) -> None:
        """Skip a check the declared version does not have; error every check of an unreachable service."""
        check_id = _check_id(request.node)
        service = _service(request.node)
        if check_id is None or service is None:
            return
        requirement = self.catalogue[check_id]
        if not requirement.applies_to(service.version):
            self._not_applicable.add(request.node.nodeid)
            pytest.skip(f"not a requirement of {service.standard} {service.version} "
                        f"(applies to {requirement.versions})")
        reason = self.run.probe(service)
        if reason:
            raise ServiceUnreachable(f"service unreachable: {reason}")

    # -- results --------------------------------------------------------------------------------------

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if not report.failed:
            return
        path = Path(str(report.fspath)).resolve()
        suite = self.suites.get(path.parent) or self.suites.get(path)
        if suite is not None:
            self.run.broken_standards.add(suite.standard)
        lines = str(report.longrepr).strip().splitlines()
        reason = lines[-1] if lines else "unknown error"
        self.run.notices.append(self.run.redactor.text(
            f"harness defect: {report.nodeid or path.name} could not be loaded ({reason[:300]}); "
            "its checks did not run"))

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if self._out_of_time and isinstance(excinfo.value, pytest.Session.Interrupted):
            return  # the session stopped at max_seconds: limits_hit and not_run say so
        self.run.interrupted = self.run.interrupt_seen = True

    @pytest.hookimpl(optionalhook=True)
    def pytest_metadata(self, metadata: dict[str, Any], config: pytest.Config) -> None:
        # pytest-metadata copies CI environment variables (user names, e-mail addresses, URLs) into
        # report.html; a report meant to be shared keeps only what describes the harness.
        for key in list(metadata):
            if key not in ("Python", "Platform", "Packages", "Plugins"):
                del metadata[key]

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self._started[nodeid] = time.time()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
        """``--profile-time``: each check's wall clock (set-up, call and tear-down) and its requests."""
        timing = self.run.timing
        if timing is None:
            return (yield)
        started, requests = time.monotonic(), self.run.limits.requests
        try:
            return (yield)
        finally:
            timing.add_check(_check_id(item) or item.nodeid, started, time.monotonic(),
                             self.run.limits.requests - requests)

    #: The run stopped its session because max_seconds were spent (not an interruption).
    _out_of_time = False

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Once the run's max_seconds are spent, no further check starts (issue 23: the run ends within its
        time budget plus the grace of the check running at the deadline): this one errs with the budget as
        its cause, the session stops, and the checks left are counted as not run."""
        limits = self.run.limits
        if item.nodeid in self.run.collected and limits.remaining() <= 0:
            limits.note("max_seconds")
            spent = f"run time budget exhausted (max_seconds={limits.budget.max_seconds:g})"
            self._out_of_time = True
            item.session.shouldstop = f"{spent}: the checks left were not run"
            raise BudgetExceeded(spent, "max_seconds")

    @pytest.hookimpl(wrapper=True, specname="pytest_runtest_setup")
    def pytest_runtest_setup_bounded(self, item: pytest.Item) -> Generator[None, None, None]:
        with self._stopped_past_the_deadline(item):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        with self._stopped_past_the_deadline(item):
            return (yield)

    @contextlib.contextmanager
    def _stopped_past_the_deadline(self, item: pytest.Item) -> Iterator[None]:
        """A check's set-up and call are stopped where they compute once the run's max_seconds and
        :data:`OVERRUN_GRACE` are spent (and every second after, should the check's own code go on): its
        requests end at the deadline already, but a parser expanding a document's entities, or a loop over a
        large one, would hold the run past its budget for as long as it likes. Only for the run's own checks,
        on the main thread, and where nothing else (pytest-timeout, say) handles SIGALRM."""
        if item.nodeid not in self.run.collected or not _can_alarm():
            yield
            return
        limits = self.run.limits

        def stop(signum: int, frame: object) -> None:
            limits.note("max_seconds")
            self._out_of_time = True
            item.session.shouldstop = (f"run time budget exhausted (max_seconds={limits.budget.max_seconds:g}): "
                                       "the checks left were not run")
            raise OutOfTime(f"run time budget exhausted (max_seconds={limits.budget.max_seconds:g}): the check "
                            f"was stopped {OVERRUN_GRACE:g} s past it, still running")

        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, max(limits.remaining(), 0.0) + OVERRUN_GRACE, 1.0)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    @pytest.hookimpl(tryfirst=True, specname="pytest_runtest_makereport")
    def pytest_runtest_makereport_unrendered(self, item: pytest.Item,
                                             call: pytest.CallInfo[None]) -> pytest.TestReport | None:
        """The report of a check that raised in its set-up or call, without pytest's rendering of the
        traceback: the harness writes a failed or erred check's report itself (the wrapper below), and the
        rendering, which parses the source file of every frame, was about 0.3 s of the demo's 9 s of CPU
        (issue 20). Anything else (passes, skips, tear-downs, pytest's own tests) pytest reports as ever."""
        excinfo, when = call.excinfo, call.when
        if (excinfo is None or when not in ("setup", "call") or isinstance(excinfo.value, pytest.skip.Exception)
                or item.nodeid not in self.run.collected or _check_id(item) is None or _service(item) is None):
            return None
        sections = [(f"Captured {key} {when}", content)
                    for when, key, content in getattr(item, "_report_sections", ())]
        return pytest.TestReport(
            item.nodeid, item.location, dict.fromkeys(item.keywords, 1), "failed", excinfo.exconly(),
            when, sections, call.duration, call.start, call.stop, user_properties=item.user_properties)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[
            None, pytest.TestReport, pytest.TestReport]:
        report = yield
        check_id = _check_id(item)
        service = _service(item)
        if check_id is None or service is None or item.nodeid not in self.run.collected:
            return report
        if report.when == "teardown" or (report.when == "setup" and report.passed):
            return report
        outcome, message, exchange, limit = self._classify(report, call, item)
        if outcome == "skipped" and not report.skipped:
            report.outcome = "skipped"
            report.longrepr = (str(item.path), 0, f"Skipped: {message}")
        evidence = _evidence(exchange, item) if outcome in ("failed", "error") else []
        if outcome in ("failed", "error"):
            requirement = self.catalogue[check_id]
            level = suites.level_at(requirement, service.standard, service.version).value
            citation = citation_for(requirement.citation, service, self.owners.get(check_id))
            headline = f"{check_id} ({level}, {citation}): {message}"
            report.longrepr = _longrepr(outcome, self.run.redactor.text(headline), evidence)
            _attach_html(report, evidence)
        case = item.callspec.params.get("case") if hasattr(item, "callspec") else None
        started = self._started.get(item.nodeid, time.time())
        result = CaseResult(
            nodeid=item.nodeid, check_id=check_id, service_key=service.key,
            case=_case_label(case) if case is not None else None, outcome=outcome,
            message=self.run.redactor.text(message), evidence=evidence,
            duration=round(call.duration, 3), limit=limit,
            started=utc_stamp(_dt(started)), finished=utc_stamp(_dt(time.time())),
            caused_by=_caused_by(call, check_id) if outcome == "failed" else None,
        )
        if outcome == "skipped":
            result.skip_kind = self._skip_kind(item.nodeid, message)
            result.schemas_missing = call.excinfo is not None and isinstance(
                _unwrap_group(call.excinfo.value), SpecsUnavailable)
        self.run.results[item.nodeid] = result
        # pytest keeps the last failure for post-mortem debugging; a run has no use for it, and its
        # frames may hold a response body of up to max_response_bytes (issue 8: bounded memory).
        for name in ("last_type", "last_value", "last_traceback", "last_exc"):
            if getattr(sys, name, None) is not None:
                setattr(sys, name, None)
        level = suites.level_at(self.catalogue[check_id], service.standard, service.version).value
        properties = [("check_id", check_id), ("level", level), ("outcome", outcome)]
        report.user_properties.extend(properties)
        # junit.xml takes the properties of the teardown report, which pytest copies from the item
        item.user_properties.extend(properties)
        if self.progress:
            self._print_progress(result, level)
        return report

    def _classify(self, report: pytest.TestReport, call: pytest.CallInfo[None],
                  item: pytest.Item) -> tuple[str, str, Exchange | None, str | None]:
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            return "skipped", reason.removeprefix("Skipped: "), None, None
        if report.passed:
            # a passed check may leave one line of information for the scorecard: record_property("note", ...)
            note = next((str(v) for k, v in getattr(item, "user_properties", ()) if k == "note"), "")
            return "passed", _bounded(note), None, None
        exc = call.excinfo.value if call.excinfo is not None else None
        exc = _unwrap_group(exc)
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False) or _through_hypothesis(call):
            # Issue 19.11: hypothesis's notes repeat the whole falsifying call (fixtures, profile data,
            # tens of kB); a report shows the falsifying request in one line and how to reproduce it.
            suffix = _property_suffix(getattr(exc, "exchange", None) or _last_exchange(item), self.run.seed,
                                      self.run.explore)
        else:
            notes = " ".join(" ".join(getattr(exc, "__notes__", [])).split())
            suffix = f" — {_bounded(notes, REQUEST_CHARS)}" if notes else ""
        if isinstance(exc, SpecsUnavailable):
            return "skipped", str(exc), None, None
        if isinstance(exc, OutOfTime):
            return "error", exc.message, None, "max_seconds"
        if isinstance(exc, CheckFailure):
            return "failed", _bounded(exc.message) + suffix, exc.exchange, None
        if isinstance(exc, HarnessError):
            return "error", _bounded(exc.message) + suffix, exc.exchange, exc.limit
        if isinstance(exc, AssertionError):
            text = str(exc).strip().splitlines()
            return "failed", _bounded(text[0] if text else "assertion failed") + suffix, None, None
        name = type(exc).__name__ if exc is not None else "unknown"
        where = "while setting up the check" if report.when == "setup" else "in the check"
        return "error", f"the harness could not complete the check ({name} {where}: {exc})"[:500], None, None

    def _skip_kind(self, nodeid: str, reason: str) -> str:
        if nodeid in self._not_applicable or reason.startswith(NOT_APPLICABLE_PREFIX):
            return NOT_APPLICABLE
        return UNDECIDED

    def _print_progress(self, result: CaseResult, level: str) -> None:
        if result.outcome == "error":
            # One line per cause: a closed port errs every check of its service the same way (issue 21.12).
            cause = (result.service_key, result.message)
            self._repeated_errors[cause] = self._repeated_errors.get(cause, 0) + 1
            if self._repeated_errors[cause] > 1:
                return
        line = f"{SYMBOLS[result.outcome]:5} {level:6} {result.service_key:<22} {result.check_id}"
        if result.case:
            line += f" [{result.case}]"
        if result.outcome == "failed" and self._failed_already(result.service_key, result.caused_by):
            line += f" (a consequence of {result.caused_by})"  # the cause's FAIL line is the one to read
        if result.outcome in ("failed", "error"):
            line += f"\n      {result.message}"
        print(self.run.redactor.text(line), flush=True)

    def _failed_already(self, service_key: str, check_id: str | None) -> bool:
        """Whether ``check_id`` has failed for the service already: a declared cause that did is named on the
        progress line (one that has not run yet, or passed, is left out as the scorecard leaves it out)."""
        return check_id is not None and any(
            r.check_id == check_id and r.service_key == service_key and r.outcome == "failed"
            for r in self.run.results.values())

    # -- the end --------------------------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True, specname="pytest_sessionfinish")
    def pytest_sessionfinish_written_whole(self, session: pytest.Session,
                                           exitstatus: int) -> Generator[None, None, None]:
        """A Ctrl-C once the harness's reports are written, while pytest writes junit.xml (in place), is
        delivered once that is whole (the deferral starts at the end of :meth:`pytest_sessionfinish`): the
        run is then marked interrupted, and its reports are written again, saying so."""
        self._writing = contextlib.ExitStack()
        try:
            try:
                return (yield)
            finally:
                self._writing.close()
        except KeyboardInterrupt:
            self.run.interrupted = self.run.interrupt_seen = True
            if not self.owns_run:
                raise  # `conformance run`: cli.execute writes the reports again
            # `pytest --conformance-profile`: written again here, and the exit code says interrupted (DESIGN §6)
            session.exitstatus = finish_interrupted(self.run).exit_code()
            return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        try:
            self._finish(session)
        finally:
            self._writing.enter_context(interrupts.deferred())  # until pytest's junit.xml is written

    def _finish(self, session: pytest.Session) -> None:
        from conformance.reports import write_reports

        if self._writes_nothing(session):
            return
        if self.progress:
            for (key, message), count in self._repeated_errors.items():
                if count > 1:
                    print(self.run.redactor.text(f"ERROR ×{count - 1} more checks of {key} with the same error: "
                                                 f"{message}"), flush=True)
        if self.run.deferred_reports:
            return  # a worker of a parallel run (--jobs): its parent builds the scorecard and writes the reports
        try:
            writing = time.monotonic()
            scorecard = self.run.build_scorecard()
            write_reports(scorecard, self.run)
            if self.run.timing is not None:
                self.run.timing.report_seconds += time.monotonic() - writing
                self.run.time_profile = self.run.timing.write(self.run.run_dir, self.run.limits.rate_wait)
        except KeyboardInterrupt:
            # Ctrl-C while the reports were written (or the run cleaned up): written again, saying interrupted.
            self.run.interrupted = self.run.interrupt_seen = True
            scorecard = finish_interrupted(self.run)
        if self.owns_run:
            # `pytest --conformance-profile` exits as `conformance run` does (DESIGN §6).
            session.exitstatus = scorecard.exit_code()

    def _writes_nothing(self, session: pytest.Session) -> bool:
        """``pytest --collect-only`` or a selection of no check: like pytest, no report (issue 21.14)."""
        if not self.owns_run or self.run.interrupted:
            return False
        return bool(session.config.option.collectonly) or not self.run.collected

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        report.title = f"{self.run.profile.initiative}: GA4GH conformance"

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        if self.run.scorecard is not None:
            from conformance.reports.html import scorecard_block

            prefix.append(scorecard_block(self.run.scorecard))


INTERRUPTED_BANNER = ('<p class="cf-interrupted" style="background:#ef6c00;color:#fff;padding:6px">'
                      "<b>The run was interrupted</b>: checks that did not run make the verdict incomplete.</p>")


def mark_session_reports(run_dir: Path) -> None:
    """Say "interrupted" in the reports pytest wrote during the session (``junit.xml``, ``report.html``)."""
    from conformance.reports.atomic import atomic_write_text
    from conformance.reports.junit import mark_interrupted

    mark_interrupted(run_dir / "junit.xml")
    html = run_dir / "report.html"
    if html.is_file():
        text = html.read_text(encoding="utf-8", errors="replace")
        if "cf-interrupted" not in text:
            head, sep, tail = text.partition("<body>")
            text = f"{head}{sep}{INTERRUPTED_BANNER}{tail}" if sep else INTERRUPTED_BANNER + text
            atomic_write_text(html, text)


def finish_interrupted(run: Run) -> Scorecard:
    """Build the scorecard of an interrupted run and write every report again, saying interrupted.

    Further Ctrl-C are held off meanwhile (a few file writes), so that no report is left saying
    otherwise; the run is already marked interrupted and exits non-zero whatever happens next.
    """
    from conformance.reports import redact_tree, write_reports
    from conformance.reports.junit import annotate

    run.interrupted = True
    with interrupts.ignored():
        scorecard = run.build_scorecard()
        if run.run_dir != Path() and run.run_dir.is_dir():
            write_reports(scorecard, run)
            # junit.xml's cases named by check and cause, where the session ended before a scorecard named them
            annotate(run.run_dir / "junit.xml", scorecard)
            mark_session_reports(run.run_dir)
            redact_tree(run.run_dir, run.redactor)
    return scorecard


def _remove_empty_run_dir(run_dir: Path, config: pytest.Config) -> None:
    """A session that wrote no scorecard leaves no run directory (what pytest-html and junitxml put
    there for an empty session included); a user's own --junitxml / --html paths are left alone."""
    if run_dir == Path() or not run_dir.is_dir():
        return
    ours = {run_dir / "junit.xml", run_dir / "report.html"}
    for path in run_dir.rglob("*"):
        if path.is_file() and path not in ours:
            return  # not ours to remove
    for path in ours:
        path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        for leftover in sorted(run_dir.rglob("*"), reverse=True):
            leftover.rmdir()
        run_dir.rmdir()
        run_dir.parent.rmdir()  # the profile's folder, if this was its only run


def _dt(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)


def _check_id(item: pytest.Item | pytest.Collector) -> str | None:
    marker = item.get_closest_marker(MARKER) if isinstance(item, pytest.Item) else None
    return str(marker.args[0]) if marker is not None and marker.args else None


def _service(item: pytest.Item | pytest.Collector) -> Service | None:
    callspec = getattr(item, "callspec", None)
    service = callspec.params.get("service") if callspec is not None else None
    return service if isinstance(service, Service) else None


def _case_label(case: object) -> str:
    if isinstance(case, dict):
        return ",".join(f"{k}={v}" for k, v in case.items())
    return str(case)


def _case_id(case: object, index: int) -> str:
    label = _case_label(case)
    return label if len(label) <= 40 and label.isprintable() else f"case{index}"


#: How long a check may go on computing past the run's max_seconds before it is stopped where it is.
OVERRUN_GRACE = 2.0


class OutOfTime(BaseException):
    """Raised into a check still computing :data:`OVERRUN_GRACE` past the run's max_seconds. Not an Exception:
    the check's own ``except Exception`` (around a parser that raises many kinds for a bad document) must
    not take it for a problem of what it reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _can_alarm() -> bool:
    """Whether this process may bound a check with SIGALRM: on the main thread of a system that has it, with
    no one else's handler installed."""
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None))


def _unwrap_group(exc: BaseException | None) -> BaseException | None:
    """Hypothesis reports flaky or multiple failures as exception groups: take the telling one."""
    group = getattr(builtins, "BaseExceptionGroup", None)
    if group is None or not isinstance(exc, group):
        return exc
    members = list(_walk(exc))
    for kind in (OutOfTime, CheckFailure, AssertionError, HarnessError):
        for member in members:
            if isinstance(member, kind):
                return member
    return members[0] if members else exc


def _walk(exc: BaseException) -> Iterator[BaseException]:
    for member in getattr(exc, "exceptions", ()):
        if getattr(member, "exceptions", None):
            yield from _walk(member)
        else:
            yield member


def _caused_by(call: pytest.CallInfo[None], check_id: str) -> str | None:
    """The cause a failure declared (``fail(..., caused_by=...)``); a check is never its own consequence."""
    exc = _unwrap_group(call.excinfo.value if call.excinfo is not None else None)
    cause = getattr(exc, "caused_by", None) if isinstance(exc, CheckFailure) else None
    return cause if isinstance(cause, str) and cause != check_id else None


#: The longest sentence a failure keeps (issue 19.11): the evidence carries the detail.
MESSAGE_CHARS = 1000
REQUEST_CHARS = 300


def _bounded(text: str, limit: int = MESSAGE_CHARS) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _property_suffix(exchange: Exchange | None, seed: int, explore: bool = False) -> str:
    """What a property failure adds to its sentence: the falsifying request in one line (already
    redacted, as evidence is) and the reproduce line, with --explore where the run explored (its examples are
    drawn and shrunk otherwise: the seed alone draws others); never hypothesis's repr of the falsifying call."""
    request = ""
    if isinstance(exchange, Exchange):
        line = f"{exchange.method} {exchange.url}"
        if exchange.request_body:
            line += f" {exchange.request_body}"
        request = f" — falsifying request: {_bounded(' '.join(line.split()), REQUEST_CHARS)}"
    return f"{request} (reproduce with --seed {seed}{' --explore' if explore else ''})"


def _without_harness_constants() -> Callable[[], None]:
    """Keep the harness's own literals out of generated requests; return the undo.

    Hypothesis mixes into generated values constants it reads from the source of every *local* module
    loaded so far (here: the harness and its suites, when installed from a checkout), pooled per process
    on first use. The pool then depends on which suites happen to be loaded and in what order, so the
    same profile drew different examples in different runs (one request more in 3 of 10 demo runs: one
    suite's literal as another's unknown identifier). The code under test is the server, not the
    harness: its literals are no better guesses than any other, and the same run must make the same
    requests."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # a hypothesis without the pool
        return lambda: None
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or cache is None:
        return lambda: None
    try:
        fresh = type(cache)(getattr(cache, "max_size", 1024))  # a pool already cached holds harness literals
    except TypeError:
        return lambda: None
    empty = Constants()
    providers._get_local_constants = lambda: empty
    providers.CONSTANTS_CACHE = fresh

    def restore() -> None:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE = cache

    return restore


def _through_hypothesis(call: pytest.CallInfo[None]) -> bool:
    """Whether the exception came out of a hypothesis property (a check may run one inside itself)."""
    if call.excinfo is None:
        return False
    traceback = call.excinfo.value.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__", "").startswith("hypothesis."):
            return True
        traceback = traceback.tb_next
    return False


def _last_exchange(item: pytest.Item) -> Exchange | None:
    client = getattr(item, "funcargs", {}).get("client")
    return client.exchanges[-1] if isinstance(client, ServiceClient) and client.exchanges else None


def _evidence(exchange: Exchange | None, item: pytest.Item) -> list[dict[str, Any]]:
    if exchange is None:
        exchange = _last_exchange(item)
    if exchange is None:
        return []
    # Bytes checked against a document: the document that made the claim, beside them (issue 21 item 9).
    return [exchange.to_dict()] + [claim.to_dict() for claim in exchange.claims]


def _longrepr(outcome: str, message: str, evidence: list[dict[str, Any]]) -> str:
    lines = [f"{outcome.upper()}: {message}"]
    for exchange in evidence:
        lines += ["", "Reproduce:", f"  {exchange['curl']}"]
        if exchange.get("error"):
            lines.append(f"  → {exchange['error']}")
        else:
            lines.append(f"  → {exchange['status']}")
            lines += [f"  {k}: {v}" for k, v in exchange["response_headers"].items()]
            body = exchange["response_body"]
            if body:
                lines += ["", "  " + body[:1500].replace("\n", "\n  ") + (" …" if len(body) > 1500 else "")]
    return "\n".join(lines)


def _attach_html(report: pytest.TestReport, evidence: list[dict[str, Any]]) -> None:
    try:
        from pytest_html import extras
    except ImportError:  # pragma: no cover - pytest-html is a dependency
        return
    from conformance.reports.html import evidence_block

    report.extras = [*getattr(report, "extras", []),  # type: ignore[attr-defined]  # pytest-html's attribute
                     *[extras.html(evidence_block(e)) for e in evidence]]
