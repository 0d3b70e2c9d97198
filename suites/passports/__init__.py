"""GA4GH Passport 1.2 and the AAI OpenID Connect Profile 1.2 (and their patch 1.2.1, which adds no
requirement): brokers' tokens checked, clearinghouses attacked with one-step mutations of a valid passport
minted by the harness's test issuer."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from conformance import Suite


def _cmd_keys(args: argparse.Namespace) -> int:
    from . import jose

    path = Path(args.out).expanduser()
    if path.exists() and not args.force:
        print(f"conformance: {path} exists; pass --force to replace the test issuer", file=sys.stderr)
        return 4
    issuer = jose.new_issuer(args.issuer) if args.issuer else jose.session_issuer("test-issuer")
    jose.write_keys_file(issuer, path)
    public = {"issuer": issuer.iss, "jku": issuer.jku, "jwks": issuer.public_jwks()}
    if args.public_out:
        Path(args.public_out).expanduser().write_text(json.dumps(public, indent=2) + "\n", encoding="utf-8")
    print(f"private key file (mode 0600): {path}  -- name it as test_issuer_keys: in the profile; never share it")
    print("public test issuer for the clearinghouse's trust configuration:")
    print(json.dumps(public, indent=2))
    return 0


def _add_commands(sub: Any) -> None:
    passports = sub.add_parser("passports", help="GA4GH Passports: the harness's test issuer").add_subparsers(
        dest="passports_command", required=True, metavar="SUBCOMMAND")
    keys = passports.add_parser("keys", help="write a test issuer (private key file + public JWKS) for a "
                                             "staging clearinghouse to trust")
    keys.add_argument("--out", default="passports-test-issuer.json", help="private key file (written mode 0600)")
    keys.add_argument("--issuer", help="issuer id (default: a random https://...conformance.invalid/... id)")
    keys.add_argument("--public-out", help="also write the public issuer id and JWKS to this file")
    keys.add_argument("--force", action="store_true", help="replace an existing key file")
    keys.set_defaults(func=_cmd_keys)


SUITE = Suite(
    standard="passports",
    title="GA4GH Passport and AAI",
    reference=".reference:APPS",
    # 1.2.1 changes no requirement of 1.2 (requirements.yaml says what differs): one catalogue for both
    versions=("1.2", "1.2.1"),
    service_info_artifact=None,
    # Answered by a broker; any answer (a clearinghouse's 404 included) shows the service is reachable.
    probe_path="/.well-known/openid-configuration",
    service_options={
        "role": {"type": "string", "enum": ["broker", "clearinghouse"],
                 "description": "broker: an issuer URL; clearinghouse: a passport-protected DRS base URL"},
        "protected_objects": {"type": "array", "items": {"type": "string"},
                              "description": "clearinghouse: DRS object ids behind a passport (the first is used)"},
        "access_id": {"type": "string", "description": "clearinghouse: the access_id of the protected object"},
        "dataset": {"type": "string",
                    "description": "clearinghouse: the ControlledAccessGrants value that grants the object"},
        "visa_source": {"type": "string", "description": "clearinghouse: the visa `source` its policy trusts"},
        "trusts_test_issuer": {"type": "boolean",
                               "description": "clearinghouse: it trusts the test issuer of test_issuer_keys"},
        "test_issuer_keys": {"type": "string",
                             "description": "clearinghouse: the key file `conformance passports keys` wrote"},
        "trusted_jku": {"type": "array", "items": {"type": "string"},
                        "description": "broker: URL prefixes of visa jku key sets the harness may fetch"},
    },
    auth_keys={
        "refresh_token_env": "broker: the test researcher's refresh token; the harness obtains the access token "
                             "with it (RFC 6749 §6)",
        "subject_token_env": "broker: a token of the test researcher the broker exchanges for an access token "
                             "(RFC 8693 token exchange)",
    },
    cli=_add_commands,
)
