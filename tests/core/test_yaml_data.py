"""conformance/yaml_data.py: a published YAML document read as the JSON data it stands for."""

from __future__ import annotations

import pytest
import yaml

from conformance.yaml_data import load_yaml


def test_timestamp_like_plain_scalars_stay_text() -> None:
    # YAML 1.1's implicit timestamps would make a date and a datetime of them: no JSON value
    text = "created: 2021-05-14T10:35:00Z\nversion: 2021-02-23\nspaced: 2001-12-14 21:59:43.10 -5\n"
    assert load_yaml(text) == {"created": "2021-05-14T10:35:00Z", "version": "2021-02-23",
                               "spaced": "2001-12-14 21:59:43.10 -5"}


def test_other_scalars_are_read_as_the_safe_loader_reads_them() -> None:
    text = "n: 3\nx: 1.5\nb: true\nnothing: null\nitems: [1, a]\nquoted: '2021-02-23'\n"
    assert load_yaml(text) == yaml.safe_load(text)


def test_explicitly_tagged_timestamps_and_python_objects_are_refused() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("x: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(yaml.YAMLError):
        load_yaml("x: [unclosed\n")


BOMB = "".join(f"{name}: &{name} [{', '.join([f'*{prev}' if prev else 'x'] * 9)}]\n"
               for prev, name in zip(["", "a", "b", "c", "d", "e", "f", "g"], "abcdefgh"))


def test_a_billion_laughs_is_refused_before_anything_walks_it() -> None:
    """A few hundred bytes whose nested aliases stand for 9^8 values: refused at once, the reason said, never
    left to a suite's walk (which the watchdog alone stopped)."""
    assert len(BOMB) < 400
    with pytest.raises(yaml.YAMLError, match=r"aliases expand \d+ values as written to \d+"):
        load_yaml(BOMB)


def test_an_alias_of_its_own_parent_is_refused() -> None:
    for text in ("&a [*a]\n", "top: &t {child: {back: *t}}\n"):
        with pytest.raises(yaml.YAMLError, match="no end"):
            load_yaml(text)


def test_a_block_written_once_and_referred_to_is_read() -> None:
    items = "\n".join(f"  - {{id: s{n}, meta: *m}}" for n in range(2000))
    data = load_yaml(f"meta: &m {{resources: [{{id: hp, version: '2024'}}], created: 2021-05-14T10:35:00Z}}\n"
                     f"samples:\n{items}\n")
    assert len(data["samples"]) == 2000 and data["samples"][-1]["meta"]["created"] == "2021-05-14T10:35:00Z"


def test_a_long_document_without_aliases_is_never_refused() -> None:
    """Its values as written are all it stands for, however many: 120,000 numbers in one list, and as many
    one-member objects."""
    assert len(load_yaml("[" + ", ".join(["1"] * 120_000) + "]")) == 120_000
    assert len(load_yaml("\n".join(f"- {{n: {n}}}" for n in range(120_000)))) == 120_000
