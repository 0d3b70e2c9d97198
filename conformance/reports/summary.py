"""``summary.md``: the run in a few lines, fit for a CI step summary (GitHub's $GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.markdown import md
from conformance.redact import Redactor
from conformance.reports.atomic import encodable
from conformance.scorecard import (
    CONFORMANT,
    INCOMPLETE,
    NON_CONFORMANT,
    NOT_APPLICABLE,
    UNDECIDED,
    UNREACHABLE,
    CheckResult,
    Scorecard,
    ServiceResult,
    skip_reasons,
    utc_stamp,
)

VERDICT_MARK = {"conformant": "✅ conformant", "non-conformant": "❌ non-conformant",
                "incomplete": "⚠️ incomplete", "unreachable": "⛔ unreachable"}


def _line(check: CheckResult) -> str:
    text = f"- `{check.id}` ({check.level}, {md(check.citation)})"
    if check.message:
        text += f": {md(check.message)}"
    if check.expected_failure:
        text += (f" _(expected failure: {md(check.expected_failure.get('status'))}; "
                 f"{md(check.expected_failure['reason'])})_")
    return text


def _grouped(checks: list[CheckResult], service: ServiceResult) -> list[str]:
    """Each failure with the failures it caused nested under it (issue 19: one root cause, one failure)."""
    lines = []
    for check in checks:
        lines.append(_line(check))
        lines += [f"  - consequence: {_line(c)[2:]}" for c in service.checks
                  if c.consequence and c.caused_by == check.id]
    return lines


def _skip_reasons(scorecard: Scorecard, limit: int = 10) -> list[str]:
    """Skipped checks by reason and kind (issue 21.12): "does not apply" apart from "could not be decided"."""
    lines: list[str] = []
    for kind, title in ((UNDECIDED, "Skipped: could not be decided"), (NOT_APPLICABLE, "Skipped: does not apply")):
        ranked = skip_reasons(scorecard, kind)
        if not ranked:
            continue
        shown = ranked if len(ranked) <= limit + 1 else ranked[:limit]  # never "1 × 1 other reasons"
        lines += ["", f"**{title}** ({sum(count for _, count in ranked)} checks)",
                  *[f"- {count} × {md(reason)}" for reason, count in shown]]
        if len(shown) < len(ranked):
            lines.append(f"- {sum(c for _, c in ranked[limit:])} × {len(ranked) - limit} other reasons "
                         "(see scorecard.json)")
    return lines


def render(scorecard: Scorecard) -> str:
    lines = [
        f"# GA4GH conformance: {md(scorecard.initiative)}",
        "",
        f"Overall: **{scorecard.headline()}** (exit code {scorecard.exit_code()}) · "
        f"{utc_stamp(scorecard.started)} → {utc_stamp(scorecard.finished)} · harness {scorecard.harness_version} · "
        f"seed {scorecard.seed}" + (" (explore)" if scorecard.explore else ""),
        "",
    ]
    waived = waived_verdict(scorecard)
    if waived:  # the exit code's verdict, beside the true one
        lines += [f"Exit code {scorecard.exit_code()}: {waived}.", ""]
    if scorecard.interrupted:
        lines += ["> **The run was interrupted**: checks that did not run make the verdict incomplete.", ""]
    if scorecard.schemas_not_checked:
        lines += [f"> **Schemas not checked**: {scorecard.specs.get('how_to_get') or 'official schemas missing'}. "
                  "No service is conformant until they are.", ""]
    lines += [
        "| Service | Version | Verdict | MUST passed | Warnings | Errors | Does not apply | Undecided |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for service in scorecard.services:
        counts = service.counts()
        lines.append(
            f"| {service.standard} `{service.key}` {md(service.url)} | {service.version} | "
            f"{VERDICT_MARK[service.verdict()]} | {counts['must_passed']}/{counts['must_total']} | "
            f"{counts['warnings']} | {counts['error']} | {counts['not_applicable']} | {counts['undecided']} |")
    sections = False
    for service in scorecard.services:
        failed = [c for c in service.checks if c.outcome == "failed" and c.level == "MUST" and not c.consequence]
        warned = [c for c in service.checks if c.warning and not c.consequence]
        errors = [c for c in service.checks if c.outcome == "error"]
        if not (failed or warned or errors or service.unreachable or service.untested):
            continue
        sections = True
        lines += ["", f"## {service.standard} {service.version} ({service.key}): {service.verdict()}"]
        if service.unreachable:
            lines += ["", f"Unreachable: {md(service.unreachable)}"]
        if service.untested:
            lines += ["", f"Untested: {md(service.untested)}"]
        if failed:
            lines += ["", "**Failed MUST checks**", *_grouped(failed, service)]
        if warned:
            lines += ["", "**Warnings (failed SHOULD/MAY checks)**", *_grouped(warned, service)]
        if errors and not service.unreachable:
            lines += ["", "**Errors (the harness could not tell)**", *map(_line, errors)]
        elif errors:
            lines += ["", f"{len(errors)} checks could not run."]
    # what follows is of the whole run: under a heading of its own, not the last service's
    run_wide = _skip_reasons(scorecard) + created_lines(scorecard)
    if scorecard.limits_hit:
        run_wide += ["", f"Limits reached: {', '.join(scorecard.limits_hit)} (see `budget` in the profile)."]
    if not scorecard.specs.get("available") and not scorecard.schemas_not_checked:
        run_wide += ["", f"Schema checks were skipped: {scorecard.specs.get('how_to_get')}."]
    if scorecard.registry is not None:
        run_wide += ["", *registry_lines(scorecard.registry)]
    if scorecard.notices:
        run_wide += ["", "**Notices**", *[f"- {md(n)}" for n in scorecard.notices]]
    if run_wide and sections:
        lines += ["", "## The whole run"]
    lines += run_wide
    if scorecard.baseline is not None:
        lines[1:1] = ["", since_last_run(scorecard).rstrip("\n")]
    return "\n".join(lines) + "\n"


def waived_verdict(scorecard: Scorecard) -> str | None:
    """``with N expected failures waived: VERDICT``, the verdict the exit code follows, where the profile's
    expected failures make it differ from the true one the reports lead with; else None."""
    order = [NON_CONFORMANT, UNREACHABLE, INCOMPLETE, CONFORMANT]
    verdicts = {s.verdict(waive=True) for s in scorecard.services}
    waived = next((v for v in order if v in verdicts), INCOMPLETE)
    if waived == scorecard.overall():
        return None
    count = sum(1 for s in scorecard.services for c in s.checks if c.waived)
    return f"with {count} expected failure{'' if count == 1 else 's'} waived: {waived}"


def created_lines(scorecard: Scorecard) -> list[str]:
    """What the run created on services with ``writes: true``, and how it left each (issue 14)."""
    lines: list[str] = []
    for service in scorecard.services:
        if not service.created:
            continue
        if not lines:
            lines += ["", "**Created by this run** (writes: true)", "",
                      "| Service | Kind | Id | Last state | Outcome |", "|---|---|---|---|---|"]
        for item in service.created:
            ident = item.id.replace("|", "\\|").replace("`", "'")
            lines.append(f"| {service.standard} `{service.key}` | {item.kind} | `{ident}` | "
                         f"{item.state or 'not read'} | {item.outcome} |")
    return lines


def since_last_run(scorecard: Scorecard) -> str:
    """``conformance run --baseline OLD``: what changed since that run, at the top of the summary."""
    from conformance.diff import compare, render_markdown

    assert scorecard.baseline is not None
    return render_markdown(compare(scorecard.baseline, scorecard.to_dict()), heading="##")


def write(scorecard: Scorecard, directory: Path, redactor: Redactor) -> Path:
    path = directory / "summary.md"
    path.write_text(encodable(redactor.text(render(scorecard))), encoding="utf-8")
    return path


def registry_lines(registry: dict[str, Any]) -> list[str]:
    """What the profile's service registry listed, and which of its services were not tested and why."""
    not_tested = registry.get("not_tested") or []
    lines = [f"**Service registry** {md(registry.get('url'))}: {md(registry.get('listed', 0))} listed, "
             f"{len(registry.get('tested') or [])} tested, {len(not_tested)} not tested"]
    lines += [f"- not tested: {md(e.get('id'))} ({md(e.get('type'))}): {md(e.get('reason'))}" for e in not_tested]
    return lines
