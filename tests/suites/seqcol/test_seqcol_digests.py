"""The seqcol digest helpers reproduce every worked example of the spec text exactly (Sequence
Collections 1.0.0 §2 Steps 2-5, §2 Terminology, Footnote F3; digest_from_collection.md; decision record
2023-01-12 and 2023-01-25), agree with the spec's own Python reference snippets, and build the ancillary
attributes of §5 as the spec authors' implementation does."""

from __future__ import annotations

import base64
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.seqcol import digests
from conformance_suites.seqcol.digests import (
    attribute_digest,
    canonical,
    digest_collection,
    level1,
    name_length_pairs,
    sha512t24u,
    sorted_name_length_pairs,
    sorted_sequences,
    top_level_digest,
)
from ga4gh.core import sha512t24u as vrs_sha512t24u

SPEC = "refget/seqcol-1.0.0/seqcols/README.md"
HOWTO = "refget/seqcol-1.0.0/seqcols/digest_from_collection.md"

# §2 Step 1: the example collection in canonical seqcol object representation.
README_COLLECTION = {
    "lengths": [248956422, 242193529, 198295559],
    "names": ["chr1", "chr2", "chr3"],
    "sequences": ["SQ.2YnepKM7OkBoOrKmvHbGqguVfF9amCST", "SQ.lwDyBi432Py-7xnAISyQlnlhWDEaBPv2",
                  "SQ.Eqk6_SvMMDCc6C-uEfickOUWTatLMDQZ"],
}
# digest_from_collection.md: "Example Python code for computing a seqcol encoding".
HOWTO_COLLECTION = {
    "lengths": [248956422, 133797422, 135086622],
    "names": ["chr1", "chr2", "chr3"],
    "sequences": ["SQ.2648ae1bacce4ec4b6cf337dcae37816", "SQ.907112d17fcb73bcab1ed1c72b97ce68",
                  "SQ.1511375dc2dd1b633af8cf439ae90cec"],
}


def spec_canonical_str(item: Any) -> bytes:
    """The spec's §2 Step 2 snippet (sufficient for ASCII keys, no floats, 64-bit integers)."""
    return json.dumps(item, separators=(",", ":"), ensure_ascii=False, allow_nan=False, sort_keys=True).encode("utf8")


def spec_sha512t24u_digest(seq: bytes) -> str:
    """The spec's Footnote F3 snippet."""
    return base64.urlsafe_b64encode(hashlib.sha512(seq).digest()[:24]).decode("ascii")


def test_step_2_canonical_values() -> None:
    """§2 Step 2 gives the canonical bytes of each attribute value."""
    assert canonical(README_COLLECTION["lengths"]) == b"[248956422,242193529,198295559]"
    assert canonical(README_COLLECTION["names"]) == b'["chr1","chr2","chr3"]'
    assert canonical(README_COLLECTION["sequences"]) == (
        b'["SQ.2YnepKM7OkBoOrKmvHbGqguVfF9amCST","SQ.lwDyBi432Py-7xnAISyQlnlhWDEaBPv2",'
        b'"SQ.Eqk6_SvMMDCc6C-uEfickOUWTatLMDQZ"]')


def test_steps_3_to_5_give_the_spec_digests() -> None:
    """§2 Step 3 (level-1 digests), Step 4 (canonical level 1, lengths filtered out) and Step 5."""
    assert level1(README_COLLECTION) == {"lengths": "5K4odB173rjao1Cnbk5BnvLt9V7aPAa2",
                                         "names": "g04lKdxiYtG3dOGeUC5AdKEifw65G0Wp",
                                         "sequences": "rD29ZKmEqwwHRXjiQ36p6UMZQ5hemmsb"}
    inherent = {k: v for k, v in level1(README_COLLECTION).items() if k in digests.BASE_INHERENT}
    assert canonical(inherent) == (b'{"names":"g04lKdxiYtG3dOGeUC5AdKEifw65G0Wp",'
                                   b'"sequences":"rD29ZKmEqwwHRXjiQ36p6UMZQ5hemmsb"}')
    assert digest_collection(README_COLLECTION) == "sjNNwm4zov3Dl0FRWbRTcZwzqrTQKIqL"


def test_terminology_level_1_example() -> None:
    """§2 Terminology, Level 1 and Level 2: the level-1 digests of the A/B/C example."""
    assert attribute_digest([1216, 970, 1788]) == "QWhPI-Cll_0Y5NJ_2krRryuV97vzhbgJ"
    assert attribute_digest(["A", "B", "C"]) == "1zOnTYE5slcISev72o62ySxbssEXeoUL"


def test_digest_from_collection_howto() -> None:
    """digest_from_collection.md: "Answer: 'KxZO6qIbVNCIKtQj0WR3fwzg2rsJLlC3'"."""
    assert digest_collection(HOWTO_COLLECTION) == "KxZO6qIbVNCIKtQj0WR3fwzg2rsJLlC3"


def test_decision_record_serialisation_example() -> None:
    """Decision record 2023-01-12: the lengths digest, the UTF-8 names, the final identifier (there with
    all three attributes, before lengths stopped being inherent)."""
    assert attribute_digest([248956422, 242193529, 198295559]) == "5K4odB173rjao1Cnbk5BnvLt9V7aPAa2"
    assert canonical(["染色体-1", "染色体-2", "染色体-3"]) == (
        b'["\xe6\x9f\x93\xe8\x89\xb2\xe4\xbd\x93-1","\xe6\x9f\x93\xe8\x89\xb2\xe4\xbd\x93-2",'
        b'"\xe6\x9f\x93\xe8\x89\xb2\xe4\xbd\x93-3"]')
    level_1 = {"sequences": "EiYgJtUfGyad7wf5atL5OG4Fkzohp2qe", "lengths": "5K4odB173rjao1Cnbk5BnvLt9V7aPAa2",
               "names": "g04lKdxiYtG3dOGeUC5AdKEifw65G0Wp"}
    assert top_level_digest(level_1, level_1) == "S3LCyI788LE6vq89Tc_LojEcsMZRixzP"


def test_sha512t24u_of_acgt() -> None:
    """Decision record 2023-01-25: "the string ACGT will result in ... aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2"."""
    assert sha512t24u(b"ACGT") == "aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2"


def test_sha512t24u_agrees_with_the_spec_snippet_and_vrs() -> None:
    rng = random.Random(7)
    for size in (0, 1, 23, 24, 1000):
        data = rng.randbytes(size)
        assert sha512t24u(data) == spec_sha512t24u_digest(data) == vrs_sha512t24u(data)
        assert digests.is_digest(sha512t24u(data))


def test_rfc8785_agrees_with_the_spec_snippet_where_the_spec_says_it_suffices() -> None:
    """§2 Step 2: the json.dumps snippet suffices for ASCII keys, no floats, 64-bit integers."""
    rng = random.Random(3)
    for _ in range(50):
        value = {"names": [f"chr{rng.randint(1, 99)}" for _ in range(rng.randint(0, 5))],
                 "lengths": [rng.randint(0, 2**53 - 1) for _ in range(rng.randint(0, 5))],
                 "nested": [{"name": "x", "length": rng.randint(0, 10)}], "unicode": "染色体"}
        assert canonical(value) == spec_canonical_str(value)


def test_passthru_attributes_are_not_digested() -> None:
    """§4.4: a passthru attribute is the same at level 1 as at level 2."""
    assert level1({"names": ["a"], "author": "x"}, passthru=["author"]) == {
        "names": attribute_digest(["a"]), "author": "x"}


def test_name_length_pairs_and_sorted_name_length_pairs() -> None:
    """§5.1 and §5.2: the pair object canonicalizes as the spec shows, and the transient sorted array is
    the sorted digests of the pairs. The expected digests are those of the spec authors'
    implementation's test data (refgenie/refget test_fasta/test_fasta_digests.json, base.fa)."""
    assert canonical({"name": "chr1", "length": 123}) == b'{"length":123,"name":"chr1"}'
    names, lengths = ["chrX", "chr1", "chr2"], [8, 4, 4]
    pairs = name_length_pairs(names, lengths)
    assert pairs == [{"name": "chrX", "length": 8}, {"name": "chr1", "length": 4}, {"name": "chr2", "length": 4}]
    assert attribute_digest(pairs) == "B9MESWM8k-hK_OeQK8bZNAG74pLY0Ujq"
    snlp = sorted_name_length_pairs(names, lengths)
    assert snlp == sorted(spec_sha512t24u_digest(spec_canonical_str(p)) for p in pairs)
    assert attribute_digest(snlp) == "zjM1Ie9m0zFbqsAnZ6jAJSXuFpKTr40J"
    # order-invariant: another order of the same pairs gives the same digest (§5.2, F4)
    assert attribute_digest(sorted_name_length_pairs(names[::-1], lengths[::-1])) == attribute_digest(snlp)
    sequences = ["SQ.iYtREV555dUFKg2_agSJW6suquUyPpMw", "SQ.YBbVX0dLKG1ieEDCiMmkrTZFt_Z5Vdaj",
                 "SQ.AcLxtBuKEPk_7PGE_H4dGElwZHCujwH6"]
    assert attribute_digest(sorted_sequences(sequences)) == "KgWo6TT1Lqw6vgkXU9sYtCU9xwXoDt6M"
    assert digest_collection({"names": names, "lengths": lengths, "sequences": sequences}) == \
        "XZlrcEGi6mlopZ2uD8ObHkQB1d0oDwKk"


def test_the_expected_digests_are_the_spec_texts(requires_specs: str) -> None:
    """Every digest the tests above expect from the spec is written in the pinned spec text."""
    readme = (Path(requires_specs) / SPEC).read_text(encoding="utf-8")
    howto = (Path(requires_specs) / HOWTO).read_text(encoding="utf-8")
    for value in ("5K4odB173rjao1Cnbk5BnvLt9V7aPAa2", "g04lKdxiYtG3dOGeUC5AdKEifw65G0Wp",
                  "rD29ZKmEqwwHRXjiQ36p6UMZQ5hemmsb", "sjNNwm4zov3Dl0FRWbRTcZwzqrTQKIqL",
                  "QWhPI-Cll_0Y5NJ_2krRryuV97vzhbgJ", "1zOnTYE5slcISev72o62ySxbssEXeoUL",
                  "SQ.2YnepKM7OkBoOrKmvHbGqguVfF9amCST", '{"length":123,"name":"chr1"}'):
        assert value in readme, value
    assert "KxZO6qIbVNCIKtQj0WR3fwzg2rsJLlC3" in howto
    assert "SQ.2648ae1bacce4ec4b6cf337dcae37816" in howto


@pytest.mark.parametrize("value", [float("nan"), 2**60])
def test_values_outside_rfc8785_raise(value: object) -> None:
    with pytest.raises(digests.CanonicalizationError):
        canonical([value])
