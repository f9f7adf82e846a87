"""Which keys of a published JWKS the gateway will ever check a token against."""

from __future__ import annotations

import pytest

from danvan.jwks import KeySetError, usable_keys
from tests.identity_provider import ec_key, rsa_key

ACCEPTED = ("RS256", "ES256")


def test_only_signing_keys_of_an_accepted_algorithm_with_an_id_are_used() -> None:
    rsa, ec, ps = rsa_key("rsa"), ec_key("ec"), rsa_key("pss")
    document = {
        "keys": [
            rsa.jwk(),
            ec.jwk(),
            {**ps.jwk(), "alg": "PS256"},  # not accepted here
            {**rsa_key("no-id").jwk(), "kid": None},
            {**rsa_key("encryption").jwk(), "use": "enc"},
            {"kty": "oct", "kid": "shared", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"},
            {"kty": "RSA", "kid": "broken", "n": "AQAB"},
            {"kty": "EC", "kid": "far-curve", "crv": "P-999", "x": "AA", "y": "AA"},
            "not a key",
        ]
    }
    keys = usable_keys(document, ACCEPTED)
    assert sorted(keys) == [("ec", "ES256"), ("rsa", "RS256")]
    assert keys["ec", "ES256"].key_type == "EC"
    assert sorted(usable_keys(document, ("PS256",))) == [("pss", "PS256")]


def test_one_id_may_name_an_rsa_and_an_ec_key() -> None:
    document = {"keys": [rsa_key("2026").jwk(), ec_key("2026").jwk()]}
    assert sorted(usable_keys(document, ACCEPTED)) == [("2026", "ES256"), ("2026", "RS256")]


@pytest.mark.parametrize("document", [[], {"keys": "none"}, {"jwks": []}, "<html>"])
def test_an_answer_that_is_not_a_jwks_is_an_error(document: object) -> None:
    with pytest.raises(KeySetError, match="not a JWKS"):
        usable_keys(document, ACCEPTED)
