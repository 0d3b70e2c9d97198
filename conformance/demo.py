"""The embedded default (DESIGN §7): every reference server, declared as a profile.

The demo profile is made from the reference servers that exist (each declares its demo entries), so
a new standard's server joins the demo by existing; ``profiles/demo.yaml`` is this profile written
out, and a test keeps the two equal.
"""

from __future__ import annotations

from typing import Any

import yaml

from conformance import reference
from conformance import suite as suites
from conformance.profile import Profile, parse_profile

INITIATIVE = "Demo"


def demo_document() -> dict[str, Any]:
    services: list[dict[str, Any]] = []
    for app in reference.apps():
        services.extend(app.demo_entries())
    # servers sharing a demo server's data (a server holding the sequences another's collections name): the
    # checks that read another service of the profile run in the demo too
    for app in reference.apps():
        services.extend(app.companion_entries())
    return {"initiative": INITIATIVE, "contact": "conformance@example.org", "services": services,
            # in-process servers on loopback: no production system to protect from the request rate
            "budget": {"requests_per_second": 500, "max_requests": 50000, "max_seconds": 900}}


def demo_profile_yaml() -> str:
    header = ("# The embedded demo profile: `conformance demo` runs exactly this (`conformance demo "
              "--print-profile`).\n# `reference: true` starts that standard's embedded reference server on "
              "a free loopback port.\n")
    return header + yaml.safe_dump(demo_document(), sort_keys=False)


def demo_profile() -> Profile:
    return parse_profile(demo_document(), source="<demo profile>", standards=suites.discover())
