"""One HTTP POST with a time limit and a cap on the reply, for the witness and TSA clients.

The URLs are the team's own (a witness, a time-stamping authority named in the settings), not
addresses taken from sources, so no address is refused here, unlike ``capture``.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from shiliao.errors import LogError

__all__ = ["Reply", "post"]

MAX_REPLY_BYTES = 1 << 20
"""A witness answers a few signature lines and a TSA a few kilobytes of DER; more is refused."""


@dataclass(frozen=True)
class Reply:
    """An HTTP reply: status code, media type (without parameters, lowercase) and body."""

    status: int
    media_type: str
    body: bytes


def post(
    url: str, body: bytes, content_type: str, *, timeout_s: float, error: type[LogError]
) -> Reply:
    """POST ``body`` to ``url`` and read the reply (redirects are not followed).

    Args:
        url: an http or https URL.
        body: the request body.
        content_type: its media type.
        timeout_s: seconds allowed for connecting, and for each read and write.
        error: the exception class to raise (``TimestampError``, ``PublicationError``).

    Raises:
        error: the URL is not http(s), the server cannot be reached or times out, or the
            reply is over ``MAX_REPLY_BYTES``.
    """
    try:
        with (
            httpx.Client(timeout=timeout_s) as client,
            client.stream("POST", url, content=body, headers={"Content-Type": content_type}) as r,
        ):
            received = bytearray()
            for chunk in r.iter_bytes():
                received += chunk
                if len(received) > MAX_REPLY_BYTES:
                    raise error(f"{url} answered more than {MAX_REPLY_BYTES} bytes; refused")
            media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
            return Reply(r.status_code, media_type, bytes(received))
    except httpx.HTTPError as exc:
        raise error(f"cannot reach {url}: {exc}") from exc
