"""The adoption dashboard (issue 7): many initiatives' scorecards as one static site, and sweeps.

- :mod:`conformance.dashboard.runs` reads ``scorecard.json`` files (DESIGN §5) into runs and groups them
  by initiative and standard;
- :mod:`conformance.dashboard.site` writes the static site (matrix, a page per initiative and per
  standard, ``matrix.json``);
- :mod:`conformance.dashboard.sweep` runs many profiles concurrently, then builds the site;
- :mod:`conformance.dashboard.commands` adds ``conformance dashboard`` and ``conformance sweep``.

Nothing here knows a particular standard: the standards are those the scorecards name.
"""
