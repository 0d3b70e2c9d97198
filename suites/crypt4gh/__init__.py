"""GA4GH crypt4gh 1.0 files: the header (magic, version, packets, the reader's data encryption
parameters, packet types, at most one edit list) and every 64 KiB segment authenticated and decrypted
with the ``crypt4gh`` library, using the reader key the profile names."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from conformance import Suite


def _cmd_keys(args: argparse.Namespace) -> int:
    from . import keys

    secret_path = Path(args.out).expanduser()
    public_path = Path(args.public_out or f"{secret_path}.pub").expanduser()
    for path in (secret_path, public_path):
        if path.exists() and not args.force:
            print(f"conformance: {path} exists; pass --force to replace it", file=sys.stderr)
            return 4
    secret = keys.new_secret()
    if secret_path.exists():
        secret_path.unlink()
    descriptor = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(keys.private_key_text(secret, "ga4gh-conformance reader"))
    public_path.write_text(keys.public_key_text(secret), encoding="ascii")
    print(f"reader private key (mode 0600, not passphrase-protected): {secret_path}  -- put its text in the "
          "environment variable that auth.private_key_env names; never share it")
    print(f"reader public key: {public_path}  -- encrypt the test file for it (crypt4gh encrypt --recipient_pk ...)")
    return 0


def _add_commands(sub: Any) -> None:
    crypt4gh = sub.add_parser("crypt4gh", help="GA4GH crypt4gh: the harness's reader key").add_subparsers(
        dest="crypt4gh_command", required=True, metavar="SUBCOMMAND")
    keys = crypt4gh.add_parser("keys", help="write a reader key pair in the crypt4gh key format")
    keys.add_argument("--out", default="conformance-reader.sec", help="private key file (written mode 0600)")
    keys.add_argument("--public-out", help="public key file (default: the private key's path + .pub)")
    keys.add_argument("--force", action="store_true", help="replace existing key files")
    keys.set_defaults(func=_cmd_keys)


SUITE = Suite(
    standard="crypt4gh",
    title="GA4GH crypt4gh encrypted files",
    reference=".reference:APPS",
    versions=("1.0",),
    data=True,
    service_options={
        "documents": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                      "description": "crypt4gh files: drs:// URIs (read through the profile's DRS service), "
                                     "http(s) URLs or paths relative to the profile file"},
    },
    auth_keys={
        "private_key_env": "the reader's crypt4gh private key (the text of the key file, not passphrase-"
                           "protected; `conformance crypt4gh keys` writes one) that the files were encrypted for; "
                           "without a usable one the checks that decrypt cannot run and the service is incomplete",
    },
    cli=_add_commands,
)
