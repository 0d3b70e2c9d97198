"""Self-certification (docs/certification.md): ``bundle`` (the archive), ``keys`` (PEM, JWK, JWK Set),
``manifest`` (making, signing and verifying a bundle), ``commands`` (certify, verify, diff).

This package's ``__init__`` imports nothing, so that reading a bundle (``conformance.diff``) does not
load the signing side, which uses the report writers."""
