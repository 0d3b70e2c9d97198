"""The reference server's sequence collections, built deterministically in code.

Six small collections over four pseudo-random DNA sequences, chosen so that the comparison function
meets every case it defines: identity, another order, a subset, other names, swapped sequences under
the same names, and duplicated lengths (unbalanced between two collections). Sequence identifiers are
refget ``SQ.`` + sha512t24u of the bases (refget sequences 2.0); every digest is computed by
:mod:`..digests` (RFC 8785 + sha512t24u), never written down: tests/suites/seqcol/ recomputes them
independently.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..digests import sha512t24u


def bases(seed: int, length: int) -> str:
    """A deterministic DNA sequence."""
    return "".join(random.Random(seed).choice("ACGT") for _ in range(length))


@dataclass(frozen=True)
class Sequence:
    name: str
    seed: int
    length: int

    @property
    def bases(self) -> str:
        return bases(self.seed, self.length)

    @property
    def refget_id(self) -> str:
        return "SQ." + sha512t24u(self.bases.encode("ascii"))


S1 = Sequence("s1", 1, 50)
S2 = Sequence("s2", 2, 40)
S3 = Sequence("s3", 3, 16)
S4 = Sequence("s4", 4, 40)  # as long as S2: duplicated lengths
#: The sequences a companion refget server holds (``SeqcolApp.companion_entries``).
HELD = (S1, S2, S3, S4)
#: A sequence no companion holds (fault ``sequence-not-on-refget`` puts it in place of S4).
S5 = Sequence("s5", 5, 40)

#: label → (name, sequence) rows, in collection order; listed in this order (the first four are the ones
#: the checks compare pairwise).
COLLECTIONS: dict[str, tuple[tuple[str, Sequence], ...]] = {
    "base": (("chr1", S1), ("chr2", S2), ("chrM", S3)),
    "duplicate-lengths": (("chr1", S1), ("chr2", S2), ("chrUn", S4)),
    "reordered": (("chr2", S2), ("chr1", S1), ("chrM", S3)),
    "renamed": (("1", S1), ("2", S2), ("MT", S3)),
    "subset": (("chr1", S1), ("chr2", S2)),
    "swapped": (("chr1", S2), ("chr2", S1), ("chrM", S3)),
}
AUTHOR = "GA4GH conformance harness"


def core(label: str) -> dict[str, list[object]]:
    """The base attributes (names, lengths, sequences) of one collection, level 2."""
    rows = COLLECTIONS[label]
    return {"names": [name for name, _ in rows], "lengths": [seq.length for _, seq in rows],
            "sequences": [seq.refget_id for _, seq in rows]}
