"""The answer and its evidence (conformance/http/models.py, conformance/exchange.py): how a body is read
as JSON and which outcome each kind of bad body gives, why a body was cut, and the exchange as curl,
one line and a report entry."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

import pytest
from requests.structures import CaseInsensitiveDict

from conformance.errors import BudgetExceeded, CheckFailure, HarnessError
from conformance.exchange import Exchange
from conformance.http.models import Response

URL = "http://example.org/service-info"


def answer(content: bytes, status: int = 200, headers: Mapping[str, str] | None = None, *,
           truncated: bool = False, limit: int = 1000, reason: str = "OK") -> Response:
    exchange = Exchange(method="GET", url=URL, status=status, reason=reason,
                        response_body=content.decode("utf-8", "replace"), body_bytes=len(content))
    return Response(status, reason, CaseInsensitiveDict(dict(headers or {})), content, URL, exchange,
                    truncated, limit)


# -- json() -------------------------------------------------------------------------------------------------


def test_json_parses_a_well_formed_body() -> None:
    assert answer(b'{"id": "x", "n": [1, 2]}').json() == {"id": "x", "n": [1, 2]}
    assert answer(b"[1, 2]").json() == [1, 2]


def test_a_body_cut_at_the_size_cap_is_an_error_of_the_harness_not_a_failure() -> None:
    response = answer(b'{"a": "' + b"x" * 993, headers={"Content-Length": "5000"}, truncated=True)
    with pytest.raises(BudgetExceeded) as caught:
        response.json()
    assert caught.value.limit == "max_response_bytes"
    assert caught.value.exchange is response.exchange
    assert caught.value.message == (f"{response.cut_reason()}; not parsed")
    assert not isinstance(caught.value, CheckFailure)


def test_a_body_that_is_not_json_fails_the_check_and_says_what_it_was() -> None:
    response = answer(b"<!DOCTYPE html><html>hello</html>", headers={"Content-Type": "text/html; charset=utf-8"})
    with pytest.raises(CheckFailure) as caught:
        response.json()
    message = caught.value.message
    assert message.startswith(f"GET {URL} answered 200, but the body is not JSON (text/html: '<!DOCTYPE html>")
    assert caught.value.exchange is response.exchange


def test_a_body_that_is_not_json_without_a_content_type_says_so() -> None:
    with pytest.raises(CheckFailure, match=r"not JSON \(no Content-Type: 'nope'"):
        answer(b"nope").json()


def test_a_body_that_is_not_json_on_a_5xx_is_an_error_not_a_failure() -> None:
    response = answer(b"<html>Bad gateway</html>", status=502, headers={"Content-Type": "text/html"})
    with pytest.raises(HarnessError) as caught:
        response.json()
    assert caught.value.message.startswith("server error 502 and the body is not JSON (text/html: ")
    assert caught.value.exchange is response.exchange
    assert not isinstance(caught.value, CheckFailure)


def test_a_body_that_is_not_json_on_a_4xx_is_a_failure() -> None:
    with pytest.raises(CheckFailure, match="answered 404, but the body is not JSON"):
        answer(b"Not Found", status=404, headers={"Content-Type": "text/plain"}).json()


def test_a_body_that_is_not_utf8_fails_and_names_the_byte() -> None:
    with pytest.raises(CheckFailure, match=r"answered 200, but the body is not valid UTF-8 \(byte 7\)"):
        answer(b'{"a": "\xff\xfe"}', headers={"Content-Type": "application/json"}).json()


def test_json_nested_deeper_than_the_parser_goes_is_an_error() -> None:
    """RFC 8259 §9 lets a parser limit the depth: the harness cannot tell, it does not fail the server."""
    response = answer(b"[" * 200_000 + b"]" * 200_000, headers={"Content-Type": "application/json"})
    with pytest.raises(HarnessError) as caught:
        response.json()
    assert caught.value.message == f"GET {URL} answered JSON nested too deeply to parse (deeper than 512 levels)"
    assert caught.value.exchange is response.exchange
    assert not isinstance(caught.value, CheckFailure)


def test_a_document_that_breaks_off_at_its_content_length_says_so() -> None:
    body = b'{"a": [1, 2'
    with pytest.raises(CheckFailure) as caught:
        answer(body, headers={"Content-Length": str(len(body)), "Content-Type": "application/json"}).json()
    assert caught.value.message == (f"GET {URL} answered 200, but the JSON document breaks off at the end of the "
                                    f"{len(body)} bytes its Content-Length announced")


def test_an_unterminated_string_at_the_content_length_breaks_off_too() -> None:
    body = b'{"a": "abc'
    with pytest.raises(CheckFailure, match=f"breaks off at the end of the {len(body)} bytes"):
        answer(body, headers={"Content-Length": str(len(body))}).json()


@pytest.mark.parametrize("headers", [{}, {"Content-Length": "999"}], ids=["no-length", "other-length"])
def test_a_document_that_breaks_off_without_matching_length_is_plain_not_json(headers: dict[str, str]) -> None:
    with pytest.raises(CheckFailure) as caught:
        answer(b'{"a": [1, 2', headers=headers).json()
    assert "the body is not JSON" in caught.value.message
    assert "Content-Length announced" not in caught.value.message


def test_broken_json_in_the_middle_is_not_said_to_break_off() -> None:
    body = b'{"a": 1,, "b": 2}'
    with pytest.raises(CheckFailure) as caught:
        answer(body, headers={"Content-Length": str(len(body))}).json()
    assert "the body is not JSON" in caught.value.message


@pytest.mark.parametrize("body", [b'{"a": 1,}', b"[1, 2,]", b'{"a": 1}}'], ids=["object-comma", "array-comma",
                                                                             "stray-byte"])
def test_a_complete_document_with_a_syntax_error_at_its_end_is_not_said_to_break_off(body: bytes) -> None:
    with pytest.raises(CheckFailure) as caught:
        answer(body, headers={"Content-Length": str(len(body))}).json()
    assert "breaks off" not in caught.value.message


def test_an_empty_body_is_not_json() -> None:
    with pytest.raises(CheckFailure, match="the body is not JSON"):
        answer(b"", headers={"Content-Length": "0"}).json()


# -- json_object() ---------------------------------------------------------------------------------------


def test_json_object_gives_an_object_and_none_for_anything_else() -> None:
    assert answer(b'{"a": 1}').json_object() == {"a": 1}
    assert answer(b"[1]").json_object() is None
    assert answer(b'"text"').json_object() is None
    assert answer(b"null").json_object() is None
    assert answer(b"<html/>", headers={"Content-Type": "text/html"}).json_object() is None
    assert answer(b"\xff").json_object() is None


def test_json_object_of_a_cut_body_still_says_the_harness_could_not_read_it() -> None:
    with pytest.raises(BudgetExceeded):
        answer(b'{"a": 1}', truncated=True).json_object()


# -- cut_reason(), content_type, text --------------------------------------------------------------------


def test_cut_reason_names_an_encoded_body_that_inflates() -> None:
    response = answer(b"x" * 10, headers={"Content-Encoding": "gzip", "Content-Length": "10"}, truncated=True)
    assert response.cut_reason() == ("the server's gzip-encoded body inflates to more than "
                                     "max_response_bytes=1000 bytes")


def test_cut_reason_names_an_announced_length_over_the_cap() -> None:
    response = answer(b"x" * 1000, headers={"Content-Length": "123456"}, truncated=True)
    assert response.cut_reason() == ("the server announced a body of 123,456 bytes (Content-Length), more than "
                                     "max_response_bytes=1000")


@pytest.mark.parametrize("headers", [{}, {"Content-Encoding": "identity"}, {"Content-Length": "12"}],
                         ids=["unannounced", "identity", "short-length"])
def test_cut_reason_of_a_body_that_does_not_end(headers: dict[str, str]) -> None:
    response = answer(b"x" * 1000, headers=headers, truncated=True)
    assert response.cut_reason() == "the server sent more than max_response_bytes=1000 bytes without ending its body"


@pytest.mark.parametrize(("header", "expected"), [
    ("application/json", "application/json"),
    ("Application/JSON; charset=UTF-8", "application/json"),
    ("  text/html ;q=1", "text/html"),
    (None, ""),
])
def test_content_type_is_the_bare_lowercase_media_type(header: str | None, expected: str) -> None:
    headers = {} if header is None else {"content-type": header}
    assert answer(b"{}", headers=headers).content_type == expected


def test_text_replaces_bytes_that_are_not_utf8() -> None:
    assert answer(b"ok \xff").text == "ok \ufffd"


# -- Exchange ---------------------------------------------------------------------------------------------


def test_curl_of_a_get_repeats_the_request_without_transport_headers() -> None:
    exchange = Exchange(method="GET", url="http://h/x?a=1&b=2", request_headers={
        "User-Agent": "ga4gh-conformance/1", "Accept-Encoding": "gzip", "Connection": "keep-alive",
        "Content-Length": "0", "Accept": "application/json", "Authorization": "[REDACTED]"})
    command = exchange.curl()
    assert shlex.split(command) == ["curl", "-sS", "-i", "-H", "Accept: application/json",
                                    "-H", "Authorization: [REDACTED]", "http://h/x?a=1&b=2"]
    assert "'http://h/x?a=1&b=2'" in command  # quoted for a shell


def test_curl_of_a_post_names_the_method_and_the_body() -> None:
    exchange = Exchange(method="POST", url="http://h/search", request_headers={"Content-Type": "application/json"},
                        request_body='{"q": "it\'s"}')
    assert shlex.split(exchange.curl()) == ["curl", "-sS", "-i", "-X", "POST", "-H", "Content-Type: application/json",
                                            "--data-raw", '{"q": "it\'s"}', "http://h/search"]


def test_curl_keeps_an_empty_body() -> None:
    assert shlex.split(Exchange(method="PUT", url="http://h/x", request_body="").curl())[-3:] == [
        "--data-raw", "", "http://h/x"]


def test_summary_is_one_line_with_the_status_or_the_error() -> None:
    assert Exchange(method="GET", url="http://h/x", status=404, reason="Not Found").summary() == \
        "GET http://h/x → 404 Not Found"
    assert Exchange(method="GET", url="http://h/x", status=204).summary() == "GET http://h/x → 204"
    assert Exchange(method="HEAD", url="http://h/x", error="connection refused").summary() == \
        "HEAD http://h/x → connection refused"


def test_to_dict_is_the_report_entry() -> None:
    exchange = Exchange(method="GET", url="http://h/x", request_headers={"Accept": "*/*"}, status=200, reason="OK",
                        response_headers={"Content-Type": "application/json"}, response_body="{}", body_bytes=2,
                        truncated=False, elapsed=0.123456, redirected_from=["http://h/old"])
    assert exchange.to_dict() == {
        "curl": exchange.curl(), "method": "GET", "url": "http://h/x", "status": 200,
        "response_headers": {"Content-Type": "application/json"}, "response_body": "{}", "body_bytes": 2,
        "truncated": False, "elapsed_seconds": 0.123, "error": None, "redirected_from": ["http://h/old"],
        "body_sha256": None, "binary": False,
    }


def test_exchanges_do_not_share_their_defaults() -> None:
    one, two = Exchange(method="GET", url="http://h/1"), Exchange(method="GET", url="http://h/2")
    one.request_headers["A"] = "1"
    one.redirected_from.append("x")
    assert two.request_headers == {} and two.redirected_from == []
