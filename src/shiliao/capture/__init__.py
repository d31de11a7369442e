"""Capture: fetch URLs into WARC files, refusing addresses inside the team's network.

``capture_url`` is the entry point; ``addresses`` holds the SSRF policy and ``transport`` the
httpx transport that connects only to checked addresses and records the wire bytes.
"""

from shiliao.capture.addresses import Resolver, check_url, forbidden_reason, system_resolver
from shiliao.capture.fetch import DEFAULT_USER_AGENT, Capture, Hop, capture_url
from shiliao.capture.transport import PinnedTransport

__all__ = [
    "DEFAULT_USER_AGENT",
    "Capture",
    "Hop",
    "PinnedTransport",
    "Resolver",
    "capture_url",
    "check_url",
    "forbidden_reason",
    "system_resolver",
]
