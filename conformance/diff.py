"""Run-to-run comparison: ``conformance diff OLD NEW`` and ``conformance run --baseline OLD``.

Two runs are compared check by check, per service (matched by standard, role and url, else by the service's
key in the run: standard, role and position in the profile). Runs of different harness versions or suite
fingerprints are compared where the check ids match; checks present on one side only are listed as such,
never counted as regressions. A regression is a check that failed in the new run and did not in the old
one, whatever its level (a failed SHOULD or MAY is a warning, and a new warning is still news to CI).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.errors import UsageError
from conformance.markdown import md

FORMAT = "ga4gh-conformance-diff/1"
SCORECARD = "scorecard.json"
BUNDLE_SCORECARD = "report/scorecard.json"
#: A file larger is no scorecard (and is not read into memory).
MAX_SCORECARD_BYTES = 256 * 2**20


def load_scorecard(source: str | Path) -> dict[str, Any]:
    """The scorecard of a run directory, of a ``scorecard.json`` or of a certification bundle (read,
    not verified: ``conformance verify`` does that)."""
    path = Path(source).expanduser()
    if path.is_dir():
        path = path / SCORECARD
        if not path.is_file():
            raise UsageError(f"{source}: no {SCORECARD} in this directory (is it a run directory?)")
    if not path.exists():
        raise UsageError(f"{source}: no such report directory or bundle")
    if not path.is_file():  # a FIFO would hold the command forever, a device be read without end
        raise UsageError(f"{source}: not a regular file, so not read")
    if path.stat().st_size > MAX_SCORECARD_BYTES:
        raise UsageError(f"{source}: larger than {MAX_SCORECARD_BYTES // 2**20} MiB, more than any scorecard; not read")
    import tarfile

    if path.suffix != ".json" and tarfile.is_tarfile(path):
        from conformance.certify import bundle

        try:
            members = bundle.read(path).members
        except bundle.BundleError as exc:
            raise UsageError(str(exc)) from None
        if BUNDLE_SCORECARD not in members:
            raise UsageError(f"{source}: a bundle without {BUNDLE_SCORECARD}")
        raw = members[BUNDLE_SCORECARD]
    else:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{source}: cannot read ({exc.strerror or exc})") from None
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"{source}: not a scorecard (not JSON)") from None
    except RecursionError:
        raise UsageError(f"{source}: not a scorecard (JSON nested too deeply to read)") from None
    if not isinstance(document, dict) or not str(document.get("format", "")).startswith("ga4gh-conformance-scorecard/"):
        raise UsageError(f"{source}: not a ga4gh-conformance scorecard")
    from conformance.scorecard import FORMAT as SCORECARD_FORMAT

    if document["format"] != SCORECARD_FORMAT:  # another format may rename what this one reads
        raise UsageError(f"{source}: a scorecard of format {str(document['format'])[:80]!r}; this harness reads "
                         f"{SCORECARD_FORMAT}")
    return document


@dataclass
class CheckChange:
    service: str
    id: str
    level: str
    before: str | None
    after: str | None
    message: str = ""
    before_message: str = ""
    before_level: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"service": self.service, "id": self.id, "level": self.level, "before": self.before,
                "after": self.after, "message": self.message}
        if self.before_message != self.message:
            data["before_message"] = self.before_message
        if self.before_level and self.before_level != self.level:
            data["before_level"] = self.before_level
        return data


@dataclass
class Comparison:
    old: dict[str, Any]
    new: dict[str, Any]
    regressions: list[CheckChange] = field(default_factory=list)
    fixed: list[CheckChange] = field(default_factory=list)
    changed: list[CheckChange] = field(default_factory=list)
    only_old: list[CheckChange] = field(default_factory=list)
    only_new: list[CheckChange] = field(default_factory=list)
    services_added: list[dict[str, Any]] = field(default_factory=list)
    services_removed: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    #: services found in both runs whose verdict got worse: conformant no longer, or unreachable now
    verdicts_worse: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.regressions or self.fixed or self.changed or self.only_old or self.only_new
                    or self.services_added or self.services_removed
                    or any(s["before"] != s["after"] for s in self.scores))

    def exit_code(self) -> int:
        """1 when a check newly fails or a service's verdict got worse (CI gates on it), else 0."""
        return 1 if self.regressions or self.verdicts_worse else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "old": _run_label(self.old), "new": _run_label(self.new),
            "unchanged": self.unchanged,
            "regressions": [c.to_dict() for c in self.regressions],
            "fixed": [c.to_dict() for c in self.fixed],
            "changed": [c.to_dict() for c in self.changed],
            "only_in_old": [c.to_dict() for c in self.only_old],
            "only_in_new": [c.to_dict() for c in self.only_new],
            "services_added": self.services_added, "services_removed": self.services_removed,
            "scores": self.scores, "verdicts_worse": self.verdicts_worse, "notes": self.notes,
        }


def _worse(before: object, after: object) -> bool:
    """Whether a service's verdict got worse: conformant before and not now (non-conformant, incomplete,
    unreachable), or answering before and unreachable now. A check newly failing is a regression of its own."""
    return (before == "conformant" and after != "conformant") or (before != "unreachable" and after == "unreachable")


def _run_label(scorecard: dict[str, Any]) -> dict[str, Any]:
    return {"initiative": scorecard.get("initiative"), "started": scorecard.get("started"),
            "harness": (scorecard.get("harness") or {}).get("version"), "verdict": scorecard.get("verdict")}


def _score(service: dict[str, Any]) -> dict[str, Any]:
    summary = service.get("summary") or {}
    return {"verdict": service.get("verdict"), "must_passed": summary.get("must_passed"),
            "must_total": summary.get("must_total"), "warnings": summary.get("warnings")}


def compare(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    result = Comparison(old, new)
    old_harness, new_harness = old.get("harness") or {}, new.get("harness") or {}
    if old_harness.get("version") != new_harness.get("version"):
        result.notes.append(f"harness {old_harness.get('version')} → {new_harness.get('version')}: compared "
                            "check by check where the ids match")
    old_suites, new_suites = old_harness.get("suites") or {}, new_harness.get("suites") or {}
    for standard in sorted(set(old_suites) & set(new_suites)):
        before, after = old_suites[standard].get("version"), new_suites[standard].get("version")
        if before != after:
            result.notes.append(f"the {standard} suite changed (fingerprint {before} → {after}): compared check "
                                "by check where the ids match")
    same_id = old.get("initiative_id") is not None and old.get("initiative_id") == new.get("initiative_id")
    if old.get("initiative") != new.get("initiative") and same_id:
        result.notes.append(f"the initiative {old.get('initiative_id')!r} was renamed: {old.get('initiative')!r} → "
                            f"{new.get('initiative')!r}")
    elif old.get("initiative") != new.get("initiative"):
        result.notes.append(f"OLD is a run of {old.get('initiative')!r}, NEW of {new.get('initiative')!r}")
    elif old.get("initiative_id") != new.get("initiative_id") and old.get("initiative_id") and \
            new.get("initiative_id"):
        result.notes.append(f"OLD is a run of the initiative {old.get('initiative_id')!r}, NEW of "
                            f"{new.get('initiative_id')!r}, both named {new.get('initiative')!r}")
    old_services = {s.get("key"): s for s in old.get("services", [])}
    new_services = {s.get("key"): s for s in new.get("services", [])}
    old_of, why = _pairs(old_services, new_services)
    for new_key, old_key in old_of.items():
        if old_key != new_key:
            result.notes.append(f"{old_key} (old) is compared with {new_key} (new): {why[new_key]}")
    for key, service in old_services.items():
        if key not in old_of.values():
            result.services_removed.append({"key": key, "standard": service.get("standard"), "url": service.get("url")})
    for key, service in new_services.items():
        if key not in old_of:
            result.services_added.append({"key": key, "standard": service.get("standard"), "url": service.get("url")})
            continue
        before_service = old_services[old_of[key]]
        if before_service.get("version") != service.get("version"):
            # its checks then differ for that reason alone ("not a requirement of" that version): say it once
            result.notes.append(f"{key} declares {service.get('standard')} {service.get('version')}, "
                                f"{before_service.get('version')} in the old run")
        result.scores.append({"service": key, "standard": service.get("standard"),
                              "before": _score(before_service), "after": _score(service)})
        if _worse(before_service.get("verdict"), service.get("verdict")):
            result.verdicts_worse.append({"service": key, "standard": service.get("standard"),
                                          "before": before_service.get("verdict"), "after": service.get("verdict")})
        if service.get("verdict") == "unreachable":  # every check an error for want of the service: no news each
            reason = service.get("unreachable") if isinstance(service.get("unreachable"), str) else "no answer"
            result.notes.append(f"{key} was unreachable in the new run ({reason}): none of its "
                                f"{len(service.get('checks', []))} checks could run; they are not listed one by one")
            continue
        before_checks = {c["id"]: c for c in before_service.get("checks", [])}
        after_checks = {c["id"]: c for c in service.get("checks", [])}
        for check_id, check in before_checks.items():
            if check_id not in after_checks:
                result.only_old.append(CheckChange(key, check_id, check.get("level", ""), check.get("outcome"), None,
                                                   before_message=check.get("message", "")))
        for check_id, after in after_checks.items():
            level, outcome, message = after.get("level", ""), after.get("outcome"), after.get("message", "")
            if check_id not in before_checks:
                result.only_new.append(CheckChange(key, check_id, level, None, outcome, message))
                continue
            before = before_checks[check_id]
            change = CheckChange(key, check_id, level, before.get("outcome"), outcome, message,
                                 before.get("message", ""), before.get("level"))
            if outcome == "failed" and before.get("outcome") != "failed":
                result.regressions.append(change)
            elif outcome == "passed" and before.get("outcome") in ("failed", "error"):
                result.fixed.append(change)
            elif (outcome != before.get("outcome") or level != before.get("level")
                  or (outcome == "skipped" and message != before.get("message", ""))):
                result.changed.append(change)
    for name, card in (("OLD", old), ("NEW", new)):
        partial = _partial(card)
        if partial:
            result.notes.append(f"{name} is {partial}: checks it did not run are listed as only in the other run, "
                                "not as gone or added")
    old_started, new_started = old.get("started"), new.get("started")
    if isinstance(old_started, str) and isinstance(new_started, str) and new_started < old_started:
        result.notes.append("the new run started before the old one: are OLD and NEW swapped?")
    return result


def _partial(card: dict[str, Any]) -> str:
    """Why a run checked less than its profile: filtered (--check, --standard) or interrupted; "" if neither."""
    raw = card.get("selection")
    selection: dict[str, Any] = raw if isinstance(raw, dict) else {}
    why = [f"filtered with --{flag} ({len(chosen)} given)" for flag, chosen in
           (("check", selection.get("checks")), ("standard", selection.get("standards")))
           if isinstance(chosen, list) and chosen]
    if card.get("interrupted"):
        why.append("interrupted")
    return " and ".join(why)


def _identifies(url: object) -> bool:
    from conformance.http.policy import is_loopback

    host = (urlsplit(url).hostname or "") if isinstance(url, str) else ""
    return bool(host) and not is_loopback(host)


def _kind(service: dict[str, Any]) -> str:
    """A service's standard, with its role where the key names one (``<standard>-<role>-<position>``)."""
    standard = str(service.get("standard"))
    key = str(service.get("key", ""))
    middle = key[len(standard) + 1:].rsplit("-", 1)[0] if key.startswith(standard + "-") else ""
    return f"{standard} {middle}" if middle and not middle.isdigit() else standard


def _pairs(old: dict[Any, dict[str, Any]], new: dict[Any, dict[str, Any]]) -> tuple[dict[Any, Any], dict[Any, str]]:
    """Which old service each new one is compared with (new key → old key), and why, where the keys differ.

    A key names a service by its position in the profile, so a profile reordered gives the same service
    another key: a service is first paired with the one of its standard (and role) at the same url, where
    exactly one is there on each side (a url that names a deployment: not a loopback one, which a reference
    server gets anew each run, nor none, a data standard's); then by key; then what is left where exactly one
    of a standard (and role) is left on each side. No pairing is a guess."""
    pairs: dict[Any, Any] = {}
    why: dict[Any, str] = {}

    def grouped(services: dict[Any, dict[str, Any]], by: Callable[[dict[str, Any]], Any]) -> dict[Any, list[Any]]:
        groups: dict[Any, list[Any]] = {}
        for key, service in services.items():
            groups.setdefault(by(service), []).append(key)
        return groups

    at_url = grouped(old, lambda s: (_kind(s), s.get("url")))
    for place, keys in grouped(new, lambda s: (_kind(s), s.get("url"))).items():
        if not _identifies(place[1]):
            continue
        if len(keys) == 1 and len(at_url.get(place, [])) == 1:
            pairs[keys[0]] = at_url[place][0]
            why[keys[0]] = "the same url"
    for key, service in new.items():
        if key not in pairs and key in old and key not in pairs.values() and _kind(old[key]) == _kind(service):
            pairs[key] = key
    left_old = grouped({k: s for k, s in old.items() if k not in pairs.values()}, _kind)
    for kind, keys in grouped({k: s for k, s in new.items() if k not in pairs}, _kind).items():
        if len(keys) == 1 and len(left_old.get(kind, [])) == 1:
            pairs[keys[0]] = left_old[kind][0]
            why[keys[0]] = f"the only {kind} service left on each side"
    return pairs, why


# -- rendering -----------------------------------------------------------------------------------------------


def _change_line(change: CheckChange) -> str:
    text = f"- `{change.id}` on `{change.service}` ({change.level}): {change.before or '—'} → {change.after or '—'}"
    if change.before_level and change.before_level != change.level:
        text += f" (level {change.before_level} → {change.level})"
    message = change.message if change.after else change.before_message
    if message:
        text += f": {md(message)}"
    return text


def render_markdown(comparison: Comparison, *, heading: str = "#") -> str:
    from conformance.scorecard import counted

    old, new = _run_label(comparison.old), _run_label(comparison.new)
    lines = [f"{heading} Since last run",
             "",
             f"{md(old['initiative'])}: {old['verdict']} ({old['started']}, harness {md(old['harness'])}) → "
             + (f"{md(new['initiative'])}: " if new["initiative"] != old["initiative"] else "")
             + f"{new['verdict']} ({new['started']}, harness {md(new['harness'])})"]
    if comparison.unchanged:
        lines += ["", "No change."]
    sections = [("Regressions (newly failing)", comparison.regressions),
                ("Newly passing", comparison.fixed),
                ("Other changes (outcome, level or skip reason)", comparison.changed),
                ("Checks only in the old run", comparison.only_old),
                ("Checks only in the new run", comparison.only_new)]
    for title, changes in sections:
        if changes:
            lines += ["", f"**{title}** ({len(changes)})", *map(_change_line, changes)]
    if comparison.verdicts_worse:
        lines += ["", f"**Verdicts worse** ({len(comparison.verdicts_worse)})",
                  *[f"- `{s['service']}` {s['standard']}: {s['before']} → {s['after']}"
                    for s in comparison.verdicts_worse]]
    if comparison.services_added:
        lines += ["", "**Services added**", *[f"- `{s['key']}` {s['standard']} {md(s['url'])}"
                                              for s in comparison.services_added]]
    if comparison.services_removed:
        lines += ["", "**Services removed**", *[f"- `{s['key']}` {s['standard']} {md(s['url'])}"
                                                for s in comparison.services_removed]]
    moved = [s for s in comparison.scores if s["before"] != s["after"]]
    if moved:
        lines += ["", "| Service | Before | After |", "|---|---|---|"]
        def cell(score: dict[str, Any]) -> str:
            if score["verdict"] == "unreachable":  # its counts are of checks that could not run
                return "unreachable, no check could run"
            return (f"{score['verdict']}, MUST {score['must_passed']}/{score['must_total']}, "
                    f"{counted(score['warnings'], 'warning')}")

        for score in moved:
            lines.append(f"| {score['standard']} `{score['service']}` | {cell(score['before'])} | "
                         f"{cell(score['after'])} |")
    if comparison.notes:
        lines += ["", *[f"_{md(note)}_" for note in comparison.notes]]
    return "\n".join(lines) + "\n"


def render_json(comparison: Comparison) -> str:
    return json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_html(comparison: Comparison) -> str:
    """The same comparison for the top of report.html."""
    from html import escape

    def items(changes: list[CheckChange]) -> str:
        return "".join(f"<li>{escape(_change_line(c)[2:])}</li>" for c in changes)

    old, new = _run_label(comparison.old), _run_label(comparison.new)
    parts = [f'<div class="cf-since-last-run"><h2>Since last run</h2><p>{escape(str(old["verdict"]))} '
             f'({escape(str(old["started"]))}) → {escape(str(new["verdict"]))} ({escape(str(new["started"]))})</p>']
    if comparison.unchanged:
        parts.append("<p>No change.</p>")
    for title, changes in (("Regressions (newly failing)", comparison.regressions),
                           ("Newly passing", comparison.fixed), ("Other changes", comparison.changed),
                           ("Checks only in the old run", comparison.only_old),
                           ("Checks only in the new run", comparison.only_new)):
        if changes:
            parts.append(f"<h3>{escape(title)} ({len(changes)})</h3><ul>{items(changes)}</ul>")
    for title, services in (("Services added", comparison.services_added),
                            ("Services removed", comparison.services_removed)):
        if services:
            parts.append(f"<h3>{title}</h3><ul>" + "".join(
                f"<li>{escape(str(s['key']))} {escape(str(s['url']))}</li>" for s in services) + "</ul>")
    parts += [f"<p><i>{escape(note)}</i></p>" for note in comparison.notes]
    return "".join(parts) + "</div>"
