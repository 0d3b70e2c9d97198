"""Generate docs/profile.md, the profile reference, from what the harness itself declares.

The key sets come from the profile parser (`conformance/profile.py`: top-level keys, service-entry keys,
`auth:` keys, the `budget:` fields and their defaults) and each built-in suite's `SUITE` (title,
versions, `service_options` with their descriptions, `auth_keys`); the words for the parser's keys are
below, and a key the parser knows but this page does not describe stops the generator. The examples
are the files of profiles/examples/. Usage:

    python tools/make_profile_doc.py            # rewrite docs/profile.md
    python tools/make_profile_doc.py --check    # exit 1 if docs/profile.md is stale

tests/quality/test_profile_docs.py fails when the page is stale.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from conformance import profile
from conformance.errors import ProfileError
from conformance.limits import Budget
from conformance.suite import Suite, discover

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "profile.md"
EXAMPLES = REPO / "profiles" / "examples"

TOP = {
    "initiative": "required: the initiative's name, shown on every report; it names the report directory",
    "id": "optional, recommended: the initiative's identity across runs, a short slug of its own choosing "
          "(lower-case letters a-z, digits and single hyphens, at most 64 characters, such as "
          "`example-national-genomics`), recorded in the scorecard as `initiative_id`. The adoption dashboard "
          "knows an initiative by it: keep it when the initiative renames itself (its row stays, noting the "
          "former name), and never give one another member uses (their runs would share one row); the forum's "
          "certification keys file lists the initiative's keys under it. Without it the initiative is known by "
          "its name, and two members that keep one name share a row",
    "contact": "optional: who runs the services (shown on the scorecard)",
    "services": "required (unless `registry` is given): the services to check, one entry each (below)",
    "registry": "a GA4GH service-registry URL whose `/services` lists services to check, beside or instead of "
                "`services`",
    "budget": "optional: the run's bounds (below); the defaults suit a production endpoint",
    "expected_failures": "optional: known gaps that let CI pass until they expire (below)",
    "ca_bundle": "optional: a PEM file of extra CA certificates for every service (a private TLS deployment)",
    "proxy": "optional: the proxy to reach services through: an http(s) URL (scheme, host, port) or `environment` "
             "(the one `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` name, heeding `NO_PROXY`; its credentials, if any, "
             "there); a service on this machine is never proxied",
}
SERVICE = {
    "standard": "required: which suite checks the service (one of the standards below)",
    "version": "required: the version of the standard the service declares; a version the suite does not "
               "know is refused",
    "url": "required (unless `reference`): the API base the spec's paths hang from (http or https); for a data "
           "standard (one whose entries name `documents`), optional: the base relative documents resolve against "
           "(else the profile file's folder)",
    "auth": "optional: credentials, only as names of environment variables (below)",
    "name": "optional: how the reports name the service",
    "ca_bundle": "optional: a PEM file of extra CA certificates for this service (overrides the top-level one)",
    "reference": "instead of `url`: `true` starts the standard's embedded reference server on a free loopback "
                 "port; `{faults: [name, ...]}` starts it with named faults (`conformance reference faults "
                 "STANDARD` lists them), `{options: {...}}` passes it options",
}
AUTH_EXTRA = {
    "allowed_hosts": "a list of host names besides the service's own origin that may receive its credentials "
                     "(credentials never go anywhere else; over https only, unless the service itself is on "
                     "http); the URLs answers give on those hosts are requested "
                     "as the service's own are, even where the host is on a private network (a URL off the "
                     "service's origin is otherwise not requested at a private or loopback address unless the "
                     "service is on one)",
}
BUDGET = {
    "max_seconds": "the whole run, in seconds",
    "request_timeout_seconds": "one request, connect to last byte, in seconds",
    "max_requests": "requests in the whole run",
    "requests_per_second": "the cap of the run's rate; under it each remote origin gets an adaptive "
                           "rate that starts at 10/s, grows while answers come as fast as the origin's best, "
                           "shrinks when they slow down and halves on 429/503 (waiting out Retry-After); "
                           "loopback servers are not throttled unless the profile sets a cap",
    "max_response_bytes": "one response body; a larger one is cut and the cut is noted",
    "max_run_bytes": "all bytes downloaded in the run (data-integrity checks read whole objects)",
    "max_examples": "hypothesis examples per property check",
    "max_document_bytes": "one JSON or other document held to be parsed, counted on decompressed bytes while "
                          "reading (byte streams are hashed as they arrive and never held)",
    "max_memory_mb": "resident memory the run adds to what the process held when it began (the harness "
                     "itself, about 100 MB); an exchange that would pass it stops with an error naming the "
                     "cause and the run goes on",
    "concurrent_requests": "requests to one service in flight at once, where a suite fetches side by side the "
                           "answers several checks need (every listed DRS object, its AccessURLs and bytes; every "
                           "listed refget sequence): raise it for a server a network away that answers requests "
                           "in parallel; side by side, a server that answers one request at a time can keep "
                           "queued requests past their timeout, and one that prepares answers in turn (202 "
                           "Accepted) can answer otherwise; the rate cap still holds; at most 16",
}
EXPECTED = {
    "check": "required: the check id (as `conformance list-checks` prints it)",
    "reason": "required: why the failure is accepted for now",
    "expires": "required: a date (YYYY-MM-DD); after it the failure counts again",
    "service": "optional: only for services of this standard, with this URL, or with this key",
}


class StaleError(Exception):
    """The parser declares something this generator does not describe (or the reverse)."""


def _same_keys(what: str, described: Mapping[str, str], declared: set[str]) -> None:
    if set(described) != declared:
        missing, extra = sorted(declared - set(described)), sorted(set(described) - declared)
        raise StaleError(f"{what}: the parser declares {missing} undescribed here, and {extra} are described "
                         "but not declared; update tools/make_profile_doc.py")


def _expected_failure_keys() -> set[str]:
    """The keys of an `expected_failures` entry, as the parser's own error message lists them."""
    try:
        profile.parse_profile({"initiative": "x", "services": [], "registry": "https://r.example",
                               "expected_failures": [{"?": 1}]}, standards={})
    except ProfileError as exc:
        known = str(exc).rsplit("(known: ", 1)[-1].rstrip(")")
        return {k.strip() for k in known.split(",")}
    raise StaleError("expected_failures: the parser accepted an unknown key")


def _type(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type", "any")
    text = " or ".join(kind) if isinstance(kind, list) else str(kind)
    if kind == "array" and "items" in schema:
        items = schema["items"]
        if items.get("type") == "object" and "properties" in items:
            fields = ", ".join(f"`{k}`{'' if k in items.get('required', []) else '?'}" for k in items["properties"])
            return f"list of {{{fields}}}"
        return f"list of {_type(items)}"
    if "enum" in schema:
        text += " (" + " or ".join(f"`{v}`" for v in schema["enum"]) + ")"
    return text


def _number(value: object) -> str:
    return str(int(value)) if isinstance(value, (int, float)) and float(value).is_integer() else str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _examples_by_standard() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(EXAMPLES.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for standard in sorted({s.get("standard") for s in document.get("services", [])}):
            found.setdefault(str(standard), []).append(path.name)
    return found


def _suite_section(suite: Suite, examples: list[str]) -> list[str]:
    lines = [f"### `{suite.standard}`: {suite.title}", ""]
    versions = ", ".join(f"`{v}`" for v in suite.versions) if suite.versions else \
        "any (the version of the API the service implements)"
    lines.append(f"Versions: {versions}.")
    if suite.shared:
        lines.append("Its checks also run against every service of a standard that has a service-info endpoint.")
    lines.append("")
    if suite.service_options:
        lines += ["| key | type | what it is |", "|---|---|---|"]
        for key, schema in suite.service_options.items():
            lines.append(f"| `{key}` | {_cell(_type(schema))} | {_cell(str(schema.get('description', '')))} |")
    else:
        lines.append("No keys of its own: the suite finds what it checks through the API.")
    if suite.test_data:
        keys = ", ".join(f"`{k}`" for k in suite.test_data)
        lines += ["", f"The standard offers no listing to find what it serves: an entry that names none of {keys} "
                      "is **incomplete** (exit 2), however many of its other checks pass."]
    if suite.auth_keys:
        lines += ["", "Its own `auth:` keys:", ""]
        lines += [f"- `{key}`: the name of an environment variable holding {what}"
                  for key, what in suite.auth_keys.items()]
    if examples:
        lines += ["", "Examples: " + ", ".join(f"[`{name}`](../profiles/examples/{name})" for name in examples) + "."]
    return [*lines, ""]


def render() -> str:
    _same_keys("top-level keys", TOP, set(profile._TOP_KEYS))
    _same_keys("service keys", SERVICE, set(profile._SERVICE_KEYS))
    _same_keys("budget", BUDGET, set(Budget.fields()))
    _same_keys("expected_failures", EXPECTED, _expected_failure_keys())
    suites = [s for s in sorted(discover().values(), key=lambda s: s.standard)
              if s.package.startswith("conformance_suites.")]  # built in; an installed kit documents itself
    examples = _examples_by_standard()
    defaults = {f.name: f.default for f in dataclasses.fields(Budget)}
    lines = [
        "<!-- Generated by tools/make_profile_doc.py from the profile parser and the suites' declared options;",
        "     do not edit by hand: run `python tools/make_profile_doc.py`. -->",
        "# The profile",
        "",
        "A profile is a YAML file that says which services an initiative runs and how to check them:",
        "`conformance run FILE` or `conformance run --profile FILE` (or `pytest --conformance-profile FILE`).",
        "Every problem in it is one line naming the file, the key and the problem (exit 4); an unknown key is an",
        "error. Secrets never appear in a profile, only the names of the environment variables that hold them.",
        "",
        "Start from an example in [`profiles/examples/`](../profiles/examples/): "
        + ", ".join(f"[`{p.name}`](../profiles/examples/{p.name})" for p in sorted(EXAMPLES.glob("*.yaml"))) + ".",
        "",
        "## Top-level keys",
        "",
        "| key | what it is |",
        "|---|---|",
        *[f"| `{k}` | {_cell(v)} |" for k, v in TOP.items()],
        "",
        "## A service entry (`services[]`)",
        "",
        "Keys every entry accepts; each standard adds its own (below).",
        "",
        "| key | what it is |",
        "|---|---|",
        *[f"| `{k}` | {_cell(v)} |" for k, v in SERVICE.items()],
        "",
        "### `auth:`",
        "",
        "Each `*_env` key names an environment variable; the run reads the secret from it and fails at the",
        "start, naming the variable, if it is not set (a `reference` entry excepted).",
        "",
        "| key | the variable holds |",
        "|---|---|",
        *[f"| `{k}` | {_cell(v)} |" for k, v in profile.AUTH_ENV_KEYS.items()],
        *[f"| `{k}` | {_cell(v)} |" for k, v in AUTH_EXTRA.items()],
        "",
        "### `reference:`",
        "",
        "```yaml",
        "  - standard: drs",
        '    version: "1.5.0"',
        "    reference: {faults: [checksum-wrong]}   # or: reference: true (the conformant server)",
        "    objects: [blob-1]",
        "```",
        "",
        "The reference server runs on 127.0.0.1 for the length of the run; see",
        "[`reference.yaml`](../profiles/examples/reference.yaml).",
        "",
        "## `budget:`",
        "",
        "Positive numbers; `conformance run --max-seconds` and friends override them for one run.",
        "",
        "| key | bounds | default |",
        "|---|---|---|",
        *[f"| `{k}` | {_cell(v)} | {_number(defaults[k])} |" for k, v in BUDGET.items()],
        "",
        "## `expected_failures:`",
        "",
        "A list of entries; the exit code ignores a listed failure until it expires, while the scorecard keeps",
        "the true verdict and reports entries that expired or no longer fail. A listed failure waives its",
        "consequences too (the checks whose failure it explains, `caused_by`); an entry that names only a",
        "consequence changes nothing, and the run names the check to list instead. A failed SHOULD or MAY",
        "check never fails the run, so only MUST checks need listing.",
        "",
        "| key | what it is |",
        "|---|---|",
        *[f"| `{k}` | {_cell(v)} |" for k, v in EXPECTED.items()],
        "",
        "## Keys of each standard",
        "",
    ]
    for suite in suites:
        lines += _suite_section(suite, examples.get(suite.standard, []))
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/profile.md is stale")
    args = parser.parse_args(argv)
    try:
        page = render()
    except StaleError as exc:
        print(f"make_profile_doc: {exc}", file=sys.stderr)
        return 1
    current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
    if args.check:
        if current != page:
            print(f"{PAGE.relative_to(REPO)} is stale: run `python tools/make_profile_doc.py`", file=sys.stderr)
            return 1
        return 0
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
