"""Official schemas: located from --specs-dir / CONFORMANCE_SPECS_DIR / the fetch cache, fetched from
pinned URLs with their hashes checked."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests

from conformance import specs
from conformance.errors import ConformanceError, SpecsUnavailable, UsageError
from conformance.reference.app import Fault, ReferenceApp, Reply, Request, route
from conformance.reference.server import ReferenceServer
from conformance.suite import discover


def test_locate_prefers_the_option_then_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(specs.ENV, str(tmp_path))
    assert specs.locate(None) == tmp_path
    other = tmp_path / "other"
    other.mkdir()
    assert specs.locate(str(other)) == other
    with pytest.raises(UsageError, match="missing is not a directory"):
        specs.locate(str(tmp_path / "missing"))


def test_missing_schema_says_how_to_get_it() -> None:
    store = specs.SpecStore(None)
    with pytest.raises(SpecsUnavailable, match="conformance specs fetch"):
        store.path("service-info/1.0.0/service-info.yaml")


SUITE_PINS = [s.path / "specs_pins.json" for s in discover().values() if (s.path / "specs_pins.json").is_file()]


def test_pins_cover_the_schemas_the_suites_read() -> None:
    pins = specs.load_pins(SUITE_PINS)
    paths = {pin["path"] for pin in pins}
    assert "service-info/1.0.0/service-info.yaml" in paths
    assert "testbed-report/0.1.0/schema/ga4gh-testbed-report.json" in paths
    assert all(pin["url"].startswith("https://raw.githubusercontent.com/") for pin in pins)
    assert all(len(pin["sha256"]) == 64 for pin in pins)


def test_the_core_pins_no_standard_a_suite_owns() -> None:
    core = {pin["path"].split("/")[0] for pin in specs.load_pins()}
    assert core <= {"service-registry", "testbed-report"}


def test_a_broken_pins_file_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "specs_pins.json"
    broken.write_text("{\"files\": 3}")
    with pytest.raises(ConformanceError, match="not a pins file"):
        specs.load_pins([broken])


class Mirror(ReferenceApp):
    standard: ClassVar[str] = "mirror"
    versions: ClassVar[tuple[str, ...]] = ("1",)
    FAULTS: ClassVar[dict[str, Fault]] = {}

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__()
        self.files = files

    @route("GET", "/{path:path}")
    def serve(self, request: Request) -> Reply:
        body = self.files.get(request.params["path"])
        return Reply(200, body) if body is not None else Reply(404, b"")


def _pinned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: bytes, served: bytes) -> Mirror:
    pins = {"format": "ga4gh-conformance-specs-pins/1", "files": [{
        "path": "service-info/1.0.0/service-info.yaml",
        "url": "https://raw.githubusercontent.com/ga4gh-discovery/ga4gh-service-info/abc/service-info.yaml",
        "sha256": hashlib.sha256(content).hexdigest()}]}
    pin_file = tmp_path / "pins.json"
    pin_file.write_text(json.dumps(pins))
    monkeypatch.setattr(specs, "PINS", pin_file)
    return Mirror({"ga4gh-discovery/ga4gh-service-info/abc/service-info.yaml": served})


def test_fetch_downloads_and_checks_hashes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    mirror = _pinned(monkeypatch, tmp_path, b"openapi: 3.0.2\n", b"openapi: 3.0.2\n")
    with ReferenceServer(mirror) as server:
        assert specs.fetch(tmp_path / "out", base_override=server.app.root_url, log=lambda _: None) == 1
    assert (tmp_path / "out" / "service-info/1.0.0/service-info.yaml").read_bytes() == b"openapi: 3.0.2\n"


def test_fetch_refuses_a_file_whose_hash_differs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    mirror = _pinned(monkeypatch, tmp_path, b"the pinned bytes", b"tampered bytes")
    with ReferenceServer(mirror) as server, pytest.raises(ConformanceError, match="does not match the pin"):
        specs.fetch(tmp_path / "out", base_override=server.app.root_url, log=lambda _: None)
    assert not (tmp_path / "out" / "service-info/1.0.0/service-info.yaml").exists()


def _many_pins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, n: int) -> dict[str, bytes]:
    files = {f"o/r/abc/f{i}.json": f"{{\"i\": {i}}}".encode() for i in range(n)}
    pins = {"format": "ga4gh-conformance-specs-pins/1", "files": [
        {"path": f"x/1/f{i}.json", "url": f"https://raw.githubusercontent.com/o/r/abc/f{i}.json",
         "sha256": hashlib.sha256(files[f"o/r/abc/f{i}.json"]).hexdigest()} for i in range(n)]}
    pin_file = tmp_path / "pins.json"
    pin_file.write_text(json.dumps(pins))
    monkeypatch.setattr(specs, "PINS", pin_file)
    return files


def test_fetch_offline_stops_after_the_first_connection_failures(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    """Issue 21.7: no answer at all (offline) is one clear line after a few files, not 1106 failures."""
    from conformance.reference.server import free_port

    _many_pins(monkeypatch, tmp_path, 50)
    calls: list[str] = []
    real_get = requests.Session.get

    def counting_get(self: Any, url: str, **kwargs: Any) -> Any:
        calls.append(url)
        return real_get(self, url, **kwargs)

    monkeypatch.setattr(requests.Session, "get", counting_get)
    port = free_port()  # nothing listens there
    with pytest.raises(ConformanceError) as raised:
        specs.fetch(tmp_path / "out", base_override=f"http://127.0.0.1:{port}/", log=lambda _: None)
    message = str(raised.value)
    assert message.startswith(f"cannot reach 127.0.0.1:{port} (ConnectionError; 3 files in a row got no answer)")
    assert "--specs-dir" in message and "\n" not in message
    assert len(calls) == specs.CONNECTION_FAILURES_TO_STOP


def test_fetch_shows_progress(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    files = _many_pins(monkeypatch, tmp_path, 5)
    monkeypatch.setattr(specs, "PROGRESS_EVERY", 0.0)
    lines: list[str] = []
    mirror = Mirror(files)
    with ReferenceServer(mirror) as server:
        assert specs.fetch(tmp_path / "out", base_override=server.app.root_url, log=lines.append) == 5
    assert lines[0] == f"fetching 5 pinned official files into {tmp_path / 'out'} …"
    assert any(line.strip().startswith("4/5 files checked") for line in lines)
    assert lines[-1] == f"5 official files in {tmp_path / 'out'}"


def test_first_use_fills_the_user_cache_from_the_pins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue 21.3: with no specs directory named, a run fetches the pinned files it needs into the user cache
    (one line saying so), and later runs find them there without a request."""
    monkeypatch.delenv(specs.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    files = _many_pins(monkeypatch, tmp_path, 3)
    lines: list[str] = []
    with ReferenceServer(Mirror(files)) as server:
        found = specs.fetch_on_first_use([], log=lines.append, base_override=server.app.root_url)
    assert found == specs.cache_dir() and (found / "x/1/f2.json").read_bytes() == b'{"i": 2}'
    assert lines[0].startswith(f"official schemas: fetching 3 pinned files into {specs.cache_dir()} (first use;")
    assert specs.locate(None) == specs.cache_dir()
    lines.clear()
    assert specs.fetch_on_first_use([], log=lines.append, base_override="http://127.0.0.1:9/") == found
    assert lines == []  # all there: nothing fetched, nothing said


def test_first_use_offline_costs_one_attempt_and_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A firewalled machine must not stall: one connection without an answer ends the attempt."""
    from conformance.reference.server import free_port

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _many_pins(monkeypatch, tmp_path, 50)
    calls: list[str] = []
    real_get = requests.Session.get

    def counting_get(self: Any, url: str, **kwargs: Any) -> Any:
        calls.append(url)
        return real_get(self, url, **kwargs)

    monkeypatch.setattr(requests.Session, "get", counting_get)
    lines: list[str] = []
    port = free_port()
    assert specs.fetch_on_first_use([], log=lines.append, base_override=f"http://127.0.0.1:{port}/") is None
    assert len(calls) == 1
    assert lines[-1].startswith("official schemas not fetched: cannot reach 127.0.0.1:")
    assert "(ConnectionError; 1 file in a row got no answer); schema checks are skipped" in lines[-1]
    assert len(lines) == 2


def test_a_run_fetches_only_when_nothing_is_named_and_nobody_opted_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(specs.ENV, raising=False)
    monkeypatch.delenv(specs.NO_FETCH_ENV, raising=False)
    assert specs.fetch_wanted(None)
    assert not specs.fetch_wanted("/some/dir")
    monkeypatch.setenv(specs.NO_FETCH_ENV, "1")
    assert not specs.fetch_wanted(None)
    monkeypatch.setenv(specs.NO_FETCH_ENV, "0")
    assert specs.fetch_wanted(None)
    monkeypatch.setenv(specs.ENV, "/x")
    assert not specs.fetch_wanted(None)


def test_the_run_command_fetches_on_first_use_and_goes_on_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`conformance run` without schemas tries the mirror once, says so in one line, and runs its checks; with
    --no-fetch-specs it does not try."""
    from conformance.cli import main
    from conformance.reference.server import free_port

    monkeypatch.delenv(specs.ENV, raising=False)
    monkeypatch.delenv(specs.NO_FETCH_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv(specs.MIRROR_ENV, f"http://127.0.0.1:{free_port()}/")
    profile = tmp_path / "p.yaml"
    profile.write_text("initiative: X\nservices:\n  - {standard: service-info, version: 1.0.0, reference: true}\n")
    code = main(["run", "--profile", str(profile), "--report-dir", str(tmp_path / "r")])
    out = capsys.readouterr().out
    assert code == 2, out
    assert "official schemas: fetching" in out and "official schemas not fetched" in out
    assert "schemas not checked" in out
    main(["run", "--profile", str(profile), "--report-dir", str(tmp_path / "r"), "--no-fetch-specs"])
    assert "official schemas" not in capsys.readouterr().out


@pytest.mark.parametrize("value", ["1990-12-31T23:59:60Z", "1990-12-31T15:59:60-08:00", "2016-12-31t23:59:60.25z"])
def test_a_leap_second_is_a_date_time(value: str) -> None:
    """RFC 3339 §5.6 time-second 00-60, §5.8's examples: the 60 is the last second of a UTC day."""
    assert specs.FORMAT_CHECKER.conforms(value, "date-time")


@pytest.mark.parametrize("value", ["1990-12-31T23:58:60Z", "1990-12-31T23:59:60+01:00", "1990-13-31T23:59:60Z",
                                   "1990-12-31T23:59:61Z", "1990-12-31 23:59:60Z"])
def test_a_sixtieth_second_elsewhere_is_not(value: str) -> None:
    assert not specs.FORMAT_CHECKER.conforms(value, "date-time")
