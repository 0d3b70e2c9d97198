"""Broken profiles give one line naming the file, the key and the problem, and exit 4."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.errors import ProfileError
from conformance.profile import load_profile, parse_profile, read_profile_yaml, slugify
from conformance.suite import discover

KNOWN = discover()

GOOD = {"initiative": "Example", "services": [{"standard": "service-info", "version": "1.0.0",
                                              "url": "https://si.example.org"}]}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.yaml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ("initiative: [unclosed\n", "invalid YAML at line"),
    ("- just\n- a list\n", "expected a mapping at the top level"),
    ("initiative: X\nservices:\n  - {standard: wes9, version: '1', url: 'https://a.org'}\n",
     "services[0].standard: unknown standard 'wes9'"),
    ("initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0'}\n", "services[0].url: required key"),
    ("initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'ftp://a.org'}\n",
     "services[0].url: not an http(s) URL"),
    ("initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'https://a.org', colour: red}\n",
     "services[0].colour: unknown key"),
    ("initiative: X\nsurprise: 1\nservices: []\n", "surprise: unknown key"),
    ("services:\n  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n", "initiative: required key"),
    ("initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'https://a.org',"
     " auth: {bearer_token_env: 'abc def'}}\n", "services[0].auth.bearer_token_env: expected the NAME"),
    ("initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'https://a.org',"
     " auth: {bearer_token_env: SURELY_UNSET_VARIABLE_123}}\n",
     "environment variable SURELY_UNSET_VARIABLE_123 is not set"),
    ("initiative: X\nservices:\n  - {standard: [a], version: '1', url: 'https://a.org'}\n",
     "services[0].standard: unknown standard"),
    ("initiative: X\nbudget: {request_timeout_seconds: .nan}\nservices:\n"
     "  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n",
     "budget.request_timeout_seconds: expected a positive number"),
    ("initiative: X\nbudget: {max_requests: -3}\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n",
     "budget.max_requests: expected a positive number"),
    ("initiative: X\nca_bundle: /\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n",
     "ca_bundle: a folder, not a CA bundle file: /"),
    ("initiative: X\nbudget: {concurrent_requests: 500}\nservices:\n"
     "  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n",
     "budget.concurrent_requests: at most 16"),
    ("initiative: X\nexpected_failures: [{check: a.b, reason: r, expires: 2027-02-30}]\nservices:\n"
     "  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n",
     "invalid YAML: a value YAML reads as a date or a number is not one (day is out of range for month); quote it"),
    ("initiative: X\nexpected_failures: [{check: a.b, reason: r, expires: 'soon'}]\nservices:\n"
     "  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n", "expected_failures[0].expires"),
    ("initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'https://a.org/api?apikey=k'}\n",
     "services[0].url: has a query or a fragment ('?' or '#')"),
    ("initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'https://a.org/#top'}\n",
     "services[0].url: has a query or a fragment ('?' or '#')"),
    ("initiative: X\nregistry: 'https://r.org/?token=t'\n", "registry: has a query or a fragment"),
    # a document path the profile names that does not exist: every check of the entry would err alike
    ("initiative: X\nservices:\n  - {standard: phenopackets, version: '2.0', documents: [missing/p1.json]}\n",
     "services[0].documents[0]: no such file: <folder>/missing/p1.json"),
    # a password in a url would be sent as Basic authentication in place of the entry's auth (never shown)
    ("initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'http://alice:S3cret@a.org/x'}\n",
     "services[0].url: holds user information ('user:password@' before the host), which would be sent as Basic "
     "authentication in place of the entry's auth"),
    ("initiative: X\nregistry: 'https://bob@r.org/'\n", "registry: holds user information"),
    ("initiative: X\nservices:\n  - {standard: phenopackets, version: '2.0', "
     "documents: ['https://alice:S3cret@data.example.org/p1.json']}\n",
     "services[0].documents[0]: holds user information"),
    ("initiative: X\nproxy: env\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n",
     "proxy: expected an http(s) URL or 'environment', got 'env'"),
    ("initiative: X\nproxy: 'http://proxy.example:3128/path'\nservices:\n"
     "  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n",
     "proxy: a proxy URL is a scheme, a host and a port (no path, query or fragment)"),
    ("initiative: X\nproxy: 'http://u:pw@proxy.example:3128'\nservices:\n"
     "  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n",
     "proxy: holds user information ('user:password@'); a proxy that needs credentials is named by the environment"),
    # a url refused for its scheme is shown without what may hold a credential
    ("initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'htps://u:pw@a.org/x?apikey=k'}\n",
     "services[0].url: not an http(s) URL: 'htps://a.org/x…'"),
    ("initiative: X\nservices:\n  - standard: service-info\n    version: '1.0.0'\n    url: https://a.org\n"
     "    version: '1.0.1'\n",
     "invalid YAML at line 6, column 5: the key 'version' is written twice in one mapping (first at line 4); keep one"),
    # a tab indents in an editor, never in YAML: PyYAML's words alone ("cannot start any token") do not say so
    ("initiative: X\nservices:\n\t- {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n",
     "invalid YAML at line 3, column 1: found character '\\t' that cannot start any token; YAML indents with "
     "spaces, never tabs: replace the tab with spaces"),
])
def test_broken_profile_is_one_line_exit_4(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
                                          expected: str) -> None:
    path = write(tmp_path, text)
    code = main(["run", "--profile", str(path), "--report-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 4
    assert err.count("\n") == 1, err
    assert f"{path}: " in err and expected.replace("<folder>", str(tmp_path)) in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(("text", "expected"), [
    ("initiative: X\nservices:\n  - {standard: drs, version: 1.4.0, url: 'https://a.org', objets: [a]}\n",
     "services[0].objets: unknown key for a drs service (did you mean 'objects'? known: auth, bundles,"),
    ("initiative: X\nbugdet: {}\nservices: []\n", "bugdet: unknown key (did you mean 'budget'? known: budget,"),
    ("initiative: X\nservices:\n  - {standard: dsr, version: 1.4.0, url: 'https://a.org'}\n",
     "unknown standard 'dsr' (did you mean 'drs'? known: beacon,"),
    ("initiative: X\nbudget: {max_request: 5}\nservices:\n  - {standard: drs, version: 1.4.0, url: 'https://a.org'}\n",
     "budget.max_request: unknown key (did you mean 'max_requests'? known:"),
    ("initiative: X\nsurprise: 1\nservices: []\n", "surprise: unknown key (known: budget,"),
])
def test_a_misspelt_name_is_answered_with_the_nearest_known_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str) -> None:
    code = main(["run", "--profile", str(write(tmp_path, text)), "--report-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 4 and expected in err, err


def test_missing_profile_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--profile", str(tmp_path / "nope.yaml")])
    err = capsys.readouterr().err
    assert code == 4 and err.strip().endswith("nope.yaml: no such file"), err


def test_unsupported_version_names_the_supported_ones() -> None:
    document = {"initiative": "X", "services": [{"standard": "drs", "version": "1.1.0", "url": "https://a.org"}]}
    with pytest.raises(ProfileError, match=r"services\[0\]\.version: .*1\.1\.0 is not supported \(supported: 1\.2\.0"):
        parse_profile(document, standards=KNOWN)


@pytest.mark.parametrize(("written", "read"), [("http://proxy.example.org:3128/", "http://proxy.example.org:3128"),
                                              ("environment", "environment"), (None, None)])
def test_the_proxy_is_a_url_or_the_environments(written: str | None, read: str | None) -> None:
    document = {"initiative": "X", "services": [{"standard": "drs", "version": "1.5.0", "url": "https://a.org"}]}
    assert parse_profile({**document, "proxy": written} if written else document, standards=KNOWN).proxy == read


@pytest.mark.parametrize(("written", "read"), [("1.10", "1.10"), ("010", "010"), ("1.20", "1.20"), ("0x1", "0x1"),
                                              ("1_0", "1_0"), ("'1.0.0'", "1.0.0")])
def test_a_version_written_as_a_number_keeps_its_text(tmp_path: Path, written: str, read: str) -> None:
    """YAML reads 1.10 as the number 1.1 and 010 as 8: each would name another version than the one written."""
    path = write(tmp_path, f"initiative: X\nservices:\n  - {{standard: service-info, version: {written}, "
                           "url: 'https://a.org'}\nbudget: {requests_per_second: 2.5}\n")
    profile = load_profile(path, standards=KNOWN)
    assert profile.services[0].version == read
    assert profile.budget.requests_per_second == 2.5  # other numbers stay numbers


def test_an_unquoted_version_the_suite_lacks_is_not_read_as_another(tmp_path: Path) -> None:
    path = write(tmp_path, "initiative: X\nservices:\n  - {standard: tes, version: 1.10, url: 'https://a.org'}\n")
    with pytest.raises(ProfileError, match=r"services\[0\]\.version: .*1\.10 is not supported"):
        load_profile(path, standards=KNOWN)


def test_the_version_an_entry_has_is_the_one_whose_text_is_kept(tmp_path: Path) -> None:
    """Merged in by ``<<`` and written again (a merge key may be overridden; a key written twice in one
    mapping is refused): the version the entry ends with keeps its text."""
    path = write(tmp_path, "initiative: X\nservices:\n"
                           "  - &common {standard: service-info, version: 1.10, url: 'https://a.org'}\n"
                           "  - {<<: *common, version: 1.20, url: 'https://b.org'}\n"
                           "  - {<<: *common, url: 'https://c.org'}\n"
                           "  - {<<: *common, version: '2.0', url: 'https://d.org'}\n")
    versions = [s.version for s in load_profile(path, standards=KNOWN).services]
    assert versions == ["1.10", "1.20", "1.10", "2.0"]


def test_a_version_elsewhere_than_a_service_entry_stays_a_number() -> None:
    """Only a service entry names a standard's version; a workflow parameter called version is the user's."""
    data = read_profile_yaml("initiative: X\nversion: 1.10\nservices:\n  - {standard: wes, version: 1.10, submit: "
                             "{workflow_params: {version: 2, tool: {version: 1.10}}}}\n")
    assert data["version"] == 1.1 and data["services"][0]["version"] == "1.10"
    assert data["services"][0]["submit"] == {"workflow_params": {"version": 2, "tool": {"version": 1.1}}}


def test_service_info_entries_declare_any_version() -> None:
    document = {"initiative": "X", "services": [{"standard": "service-info", "version": 1, "url": "https://a.org"}]}
    assert parse_profile(document, standards=KNOWN).services[0].version == "1"


@pytest.mark.parametrize(("extra", "expected"), [
    (["--check", "service-info.no-such-check"], "--check service-info.no-such-check: no such check"),
    (["--specs-dir", "/nonexistent/specs"], "--specs-dir: /nonexistent/specs is not a directory"),
    (["--max-requests", "0"], "--max-requests: expected a positive number"),
    (["--request-timeout", "nan"], "--request-timeout: expected a positive number"),
    (["--concurrent-requests", "64"], "--concurrent-requests: at most 16"),
])
def test_bad_options_are_one_line_exit_4(tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
                                        expected: str) -> None:
    path = write(tmp_path, "initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n")
    code = main(["run", "--profile", str(path), "--report-dir", str(tmp_path / "r"), *extra])
    err = capsys.readouterr().err
    assert code == 4 and expected in err and err.count("\n") == 1, err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(("url", "expected"), [("http://[::1", r"not an http\(s\) URL"),
                                               ("http://127.0.0.1:99999/", r"not an http\(s\) URL")])
def test_malformed_urls_are_profile_errors(url: str, expected: str) -> None:
    with pytest.raises(ProfileError, match=expected):
        parse_profile({"initiative": "X", "services": [{"standard": "service-info", "version": "1", "url": url}]},
                      standards=KNOWN)


def test_secrets_only_by_environment_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SI_TOKEN", "s3cr3t-token-value")
    path = write(tmp_path, """
        initiative: Example National Genomics
        services:
          - standard: service-info
            version: "1.0.0"
            url: https://si.example.org/
            auth: {bearer_token_env: SI_TOKEN}
        expected_failures:
          - {check: service-info.schema.valid, reason: upstream fix pending, expires: 2027-03-01}
        """)
    profile = load_profile(path, standards=KNOWN)
    service = profile.services[0]
    assert service.url == "https://si.example.org"
    assert service.auth.secret("bearer_token_env") == "s3cr3t-token-value"
    assert "s3cr3t" not in repr(profile)
    assert profile.expected_failures[0].expires.isoformat() == "2027-03-01"
    assert len(profile.sha256) == 64


def test_parse_errors_are_profile_errors() -> None:
    with pytest.raises(ProfileError, match="services: required key missing"):
        parse_profile({"initiative": "X"}, standards=KNOWN)



def test_names_in_scripts_the_slug_cannot_spell_get_folders_of_their_own() -> None:
    """Two initiatives named in Japanese and in Greek once shared the folder `initiative`, and the dashboard
    merged them; a Latin name keeps its slug as it was, whatever its letters."""
    assert slugify("Example National Genomics") == "example-national-genomics"
    assert slugify("Génomique France") == "g-nomique-france"
    assert [slugify(n) for n in ("Øresund Genomics", "Straße Bio", "Łódź Biobank")] == [
        "resund-genomics", "stra-e-bio", "d-biobank"]
    assert len({slugify(n) for n in ("🧬", "🧪", "ＡＢＣ", "ＸＹＺ")}) == 4
    japanese, greek = slugify("日本語"), slugify("Ελληνικά")
    assert japanese.startswith("initiative-") and greek.startswith("initiative-") and japanese != greek
    assert slugify("東京 Genomics").startswith("genomics-") and slugify("東京 Genomics") != slugify("大阪 Genomics")


def test_a_long_name_gets_a_folder_name_a_file_system_takes() -> None:
    """An initiative named in some 290 characters stopped its run: "cannot create the run directory (File name
    too long)"; two long names alike but for their ends keep folders of their own."""
    long_a, long_b = "Genomic Medicine " * 17 + "Alpha", "Genomic Medicine " * 17 + "Beta"
    assert len(slugify(long_a)) == 100 and slugify(long_a).startswith("genomic-medicine-genomic-medicine-")
    assert slugify(long_a) != slugify(long_b)
    assert slugify("Example National Genomics") == "example-national-genomics"


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("bearer_token_env", "", "environment variable CONF_TEST_SECRET is empty"),
    ("bearer_token_env", "tok-123456\n", "environment variable CONF_TEST_SECRET holds a line break"),
    ("passport_env", "eyJhbGciOi.x\r\nX-Injected: 1", "environment variable CONF_TEST_SECRET holds a line break"),
])
def test_a_secret_that_cannot_be_used_as_declared_is_a_profile_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, key: str, value: str,
        expected: str) -> None:
    """An empty variable would let the run go on without the credential, unseen; a header secret with a line
    break fails every request as unreachable. Either is named, never the value."""
    monkeypatch.setenv("CONF_TEST_SECRET", value)
    path = write(tmp_path, "initiative: X\nservices:\n  - {standard: service-info, version: '1.0.0', "
                           f"url: 'https://a.org', auth: {{{key}: CONF_TEST_SECRET}}}}\n")
    code = main(["run", "--profile", str(path), "--report-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 4 and f"services[0].auth.{key}: {expected}" in err and err.count("\n") == 1, err
    assert (value.strip() not in err) if value.strip() else True


@pytest.mark.parametrize("value", ["line one\nline two", ""])
def test_a_basic_auth_secret_is_kept_whatever_it_holds(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """A password is sent base64-encoded: it may hold anything, a line break too; and an empty one (or an empty
    user name) is how an API key goes as the user name or the password alone (``-u KEY:``)."""
    monkeypatch.setenv("CONF_TEST_SECRET", value)
    profile = parse_profile({"initiative": "X", "services": [
        {"standard": "service-info", "version": "1.0.0", "url": "https://a.org",
         "auth": {"basic_username_env": "CONF_TEST_SECRET", "basic_password_env": "CONF_TEST_SECRET"}}]},
        source="<test>", standards=discover())
    assert profile.services[0].auth.secret("basic_password_env") == value


@pytest.mark.parametrize(("raw", "expected"), [
    (b"initiative: Caf\xe9\n", "invalid YAML at byte 15: not UTF-8 text (invalid continuation byte)"),
    (b"initiative: a\x01b\n", "invalid YAML at character 13: a character YAML does not allow (#x0001)"),
])
def test_a_profile_that_is_not_text_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: bytes,
                                                expected: str) -> None:
    path = tmp_path / "profile.yaml"
    path.write_bytes(raw)
    assert main(["run", "--profile", str(path), "--report-dir", str(tmp_path / "r")]) == 4
    err = capsys.readouterr().err
    assert err == f"conformance: {path}: {expected}\n"


def test_a_profile_from_a_pipe_is_read_and_an_endless_one_is_not(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """``conformance run <(envsubst < profile.yaml)`` names a pipe; /dev/zero never ends."""
    import os

    read, write_end = os.pipe()
    os.write(write_end, b"initiative: X\nservices: [{standard: nope, version: '1', url: 'https://a.org'}]\n")
    os.close(write_end)
    try:
        assert main(["run", "--profile", f"/dev/fd/{read}", "--report-dir", str(tmp_path / "r")]) == 4
        assert "services[0].standard: unknown standard 'nope'" in capsys.readouterr().err
    finally:
        os.close(read)
    assert main(["run", "--profile", "/dev/zero", "--report-dir", str(tmp_path / "r")]) == 4
    assert "/dev/zero: larger than 16 MiB: not a profile" in capsys.readouterr().err


def test_a_profile_larger_than_a_profile_is_not_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import conformance.profile as profile_module

    monkeypatch.setattr(profile_module, "PROFILE_MAX_BYTES", 1024 * 1024)
    path = tmp_path / "profile.yaml"
    path.write_bytes(b"initiative: X\n" + b"# padding\n" * 200_000)
    assert main(["run", "--profile", str(path), "--report-dir", str(tmp_path / "r")]) == 4
    assert "larger than 1 MiB: not a profile" in capsys.readouterr().err


# -- id: the initiative's identity across runs ----------------------------------------------------------------


def test_an_id_is_the_initiatives_identity_and_is_optional() -> None:
    assert parse_profile({**GOOD, "id": "example-genomics-2"}, standards=KNOWN).id == "example-genomics-2"
    assert parse_profile(GOOD, standards=KNOWN).id is None


@pytest.mark.parametrize(("written", "expected"), [
    ("Example Genomics", "id: 'Example Genomics' is not a slug: lower-case letters a-z, digits and single hyphens "
                         "between them, at most 64 characters (such as 'example-genomics')"),
    ("example--genomics", "id: 'example--genomics' is not a slug"),
    ("-example", "id: '-example' is not a slug"),
    ("example_genomics", "id: 'example_genomics' is not a slug"),
    ("exämple", "id: 'exämple' is not a slug"),
    ("a" * 65, f"id: '{'a' * 65}' is 65 characters long; an id has at most 64"),
    ("2024", "id: expected a slug such as 'example-genomics', got a number (quote a value YAML reads as a number, "
             "a date or true/false)"),
    ("yes", "id: expected a slug such as 'example-genomics', got true/false"),
    ("", "id: expected a slug such as 'example-genomics', got empty"),
    ("[a, b]", "id: expected a slug such as 'example-genomics', got a list"),
    ('"line\\nbreak"', "id: 'line\\nbreak' is not a slug"),  # on one line
    ('"example\\n"', "id: 'example\\n' is not a slug"),
])
def test_an_id_that_is_no_slug_is_one_line_exit_4(tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str,
                                                   expected: str) -> None:
    path = write(tmp_path, f'initiative: X\nid: {written}\nservices:\n'
                           "  - {standard: service-info, version: '1.0.0', url: 'https://a.org'}\n")
    code = main(["run", "--profile", str(path), "--report-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 4 and err.count("\n") == 1 and f"{path}: {expected}" in err, err


def test_a_long_id_shown_in_its_error_is_cut() -> None:
    with pytest.raises(ProfileError) as raised:
        parse_profile({**GOOD, "id": "X" * 10_000}, standards=KNOWN)
    assert len(str(raised.value)) < 400 and "…" in str(raised.value)


def test_no_example_gives_an_id_a_member_would_copy() -> None:
    """Two members that copy an example and change its name are two rows on the dashboard; an id copied with it
    would make them one. The examples show the key commented out, for each member to choose its own."""
    examples = sorted((Path(__file__).resolve().parents[2] / "profiles" / "examples").glob("*.yaml"))
    for path in examples:
        document = read_profile_yaml(path.read_bytes())
        assert "id" not in document, path.name
        if document.get("initiative") == "Example National Genomics":
            assert "\n# id: your-initiative " in path.read_text(encoding="utf-8"), path.name


def test_an_unquoted_expiry_time_is_its_day(tmp_path: Path) -> None:
    """YAML reads `expires: 2026-12-31 10:00:00` as a time: the entry expires that day (it raised a TypeError
    where the run compared it with today's date)."""
    profile = parse_profile({**GOOD, "expected_failures": [
        {"check": "service-info.id.present", "reason": "r", "expires": dt.datetime(2026, 12, 31, 10, 0)}]},
        standards=KNOWN)
    entry = profile.expected_failures[0]
    assert entry.expires == dt.date(2026, 12, 31) and not entry.expired(dt.date(2026, 12, 30))
