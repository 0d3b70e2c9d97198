"""conformance/certify/: bundles made from a demo run, verified, and broken one way at a time (issue 18).

The demo runs once for the module (about 20 s); every other test works on copies of its bundle."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import threading
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from conformance.certify import bundle as archive
from conformance.certify.keys import JWKS_MAX_BYTES, public_jwk, thumbprint
from conformance.certify.manifest import caveats
from conformance.cli import execute, main
from conformance.demo import demo_profile
from conformance.redact import Redactor
from conformance.reports import MARKUP_SUFFIXES
from conformance.run import prepare
from conformance.testing import serving

#: The caveat of a service's MUST checks skipped as undecided (conformance/certify/manifest.py).
UNDECIDED_CAVEAT = re.compile(r"^(  - )?\S+ \S+: \d+ MUST checks? (were|was) skipped as undecided ")

# -- keys ------------------------------------------------------------------------------------------------------


def write_pem_pair(directory: Path, name: str, key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
                   ) -> tuple[Path, Path]:
    """PKCS#8 private and SubjectPublicKeyInfo public PEM, the forms `openssl genpkey` / `pkey -pubout` write."""
    private = directory / f"{name}.pem"
    public = directory / f"{name}.pub.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("keys")
    signer = ed25519.Ed25519PrivateKey.generate()
    private, public = write_pem_pair(directory, "signer", signer)
    other_private, other_public = write_pem_pair(directory, "other", ed25519.Ed25519PrivateKey.generate())
    return {"key": signer, "private": private, "public": public, "other_public": other_public,
            "other_private": other_private, "dir": directory}


# -- the demo run ----------------------------------------------------------------------------------------------


def _private_keys(value: Any, depth: int = 0) -> list[Any]:
    """Private keys a reference server holds (its signing keys), one attribute level deep."""
    types = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)
    if isinstance(value, types):
        return [value]
    found: list[Any] = []
    if depth < 2 and hasattr(value, "__dict__"):
        for item in vars(value).values():
            if isinstance(item, (list, tuple)):
                for element in item:
                    found += _private_keys(element, depth + 1)
            else:
                found += _private_keys(item, depth + 1)
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, requires_specs: str) -> dict[str, Any]:
    """The demo, with the official schemas: a complete run, whose only caveats are MUST checks it could not
    decide (a loopback deployment, read-only entries)."""
    root = tmp_path_factory.mktemp("demo")
    run = prepare(demo_profile(), report_root=root, specs_dir=requires_specs)
    servers = list(run.servers)
    with contextlib.redirect_stdout(io.StringIO()):
        execute(run, progress=False, quiet=True)
    secrets = set(run.redactor.secrets)
    server_keys = [k for server in servers for k in _private_keys(server.app)]
    return {"run_dir": run.run_dir, "secrets": secrets, "server_keys": server_keys}


@pytest.fixture(scope="module")
def bundle(demo: dict[str, Any], keys: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "demo.conformance.tar"
    assert main(["certify", str(demo["run_dir"]), "--key", str(keys["private"]), "-o", str(out)]) == 0
    return out


def verify(path: Path, key: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["verify", str(path), "--public-key", str(key)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def members(path: Path) -> list[tarfile.TarInfo]:
    with tarfile.open(path) as tar:
        return tar.getmembers()


def rewrite(source: Path, target: Path, *, drop: str | None = None, add: tuple[str, bytes] | None = None) -> None:
    with tarfile.open(source) as tar:
        items = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers() if m.name != drop]  # type: ignore[union-attr]
    archive.write(target, items + ([add] if add else []), replace=True)


# -- round trip ------------------------------------------------------------------------------------------------


def test_demo_bundle_verifies_and_prints_its_verdicts(bundle: Path, keys: dict[str, Any],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, output = verify(bundle, keys["public"], capsys)
    assert code == 0, output
    lines = output.splitlines()
    verified = next(i for i, line in enumerate(lines) if line.startswith("VERIFIED:"))
    # a complete run: its only caveats are the MUST checks it skipped as undecided
    assert lines[0] == "CAVEATS (what this certification does not cover):"
    assert all(UNDECIDED_CAVEAT.search(line) for line in lines[1:verified]), lines[:verified]
    assert f"signed by key {thumbprint(keys['key'])}" in output
    assert "Demo: conformant" in output
    assert "service-info  1.0.0    conformant" in output


def test_bundle_holds_manifest_signature_profile_and_every_report_file(bundle: Path, demo: dict[str, Any]) -> None:
    names = [m.name for m in members(bundle)]
    report = sorted(p.relative_to(demo["run_dir"]).as_posix() for p in demo["run_dir"].rglob("*") if p.is_file())
    assert names == ["manifest.json", "manifest.jws", "profile.yaml", *[f"report/{r}" for r in report]]
    with tarfile.open(bundle) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        profile = yaml.safe_load(tar.extractfile("profile.yaml").read())  # type: ignore[union-attr]
    assert manifest["format"] == "ga4gh-conformance-certification/1"
    assert [f["path"] for f in manifest["files"]] == names[2:]
    assert manifest["run"]["seed"] == 0 and manifest["run"]["budget"]["max_requests"] == 50000
    assert manifest["run"]["selection"] == {"standards": None, "checks": None}
    assert manifest["caveats"] and all(UNDECIDED_CAVEAT.search(c) for c in manifest["caveats"])
    assert set(manifest["harness"]["suites"]) >= {"drs", "service-info"}
    assert all(len(pin) == 64 for pin in manifest["specs"]["pins"].values())
    assert manifest["specs"]["schemas"]["match_pins"] > 0
    by_standard = {s["standard"]: s for s in manifest["services"]}
    assert by_standard["service-info"]["service_info"]["type"]["artifact"] == "service-info"
    assert by_standard["service-info"]["url"].startswith("http://127.0.0.1:")
    assert profile["initiative"] == "Demo"


def test_same_report_and_key_give_the_same_bytes(bundle: Path, demo: dict[str, Any], keys: dict[str, Any],
                                                 tmp_path: Path) -> None:
    again = tmp_path / "again.tar"
    assert main(["certify", str(demo["run_dir"]), "--key", str(keys["private"]), "-o", str(again)]) == 0
    assert again.read_bytes() == bundle.read_bytes()
    assert all(m.mtime == 0 and m.uid == 0 and m.mode == 0o644 for m in members(again))


def _flip(path: Path, member: str, target: Path) -> None:
    info = next(m for m in members(path) if m.name == member)
    data = bytearray(path.read_bytes())
    position = info.offset_data + info.size // 2
    data[position] = data[position] ^ 0x01
    target.write_bytes(bytes(data))


def test_a_flipped_byte_in_any_member_is_named(bundle: Path, keys: dict[str, Any], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    listed = [m.name for m in members(bundle) if m.name not in ("manifest.json", "manifest.jws")]
    assert "profile.yaml" in listed and "report/scorecard.json" in listed and "report/report.html" in listed
    for member in listed:
        broken = tmp_path / "broken.tar"
        _flip(bundle, member, broken)
        code, output = verify(broken, keys["public"], capsys)
        assert code == 1
        assert output.splitlines()[0] == f"NOT VERIFIED: {broken}"
        assert f"changed file: {member} (sha256" in output
        assert output.count("\n  ") == 1, output  # one root cause, one line


def test_a_flipped_byte_in_the_manifest_is_named(bundle: Path, keys: dict[str, Any], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.tar"
    _flip(bundle, "manifest.json", broken)
    code, output = verify(broken, keys["public"], capsys)
    assert code == 1
    assert "manifest.json was altered after signing" in output


def test_a_flipped_byte_in_the_signature_is_named(bundle: Path, keys: dict[str, Any], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    info = next(m for m in members(bundle) if m.name == "manifest.jws")
    for position in (info.offset_data + 5, info.offset_data + info.size - 5):  # in the header, in the signature
        data = bytearray(bundle.read_bytes())
        data[position] = ord("A") if data[position] != ord("A") else ord("B")
        broken = tmp_path / "broken.tar"
        broken.write_bytes(bytes(data))
        code, output = verify(broken, keys["public"], capsys)
        assert code == 1
        assert "manifest.jws" in output, output


def test_an_altered_manifest_re_listing_a_changed_file_fails_the_signature(
        bundle: Path, keys: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Editing a report and its hash in the manifest is still caught: the manifest is what is signed."""
    with tarfile.open(bundle) as tar:
        items = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    items["report/summary.md"] = items["report/summary.md"].replace(b"conformant", b"CONFORMANT")
    manifest = json.loads(items["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == "report/summary.md":
            entry["sha256"] = hashlib.sha256(items["report/summary.md"]).hexdigest()
            entry["size"] = len(items["report/summary.md"])
    items["manifest.json"] = json.dumps(manifest).encode()
    forged = tmp_path / "forged.tar"
    archive.write(forged, list(items.items()))
    code, output = verify(forged, keys["public"], capsys)
    assert code == 1 and "manifest.json was altered after signing" in output


def test_a_missing_member_is_named(bundle: Path, keys: dict[str, Any], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    for member in ("report/summary.md", "profile.yaml", "manifest.json", "manifest.jws"):
        broken = tmp_path / "missing.tar"
        rewrite(bundle, broken, drop=member)
        code, output = verify(broken, keys["public"], capsys)
        assert code == 1
        assert f"missing file: {member}" in output


def test_an_added_member_is_named(bundle: Path, keys: dict[str, Any], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "extra.tar"
    rewrite(bundle, broken, add=("report/extra.md", b"conformant\n"))
    code, output = verify(broken, keys["public"], capsys)
    assert code == 1 and "unexpected file: report/extra.md is not in the manifest" in output


def test_a_bundle_packed_again_with_tar_verifies(bundle: Path, keys: dict[str, Any], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Unpacked and packed again with `tar -cf`, a bundle gains folder entries: they hold no bytes, and the
    files are judged as before."""
    unpacked = tmp_path / "unpacked"
    with tarfile.open(bundle) as tar:
        tar.extractall(unpacked, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))  # type: ignore[arg-type]
    repacked = tmp_path / "repacked.tar"
    with tarfile.open(repacked, "w") as tar:
        for path in sorted(unpacked.iterdir()):
            tar.add(path, arcname=path.name)  # folders as entries of their own, then their files
    assert any(member.isdir() for member in members(repacked))
    code, output = verify(repacked, keys["public"], capsys)
    assert code == 0 and "VERIFIED:" in output, output


def test_another_public_key_is_refused(bundle: Path, keys: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, output = verify(bundle, keys["other_public"], capsys)
    assert code == 1
    assert "signed with another key" in output and thumbprint(keys["key"]) in output


def test_a_forged_key_id_still_fails_the_signature(bundle: Path, keys: dict[str, Any], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A signature by another key whose header claims the right key id: the signature decides."""
    other = serialization.load_pem_private_key(keys["other_private"].read_bytes(), password=None)
    with tarfile.open(bundle) as tar:
        items = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    items["manifest.jws"] = jwt.api_jws.PyJWS().encode(
        items["manifest.json"], other, algorithm="EdDSA",  # type: ignore[arg-type]
        headers={"kid": thumbprint(keys["key"])}, is_payload_detached=True).encode()
    forged = tmp_path / "forged.tar"
    archive.write(forged, list(items.items()))
    code, output = verify(forged, keys["public"], capsys)
    assert code == 1 and "does not match the manifest's bytes" in output


def test_not_a_bundle(tmp_path: Path, keys: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file at all" * 100)
    code, output = verify(junk, keys["public"], capsys)
    assert code == 1 and "not a readable certification bundle" in output
    code, output = verify(tmp_path / "absent.tar", keys["public"], capsys)
    assert code == 1 and "no such file" in output


# -- keys in their other forms ---------------------------------------------------------------------------------


def test_openssl_keys_round_trip(demo: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("no openssl on this machine to make the keys the issue names")
    private, public = tmp_path / "priv.pem", tmp_path / "pub.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(private)], check=True)
    subprocess.run(["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)], check=True)
    out = tmp_path / "b.tar"
    assert main(["certify", str(demo["run_dir"]), "--key", str(private), "-o", str(out)]) == 0
    assert verify(out, public, capsys)[0] == 0


@pytest.mark.parametrize("curve", [ec.SECP256R1(), ec.SECP384R1()])
def test_ecdsa_keys_round_trip(demo: dict[str, Any], tmp_path: Path, curve: ec.EllipticCurve,
                               capsys: pytest.CaptureFixture[str]) -> None:
    private, public = write_pem_pair(tmp_path, "ec", ec.generate_private_key(curve))
    out = tmp_path / "b.tar"
    assert main(["certify", str(demo["run_dir"]), "--key", str(private), "-o", str(out)]) == 0
    assert verify(out, public, capsys)[0] == 0


def test_jwk_keys_round_trip(demo: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    private_jwk = tmp_path / "priv.jwk"
    private_jwk.write_text(OKPAlgorithm.to_jwk(key))
    public = tmp_path / "pub.jwk"
    public.write_text(json.dumps(public_jwk(key)))
    jwks = tmp_path / "jwks.json"
    other = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks.write_text(json.dumps({"keys": [RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True),
                                         ECAlgorithm.to_jwk(other.public_key(), as_dict=True), public_jwk(key)]}))
    out = tmp_path / "b.tar"
    assert main(["certify", str(demo["run_dir"]), "--key", str(private_jwk), "-o", str(out)]) == 0
    assert verify(out, public, capsys)[0] == 0
    assert verify(out, jwks, capsys)[0] == 0  # the key is picked by its RFC 7638 thumbprint


def serve(body: bytes) -> contextlib.AbstractContextManager[str]:
    return serving(body, "/jwks.json")


def test_jwks_url(bundle: Path, keys: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    with serve(json.dumps({"keys": [public_jwk(keys["key"])]}).encode()) as url:
        assert main(["verify", str(bundle), "--jwks", url]) == 0
    assert "VERIFIED" in capsys.readouterr().out


def test_jwks_url_is_bounded_in_size(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(b'{"keys": [' + b" " * (JWKS_MAX_BYTES + 10) + b"]}") as url:
        assert main(["verify", str(bundle), "--jwks", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"larger than {JWKS_MAX_BYTES} bytes" in err


@pytest.mark.parametrize(("argv", "message"), [
    (["verify", "B"], "--public-key FILE or --jwks URL"),
    (["verify", "B", "--public-key", "/nonexistent.pem"], "--public-key /nonexistent.pem: no such file"),
    (["verify", "B", "--jwks", "ftp://example.org/jwks"], "not an http(s) URL"),
    (["certify", "/nonexistent-run", "--key", "KEY"], "no such report directory"),
])
def test_bad_input_is_one_line(argv: list[str], message: str, keys: dict[str, Any], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    argv = [str(keys["private"]) if a == "KEY" else a for a in argv]
    assert main(argv) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_bad_keys_are_one_line(demo: dict[str, Any], keys: dict[str, Any], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    encrypted = tmp_path / "enc.pem"
    encrypted.write_bytes(keys["key"].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.BestAvailableEncryption(b"pw")))
    rsa_pem = tmp_path / "rsa.pem"
    rsa_pem.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("hello")
    for key, message in ((encrypted, "an encrypted private key"), (rsa_pem, "not an Ed25519 or ECDSA private key"),
                         (garbage, "neither a PEM private key nor a JWK"), (keys["public"], "not a PEM private key")):
        assert main(["certify", str(demo["run_dir"]), "--key", str(key), "-o", str(tmp_path / "x.tar")]) == 4
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
    assert main(["certify", str(demo["run_dir"]), "--key", str(keys["private"]),
                 "-o", str(demo["run_dir"] / "inside.tar")]) == 4
    assert "outside the report directory" in capsys.readouterr().err


# -- no credential in any byte ---------------------------------------------------------------------------------


def _pem_body_lines(key: Any) -> list[str]:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def test_no_secret_of_the_demo_in_any_byte_of_the_bundle(bundle: Path, demo: dict[str, Any],
                                                         keys: dict[str, Any]) -> None:
    data = bundle.read_bytes()
    long_secrets = [s for s in demo["secrets"] if len(s) >= 12]
    assert long_secrets, "the demo registers its issued tokens and passports"
    for secret in long_secrets:
        assert secret.encode() not in data, f"a registered secret ({secret[:6]}…) is in the bundle"
    assert demo["server_keys"], "the passports reference server signs with private keys"
    for key in [*demo["server_keys"], keys["key"]]:
        for line in _pem_body_lines(key):
            assert line.encode() not in data
    assert b"PRIVATE KEY" not in data


def test_the_projects_redaction_finds_nothing_in_the_bundle(bundle: Path, demo: dict[str, Any]) -> None:
    """The redaction the reports pass (registered secrets and credential patterns) changes no member;
    manifest.jws is the bundle's own signature, a JWS, which the JWT pattern would mask by its form."""
    redactor = Redactor(demo["secrets"])
    with tarfile.open(bundle) as tar:
        for member in tar.getmembers():
            if member.name == "manifest.jws":
                continue
            text = tar.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
            markup = Path(member.name).suffix in MARKUP_SUFFIXES  # as the reports' last pass reads it
            redacted = redactor.markup(text) if markup else redactor.text(text)
            assert redacted == text, f"{member.name} holds text the redaction would mask"


def test_certify_masks_what_the_run_left_and_the_profile_holds(tmp_path: Path, keys: dict[str, Any],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A report edited after the run with a token in it, and a profile naming a secret's variable: the
    variable's value is masked in every member, the variable's name kept."""
    from conformance.certify.manifest import certify

    token = "tok-Leaked-0123456789abcdef"
    monkeypatch.setenv("EXAMPLE_TOKEN", token)
    profile = tmp_path / "profile.yaml"
    profile.write_text("initiative: X\nservices:\n- standard: drs\n  version: 1.4.0\n  url: https://u:pw@drs.example.org\n"
                       "  auth: {bearer_token_env: EXAMPLE_TOKEN}\n  client_secret: inline-secret-value\n")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "scorecard.json").write_text(json.dumps({
        "format": "ga4gh-conformance-scorecard/1", "initiative": "X", "services": [],
        "profile": {"path": str(profile), "sha256": hashlib.sha256(profile.read_bytes()).hexdigest()},
        "notices": [f"server said {token}"]}))
    (run_dir / "notes.md").write_text(f"Authorization: Bearer {token}\n")
    out = tmp_path / "b.tar"
    certify(run_dir, keys["key"], out)
    data = out.read_bytes()
    assert token.encode() not in data and b"inline-secret-value" not in data and b"u:pw@" not in data
    assert b"bearer_token_env: EXAMPLE_TOKEN" in data


# -- caveats: what a certification does not cover ------------------------------------------------------------


def test_caveats_of_a_filtered_waived_interrupted_run() -> None:
    scorecard = {
        "interrupted": True, "usage": {"limits_hit": ["max_requests"]},
        "selection": {"standards": ["drs"], "checks": ["drs.a", "drs.b"]},
        "specs": {"available": False},
        "services": [{"key": "drs-0", "standard": "drs", "verdict": "non-conformant",
                      "verdict_with_expected_failures": "conformant", "not_run": 2,
                      "checks": [{"id": "drs.a", "outcome": "failed",
                                  "expected_failure": {"status": "waived", "reason": "r"}},
                                 {"id": "drs.b", "outcome": "error"}]},
                     {"key": "si-1", "standard": "service-info", "verdict": "unreachable", "unreachable": "refused",
                      "checks": []}],
    }
    found = caveats(scorecard)
    assert found == [
        "the run was interrupted: some checks did not run",
        "the run was cut short by a limit: max_requests",
        "the run was filtered with --standard drs",
        "the run was filtered with --check: only 2 checks (drs.a, drs.b)",
        "the official schemas were not available: schema checks were skipped",
        "drs drs-0: 2 checks did not run",
        "drs drs-0: 1 check could not be decided (error)",
        "drs drs-0: the profile lists 1 expected failure (drs.a: waived)",
        "drs drs-0: non-conformant, conformant only with the expected failures waived",
        "service-info si-1 is unreachable: refused",
    ]
    assert caveats({"services": []}) == ["the run does not record whether it was filtered with --check or --standard"]


def test_a_filtered_run_is_certified_with_its_caveats_shown_first(tmp_path: Path, keys: dict[str, Any],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({
        "initiative": "Filtered", "budget": {"requests_per_second": 500},
        "services": [{"standard": "service-info", "version": "1.0.0", "reference": True}],
        "expected_failures": [{"check": "service-info.endpoint.answers-200", "reason": "tracked",
                               "expires": "2099-12-31"}]}))
    assert main(["run", "--profile", str(profile), "--report-dir", str(tmp_path / "reports"), "--quiet",
                 "--check", "service-info.endpoint.answers-200"]) == 0
    run_dir = next((tmp_path / "reports" / "filtered").iterdir())
    capsys.readouterr()
    out = tmp_path / "f.tar"
    assert main(["certify", str(run_dir), "--key", str(keys["private"]), "-o", str(out)]) == 0
    assert "caveat: the run was filtered with --check" in capsys.readouterr().out
    code, output = verify(out, keys["public"], capsys)
    assert code == 0
    lines = output.splitlines()
    assert lines[0] == "CAVEATS (what this certification does not cover):"
    assert lines[1] == "  - the run was filtered with --check: only 1 check (service-info.endpoint.answers-200)"
    assert any("expected failure (service-info.endpoint.answers-200: no-longer-fails)" in line for line in lines)
    assert next(i for i, line in enumerate(lines) if line.startswith("VERIFIED")) > 1


def test_certify_needs_the_profile_of_the_run(tmp_path: Path, keys: dict[str, Any],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "P", "budget": {"requests_per_second": 500},
                                       "services": [{"standard": "service-info", "version": "1.0.0",
                                                     "reference": True}]}))
    assert main(["run", "--profile", str(profile), "--report-dir", str(tmp_path / "reports"), "--quiet",
                 "--check", "service-info.endpoint.answers-200"]) in (0, 2)
    run_dir = next((tmp_path / "reports" / "p").iterdir())
    profile.write_text(profile.read_text() + "# edited after the run\n")
    capsys.readouterr()
    assert main(["certify", str(run_dir), "--key", str(keys["private"]), "-o", str(tmp_path / "b.tar")]) == 4
    assert "changed since the run" in capsys.readouterr().err
    other = tmp_path / "other.yaml"
    other.write_text("initiative: other\n")
    assert main(["certify", str(run_dir), "--key", str(keys["private"]), "-o", str(tmp_path / "b.tar"),
                 "--profile", str(other)]) == 4
    assert "not the profile of this run" in capsys.readouterr().err


def test_the_report_redaction_tests_hold_for_a_bundle(tmp_path: Path, keys: dict[str, Any]) -> None:
    """tests/core/test_reports.py's scorecard (secrets in messages, evidence, notices and a URL), written
    by every report writer, then certified: its redaction assertions hold for every member of the bundle."""
    from types import SimpleNamespace
    from typing import cast

    from test_reports import assert_no_secret, build_scorecard, redactor  # tests/core/test_reports.py

    from conformance.certify.manifest import certify
    from conformance.reports import write_reports

    profile = tmp_path / "profile.yaml"
    profile.write_text("initiative: Example\n")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    card = build_scorecard(profile={"path": str(profile), "sha256": hashlib.sha256(profile.read_bytes()).hexdigest()})
    for check in (c for s in card.services for c in s.checks):
        check.expected_failure = None  # the profile lists none (certify compares them)
    write_reports(card, cast(Any, SimpleNamespace(run_dir=run_dir, redactor=redactor())))
    out = tmp_path / "b.tar"
    certify(run_dir, keys["key"], out)
    with tarfile.open(out) as tar:
        for member in tar.getmembers():
            assert_no_secret(tar.extractfile(member).read().decode("utf-8"), member.name)  # type: ignore[union-attr]
    assert_no_secret(out.read_bytes().decode("utf-8", errors="replace"), out.name)


def test_a_signed_manifest_of_another_form_is_named(tmp_path: Path, keys: dict[str, Any],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Signed by the right key but not a manifest of this format: said, never a traceback."""
    import rfc8785

    from conformance.certify.manifest import FORMAT, sign

    cases = [({"format": "other/1", "files": []}, "not a ga4gh-conformance-certification/1 manifest"),
             ({"format": FORMAT, "files": [42]}, "lists a file without a path: 42")]
    for manifest, message in cases:
        payload = rfc8785.dumps(manifest)
        out = tmp_path / "odd.tar"
        archive.write(out, [("manifest.json", payload), ("manifest.jws", sign(payload, keys["key"]).encode())],
                      replace=True)
        code, output = verify(out, keys["public"], capsys)
        assert code == 1 and message in output, output


def test_jwks_url_is_bounded_in_time(bundle: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A JWK Set server that accepts the connection and never answers: verify gives up, one line."""
    import socket

    from conformance.certify import keys as keys_module

    monkeypatch.setattr(keys_module, "JWKS_TIMEOUT_SECONDS", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        code = main(["verify", str(bundle), "--jwks", f"http://127.0.0.1:{silent.getsockname()[1]}/jwks"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("conformance: --jwks http://127.0.0.1:"), err


# -- certify refuses a run directory whose records disagree ------------------------------------------------------

#: A DRS reference server with a checksum fault named by its bundles only (no objects: the checksum checks are
#: skipped as undecided), beside a service-info server whose missing id fails MUST checks, one of them (a
#: consequence) waived as an expected failure.
BUNDLES_ONLY = {
    "initiative": "Bundles Only", "budget": {"requests_per_second": 500},
    "services": [{"standard": "drs", "version": "1.5.0", "reference": {"faults": ["checksum-wrong"]},
                  "bundles": ["bundle-1", "bundle-controlled"]},
                 {"standard": "service-info", "version": "1.0.0", "reference": {"faults": ["missing-id"]}}],
    "expected_failures": [{"check": "service-info.fields.required-present", "reason": "tracked",
                           "expires": "2099-12-31"}],
}


@pytest.fixture(scope="module")
def drs_run(tmp_path_factory: pytest.TempPathFactory, requires_specs: str) -> dict[str, Path]:
    """BUNDLES_ONLY run from its own folder, the profile named by a relative path (as `conformance run
    profile.yaml` records it)."""
    start = tmp_path_factory.mktemp("start")
    (start / "profile.yaml").write_text(yaml.safe_dump(BUNDLES_ONLY))
    console = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(console):
        patch.chdir(start)
        code = main(["run", "profile.yaml", "--report-dir", "reports", "--quiet", "--jobs", "1",
                     "--specs-dir", requires_specs])
    assert code in (1, 2), console.getvalue()  # non-conformant (2 only should a check of the DRS server err)
    run_dir = next((start / "reports" / "bundles-only").iterdir())
    assert json.loads((run_dir / "scorecard.json").read_text())["profile"]["path"] == "profile.yaml"
    return {"start": start, "run_dir": run_dir, "profile": start / "profile.yaml"}


def copy_run(drs_run: dict[str, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "copy" / drs_run["run_dir"].name
    shutil.copytree(drs_run["run_dir"], copy)
    return copy


def certify_copy(copy: Path, drs_run: dict[str, Path], keys: dict[str, Any], out: Path) -> int:
    return main(["certify", str(copy), "--key", str(keys["private"]), "--profile", str(drs_run["profile"]),
                 "-o", str(out)])


def refused(copy: Path, drs_run: dict[str, Path], keys: dict[str, Any], tmp_path: Path,
            capsys: pytest.CaptureFixture[str]) -> str:
    """The one line ``certify`` refuses ``copy`` with (exit 4, no bundle written)."""
    capsys.readouterr()
    assert certify_copy(copy, drs_run, keys, tmp_path / "b.tar") == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert not (tmp_path / "b.tar").exists()
    return err


def edit_scorecard(run_dir: Path, edit: Any) -> None:
    document = json.loads((run_dir / "scorecard.json").read_text())
    edit(document)
    (run_dir / "scorecard.json").write_text(json.dumps(document))


def say_conformant(document: dict[str, Any]) -> None:
    document["verdict"], document["exit_code"] = "conformant", 0
    for service in document["services"]:
        service["verdict"] = service["verdict_with_expected_failures"] = "conformant"


def pass_every_failure(document: dict[str, Any]) -> None:
    """Every failed check and case made passed, and the verdicts, counts and exit code made to follow, by
    the harness's own rules: a scorecard consistent in itself."""
    from conformance.certify.consistency import load

    for service in document["services"]:
        for check in service["checks"]:
            if check["outcome"] == "failed":
                check["outcome"] = "passed"
                check.pop("caused_by", None)
                for case in check["cases"]:
                    case["outcome"] = "passed"
                    case.pop("caused_by", None)
    card = load(document, [])
    for data, service in zip(document["services"], card.services):
        data["verdict"], data["verdict_with_expected_failures"] = service.verdict(), service.verdict(waive=True)
        data["summary"] = service.counts()
    document["verdict"], document["exit_code"] = card.overall(), card.exit_code()


def test_the_run_as_written_certifies(drs_run: dict[str, Path], keys: dict[str, Any], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert certify_copy(copy_run(drs_run, tmp_path), drs_run, keys, tmp_path / "b.tar") == 0, capsys.readouterr()
    assert verify(tmp_path / "b.tar", keys["public"], capsys)[0] == 0


def test_certify_refuses_a_scorecard_edited_to_say_conformant(drs_run: dict[str, Path], keys: dict[str, Any],
                                                              tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    copy = copy_run(drs_run, tmp_path)
    edit_scorecard(copy, say_conformant)
    err = refused(copy, drs_run, keys, tmp_path, capsys)
    assert "scorecard.json: its verdicts do not follow from its own check outcomes (" in err
    assert "service-info service-info-1 records verdict 'conformant', its checks give 'non-conformant'" in err


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["services"][1]["summary"].update(must_passed=99),
     "service-info service-info-1 records summary must_passed 99 (its checks give "),
    (lambda d: next(c for c in d["services"][1]["checks"] if c["outcome"] == "failed").update(outcome="passed"),
     "records outcome passed, its cases give failed"),
    (lambda d: d.update(exit_code=0), "the run records exit code 0, its services give 1"),
])
def test_certify_refuses_any_record_its_outcomes_do_not_give(drs_run: dict[str, Path], keys: dict[str, Any],
                                                             tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             edit: Any, message: str) -> None:
    copy = copy_run(drs_run, tmp_path)
    edit_scorecard(copy, edit)
    assert message in refused(copy, drs_run, keys, tmp_path, capsys)


def waive_every_failure(document: dict[str, Any]) -> None:
    """Every failed check marked as an expected failure the profile does not list, and the waived verdicts
    made to follow: a scorecard consistent in itself, whose caveats would claim waivers of the profile."""
    from conformance.certify.consistency import load

    for service in document["services"]:
        for check in service["checks"]:
            if check["outcome"] == "failed" and "expected_failure" not in check:
                check["expected_failure"] = {"reason": "known", "expires": "2099-12-31", "status": "waived"}
    card = load(document, [])
    for data, service in zip(document["services"], card.services):
        data["verdict_with_expected_failures"] = service.verdict(waive=True)
    document["exit_code"] = card.exit_code()


def _listed(document: dict[str, Any]) -> dict[str, Any]:
    """The failed check the profile lists as an expected failure (BUNDLES_ONLY: service-info.fields.required-present
    of the service-info service; the DRS service's passes, no-longer-fails)."""
    return next(c for s in document["services"] for c in s["checks"]
                if c.get("expected_failure") and c["outcome"] == "failed")


@pytest.mark.parametrize(("edit", "message"), [
    (waive_every_failure, "is recorded as an expected failure, which the profile does not list"),
    (lambda d: _listed(d).pop("expected_failure"),
     "service-info.fields.required-present is listed in the profile's expected_failures, but not recorded"),
    (lambda d: _listed(d)["expected_failure"].update(expires="2100-01-01"),
     "records the expected failure 'tracked' until 2100-01-01, the profile 'tracked' until 2099-12-31"),
    (lambda d: _listed(d)["expected_failure"].update(status="no-longer-fails"),
     "records its expected failure as 'no-longer-fails', the run gives it waived, as its outcome is failed"),
])
def test_certify_refuses_expected_failures_the_profile_does_not_give(
        drs_run: dict[str, Path], keys: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        edit: Any, message: str) -> None:
    """The bundle holds the profile, and its caveats name the failures the profile waives: a check marked as an
    expected failure the profile does not list (or unmarked, or with another expiry or status) is refused, even
    where the verdicts follow from the marks."""
    copy = copy_run(drs_run, tmp_path)
    edit_scorecard(copy, edit)
    err = refused(copy, drs_run, keys, tmp_path, capsys)
    assert "scorecard.json: its expected failures are not those of the profile " in err
    assert message in err


def test_expected_failure_status_follows_the_runs_date() -> None:
    """Expiry is judged on the run's local date (UTC in the scorecard): a day either side is either status."""
    from conformance.certify.consistency import expected_failure_problems

    def card(status: str, started: str) -> dict[str, Any]:
        check = {"id": "x.a", "level": "MUST", "outcome": "failed",
                 "expected_failure": {"reason": "r", "expires": "2026-06-01", "status": status}}
        return {"started": started, "finished": started,
                "services": [{"standard": "x", "key": "x-0", "url": "https://x.example.org", "checks": [check]}]}

    profile = {"expected_failures": [{"check": "x.a", "reason": "r", "expires": dt.date(2026, 6, 1),
                                      "service": "https://x.example.org"}]}
    assert expected_failure_problems(card("waived", "2026-05-20T10:00:00Z"), profile) == []
    assert expected_failure_problems(card("expired", "2026-06-03T10:00:00Z"), profile) == []
    assert expected_failure_problems(card("waived", "2026-06-01T23:00:00Z"), profile) == []
    assert expected_failure_problems(card("expired", "2026-06-01T23:00:00Z"), profile) == []
    assert expected_failure_problems(card("waived", "2026-06-03T10:00:00Z"), profile) == [
        "x x-0: x.a records its expected failure as 'waived', the run gives it expired on 2026-06-01"]
    assert expected_failure_problems(card("expired", "2026-05-20T10:00:00Z"), profile) == [
        "x x-0: x.a records its expected failure as 'expired', the run gives it not expired (until 2026-06-01)"]
    other = {"expected_failures": [{**profile["expected_failures"][0], "service": "drs"}]}
    assert expected_failure_problems(card("waived", "2026-05-20T10:00:00Z"), other) == [
        "x x-0: x.a is recorded as an expected failure, which the profile does not list"]


@pytest.mark.parametrize("written", ["20260601", "2026-W23-1", dt.datetime(2026, 6, 1, 10, 0)])
def test_an_expiry_the_profile_writes_another_way_is_the_date_the_run_read(written: Any) -> None:
    """The profile reads any ISO 8601 date (and a YAML time as its day); the run records it as YYYY-MM-DD."""
    from conformance.certify.consistency import expected_failure_problems

    check = {"id": "x.a", "level": "MUST", "outcome": "failed",
             "expected_failure": {"reason": "r", "expires": "2026-06-01", "status": "waived"}}
    card = {"started": "2026-05-20T10:00:00Z", "finished": "2026-05-20T10:00:00Z",
            "services": [{"standard": "x", "key": "x-0", "url": "https://x.example.org", "checks": [check]}]}
    profile = {"expected_failures": [{"check": "x.a", "reason": "r", "expires": written}]}
    assert expected_failure_problems(card, profile) == []


def test_certify_refuses_a_scorecard_junit_xml_contradicts(drs_run: dict[str, Path], keys: dict[str, Any],
                                                           tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Outcomes edited consistently within scorecard.json (its verdicts follow) still disagree with
    junit.xml; junit.xml's properties edited too still disagree with its own elements."""
    import xml.etree.ElementTree as ET

    copy = copy_run(drs_run, tmp_path)
    edit_scorecard(copy, pass_every_failure)
    assert json.loads((copy / "scorecard.json").read_text())["verdict"] != "non-conformant"
    err = refused(copy, drs_run, keys, tmp_path, capsys)
    assert "junit.xml disagrees with scorecard.json (" in err
    assert "(MUST): 0 case(s) failed in scorecard.json, 1 in junit.xml" in err

    tree = ET.parse(copy / "junit.xml")
    for prop in tree.iter("property"):
        if prop.get("name") == "outcome" and prop.get("value") == "failed":
            prop.set("value", "passed")
    tree.write(copy / "junit.xml", encoding="utf-8", xml_declaration=True)
    assert "says outcome passed but holds <failure>" in refused(copy, drs_run, keys, tmp_path, capsys)


def test_an_interrupted_runs_junit_xml_may_lack_the_last_cases(tmp_path: Path) -> None:
    from conformance.certify.consistency import junit_problems

    def case(outcome: str) -> str:
        return (f'<testcase classname="c" name="t"><properties><property name="check_id" value="x.a"/>'
                f'<property name="level" value="MUST"/><property name="outcome" value="{outcome}"/></properties>'
                + ("<failure message='m'/>" if outcome == "failed" else "") + "</testcase>")

    junit = tmp_path / "junit.xml"
    junit.write_text(f"<testsuites><testsuite>{case('passed')}</testsuite></testsuites>")
    scorecard = {"services": [{"checks": [{"id": "x.a", "level": "MUST", "outcome": "failed",
                                           "cases": [{"outcome": "passed"}, {"outcome": "failed"}]}]}]}
    assert junit_problems(junit, scorecard) == ["x.a (MUST): 1 case(s) failed in scorecard.json, 0 in junit.xml"]
    assert junit_problems(junit, {**scorecard, "interrupted": True}) == []
    junit.write_text(f"<testsuites><testsuite>{case('passed')}{case('passed')}{case('failed')}</testsuite></testsuites>")
    assert junit_problems(junit, {**scorecard, "interrupted": True}) == [
        "x.a (MUST): 1 case(s) passed in scorecard.json, 2 in junit.xml"]
    assert junit_problems(tmp_path / "absent.xml", scorecard) == []
    # a run whose worker died: its services record checks not run, and its junit.xml may lack their cases
    junit.write_text(f"<testsuites><testsuite>{case('passed')}</testsuite></testsuites>")
    died = {"services": [{**scorecard["services"][0], "not_run": 1}]}
    assert junit_problems(junit, died) == []


def test_a_should_check_that_erred_is_a_not_failing_skipped_case(tmp_path: Path) -> None:
    """annotate writes an erring SHOULD check as skipped (its exit code is 0): that agrees with its outcome."""
    from conformance.certify.consistency import junit_problems

    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuites><testsuite><testcase classname="c" name="t"><properties>'
                     '<property name="check_id" value="x.s"/><property name="level" value="SHOULD"/>'
                     '<property name="outcome" value="error"/></properties>'
                     '<skipped type="conformance.not-failing" message="m"/></testcase></testsuite></testsuites>')
    scorecard = {"services": [{"checks": [{"id": "x.s", "level": "SHOULD", "outcome": "error",
                                           "cases": [{"outcome": "error"}]}]}]}
    assert junit_problems(junit, scorecard) == []


# -- the profile from elsewhere, an existing bundle, key files --------------------------------------------------


def test_certify_finds_a_relative_profile_from_another_directory(drs_run: dict[str, Path], keys: dict[str, Any],
                                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`cd /tmp && conformance certify /abs/run`: the profile the scorecard names relative to where the run
    started is found above the run directory (its sha-256 decides); a copy of the run elsewhere says how."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "profile.yaml").write_text("initiative: another profile of the same name\n")
    monkeypatch.chdir(elsewhere)
    out = tmp_path / "b.tar"
    assert main(["certify", str(drs_run["run_dir"].resolve()), "--key", str(keys["private"]), "-o", str(out)]) == 0, \
        capsys.readouterr().err
    with tarfile.open(out) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        profile = yaml.safe_load(tar.extractfile("profile.yaml").read())  # type: ignore[union-attr]
    assert profile["initiative"] == "Bundles Only"
    assert manifest["profile"]["source"] == "profile.yaml"  # as recorded: no folder of the vendor's machine
    (elsewhere / "profile.yaml").unlink()
    copy = copy_run(drs_run, tmp_path)
    capsys.readouterr()
    assert main(["certify", str(copy), "--key", str(keys["private"]), "-o", str(tmp_path / "c.tar")]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "the run's profile 'profile.yaml' is not at hand (a path relative to the directory the run started in" in err
    assert "pass --profile PATH" in err


def test_certify_replaces_a_bundle_only_with_force(drs_run: dict[str, Path], keys: dict[str, Any], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "b.tar"
    out.write_bytes(b"an earlier bundle")
    assert certify_copy(drs_run["run_dir"], drs_run, keys, out) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"-o {out}: a file is there already" in err and "--force" in err
    assert out.read_bytes() == b"an earlier bundle"
    assert main(["certify", str(drs_run["run_dir"]), "--key", str(keys["private"]), "--profile",
                 str(drs_run["profile"]), "-o", str(out), "--force"]) == 0
    assert "it replaced the file that was there" in capsys.readouterr().out
    assert verify(out, keys["public"], capsys)[0] == 0
    assert not list(tmp_path.glob(".b.tar.*"))  # no temporary file left beside it


def test_a_secp256k1_key_is_refused_naming_the_option(demo: dict[str, Any], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    private, public = write_pem_pair(tmp_path, "k1", ec.generate_private_key(ec.SECP256K1()))
    assert main(["certify", str(demo["run_dir"]), "--key", str(private), "-o", str(tmp_path / "b.tar")]) == 4
    err = capsys.readouterr().err
    assert err == f"conformance: --key {private}: an ECDSA key on secp256k1; use Ed25519 or ECDSA on P-256, " \
                  "P-384 or P-521\n"
    assert main(["verify", str(tmp_path / "b.tar"), "--public-key", str(public)]) == 4
    assert capsys.readouterr().err.startswith(f"conformance: --public-key {public}: an ECDSA key on secp256k1")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_key_file_that_is_not_a_regular_file_is_never_opened(bundle: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A FIFO with no writer would block the open without end: it is named, not read. (A writer is started so
    that a regression fails instead of hanging.)"""
    fifo = tmp_path / "key.pem"
    os.mkfifo(fifo)

    def writer() -> None:
        with contextlib.suppress(OSError), open(fifo, "wb") as handle:
            handle.write(b"not a key")

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        assert main(["verify", str(bundle), "--public-key", str(fifo)]) == 4
        err = capsys.readouterr().err
        assert err == f"conformance: --public-key {fifo}: not a regular file (a FIFO), so not read\n"
        assert main(["certify", str(tmp_path), "--key", str(fifo)]) == 4
        assert capsys.readouterr().err == f"conformance: --key {fifo}: not a regular file (a FIFO), so not read\n"
    finally:
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # lets a writer still waiting go
        thread.join(5)
    if Path("/dev/null").exists():
        assert main(["verify", str(bundle), "--public-key", "/dev/null"]) == 4
        assert "not a regular file (a character device)" in capsys.readouterr().err


# -- what a certificate says it does not cover ---------------------------------------------------------------


def test_undecided_must_checks_are_a_caveat_and_counted_by_verify(drs_run: dict[str, Path], keys: dict[str, Any],
                                                                  tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A DRS profile naming only bundles: every checksum MUST check is skipped as undecided, the service is
    conformant all the same (README, "Exit codes"), and the certificate says so, with the reasons."""
    scorecard = json.loads((drs_run["run_dir"] / "scorecard.json").read_text())
    drs = next(s for s in scorecard["services"] if s["standard"] == "drs")
    undecided = [c for c in drs["checks"] if c["level"] == "MUST" and c.get("skip_kind") == "undecided"]
    assert "drs.object.checksum-matches-bytes" in {c["id"] for c in undecided}
    out = tmp_path / "b.tar"
    assert certify_copy(drs_run["run_dir"], drs_run, keys, out) == 0
    with tarfile.open(out) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    caveat = next(c for c in manifest["caveats"] if c.startswith("drs drs-0: "))
    assert caveat.startswith(f"drs drs-0: {len(undecided)} MUST checks were skipped as undecided (the harness "
                             "could not decide them): ")
    assert re.search(r": \d+ × the profile lists no ", caveat), caveat
    code, output = verify(out, keys["public"], capsys)
    assert code == 0
    assert f"  - {caveat}" in output.splitlines()
    line = next(line for line in output.splitlines() if line.startswith("  drs "))
    assert f"MUST {drs['summary']['must_passed']}/{drs['summary']['must_total']}, 0 warnings, " \
           f"{drs['summary']['undecided']} undecided  http://127.0.0.1:" in line, line


def test_the_undecided_caveat_counts_the_most_frequent_reasons() -> None:
    def check(level: str, message: str, kind: str | None = "undecided") -> dict[str, Any]:
        return {"id": "x", "level": level, "outcome": "skipped", "message": message, "skip_kind": kind}

    checks = [check("MUST", "no objects"), check("MUST", "no objects"), check("MUST", "no token"),
              check("MUST", "no bundles"), check("MUST", "no   passport\n given"), check("MUST", "x" * 150),
              check("MUST", "another version", "not-applicable"), check("SHOULD", "no objects"),
              {"id": "y", "level": "MUST", "outcome": "passed"}]
    found = caveats({"selection": {}, "services": [{"key": "drs-0", "standard": "drs", "checks": checks}]})
    assert found == ["drs drs-0: 6 MUST checks were skipped as undecided (the harness could not decide them): "
                     "2 × no objects; 1 × no bundles; 1 × no passport given; 2 more, for 2 other reasons"]
    one = caveats({"selection": {}, "services": [{"key": "t-1", "standard": "tes", "checks": [check("MUST", "r")]}]})
    assert one == ["tes t-1: 1 MUST check was skipped as undecided (the harness could not decide it): 1 × r"]


def _bare_run(tmp_path: Path, specs: dict[str, Any]) -> Path:
    profile = tmp_path / "profile.yaml"
    profile.write_text("initiative: X\n")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "scorecard.json").write_text(json.dumps({
        "format": "ga4gh-conformance-scorecard/1", "initiative": "X", "services": [],
        "selection": {"standards": None, "checks": None}, "specs": specs,
        "profile": {"path": str(profile), "sha256": hashlib.sha256(profile.read_bytes()).hexdigest()}}))
    return run_dir


def test_schemas_that_differ_from_the_pins_are_a_caveat(tmp_path: Path, keys: dict[str, Any]) -> None:
    """A run with a doctored --specs-dir: the manifest lists the file under specs.schemas.differ, and its
    caveats say so."""
    from conformance.certify.manifest import certify

    doctored = tmp_path / "specs"
    (doctored / "drs" / "1.5.0").mkdir(parents=True)
    (doctored / "drs" / "1.5.0" / "openapi.yaml").write_text("openapi: 3.0.3  # edited\n")
    manifest = certify(_bare_run(tmp_path, {"available": True, "source": str(doctored)}), keys["key"],
                       tmp_path / "b.tar")
    assert list(manifest["specs"]["schemas"]["differ"]) == ["drs/1.5.0/openapi.yaml"]
    assert manifest["caveats"] == ["official schemas that differ from the pinned files: 1, e.g. drs/1.5.0/openapi.yaml"]


def test_a_schema_directory_not_at_hand_is_a_caveat(tmp_path: Path, keys: dict[str, Any]) -> None:
    from conformance.certify.manifest import certify

    manifest = certify(_bare_run(tmp_path, {"available": True, "source": str(tmp_path / "gone")}), keys["key"],
                       tmp_path / "b.tar")
    assert manifest["specs"]["schemas"] is None
    assert manifest["caveats"] == [f"the run's schema directory {str(tmp_path / 'gone')!r} is not at hand: its "
                                   "files were not compared with the pinned ones"]


# -- verify: the harness that wrote the bundle, --strict ---------------------------------------------------------


def test_verify_names_the_harness_and_suites_and_what_differs_here(bundle: Path, keys: dict[str, Any],
                                                                   tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import rfc8785

    from conformance._version import __version__
    from conformance.certify.manifest import sign
    from conformance.suite import discover

    with tarfile.open(bundle) as tar:
        items = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    manifest = json.loads(items["manifest.json"])
    installed = discover()
    # suites edited since the demo ran (none, but in a working tree being edited) are noted too
    edited = {standard for standard, info in manifest["harness"]["suites"].items()
              if info["version"] != installed[standard].fingerprint()}

    def noted(output: str) -> set[str]:
        return {line.split()[2] for line in output.splitlines() if line.startswith("note: suite ")}

    code, output = verify(bundle, keys["public"], capsys)
    assert code == 0
    drs = installed["drs"]
    assert f"Harness: conformance {__version__} (certified with {__version__})" in output.splitlines()
    assert f"drs {manifest['harness']['suites']['drs']['version']} ({len(drs.requirements)} requirements)" in output
    assert "note: the run's harness" not in output and noted(output) == edited  # the same harness

    manifest["harness"]["version"] = "0.0.1"
    manifest["harness"]["suites"]["drs"].update(version="000000000000", checks=3)
    manifest["harness"]["suites"]["nosuch"] = {"versions": ["1.0"], "checks": 1, "version": "abcdefabcdef"}
    items["manifest.json"] = rfc8785.dumps(manifest)
    items["manifest.jws"] = sign(items["manifest.json"], keys["key"]).encode()
    older = tmp_path / "older.tar"
    archive.write(older, list(items.items()))
    code, output = verify(older, keys["public"], capsys)
    assert code == 0, output  # informative, never a refusal
    lines = output.splitlines()
    assert f"note: the run's harness is conformance 0.0.1, this one is {__version__}" in lines
    assert f"note: suite drs here is {drs.fingerprint()} with {len(drs.requirements)} checks; the run's was " \
           "000000000000 with 3 checks (its checks or their catalogue differ from this harness's)" in lines
    assert "note: suite nosuch of the run is not installed here" in lines
    assert noted(output) == edited | {"drs", "nosuch"}  # the other suites are the same


def test_verify_strict_exits_3_on_caveats(bundle: Path, keys: dict[str, Any], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.certify.manifest import certify

    assert main(["verify", str(bundle), "--public-key", str(keys["public"])]) == 0  # the default is unchanged
    capsys.readouterr()
    assert main(["verify", str(bundle), "--public-key", str(keys["public"]), "--strict"]) == 3
    output = capsys.readouterr().out
    assert output.startswith("CAVEATS") and output.splitlines()[-1].startswith("STRICT: the bundle states ")
    clean = tmp_path / "clean.tar"
    assert certify(_bare_run(tmp_path, {}), keys["key"], clean)["caveats"] == []
    assert main(["verify", str(clean), "--public-key", str(keys["public"]), "--strict"]) == 0
    assert "STRICT" not in capsys.readouterr().out
    broken = tmp_path / "broken.tar"
    rewrite(bundle, broken, drop="report/summary.md")
    assert main(["verify", str(broken), "--public-key", str(keys["public"]), "--strict"]) == 1  # not verified


# -- docs/certification.md: verifying without this harness -----------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "certification.md"


def documented_blocks(language: str) -> list[str]:
    """The fenced ``language`` blocks of docs/certification.md's "Verifying without this harness"."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### Verifying without this harness", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)


def test_the_documented_header_is_the_real_one(bundle: Path) -> None:
    with tarfile.open(bundle) as tar:
        token = tar.extractfile("manifest.jws").read().decode()  # type: ignore[union-attr]
    header = jwt.get_unverified_header(token)
    documented = json.loads(documented_blocks("json")[0])
    assert set(documented) == set(header)
    assert header["b64"] is False and header["crit"] == ["b64"] and documented["typ"] == header["typ"]
    assert token.split(".")[1] == ""  # detached


def test_the_documented_recipes_verify_a_bundle(bundle: Path, demo: dict[str, Any], keys: dict[str, Any],
                                                tmp_path: Path) -> None:
    """The PyJWT call and the `cryptography`-only script of the docs accept bundles signed with Ed25519 and
    ECDSA keys, and refuse a changed bundle and another key."""
    import sys

    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    pyjwt_call, script = documented_blocks("python")
    recipe = tmp_path / "verify_bundle.py"
    recipe.write_text(script)
    signed = [(bundle, keys["public"])]
    for curve in (ec.SECP256R1(), ec.SECP521R1()):
        private, public = write_pem_pair(tmp_path, curve.name, ec.generate_private_key(curve))
        out = tmp_path / f"{curve.name}.tar"
        assert main(["certify", str(demo["run_dir"]), "--key", str(private), "-o", str(out)]) == 0
        signed.append((out, public))

    def run(path: Path, key: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(recipe), str(path), str(key)], capture_output=True, text=True,
                              timeout=60)

    for path, key in signed:
        done = run(path, key)
        assert done.returncode == 0 and done.stdout.startswith("verified: conformant"), done.stderr
        with tarfile.open(path) as tar:
            manifest = tar.extractfile("manifest.json").read()  # type: ignore[union-attr]
            token = tar.extractfile("manifest.jws").read().decode()  # type: ignore[union-attr]
        exec(pyjwt_call, {"jwt": jwt, "token": token, "manifest": manifest,  # the docs' own code
                          "key": load_pem_public_key(key.read_bytes())})
        with pytest.raises(jwt.InvalidSignatureError):
            exec(pyjwt_call, {"jwt": jwt, "token": token, "manifest": manifest + b" ",
                              "key": load_pem_public_key(key.read_bytes())})
    changed = tmp_path / "changed.tar"
    _flip(bundle, "report/summary.md", changed)
    assert "changed file: report/summary.md" in run(changed, keys["public"]).stderr
    altered = tmp_path / "altered.tar"
    _flip(bundle, "manifest.json", altered)
    assert "manifest.json or manifest.jws was altered" in run(altered, keys["public"]).stderr
    assert run(bundle, keys["other_public"]).returncode != 0


def test_the_manifest_and_verify_state_the_initiatives_id(tmp_path: Path, keys: dict[str, Any],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The signed manifest carries the scorecard's ``initiative_id`` (null for a scorecard without one), and
    ``conformance verify`` names it beside the initiative: a bundle says which member's run it is, not only the
    name the member gave."""
    from test_dashboard_certified import write_run

    profile = tmp_path / "profile.yaml"
    profile.write_text("initiative: x\n")
    with_id = write_run(tmp_path / "reports", "alpha", "20260201T000000Z", profile)
    edit_scorecard(with_id, lambda card: card.update(initiative="Alpha", initiative_id="alpha-genomics"))
    without = write_run(tmp_path / "reports", "beta", "20260201T000000Z", profile)
    for run_dir in (with_id, without):
        assert main(["certify", str(run_dir), "--key", str(keys["private"])]) == 0
    capsys.readouterr()
    signed = tmp_path / "reports" / "alpha" / "20260201T000000Z.conformance.tar"
    with tarfile.open(signed) as tar:
        manifest = json.loads(tar.extractfile(archive.MANIFEST).read())  # type: ignore[union-attr]
    assert manifest["run"]["initiative"] == "Alpha" and manifest["run"]["initiative_id"] == "alpha-genomics"
    code, output = verify(signed, keys["public"], capsys)
    # (the hand-written scorecard records no overall verdict: None)
    assert code == 0 and "\nAlpha (id alpha-genomics): None · 2026-02-01" in output, output
    code, output = verify(tmp_path / "reports" / "beta" / "20260201T000000Z.conformance.tar", keys["public"], capsys)
    assert code == 0 and "\nBeta: None · 2026-02-01" in output and "(id " not in output, output
