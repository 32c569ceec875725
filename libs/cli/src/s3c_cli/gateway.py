"""The gateway's REST API as the `s3c` commands call it: where it is, the key to send, the
`{success, data}` envelope, and failures worded for the person at the terminal."""

from __future__ import annotations

import argparse
import os
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:5000"
TIMEOUT_S = 30.0


class GatewayError(Exception):
    """A request that did not succeed; `str()` is the message to print."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url", help=f"the gateway (default: $S3C_URL, else {DEFAULT_URL})", default=None
    )
    parser.add_argument(
        "--key",
        help="API key, sent as `Authorization: Bearer` (default: $S3C_KEY; none in local mode)",
        default=None,
    )


class Gateway:
    """One gateway, called with one key (None: local mode, no `Authorization` header)."""

    def __init__(
        self,
        url: str,
        key: str | None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = TIMEOUT_S,
    ) -> None:
        self.url = url.rstrip("/")
        self.key = key or None
        self.timeout = timeout
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        self._client = httpx.Client(
            base_url=self.url, headers=headers, timeout=timeout, transport=transport
        )

    @classmethod
    def from_args(
        cls, args: argparse.Namespace, transport: httpx.BaseTransport | None = None
    ) -> Gateway:
        """`--url`/`--key`, else `$S3C_URL`/`$S3C_KEY`, else the local default and no key."""
        url = args.url or os.environ.get("S3C_URL") or DEFAULT_URL
        key = args.key or os.environ.get("S3C_KEY") or None
        return cls(url, key, transport)

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *_: object) -> None:
        self._client.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """The `data` of a successful answer; a `GatewayError` for anything else."""
        wait = timeout or self.timeout
        try:
            res = self._client.request(method, path, json=body, params=params, timeout=wait)
        except httpx.TimeoutException as exc:
            raise GatewayError(
                f"the gateway at {self.url} did not answer within {wait:.0f} s"
            ) from exc
        except httpx.TransportError as exc:
            raise GatewayError(
                f"cannot reach the gateway at {self.url} ({exc or type(exc).__name__}): "
                "is it running (`s3c up`)? Point --url or S3C_URL at it."
            ) from exc
        try:
            answer = res.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or "success" not in answer:
            raise GatewayError(
                f"{self.url} answered HTTP {res.status_code} without the gateway's JSON "
                "envelope: is --url (or S3C_URL) the S3-for-Compute gateway?",
                res.status_code,
            )
        if res.is_success and answer["success"] is True:
            return answer.get("data")
        raise self._refusal(res.status_code, answer)

    def _refusal(self, status: int, answer: dict[str, Any]) -> GatewayError:
        said = str(answer.get("error") or f"HTTP {status}")
        code = answer.get("code")
        if status == 401:
            if self.key is None:
                hint = (
                    "this gateway needs an API key (it is not in local mode): "
                    "pass --key or set S3C_KEY"
                )
            else:
                hint = "the key was not accepted (unknown, revoked or mistyped)"
            return GatewayError(f"unauthorized: {hint} ({said})", status, code)
        if status == 403:
            return GatewayError(f"forbidden: {said}", status, code)
        field = answer.get("field")
        where = f" [{field}]" if field else ""
        return GatewayError(f"{said}{where} (HTTP {status})", status, code)
