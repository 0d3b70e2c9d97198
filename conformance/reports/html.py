"""HTML fragments for ``report.html`` (written by pytest-html): the scorecard on top, and the
evidence of each failed or errored check."""

from __future__ import annotations

from html import escape
from typing import Any

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
        rows.append(
            f"<tr><td>{escape(service.standard)} <code>{escape(service.key)}</code></td>"
            f"<td>{escape(service.version)}</td><td>{escape(service.url)}</td><td>{_verdict(service.verdict())}"
            f"{'<br>' + escape(service.unreachable) if service.unreachable else ''}</td>"
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
        + (f"<h3>Notices</h3><ul>{notices}</ul>" if notices else "") + "</div>"
    )


def evidence_block(exchange: dict[str, Any]) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in exchange.get("response_headers", {}).items())
    outcome = exchange.get("error") or f"{exchange.get('status')}"
    return (
        '<div class="cf-evidence"><p><b>Reproduce</b></p>'
        f"<pre>{escape(exchange['curl'])}</pre><p><b>Answer</b>: {escape(str(outcome))}</p>"
        f"<pre>{escape(headers)}</pre><pre>{escape(exchange.get('response_body', '')[:4000])}</pre></div>"
    )
