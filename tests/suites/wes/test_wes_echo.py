"""wes.submit.request-echoed compares the echoed RunRequest by value: a server that echoes workflow_params as
the JSON string the form carried (GenPEI 1.x: `"workflow_params": "{\\"message\\": \\"hello\\"}"`) gives the same
parameters; the string where RunLog.request's schema asks an object is wes.schema.run-log-valid's one failure."""

from __future__ import annotations

from conformance_suites.wes.check_submit import _same


def test_an_object_echoed_as_its_json_string_is_the_same_request() -> None:
    assert _same({"message": "hello"}, '{"message": "hello"}')
    assert _same('{"message": "hello"}', {"message": "hello"})


def test_different_parameters_are_not_the_same_in_either_encoding() -> None:
    assert not _same({"message": "hello"}, '{"message": "bye"}')
    assert not _same({"message": "hello"}, "{not json")
    assert not _same("CWL", "WDL")
    assert _same("v1.2", "v1.2")
