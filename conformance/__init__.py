"""GA4GH conformance harness: checks deployed GA4GH APIs and writes an adoption scorecard."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ga4gh-conformance")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
