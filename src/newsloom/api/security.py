"""The server's security model in one place.

- Write endpoints need ``Authorization: Bearer <token>``; the token is compared in
  constant time (`secrets.compare_digest`). Without a configured token, writes are
  refused (403) rather than open.
- The token is generated on first run with `secrets.token_urlsafe(32)` and kept
  next to the database as ``<db>.token``, mode 0600 (`load_or_create_token`).
- Every response carries a Content-Security-Policy (``default-src 'self'``, no
  inline script or style), ``X-Content-Type-Options: nosniff``, a strict
  ``Referrer-Policy`` and ``X-Frame-Options: DENY`` (`SecurityHeadersMiddleware`).
- Request bodies are bounded per route (`BodyLimitMiddleware`, 413 past the limit),
  checked on the declared Content-Length *and* on the bytes actually received.
- A Host-header allow-list (`HostCheckMiddleware`) defeats DNS rebinding against a
  loopback server. There is no CORS: browsers keep other origins from reading it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

log = logging.getLogger("newsloom.api")

MB = 1024 * 1024
#: Bytes accepted per request body, by path (the longest matching prefix wins).
DEFAULT_BODY_LIMITS: dict[str, int] = {
    "/api/articles/bulk": 50 * MB,
    "/api/articles": 2 * MB,
    "/api/compare": 4 * MB,  # two articles
    "/compare": 4 * MB,
    "": 64 * 1024,  # anything else that has a body
}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


class ApiError(Exception):
    """An error the API reports as ``{"error": {"code", "message"}}`` with `status`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# -- the token ------------------------------------------------------------------
def token_path_for(db_path: str | Path) -> Path:
    return Path(f"{db_path}.token")


def load_or_create_token(path: str | Path) -> str:
    """Read the token at `path`, or create one there (mode 0600) on first run."""
    path = Path(path)
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("token file %s is readable by other users (mode %o); chmod 600 it", path, mode)
        token = path.read_text(encoding="utf-8").strip()
        if len(token) < 16:
            raise ValueError(f"token file {path} holds no usable token (need at least 16 characters)")
        return token
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL + 0600 from the start: the token is never readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    return token


@dataclass(frozen=True)
class TokenCheck:
    """FastAPI dependency guarding write endpoints: 401 no/malformed credentials, 403 wrong token."""

    token: str | None

    def __call__(self, request: Request) -> None:
        if self.token is None:
            raise ApiError(403, "writes_disabled", "this server has no token configured; writes are disabled")
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, "unauthorized", "write endpoints need an 'Authorization: Bearer <token>' header")
        if not secrets.compare_digest(value.strip().encode(), self.token.encode()):
            raise ApiError(403, "forbidden", "the bearer token is not valid")


# -- ASGI middlewares -----------------------------------------------------------
async def _send_json(send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    def __init__(self, app) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass
class BodyLimitMiddleware:
    """413 for a body over its route's limit; the body is buffered (bounded) and replayed."""

    app: object
    limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_BODY_LIMITS))

    def limit_for(self, path: str) -> int:
        best = max((p for p in self.limits if path == p or path.startswith(p.rstrip("/") + "/") or p == ""),
                   key=len)
        return self.limits[best]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    return await _send_json(send, 413, "too_large",
                                            f"request body of {int(declared)} bytes is over the {limit}-byte limit")
            except ValueError:
                return await _send_json(send, 400, "bad_request", "invalid Content-Length header")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return await _send_json(send, 413, "too_large", f"request body is over the {limit}-byte limit")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server would

        await self.app(scope, replay, send)


@dataclass
class HostCheckMiddleware:
    """Refuse (400) requests whose Host is not allowed: a DNS-rebinding page cannot reach us."""

    app: object
    allowed: tuple[str, ...] = LOOPBACK_HOSTS

    def host_allowed(self, host: str) -> bool:
        if "*" in self.allowed:
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host.startswith("[") and "]:" in host:
            name = host[: host.index("]") + 1]
        return name.lower() in self.allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
            if not self.host_allowed(host):
                return await _send_json(send, 400, "bad_host", f"host {host!r} is not allowed")
        await self.app(scope, receive, send)
