"""The SSRF policy on its own: which addresses are refused, and how numeric hosts are read."""

from __future__ import annotations

import ipaddress

import pytest

from shiliao.capture.addresses import check_url, forbidden_reason, resolve_checked
from shiliao.errors import CaptureError, UnsafeAddress


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "93.184.216.34",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::",
    ],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("100.64.0.1", "special-purpose"),
        ("192.0.0.8", "special-purpose"),
        ("198.18.0.1", "private"),
        ("2001:db8::1", "private"),
        ("fec0::1", "site-local"),
        ("::7f00:1", "reserved"),  # IPv4-compatible (deprecated) form of 127.0.0.1
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::7f00:1", "loopback"),
        ("2002:7f00:1::", "loopback"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "private"),  # Teredo
    ],
)
def test_special_purpose_addresses_are_refused(address: str, kind: str) -> None:
    reason = forbidden_reason(ipaddress.ip_address(address))
    assert reason is not None and kind in reason


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("127.0.0.1.", "127.0.0.1"),
    ],
)
def test_numeric_hosts_are_read_as_browsers_read_them(host: str, address: str) -> None:
    def no_dns(name: str, port: int) -> list[str]:
        raise AssertionError(f"{name} was sent to the resolver")

    found = resolve_checked("http://x/", host, 80, no_dns, allow_private=True)
    assert found == [ipaddress.ip_address(address)]
    with pytest.raises(UnsafeAddress, match=address.replace(".", r"\.")):
        resolve_checked("http://x/", host, 80, no_dns, allow_private=False)


@pytest.mark.parametrize(
    "host", ["1.2.3.4.5", "256.0.0.1", "1.16777216", "08.0.0.1", "1..2", "0xg.1"]
)
def test_malformed_numeric_hosts_are_refused(host: str) -> None:
    with pytest.raises(UnsafeAddress):
        resolve_checked("http://x/", host, 80, lambda name, port: ["8.8.8.8"], allow_private=True)


def test_names_go_to_the_resolver_and_every_answer_is_checked() -> None:
    assert resolve_checked(
        "http://a.test/", "a.test", 443, lambda name, port: ["8.8.8.8", "2606:4700::1111"], False
    ) == [ipaddress.ip_address("8.8.8.8"), ipaddress.ip_address("2606:4700::1111")]
    with pytest.raises(UnsafeAddress, match=r"10\.0\.0\.7 is a private address \(b\.test resolves"):
        resolve_checked("http://b.test/", "b.test", 80, lambda n, p: ["8.8.8.8", "10.0.0.7"], False)
    with pytest.raises(CaptureError, match="no address"):
        resolve_checked("http://c.test/", "c.test", 80, lambda n, p: [], False)
    with pytest.raises(CaptureError, match="not an address"):
        resolve_checked("http://d.test/", "d.test", 80, lambda n, p: ["nonsense"], False)


def test_check_url_keeps_what_httpx_sends() -> None:
    url = check_url("https://www.gov.cn/zhengce/content/2017-03/29/content_5181894.htm")
    assert (url.scheme, url.host, url.port) == ("https", "www.gov.cn", None)
    assert check_url("http://新疆.中国/").raw_host == "新疆.中国".encode("idna")
    for bad in (
        "HTTP://user@example.test/",
        "http://a.test%2f@b/",
        "data:text/html,x",
        "//a.test/",
    ):
        with pytest.raises(UnsafeAddress):
            check_url(bad)


def test_the_package_exports_are_pinned() -> None:
    import shiliao.capture

    assert shiliao.capture.__all__ == [
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
