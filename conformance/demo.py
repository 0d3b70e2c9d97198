"""The embedded default (DESIGN §7): every reference server, declared as a profile.

The demo profile is made from the reference servers that exist (each declares its demo entries), so
a new standard's server joins the demo by existing; ``profiles/demo.yaml`` is this profile written
out, and a test keeps the two equal.

The demo initiative is tested from one URL, as a forum member would hand it over: ``registry: reference``
makes its reference service registry list the other reference servers, and the run reads that registry
(``conformance.run.start_reference_registry``, then registry discovery). A registry entry is a service-info
with a url: it cannot carry the test data hints (objects, reads, sequences), credentials or documents some
demo entries give, so those entries stay in the profile and are merged, by URL, with what the registry lists.
"""

from __future__ import annotations

from typing import Any

import yaml

from conformance import reference
from conformance import suite as suites
from conformance.profile import REFERENCE_REGISTRY, Profile, parse_profile

INITIATIVE = "Demo"


def demo_document() -> dict[str, Any]:
    services: list[dict[str, Any]] = []
    for app in reference.apps():
        services.extend(app.demo_entries())
    # servers sharing a demo server's data (a server holding the sequences another's collections name): the
    # checks that read another service of the profile run in the demo too
    for app in reference.apps():
        services.extend(app.companion_entries())
    return {"initiative": INITIATIVE, "contact": "conformance@example.org",
            # the one URL: the reference service registry, listing the other reference servers (DESIGN §3.1)
            "registry": REFERENCE_REGISTRY, "services": services,
            # in-process servers on loopback: no production system to protect from the request rate, and
            # loopback is not throttled unless the profile sets a cap (a cap here would pace every request)
            "budget": {"max_requests": 50000, "max_seconds": 900}}


def demo_profile_yaml() -> str:
    header = ("# The embedded demo profile: `conformance demo` runs exactly this (`conformance demo "
              "--print-profile`).\n# `reference: true` starts that standard's embedded reference server on "
              "a free loopback port.\n"
              "# `registry: reference`: the demo initiative's one URL is its reference service registry (the\n"
              "# service-registry entry below), started last and listing every other reference server that answers\n"
              "# a service-info; the run tests what it lists. An entry below at a listed URL adds what a registry\n"
              "# entry cannot carry (test data hints, credentials); what the registry cannot list (documents of a\n"
              "# data standard, a second server with the same service-info id) is named here only, and the run\n"
              "# says so.\n")
    return header + yaml.safe_dump(demo_document(), sort_keys=False)


def demo_profile() -> Profile:
    return parse_profile(demo_document(), source="<demo profile>", standards=suites.discover())
