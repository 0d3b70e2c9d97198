"""``conformance certify``, ``conformance verify`` and ``conformance diff`` (added to the command line
by :func:`conformance.cli._extensions`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from conformance.errors import UsageError

#: ``conformance verify``: the bundle verifies (0), it does not (1); usage errors are 4 (DESIGN §6); with
#: ``--strict``, a bundle that verifies but states caveats (3).
EXIT_NOT_VERIFIED = 1
EXIT_CAVEATS = 3


def cmd_certify(args: argparse.Namespace) -> int:
    from conformance.certify.bundle import Exists
    from conformance.certify.keys import load_private_key, thumbprint
    from conformance.certify.manifest import certify, default_output

    report_dir = Path(args.report_dir).expanduser()
    key = load_private_key(args.key)
    output = Path(args.output).expanduser() if args.output else default_output(report_dir)
    if output.resolve().is_relative_to(report_dir.resolve()):
        raise UsageError(f"-o {output}: write the bundle outside the report directory it certifies")
    replaced = output.exists()
    if replaced and not args.force:
        raise Exists(f"{'-o ' if args.output else ''}{output}: a file is there already (a bundle certified "
                     "before?); pass --force to replace it")
    manifest = certify(report_dir, key, output, profile=args.profile, replace=args.force)
    for caveat in manifest["caveats"]:
        print(f"caveat: {caveat}")
    print(f"Bundle: {output} ({len(manifest['files'])} files, signed by key {thumbprint(key)})"
          + ("; it replaced the file that was there" if replaced else ""))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from conformance.certify.keys import VerificationKey, fetch_jwks, load_public_keys
    from conformance.certify.manifest import render_verification, verify

    if bool(args.public_key) == bool(args.jwks):
        raise UsageError("give the signer's key: --public-key FILE or --jwks URL (one of them)")
    keys: list[VerificationKey] = load_public_keys(args.public_key) if args.public_key else fetch_jwks(args.jwks)
    result = verify(Path(args.bundle).expanduser(), keys)
    text = render_verification(result, strict=args.strict)
    print(text, file=sys.stdout if result.ok else sys.stderr)
    if not result.ok:
        return EXIT_NOT_VERIFIED
    return EXIT_CAVEATS if args.strict and result.caveats else 0


def cmd_diff(args: argparse.Namespace) -> int:
    from conformance.diff import compare, load_scorecard, render_json, render_markdown

    comparison = compare(load_scorecard(args.old), load_scorecard(args.new))
    print(render_json(comparison) if args.format == "json" else render_markdown(comparison), end="")
    return comparison.exit_code()


def add_commands(sub: Any) -> None:
    certify = sub.add_parser("certify", help="sign a run's reports into one bundle a customer can verify")
    certify.add_argument("report_dir", metavar="REPORT_DIR", help="the run directory (reports/<slug>/<stamp>)")
    certify.add_argument("--key", required=True, help="private key: PKCS#8 PEM (Ed25519 or ECDSA) or a JWK")
    certify.add_argument("-o", "--output", help="the bundle (default: REPORT_DIR.conformance.tar beside it)")
    certify.add_argument("--profile", help="the profile of the run, when it is no longer where the run read it")
    certify.add_argument("--force", action="store_true", help="replace the bundle if the file is there already")
    certify.set_defaults(func=cmd_certify)

    verify = sub.add_parser("verify", help="check a certification bundle's signature and files",
                            epilog=f"exit codes: 0 verified; 1 not verified; {EXIT_CAVEATS} verified with caveats, "
                                   "with --strict only; 2 the --jwks URL could not be read; 4 usage error")
    verify.add_argument("bundle", metavar="BUNDLE", help="the bundle `conformance certify` wrote (a .tar file)")
    verify.add_argument("--public-key", help="the signer's public key: SubjectPublicKeyInfo PEM, JWK or JWK Set")
    verify.add_argument("--jwks", help="a URL of the signer's JWK Set (one bounded request)")
    verify.add_argument("--strict", action="store_true",
                        help=f"exit {EXIT_CAVEATS} when the bundle verifies but states caveats (a filtered, "
                             "interrupted or otherwise partial run)")
    verify.set_defaults(func=cmd_verify)

    diff = sub.add_parser("diff", help="what changed between two runs (exit 1 on a regression or a verdict worse)",
                          epilog="exit codes: 0 no regression; 1 a check newly failing or a service's verdict worse "
                                 "(conformant no longer, or unreachable now); 4 OLD or NEW unreadable")
    diff.add_argument("old", metavar="OLD", help="run directory, scorecard.json or bundle")
    diff.add_argument("new", metavar="NEW", help="run directory, scorecard.json or bundle")
    diff.add_argument("--format", choices=["markdown", "json"], default="markdown",
                      help="markdown (default; for a pull request comment or a CI step summary) or json")
    diff.set_defaults(func=cmd_diff)
