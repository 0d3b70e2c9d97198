"""The reference framework's routing and fault switch (conformance/reference/app.py)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from conformance.errors import UsageError
from conformance.reference.app import Fault, ReferenceApp, Reply, Request, json_reply, route


def _request(method: str, path: str) -> Request:
    return Request(method, path, {}, {}, b"")


class Shadowing(ReferenceApp):
    """Handler names chosen so that alphabetical order would put the parameter routes first."""

    standard = "example"
    versions = ("1.0.0",)
    FAULTS: ClassVar[dict[str, Fault]] = {"broken": Fault("broken", "answers 500", ("example.check",))}

    @route("GET", "/objects/{object_id}")
    def a_object(self, request: Request) -> Reply:
        return json_reply({"handler": "object", "id": request.params["object_id"]})

    @route("GET", "/objects/{object_id:path}")
    def a_any(self, request: Request) -> Reply:
        return json_reply({"handler": "any", "rest": request.params["object_id"]})

    @route("GET", "/objects/service-info")
    def z_literal(self, request: Request) -> Reply:
        return json_reply({"handler": "literal"})

    @route("GET", "/objects/{object_id}/access/{access_id}")
    def b_access(self, request: Request) -> Reply:
        return json_reply({"handler": "access"})

    @route("POST", "/objects")
    def c_post(self, request: Request) -> Reply:
        return json_reply({"handler": "post"})


def _handler(app: ReferenceApp, method: str, path: str) -> Any:
    import json

    reply = app.handle(_request(method, path))
    return reply.status, json.loads(reply.body)


def test_literal_segment_wins_over_parameter_whatever_the_handler_names() -> None:
    app = Shadowing()
    assert _handler(app, "GET", "/objects/service-info") == (200, {"handler": "literal"})


def test_one_segment_parameter_wins_over_a_path_parameter() -> None:
    app = Shadowing()
    assert _handler(app, "GET", "/objects/x1") == (200, {"handler": "object", "id": "x1"})
    assert _handler(app, "GET", "/objects/x1/access/https") == (200, {"handler": "access"})
    assert _handler(app, "GET", "/objects/a/b/c") == (200, {"handler": "any", "rest": "a/b/c"})


def test_wrong_method_is_405_with_allow_and_unknown_path_404() -> None:
    app = Shadowing()
    reply = app.handle(_request("DELETE", "/objects"))
    assert reply.status == 405 and reply.headers["Allow"] == "POST"
    assert app.handle(_request("GET", "/nowhere")).status == 404


def test_unknown_fault_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown fault.*nope.*known: broken"):
        Shadowing(faults=["nope"])


def test_has_names_only_declared_faults() -> None:
    app = Shadowing(faults=["broken"])
    assert app.has("broken")
    with pytest.raises(KeyError):
        app.has("undeclared")


def test_a_server_has_no_companions_unless_it_declares_them() -> None:
    assert Shadowing.companion_entries() == []


def test_a_suite_server_takes_standard_versions_and_faults_from_its_folder() -> None:
    from conformance_suites.drs.reference.app import DrsApp

    from conformance.suite import for_standard

    suite = for_standard("drs")
    assert DrsApp.standard == "drs"
    assert DrsApp.versions == suite.versions
    assert set(DrsApp.FAULTS) == {f.name for f in suite.faults}


def test_a_subclass_made_outside_the_suite_keeps_the_suite_faults() -> None:
    from conformance_suites.service_info.reference.app import ServiceInfoApp

    class Variant(ServiceInfoApp):
        pass

    assert set(Variant.FAULTS) == set(ServiceInfoApp.FAULTS) and "endpoint-404" in Variant.FAULTS
    assert Variant.standard == "service-info"


def test_the_served_entry_is_the_demo_entry_of_the_nearest_version() -> None:
    """`conformance reference serve`: the test data of the demo entry of the server's own version, else of one
    of its major version (refget 1.0.0 serves the 1.0.1 entry's sequences, not 2.0.0's), else the first."""
    from conformance.reference.app import _distance

    assert _distance("1.0.0", "1.0.0") == (0,)
    assert _distance("1.0.1", "1.0.0") < _distance("2.0.0", "1.0.0")
    assert _distance("1.5.0", "1.2.0") < _distance("2.0.0", "1.2.0")
    assert _distance("2021-02-23", "2021-02-23") == (0,)
    assert _distance("nonsense", "1.0.0") == (2,)
