"""``report.html``, the page a person reads: the scorecard on top, then per service every requirement
with its checks and results, failures first with their evidence, skip reasons grouped and counted.

The page is rendered from the scorecard (the run's results), not from pytest's view of the session: no
test function names, node ids or install paths appear. It is self-contained (inline CSS, no script, no
network) and escapes every value, since most of them come from the server under test.

:func:`scorecard_block` and :func:`evidence_block` are fragments for a pytest-html page, which the
plugin still fills when a user asks pytest for one (``--html``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from conformance.redact import Redactor
from conformance.reports.atomic import atomic_write_text
from conformance.scorecard import Scorecard, utc_stamp

STYLE = """
<style>
.cf-scorecard table{border-collapse:collapse;margin:8px 0}
.cf-scorecard td,.cf-scorecard th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.cf-verdict{font-weight:bold;padding:1px 6px;border-radius:3px;color:#fff}
.cf-conformant{background:#2e7d32}.cf-non-conformant{background:#c62828}
.cf-incomplete{background:#ef6c00}.cf-unreachable{background:#616161}
.cf-evidence pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:6px}
</style>
"""


def _verdict(verdict: str) -> str:
    return f'<span class="cf-verdict cf-{escape(verdict)}">{escape(verdict)}</span>'


def scorecard_block(scorecard: Scorecard) -> str:
    rows = []
    for service in scorecard.services:
        counts = service.counts()
        failing = [c for c in service.checks if c.outcome == "failed"]
        problems = "".join(
            f"<li><code>{escape(c.id)}</code> ({escape(c.level)}{', warning' if c.warning else ''}): "
            f"{escape(c.message)}</li>" for c in failing)
        why = service.unreachable or service.untested
        rows.append(
            f"<tr><td>{escape(service.standard)} <code>{escape(service.key)}</code></td>"
            f"<td>{escape(service.version)}</td><td>{escape(service.url)}</td><td>{_verdict(service.verdict())}"
            f"{'<br>' + escape(why) if why else ''}</td>"
            f"<td>{counts['must_passed']}/{counts['must_total']}</td><td>{counts['warnings']}</td>"
            f"<td>{counts['error']}</td><td>{counts['skipped']}</td>"
            f"<td>{'<ul>' + problems + '</ul>' if problems else ''}</td></tr>")
    specs_note = "" if scorecard.specs.get("available") else \
        f"<p>Schema checks skipped: {escape(str(scorecard.specs.get('how_to_get')))}</p>"
    notices = "".join(f"<li>{escape(n)}</li>" for n in scorecard.notices)
    since = ""
    if scorecard.baseline is not None:  # `conformance run --baseline OLD`
        from conformance.diff import compare, render_html

        since = render_html(compare(scorecard.baseline, scorecard.to_dict()))
    return (
        f'{STYLE}{since}<div class="cf-scorecard"><h2>Scorecard: {escape(scorecard.initiative)} — '
        f"{_verdict(scorecard.overall())}</h2>"
        f"<p>{utc_stamp(scorecard.started)} → {utc_stamp(scorecard.finished)} · harness "
        f"{escape(scorecard.harness_version)} · seed {scorecard.seed} · profile sha256 "
        f"<code>{escape(str(scorecard.profile.get('sha256', ''))[:16])}</code></p>"
        "<table><tr><th>Service</th><th>Version</th><th>URL</th><th>Verdict</th><th>MUST passed</th>"
        "<th>Warnings</th><th>Errors</th><th>Skipped</th><th>Failed checks</th></tr>"
        + "".join(rows) + "</table>" + specs_note
        + registry_block(scorecard.registry)
        + (f"<h3>Notices</h3><ul>{notices}</ul>" if notices else "") + "</div>"
    )


def registry_block(registry: Mapping[str, Any] | None) -> str:
    """The service registry the profile named: listed, tested, and each service not tested with the reason."""
    if not registry:
        return ""
    not_tested = registry.get("not_tested") or []
    rows = "".join(f"<li>not tested: {escape(str(e.get('id')))} ({escape(str(e.get('type')))}): "
                   f"{escape(str(e.get('reason')))}</li>" for e in not_tested)
    return (f"<h3>Service registry</h3><p>{escape(str(registry.get('url')))}: {escape(str(registry.get('listed', 0)))}"
            f" listed, {len(registry.get('tested') or [])} tested, {len(not_tested)} not tested</p>"
            + (f"<ul>{rows}</ul>" if rows else ""))


def evidence_block(exchange: dict[str, Any]) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in exchange.get("response_headers", {}).items())
    outcome = exchange.get("error") or f"{exchange.get('status')}"
    return (
        '<div class="cf-evidence"><p><b>Reproduce</b></p>'
        f"<pre>{escape(exchange['curl'])}</pre><p><b>Answer</b>: {escape(str(outcome))}</p>"
        f"<pre>{escape(headers)}</pre><pre>{escape(exchange.get('response_body', '')[:4000])}</pre></div>"
    )


# -- the page ------------------------------------------------------------------------------------------------

FILENAME = "report.html"
CSS = Path(__file__).with_name("report.css")
#: How much of a response body the page shows; scorecard.json has the evidence as captured.
BODY_CHARS = 4000
NOT_APPLICABLE = "not-applicable"
UNDECIDED = "undecided"
_LEVELS = {"MUST": 0, "SHOULD": 1, "MAY": 2}
_OUTCOME_WORDS = {"failed": "FAIL", "warning": "WARN", "error": "ERROR", "passed": "PASS", "skipped": "SKIP"}
# Absolute paths into an installation (a virtual environment, site-packages, the source checkout) say
# nothing about the server; they are cut down to the path inside the package.
_INSTALL_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s'\"<>:]*?[/\\](?:site|dist)-packages[/\\]")


def _install_roots() -> list[str]:
    here = Path(__file__).resolve()
    roots = {str(here.parents[2])}  # the folder holding the conformance package (a checkout or site-packages)
    return sorted((r.rstrip("/\\") + os.sep for r in roots if len(r) > 1), key=len, reverse=True)


_ROOTS = _install_roots()


def _text(value: object) -> str:
    """A value as escaped text, install paths cut."""
    text = "" if value is None else str(value)
    text = _INSTALL_PATH.sub("", text)
    for root in _ROOTS:
        text = text.replace(root, "")
    # Quotes stay as they are in text (escaping them would change what the redaction patterns of the
    # final pass over the file see, e.g. the end of a quoted Authorization header in a curl line).
    return escape(text, quote=False)


def _attr(value: object) -> str:
    """A value inside an attribute (quoted with double quotes)."""
    return escape("" if value is None else str(value), quote=True)


def _anchor(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "--".join(parts)).strip("-") or "x"


def _effective(check: Mapping[str, Any]) -> str:
    """The outcome as the page shows it: a failed SHOULD or MAY is a warning."""
    outcome = str(check.get("outcome", ""))
    if outcome == "failed" and check.get("level") != "MUST":
        return "warning"
    return outcome


def _skip_kind(check: Mapping[str, Any]) -> str | None:
    kind = check.get("skip_kind")
    if kind is None:
        kinds = {c.get("skip_kind") for c in check.get("cases", []) if c.get("outcome") == "skipped"}
        kinds.discard(None)
        kind = kinds.pop() if len(kinds) == 1 else None
    return str(kind) if kind else None


def _outcome_badge(outcome: str) -> str:
    return f'<span class="outcome o-{_attr(outcome)}">{_OUTCOME_WORDS.get(outcome, _text(outcome))}</span>'


def _verdict_badge(verdict: object) -> str:
    return f'<span class="verdict v-{_attr(verdict)}">{_text(verdict)}</span>'


_TEXT_TYPES = re.compile(r"^(text/|application/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|yaml)\b)", re.I)


def _looks_binary(body: str, headers: Mapping[str, Any]) -> bool:
    """A body that was bytes, not text: decoded, it shows only as replacement and control characters."""
    content_type = next((str(v) for k, v in headers.items() if str(k).lower() == "content-type"), "")
    if content_type and _TEXT_TYPES.match(content_type.strip()):
        return False
    sample = body[:2000]
    odd = sum(1 for ch in sample if ch == "\ufffd" or (ch < " " and ch not in "\t\r\n"))
    return odd > len(sample) // 20


def _evidence(exchange: Mapping[str, Any]) -> str:
    parts = ['<dl class="evidence">']
    if exchange.get("curl"):
        parts.append(f"<dt>Reproduce</dt><dd><pre>{_text(exchange['curl'])}</pre></dd>")
    elif exchange.get("url"):
        parts.append(f"<dt>Request</dt><dd><code>{_text(exchange.get('method', 'GET'))} "
                     f"{_text(exchange['url'])}</code></dd>")
    redirected = exchange.get("redirected_from") or []
    if redirected:
        parts.append("<dt>Redirected from</dt><dd>" + "<br>".join(f"<code>{_text(u)}</code>" for u in redirected)
                     + "</dd>")
    if exchange.get("error"):
        parts.append(f"<dt>Answer</dt><dd>{_text(exchange['error'])}</dd>")
    else:
        parts.append(f"<dt>Answer</dt><dd>HTTP {_text(exchange.get('status'))}</dd>")
    headers = exchange.get("response_headers") or {}
    if headers:
        lines = "\n".join(f"{k}: {v}" for k, v in headers.items())
        parts.append(f"<dt>Headers</dt><dd><pre>{_text(lines)}</pre></dd>")
    body = str(exchange.get("response_body") or "")
    if body and _looks_binary(body, headers):
        size = exchange.get("body_bytes") or len(body)
        parts.append(f"<dt>Body</dt><dd>{_text(size)} bytes of binary content, not shown as text.</dd>")
    elif body:
        more = len(body) - BODY_CHARS
        note = f" (first {BODY_CHARS} characters shown; {more} more in scorecard.json)" if more > 0 else ""
        size = exchange.get("body_bytes")
        read = f"{size} bytes read" if size else ""
        if exchange.get("truncated"):
            read += ", cut at the response size limit"
        caption = "; ".join(x for x in (read, note.strip(" ()")) if x)
        parts.append(f"<dt>Body{' (' + _text(caption) + ')' if caption else ''}</dt>"
                     f"<dd><pre>{_text(body[:BODY_CHARS])}</pre></dd>")
    parts.append("</dl>")
    return "".join(parts)


def _cases(check: Mapping[str, Any]) -> str:
    """The cases of a check that did not pass, each with its message and evidence."""
    cases = [c for c in check.get("cases", []) if c.get("outcome") in ("failed", "error")]
    if not cases:
        return ""
    many = len(check.get("cases", [])) > 1
    parts = []
    shown_message = check.get("message")
    for case in cases:
        label = case.get("case")
        head = []
        if many or label:
            head.append(f"<p>{_outcome_badge(str(case.get('outcome')))} case <code>{_text(label or '—')}</code>")
            if case.get("message") and not str(shown_message or "").startswith(str(case["message"])):
                head.append(f": {_text(case['message'])}")
            head.append("</p>")
        if case.get("limit"):
            head.append(f"<p>Stopped by the limit <code>{_text(case['limit'])}</code>.</p>")
        evidence = "".join(_evidence(e) for e in case.get("evidence") or [])
        parts.append("".join(head) + evidence)
    return "".join(parts)


def _caused_list(children: Sequence[Mapping[str, Any]], cause: str) -> str:
    if not children:
        return ""
    items = "".join(
        f'<li id="{_anchor(str(c.get("_service")), str(c.get("id")))}">{_outcome_badge(_effective(c))} '
        f'<span class="level">{_text(c.get("level"))}</span> <code>{_text(c.get("id"))}</code> '
        f'(<span class="citation">{_text(c.get("citation"))}</span>): caused by <code>{_text(cause)}</code>'
        f'{": " + _text(c.get("message")) if c.get("message") else ""}</li>'
        for c in children)
    return (f'<div class="caused"><p><span class="count">{len(children)}</span> more '
            f'{"check" if len(children) == 1 else "checks"} failed because of this one:</p>'
            f'<ul class="compact">{items}</ul></div>')


def _check_block(service_key: str, check: Mapping[str, Any], children: Sequence[Mapping[str, Any]]) -> str:
    outcome = _effective(check)
    cid = str(check.get("id"))
    expected = check.get("expected_failure")
    waived = ""
    if isinstance(expected, Mapping):
        waived = (f"<p>Expected failure ({_text(expected.get('status'))}): {_text(expected.get('reason'))}, "
                  f"until {_text(expected.get('expires'))}.</p>")
    cause = check.get("caused_by")
    caused = f"<p>Caused by <code>{_text(cause)}</code>.</p>" if cause else ""
    limit = f"<p>Stopped by the limit <code>{_text(check['limit'])}</code>.</p>" if check.get("limit") else ""
    return (
        f'<article class="check {_attr(outcome)}" id="{_anchor(service_key, cid)}">'
        f'<h4>{_outcome_badge(outcome)} <span class="level">{_text(check.get("level"))}</span> '
        f"<code>{_text(cid)}</code></h4>"
        f'<p class="requirement">{_text(check.get("requirement"))} '
        f'<span class="citation">({_text(check.get("citation"))})</span></p>'
        f'<p class="message">{_text(check.get("message"))}</p>'
        f"{caused}{limit}{waived}{_cases(check)}{_caused_list(children, cid)}</article>"
    )


def _group_by_message(checks: Iterable[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for check in checks:
        groups.setdefault(str(check.get("message") or "no reason given"), []).append(check)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def _id_list(service_key: str, checks: Iterable[Mapping[str, Any]]) -> str:
    return '<ul class="compact">' + "".join(
        f'<li id="{_anchor(service_key, str(c.get("id")))}"><span class="level">{_text(c.get("level"))}</span> '
        f'<code>{_text(c.get("id"))}</code> <span class="citation">({_text(c.get("citation"))})</span></li>'
        for c in checks) + "</ul>"


def _grouped_list(service_key: str, groups: list[tuple[str, list[Mapping[str, Any]]]]) -> str:
    return "".join(f'<details><summary><span class="count">{len(checks)} ×</span> {_text(reason)}</summary>'
                   f"{_id_list(service_key, checks)}</details>" for reason, checks in groups)


def _passed_table(service_key: str, checks: Sequence[Mapping[str, Any]]) -> str:
    rows = "".join(
        f'<tr id="{_anchor(service_key, str(c.get("id")))}"><td><code>{_text(c.get("id"))}</code></td>'
        f'<td>{_text(c.get("level"))}</td><td>{_text(c.get("requirement"))}'
        # the note a passed check left (the release its terms come from, say)
        f'{"<br><i>" + _text(c.get("message")) + "</i>" if c.get("message") else ""}</td>'
        f'<td class="citation">{_text(c.get("citation"))}</td>'
        f'<td class="num">{len(c.get("cases", []))}</td></tr>'
        for c in checks)
    return ("<table><tr><th>Requirement</th><th>Level</th><th>What it says</th><th>Citation</th>"
            f"<th>Cases</th></tr>{rows}</table>")


_SKIP_TITLES = {NOT_APPLICABLE: "Not applicable to this service", UNDECIDED: "Could not be decided", None: "Skipped"}


def _skip_counts(checks: Iterable[Mapping[str, Any]]) -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for check in checks:
        if check.get("outcome") == "skipped":
            kind = _skip_kind(check)
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def _skip_cell(checks: Sequence[Mapping[str, Any]]) -> str:
    counts = _skip_counts(checks)
    total = sum(counts.values())
    if not total or set(counts) == {None}:
        return str(total)
    words = {NOT_APPLICABLE: "not applicable", UNDECIDED: "undecided", None: "other"}
    detail = ", ".join(f"{n} {words.get(k, str(k))}" for k, n in sorted(counts.items(), key=lambda i: str(i[0])))
    return f"{total} ({_text(detail)})"


def _is_consequence(check: Mapping[str, Any], ids: set[Any]) -> bool:
    """A check shown under the failure of its cause (a check of the same service), not as a failure of its own."""
    cause = check.get("caused_by")
    return bool(cause) and cause in ids and cause != check.get("id") and check.get("outcome") in ("failed", "error")


def _service_section(service: Mapping[str, Any]) -> str:
    key = str(service.get("key"))
    checks = [dict(c, _service=key) for c in service.get("checks", [])]
    ids = {c.get("id") for c in checks}
    children: dict[str, list[Mapping[str, Any]]] = {}
    top = []
    for check in checks:
        if _is_consequence(check, ids):
            children.setdefault(str(check.get("caused_by")), []).append(check)
        else:
            top.append(check)

    def order(check: Mapping[str, Any]) -> tuple[int, str]:
        return (_LEVELS.get(str(check.get("level")), 3), str(check.get("id")))

    failed = sorted((c for c in top if c.get("outcome") == "failed"), key=order)
    errors = [c for c in top if c.get("outcome") == "error"]
    passed = sorted((c for c in top if c.get("outcome") == "passed"), key=order)
    skipped = [c for c in top if c.get("outcome") == "skipped"]
    label = service.get("name") or f"{service.get('standard')} {service.get('version')}"
    parts = [
        f'<section class="service" id="{_anchor("service", key)}">'
        f"<h2>{_text(label)} <code>{_text(key)}</code> {_verdict_badge(service.get('verdict'))}</h2>"
        f'<p class="meta">{_text(service.get("standard"))} {_text(service.get("version"))} · '
        f"<code>{_text(service.get('url'))}</code> · service <code>{_text(key)}</code></p>"
    ]
    if service.get("unreachable"):
        parts.append(f'<p class="banner bad">Unreachable: {_text(service["unreachable"])}</p>')
    if service.get("not_run"):
        parts.append(f'<p class="banner">{_text(service["not_run"])} checks did not run.</p>')
    if service.get("untested"):
        parts.append(f'<p class="banner">Untested: {_text(service["untested"])}</p>')
    if service.get("created"):
        parts.append(_created_block(service["created"]))
    must = [c for c in failed if c.get("level") == "MUST"]
    warnings = [c for c in failed if c.get("level") != "MUST"]
    if must:
        parts.append(f"<h3>Failed: {len(must)} MUST {'requirement' if len(must) == 1 else 'requirements'}</h3>")
        parts += [_check_block(key, c, children.get(str(c.get("id")), [])) for c in must]
    if warnings:
        parts.append(f"<h3>Warnings: {len(warnings)} SHOULD or MAY "
                     f"{'requirement' if len(warnings) == 1 else 'requirements'} not met</h3>")
        parts += [_check_block(key, c, children.get(str(c.get("id")), [])) for c in warnings]
    if errors:
        parts.append(f"<h3>Errors (the harness could not tell): {len(errors)}</h3>")
        for message, group in _group_by_message(errors):
            if len(group) == 1:
                only = group[0]
                parts.append(_check_block(key, only, children.get(str(only.get("id")), [])))
            else:
                example = next(((c, e) for c in sorted(group, key=order) for case in c.get("cases", [])
                                for e in case.get("evidence") or []), None)
                shown = (f"<p>For example, <code>{_text(example[0].get('id'))}</code>:</p>{_evidence(example[1])}"
                         if example else "")
                parts.append(f'<article class="check error"><h4>{_outcome_badge("error")} '
                             f'<span class="count">{len(group)} ×</span> {_text(message)}</h4>'
                             f"<details><summary>the {len(group)} checks</summary>"
                             f"{_id_list(key, sorted(group, key=order))}</details>{shown}</article>")
    if skipped:
        by_kind: dict[str | None, list[Mapping[str, Any]]] = {}
        for check in skipped:
            by_kind.setdefault(_skip_kind(check), []).append(check)
        for kind in sorted(by_kind, key=lambda k: (k is None, str(k))):
            group = by_kind[kind]
            title = _SKIP_TITLES.get(kind, f"Skipped ({kind})")
            parts.append(f"<h3>{_text(title)}: {len(group)}</h3>{_grouped_list(key, _group_by_message(group))}")
    if passed:
        parts.append(f"<h3>Passed: {len(passed)}</h3><details><summary>the requirements met</summary>"
                     f"{_passed_table(key, passed)}</details>")
    parts.append("</section>")
    return "".join(parts)


def _created_block(created: Sequence[Mapping[str, Any]]) -> str:
    """What the run created on the service (``writes: true``) and how it left each (issue 14)."""
    rows = "".join(f"<tr><td>{_text(c.get('kind'))}</td><td><code>{_text(c.get('id'))}</code></td>"
                   f"<td>{_text(c.get('state') or 'not read')}</td><td>{_text(c.get('outcome'))}</td></tr>"
                   for c in created)
    return (f'<h3>Created by this run: {len(created)}</h3><table class="created"><thead><tr><th>Kind</th>'
            f"<th>Id</th><th>Last state</th><th>Outcome</th></tr></thead><tbody>{rows}</tbody></table>")


def _scorecard_table(services: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for service in services:
        checks = service.get("checks", [])
        summary = service.get("summary") or {}
        # one root cause, one failure (issue 19): as the service's section heads its failed MUST requirements
        ids = {c.get("id") for c in checks}
        must_failed = sum(1 for c in checks if c.get("outcome") == "failed" and c.get("level") == "MUST"
                          and not _is_consequence(c, ids))
        label = service.get("name") or service.get("standard")
        rows.append(
            f'<tr><td><a href="#{_anchor("service", str(service.get("key")))}">{_text(label)}</a> '
            f"<code class=\"key\">{_text(service.get('key'))}</code></td>"
            f"<td>{_text(service.get('version'))}</td><td><code>{_text(service.get('url'))}</code></td>"
            f"<td>{_verdict_badge(service.get('verdict'))}</td>"
            f'<td class="num">{_text(summary.get("must_passed"))}/{_text(summary.get("must_total"))}</td>'
            f'<td class="num">{must_failed}</td><td class="num">{_text(summary.get("warnings", 0))}</td>'
            f'<td class="num">{_text(summary.get("error", 0))}</td><td class="num">{_skip_cell(checks)}</td></tr>')
    return ("<table><tr><th>Service</th><th>Version</th><th>URL</th><th>Verdict</th><th>MUST passed</th>"
            "<th>MUST failed</th><th>Warnings</th><th>Errors</th><th>Skipped</th></tr>"
            + "".join(rows) + "</table>")


def render(card: Mapping[str, Any], since: str = "") -> str:
    """The page of a scorecard given as ``scorecard.json`` holds it (already redacted); ``since`` is the
    "Since last run" block of ``conformance run --baseline`` (already escaped HTML), shown first."""
    services = card.get("services", [])
    specs = card.get("specs") or {}
    usage = card.get("usage") or {}
    banners = []
    if card.get("interrupted"):
        banners.append('<p class="banner bad">This run was interrupted: the results below are partial.</p>')
    if specs and not specs.get("available"):
        how = f" ({_text(specs.get('how_to_get'))})" if specs.get("how_to_get") else ""
        banners.append(f'<p class="banner"><b>Schemas not checked</b>: checks that validate responses against '
                       f"the official GA4GH schemas were skipped{how}.</p>")
    if usage.get("limits_hit"):
        banners.append('<p class="banner">Limits reached: '
                       + ", ".join(f"<code>{_text(x)}</code>" for x in usage["limits_hit"]) + "</p>")
    notices = card.get("notices") or []
    notice_list = registry_block(card.get("registry")) + (
        "<h3>Notices</h3><ul>" + "".join(f"<li>{_text(n)}</li>" for n in notices) + "</ul>" if notices else "")
    profile = card.get("profile") or {}
    harness = card.get("harness") or {}
    title = f"{card.get('initiative')}: GA4GH conformance"
    meta = (f"{_text(card.get('started'))} → {_text(card.get('finished'))} · harness {_text(harness.get('version'))}"
            f" · seed {_text(card.get('seed'))}{' (explore)' if card.get('explore') else ''}"
            f" · {_text(usage.get('requests', 0))} requests")
    if profile.get("sha256"):
        meta += f" · profile sha256 <code>{_text(str(profile['sha256'])[:16])}</code>"
    contact = f" · contact {_text(card.get('contact'))}" if card.get("contact") else ""
    css = CSS.read_text(encoding="utf-8")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_text(title)}</title><style>{css}</style></head><body>"
        f'<header><h1>{_text(card.get("initiative"))}: GA4GH conformance {_verdict_badge(card.get("verdict"))}</h1>'
        f'<p class="meta">{meta}{contact}</p></header>{since}'
        f'<section id="scorecard"><h2>Scorecard: {_text(card.get("initiative"))}</h2>'
        f"{''.join(banners)}{_scorecard_table(services)}"
        "<p class=\"meta\">A failed MUST makes a service non-conformant; a failed SHOULD or MAY is a warning. "
        "Each requirement below names the spec version and section it comes from.</p>"
        f"{notice_list}</section>"
        + "".join(_service_section(s) for s in services)
        + '<footer>Written by the GA4GH conformance harness; scorecard.json holds the same results for '
          "other tools.</footer></body></html>\n"
    )


def write(scorecard: Scorecard, directory: Path, redactor: Redactor) -> Path:
    """``report.html`` from the scorecard, redacted value by value before it is escaped."""
    since = ""
    if scorecard.baseline is not None:  # `conformance run --baseline OLD`
        from conformance.diff import compare, render_html

        since = render_html(compare(redactor.structure(scorecard.baseline), redactor.structure(scorecard.to_dict())))
    page = render(redactor.structure(scorecard.to_dict()), since)
    path = directory / FILENAME
    atomic_write_text(path, page)
    return path
