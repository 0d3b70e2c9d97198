"""Conformance suites, one package per standard (installed as ``conformance_suites``)."""
