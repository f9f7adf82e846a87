"""An identity provider for tests: RSA and EC signing keys, a JWKS served over real HTTP from a
thread (it counts the fetches, can be taken down, and keys can be published later), and tokens
signed with any of the keys, published or not."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from danvan.timeutil import utcnow

ISSUER = "https://idp.example.org/realms/danvan"
JWKS_PATH = "/protocol/openid-connect/certs"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    def jwk(self) -> dict[str, Any]:
        """The public half as a JWK. RSA keys name their algorithm; EC keys leave it to their
        curve, as many providers do."""
        if isinstance(self.private, rsa.RSAPrivateKey):
            found = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
            return {**found, "kid": self.kid, "use": "sig", "alg": self.algorithm}
        found = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**found, "kid": self.kid, "use": "sig"}


def rsa_key(kid: str) -> SigningKey:
    return SigningKey(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def ec_key(kid: str) -> SigningKey:
    return SigningKey(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))


def claims(**changes: Any) -> dict[str, Any]:
    """A commune officer's claims, as the provider would put them; `None` drops a claim."""
    now = utcnow()
    found: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "c7d1a3e0-officer",
        "name": "Trần Thị Bình",
        "unit": "00097",
        "roles": ["officer"],
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    found.update(changes)
    return {name: value for name, value in found.items() if value is not None}


def sign(key: SigningKey, payload: dict[str, Any], **header: Any) -> str:
    return jwt.encode(
        payload, key.private, algorithm=key.algorithm, headers={"kid": key.kid, **header}
    )


class IdentityProvider:
    """Serves the JWKS of the keys published so far at `url`."""

    def __init__(self, *published: SigningKey) -> None:
        self._published = list(published)
        self._lock = threading.Lock()
        self._fetches = 0
        self.down = False
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = provider._answer(self.path)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}{JWKS_PATH}"

    @property
    def fetches(self) -> int:
        """How many times the JWKS was asked for, answered or not."""
        with self._lock:
            return self._fetches

    def publish(self, key: SigningKey) -> None:
        with self._lock:
            self._published.append(key)

    def _answer(self, path: str) -> tuple[int, dict[str, Any]]:
        if path != JWKS_PATH:
            return 404, {"error": "not found"}
        with self._lock:
            self._fetches += 1
            if self.down:
                return 503, {"error": "temporarily unavailable"}
            return 200, {"keys": [key.jwk() for key in self._published]}

    @contextmanager
    def serving(self) -> Iterator[IdentityProvider]:
        # A short poll so that shutting down takes no noticeable time.
        thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()
