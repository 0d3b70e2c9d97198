"""A DRS service that declares passport-protected objects is a Passport Clearinghouse (DRS 1.2.0+
§Authorization & Authentication › PassportAuth; AAI 1.2 §Conformance for Passport Clearinghouses): the
passports suite's clearinghouse view, aimed at the route of the DRS service that guards the object."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from conformance import Response

from ..passports import jose
from ..passports.view import Clearinghouse, granted
from .view import object_path

#: The DRS check that judges the positive control, named by every skip that waits on it.
CONTROL_CHECK = "drs.passport.grants-valid-passport"


class DrsClearinghouse(Clearinghouse):
    """The harness as a test broker in front of the first protected object of a DRS service. The
    passports are POSTed to the route that refuses the object without credentials: POST
    /objects/{id} (PostObject) where GET of the object is refused, else, where its metadata is open,
    POST /objects/{id}/access/{access_id} for an access_id whose GET is refused (DRS 1.2.0
    §Authorization & Authentication: the two may be open or protected independently)."""

    @property
    def path(self) -> str:
        return self.memo("guarded-path", self._guarded_path)

    def _guarded_path(self) -> str:
        assert self.object_id is not None
        path = object_path(self.object_id)
        anonymous = self.client.without_credentials()
        answer = anonymous.get(path)
        if answer.status != 200:
            return path
        document = answer.json_object() or {}
        methods = document.get("access_methods")
        for method in methods if isinstance(methods, list) else []:
            if isinstance(method, dict) and isinstance(method.get("access_id"), str):
                access = f"{path}/access/{quote(method['access_id'], safe='')}"
                if anonymous.get(access).status in (401, 403):
                    return access
        pytest.skip(f"cannot decide: GET {path} without credentials answered 200 and none of its access_ids is "
                    "refused without credentials, so no route of the service guards the object with a passport")

    def require_control(self) -> None:
        response = self.control()
        if not granted(response):
            see = CONTROL_CHECK if self.trusted else "drs.passport.post-object-accepts-passports"
            pytest.skip(f"the valid passport was refused on POST {self.path} ({response.status}; see {see}): a "
                        "refusal of its mutation proves nothing")

    def uncontrolled_passport(self) -> str | None:
        """Without any valid passport (no trusted test issuer, no auth.passport_env), a passport the harness
        makes and signs with its untrusted issuer: its forgeries must be refused all the same, so a grant is
        a failure, while a refusal decides nothing (any passport may be refused). None when a valid
        passport exists: then every refusal is judged against it."""
        if self.trusted or self.real_passport:
            return None
        signer, t = self.untrusted, jose.now()
        grant = {"type": "ControlledAccessGrants", "value": str(self.dataset or "https://datasets.conformance.invalid/x"),
                 "source": self.source, "by": "dac", "asserted": t - 3600}
        visa = self.minted(signer.sign({"iss": signer.iss, "sub": "conformance-test-user", "iat": t - 60,
                                        "exp": t + 3600, "jti": secrets.token_hex(8), "ga4gh_visa_v1": grant},
                                       {"typ": jose.VISA_TYP, "jku": signer.jku}, "ES256"))
        return self.minted(signer.sign({"iss": signer.iss, "sub": "conformance-test-user", "iat": t - 30,
                                        "exp": t + 600, "jti": secrets.token_hex(8), "ga4gh_passport_v1": [visa]},
                                       {"typ": jose.PASSPORT_TYP}, "RS256"))

    def granted_urls(self) -> list[str]:
        """The URLs (without query) the positive control was granted: AccessURL.url, or the access_url of
        each AccessMethod of the DrsObject. A refusal that carries one of them hands the object out."""
        body: Any = self.control().json_object() or {}
        found = [body.get("url")]
        methods = body.get("access_methods")
        for method in methods if isinstance(methods, list) else []:
            access_url = method.get("access_url") if isinstance(method, dict) else None
            found.append(access_url.get("url") if isinstance(access_url, dict) else None)
        return [_without_query(u) for u in found if isinstance(u, str) and u]


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else parts.path


def leak_in(refusal: Response, urls: list[str]) -> str | None:
    """What of the protected object a refusal reveals: a DrsObject's access_methods or checksums, or a URL
    the granted request was given; None when it reveals neither."""
    body = refusal.json_object() if refusal.content else None
    if isinstance(body, dict):
        for key in ("access_methods", "checksums"):
            if key in body:
                return f"the object's {key}"
    text = refusal.text
    for url in urls:
        if url in text:
            return f"the URL the granted request got ({url})"
    return None
