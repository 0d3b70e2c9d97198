"""The installed harness's version (a leaf: every module may import it)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ga4gh-conformance")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
