"""conformance/dashboard/certified.py: the certified badge (issue 18) on the adoption matrix."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from conformance.certify.manifest import certify
from conformance.cli import main


def write_run(root: Path, slug: str, stamp: str, profile: Path) -> Path:
    run_dir = root / slug / stamp
    run_dir.mkdir(parents=True)
    started = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}Z"
    document = {"format": "ga4gh-conformance-scorecard/1", "initiative": slug.title(),
                "harness": {"version": "0.1.0", "suites": {"std-a": {"versions": [], "checks": 1}}},
                "started": started, "finished": started, "interrupted": False,
                "profile": {"path": str(profile), "sha256": hashlib.sha256(profile.read_bytes()).hexdigest()},
                "selection": {"standards": None, "checks": None},
                "services": [{"key": "std-a-0", "standard": "std-a", "version": "1.0.0", "url": "https://a.example.org",
                              "verdict": "conformant", "verdict_with_expected_failures": "conformant",
                              "summary": {"must_passed": 1, "must_total": 1, "warnings": 0},
                              "checks": [{"id": "a.one", "level": "MUST", "outcome": "passed", "citation": "X §1",
                                          "message": "", "requirement": "r", "cases": []}]}]}
    (run_dir / "scorecard.json").write_text(json.dumps(document), encoding="utf-8")
    return run_dir


def bundle(run_dir: Path, key: ed25519.Ed25519PrivateKey) -> None:
    certify(run_dir, key, run_dir.parent / f"{run_dir.name}.conformance.tar")


def public_pem(path: Path, key: ed25519.Ed25519PrivateKey) -> Path:
    path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def badges(site: Path) -> dict[str, bool]:
    """Initiative → whether a cell of its row has the certified badge."""
    page = (site / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><th scope="row"><a href="initiatives/([^".]+)\.html">[^<]*</a></th>(.*?)</tr>', page)
    return {slug: 'class="certified"' in cells for slug, cells in rows}


@pytest.fixture
def reports(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "reports"
    profile = tmp_path / "profile.yaml"
    profile.write_text("initiative: x\n")
    key, other = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
    bundle(write_run(root, "alpha", "20260201T000000Z", profile), key)             # certified
    bundle(write_run(root, "beta", "20260201T000000Z", profile), other)            # another key
    bundle(write_run(root, "gamma", "20260101T000000Z", profile), key)             # an older run only
    write_run(root, "gamma", "20260201T000000Z", profile)
    edited = write_run(root, "delta", "20260201T000000Z", profile)                 # edited after certifying
    bundle(edited, key)
    scorecard = edited / "scorecard.json"
    scorecard.write_text(scorecard.read_text().replace('"conformant"', '"conformant" '))
    write_run(root, "epsilon", "20260201T000000Z", profile)                        # no key listed
    bundle(root / "epsilon" / "20260201T000000Z", key)
    keys_file = tmp_path / "keys.yaml"
    public_pem(tmp_path / "alpha.pem", key)
    keys_file.write_text("Alpha: [alpha.pem]\nbeta: alpha.pem\ngamma: [alpha.pem]\ndelta: [alpha.pem]\n")
    return root, keys_file


def test_badge_only_where_the_latest_run_verifies_against_a_listed_key(reports: tuple[Path, Path],
                                                                       tmp_path: Path) -> None:
    root, keys_file = reports
    site = tmp_path / "site"
    assert main(["dashboard", str(root), "--out", str(site), "--certification-keys", str(keys_file)]) == 0
    assert badges(site) == {"alpha": True, "beta": False, "delta": False, "epsilon": False, "gamma": False}
    matrix = json.loads((site / "matrix.json").read_text(encoding="utf-8"))
    assert {i["slug"] for i in matrix["initiatives"] if "certified" in i} == {"alpha"}  # for other tools too


def test_no_keys_file_no_badge(reports: tuple[Path, Path], tmp_path: Path) -> None:
    root, _ = reports
    site = tmp_path / "site"
    assert main(["dashboard", str(root), "--out", str(site)]) == 0
    assert not any(badges(site).values())


def test_a_bad_keys_file_is_one_line(reports: tuple[Path, Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = reports
    bad = tmp_path / "bad.yaml"
    for text, message in (("- a\n- b\n", "expected a mapping of initiative to key files"),
                          ("alpha: {x: 1}\n", "alpha: expected a list of key files"),
                          ("alpha: [missing.pem]\n", f"--certification-keys {bad}: alpha: no such key file "
                                                      f"{tmp_path / 'missing.pem'}")):
        bad.write_text(text)
        assert main(["dashboard", str(root), "--out", str(tmp_path / "site"), "--certification-keys", str(bad)]) == 4
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err


def _edit(run_dir: Path, **fields: object) -> None:
    card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    card.update(fields)
    (run_dir / "scorecard.json").write_text(json.dumps(card), encoding="utf-8")


def test_the_badge_follows_the_cell_never_a_partial_run(tmp_path: Path) -> None:
    """A certified run filtered with --check is not the cell (the latest whole run is): no badge for it; a whole
    certified run the cell shows keeps its badge though a filtered run came after; an interrupted run, certified
    or not, gets none."""
    root = tmp_path / "reports"
    profile = tmp_path / "profile.yaml"
    profile.write_text("initiative: x\n")
    key = ed25519.Ed25519PrivateKey.generate()
    write_run(root, "alpha", "20260101T000000Z", profile)  # whole, not certified
    partial = write_run(root, "alpha", "20260201T000000Z", profile)
    _edit(partial, selection={"standards": None, "checks": ["a.one"]})
    bundle(partial, key)  # certified, with the caveat "filtered with --check"
    bundle(write_run(root, "beta", "20260101T000000Z", profile), key)  # whole and certified: the cell
    after = write_run(root, "beta", "20260201T000000Z", profile)
    _edit(after, selection={"standards": None, "checks": ["a.one"]})
    interrupted = write_run(root, "gamma", "20260101T000000Z", profile)
    _edit(interrupted, interrupted=True, services=[{**json.loads((interrupted / "scorecard.json").read_text())
                                                      ["services"][0], "interrupted": True,
                                                    "verdict": "incomplete",
                                                    "verdict_with_expected_failures": "incomplete"}])
    bundle(interrupted, key)
    public_pem(tmp_path / "k.pem", key)
    keys_file = tmp_path / "keys.yaml"
    keys_file.write_text("alpha: [k.pem]\nbeta: [k.pem]\ngamma: [k.pem]\n")
    site = tmp_path / "site"
    assert main(["dashboard", str(root), "--out", str(site), "--certification-keys", str(keys_file)]) == 0
    assert badges(site) == {"alpha": False, "beta": True, "gamma": False}
    matrix = json.loads((site / "matrix.json").read_text(encoding="utf-8"))
    certified = {c["initiative"]: c["started"] for c in matrix["cells"] if "certified" in c}
    assert certified == {"beta": "2026-01-01T00:00:00Z"}


# -- initiatives with an id: certified by the keys listed for the id, never by a name's -----------------------


def _member(root: Path, folder: str, stamp: str, profile: Path, name: str, initiative_id: str | None) -> Path:
    run_dir = write_run(root, folder, stamp, profile)
    _edit(run_dir, initiative=name, **({"initiative_id": initiative_id} if initiative_id else {}))
    return run_dir


def _site(root: Path, keys_file: Path, tmp_path: Path) -> tuple[dict[str, bool], dict[str, str]]:
    site = tmp_path / "site"
    assert main(["dashboard", str(root), "--out", str(site), "--certification-keys", str(keys_file)]) == 0
    matrix = json.loads((site / "matrix.json").read_text(encoding="utf-8"))
    certified = {c["initiative"]: c["certified"]["kid"] for c in matrix["cells"] if "certified" in c}
    page = (site / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><th scope="row"><a href="initiatives/([^".]+)\.html">.*?</th>(.*?)</tr>', page)
    return {slug: 'class="certified"' in cells for slug, cells in rows}, certified


def test_two_members_that_keep_one_name_are_each_certified_by_their_own_keys(tmp_path: Path) -> None:
    """Listed by name, two members named alike accepted each other's bundles; by id, each row takes its own key
    only."""
    from conformance.certify.keys import thumbprint

    root, profile = tmp_path / "reports", tmp_path / "profile.yaml"
    profile.write_text("initiative: x\n")
    one, two = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
    bundle(_member(root, "example", "20260201T000000Z", profile, "Example", "member-one"), one)
    bundle(_member(root, "example", "20260201T000001Z", profile, "Example", "member-two"), one)  # one's key
    public_pem(tmp_path / "one.pem", one)
    public_pem(tmp_path / "two.pem", two)
    keys_file = tmp_path / "keys.yaml"
    keys_file.write_text("ids:\n  member-one: [one.pem]\n  member-two: [two.pem]\n")
    found, certified = _site(root, keys_file, tmp_path)
    assert found == {"member-one": True, "member-two": False}
    assert certified == {"member-one": thumbprint(one)}


def test_a_run_with_an_id_is_never_certified_by_a_name_entry(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Another member can give any name, and any id: a run claiming member-one's id, signed with a key listed for
    the name it gives, is not member-one's certified run; the name entry is said to be unused, and why."""
    root, profile = tmp_path / "reports", tmp_path / "profile.yaml"
    profile.write_text("initiative: x\n")
    owner, other = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
    bundle(_member(root, "example", "20260201T000000Z", profile, "Example", "member-one"), other)
    public_pem(tmp_path / "owner.pem", owner)
    public_pem(tmp_path / "other.pem", other)
    keys_file = tmp_path / "keys.yaml"
    keys_file.write_text("ids:\n  member-one: [owner.pem]\nExample: [other.pem]\n")
    found, certified = _site(root, keys_file, tmp_path)
    assert found == {"member-one": False} and certified == {}
    out = capsys.readouterr().out
    assert (f"{keys_file}: example: the initiative of this name has the id member-one: a name entry never certifies "
            "an initiative with an id; list its keys under ids: member-one; its keys were not used") in out


def test_runs_from_before_the_id_are_certified_by_the_ids_keys(tmp_path: Path) -> None:
    """A run without an id shown as an id's history is that row's: the id's keys certify it, a name entry does
    not; an initiative that never took an id is certified by its name, as before ids."""
    root, profile = tmp_path / "reports", tmp_path / "profile.yaml"
    profile.write_text("initiative: x\n")
    key, other = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
    early = _member(root, "alpha", "20260101T000000Z", profile, "Alpha", None)
    _edit(early, services=[{**json.loads((early / "scorecard.json").read_text())["services"][0],
                            "standard": "std-b", "key": "std-b-0"}])  # the cell of std-b: this run's
    bundle(early, key)
    bundle(_member(root, "alpha", "20260201T000000Z", profile, "Alpha", "alpha-genomics"), key)
    bundle(_member(root, "beta", "20260201T000000Z", profile, "Beta", None), other)
    public_pem(tmp_path / "k.pem", key)
    public_pem(tmp_path / "other.pem", other)
    keys_file = tmp_path / "keys.yaml"
    keys_file.write_text("ids: {alpha-genomics: [k.pem]}\nBeta: [other.pem]\nAlpha: [other.pem]\n")
    _, certified = _site(root, keys_file, tmp_path)
    assert set(certified) == {"alpha-genomics", "beta"}
    site = json.loads((tmp_path / "site" / "matrix.json").read_text(encoding="utf-8"))
    assert {(c["initiative"], c["standard"]) for c in site["cells"] if "certified" in c} == {
        ("alpha-genomics", "std-a"), ("alpha-genomics", "std-b"), ("beta", "std-a")}


@pytest.mark.parametrize(("text", "message"), [
    ("ids: [a]\n", "ids: expected a mapping of initiative id to key files"),
    ("ids: {Alpha Genomics: [k.pem]}\n", "ids: 'Alpha Genomics' is not a slug"),
    ("ids: {alpha: [missing.pem]}\n", "ids: alpha: no such key file"),
    ("ids: {alpha: {x: 1}}\n", "ids: alpha: expected a list of key files"),
])
def test_a_bad_ids_section_is_one_line(reports: tuple[Path, Path], tmp_path: Path, text: str, message: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = reports
    (tmp_path / "k.pem").write_text("unused")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    assert main(["dashboard", str(root), "--out", str(tmp_path / "site"), "--certification-keys", str(bad)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--certification-keys {bad}: {message}" in err, err


def test_an_id_entry_for_no_initiative_is_said(reports: tuple[Path, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root, keys_file = reports
    keys_file.write_text(keys_file.read_text() + "ids:\n  nobody-here: [alpha.pem]\n")
    assert main(["dashboard", str(root), "--out", str(tmp_path / "site"), "--certification-keys", str(keys_file)]) == 0
    assert (f"{keys_file}: ids: nobody-here: no initiative of these reports has this id; its keys were not used"
            in capsys.readouterr().out)
