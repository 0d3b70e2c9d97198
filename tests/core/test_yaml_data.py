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
