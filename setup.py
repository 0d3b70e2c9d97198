"""Package discovery that pyproject.toml cannot express: suites/ installs as conformance_suites.

Every folder under suites/ is a suite; listing them here by discovery keeps "a new standard is a new
folder" true (DESIGN §2) without editing packaging metadata.
"""

from setuptools import find_packages, setup

suites = ["conformance_suites"] + [f"conformance_suites.{name}" for name in find_packages("suites")]
setup(packages=find_packages(include=["conformance", "conformance.*"]) + suites)
