"""RFC 3161 timestamps over signed checkpoints (reliability plan T-timestamp).

Why: a checkpoint's ``time`` line is the archive machine's clock, a claim by whoever holds the
key. A time-stamp token from a time-stamping authority (TSA) the team trusts proves that the
checkpoint, and so every entry under its root, existed at the TSA's ``genTime``: a rewritten
history cannot be given an earlier date without that TSA's key.

**Exchange** (RFC 3161 §3.4, TSP over HTTP): a DER ``TimeStampReq`` is POSTed as
``application/timestamp-query``, with a SHA-256 message imprint, a random nonce and
``certReq`` set (so the token carries the TSA's certificate); the answer is a DER
``TimeStampResp`` (``application/timestamp-reply``).

**File**: ``log/checkpoints/<size>.tsr``, beside ``<size>.txt``: the whole ``TimeStampResp``
as the TSA sent it, the form ``openssl ts -reply`` writes and ``openssl ts -verify`` reads. The
message imprint is SHA-256 of the checkpoint file's bytes, the whole signed note, so anyone can
check a token without shiliao::

    openssl ts -verify -in log/checkpoints/57.tsr -data log/checkpoints/57.txt \\
        -CAfile tsa-chain.pem

**Checks** (``verify_timestamp``): the status is granted (RFC 3161 §2.4.2); the imprint is the checkpoint's
hash. With the team's TSA certificates (a PEM file, ``load_tsa_certificates``), also the CMS
signature over the token, a certificate chain from the signer to one of those certificates
valid at ``genTime``, and the signer's extended key usage, which RFC 3161 §2.3 requires to be
critical and only id-kp-timeStamping. Without them a token is checked for its imprint only: a
damaged or swapped file is found, a forged one is not.

Built on rfc3161-client (Trail of Bits, Apache-2.0; sigstore-python's TSP library): the ASN.1
and CMS handling of RFC 3161 and RFC 5816 is in its Rust core, over ``cryptography``, rather
than our own parser.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from shiliao.errors import ConfigError, TimestampError
from shiliao.log._http import post

__all__ = [
    "TOKEN_SUFFIX",
    "Timestamp",
    "load_tsa_certificates",
    "request_timestamp",
    "verify_timestamp",
]

TOKEN_SUFFIX = ".tsr"
"""A checkpoint ``<size>.txt``'s token is ``<size>.tsr`` beside it."""

_HASHES = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}


@dataclass(frozen=True)
class Timestamp:
    """What a checked token says.

    Attributes:
        gen_time: when the TSA stamped it (timezone-aware, UTC).
        serial_number: the token's serial number at that TSA.
        signer: the signing certificate's subject (RFC 4514), when the token carries it.
        trusted: whether the signature and certificate chain were checked against the team's
            TSA certificates (False: imprint and status only).
    """

    gen_time: datetime
    serial_number: int
    signer: str | None
    trusted: bool


def load_tsa_certificates(path: Path) -> list[x509.Certificate]:
    """The certificates of a PEM file: the TSA chain the team trusts (root, intermediates).

    Raises:
        ConfigError: the file cannot be read or holds no PEM certificate.
    """
    try:
        certificates = x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a PEM file of TSA certificates: {exc}") from exc
    return certificates


def _decode(token: bytes) -> TimeStampResponse:
    try:
        response = decode_timestamp_response(token)
    except ValueError as exc:
        raise TimestampError(f"not an RFC 3161 TimeStampResp: {exc}") from exc
    # grantedWithMods is refused too: the token then differs from what was asked for, and
    # rfc3161-client's verifier refuses it as well.
    if response.status != PKIStatus.GRANTED:
        detail = " ".join(response.status_string or [])
        raise TimestampError(f"the TSA did not grant it: PKIStatus {response.status} {detail}")
    return response


def _signer(response: TimeStampResponse) -> str | None:
    infos = list(response.signed_data.signer_infos)
    for der in response.signed_data.certificates:
        certificate = x509.load_der_x509_certificate(der)
        if infos and (certificate.issuer, certificate.serial_number) == (
            infos[0].issuer,
            infos[0].serial_number,
        ):
            return certificate.subject.rfc4514_string()
    return None


def _check(
    response: TimeStampResponse,
    note: bytes,
    certificates: Sequence[x509.Certificate] | None,
    nonce: int | None = None,
) -> Timestamp:
    # rfc3161-client reads the token's inner structures when they are first asked for, so a
    # malformed token may only show here.
    try:
        return _check_parsed(response, note, certificates, nonce)
    except ValueError as exc:
        raise TimestampError(f"the token is malformed: {exc}") from exc


def _check_parsed(
    response: TimeStampResponse,
    note: bytes,
    certificates: Sequence[x509.Certificate] | None,
    nonce: int | None,
) -> Timestamp:
    imprint = response.tst_info.message_imprint
    algorithm = _HASHES.get(imprint.hash_algorithm.dotted_string)
    if algorithm is None:
        raise TimestampError(
            f"the token's imprint uses hash {imprint.hash_algorithm.dotted_string}"
        )
    if imprint.message != hashlib.new(algorithm, note).digest():
        raise TimestampError(
            f"the token stamps another text: its {algorithm} imprint is not the checkpoint's"
        )
    if nonce is not None and response.tst_info.nonce != nonce:
        raise TimestampError("the token's nonce is not the request's: a replayed answer")
    if certificates:
        builder = VerifierBuilder()
        for certificate in certificates:
            builder = builder.add_root_certificate(certificate)
        try:
            builder.build().verify_message(response, note)
        except VerificationError as exc:
            raise TimestampError(
                f"the token does not verify with the TSA certificates given: {exc}"
            ) from exc
    gen_time = response.tst_info.gen_time
    if gen_time.tzinfo is None:
        gen_time = gen_time.replace(tzinfo=UTC)
    return Timestamp(
        gen_time, response.tst_info.serial_number, _signer(response), bool(certificates)
    )


def verify_timestamp(
    token: bytes, note: bytes, certificates: Sequence[x509.Certificate] | None = None
) -> Timestamp:
    """Check an RFC 3161 ``TimeStampResp`` over a checkpoint.

    Args:
        token: the ``.tsr`` file's bytes (DER ``TimeStampResp``).
        note: the checkpoint file's bytes (the whole signed note).
        certificates: the TSA certificates the team trusts (``load_tsa_certificates``); None
            or empty checks the status and imprint only (see the module docstring).

    Returns:
        The ``Timestamp``.

    Raises:
        TimestampError: the token is malformed, not granted, stamps another text, or does
            not verify with ``certificates`` (signature, chain, or extended key usage).
    """
    return _check(_decode(token), note, certificates)


def request_timestamp(
    note: bytes,
    url: str,
    *,
    timeout_s: float,
    certificates: Sequence[x509.Certificate] | None = None,
) -> tuple[bytes, Timestamp]:
    """Ask the TSA at ``url`` for a token over a checkpoint and check it.

    Args:
        note: the checkpoint file's bytes (the whole signed note).
        url: the TSA's http(s) URL.
        timeout_s: seconds allowed for connecting and for each read.
        certificates: the TSA certificates the team trusts, to check the token at once;
            None checks status, imprint and nonce only.

    Returns:
        The ``TimeStampResp`` bytes to store as ``<size>.tsr``, and what it says.

    Raises:
        TimestampError: the TSA cannot be reached, answers an error or something that is not
            a granted token for this request, or the token does not verify.
    """
    request = (
        TimestampRequestBuilder()
        .data(note)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    reply = post(
        url,
        request.as_bytes(),
        "application/timestamp-query",
        timeout_s=timeout_s,
        error=TimestampError,
    )
    if reply.status != 200:
        raise TimestampError(f"the TSA at {url} answered HTTP {reply.status}")
    if reply.media_type != "application/timestamp-reply":
        raise TimestampError(
            f"the TSA at {url} answered {reply.media_type or 'no media type'}, "
            "not application/timestamp-reply"
        )
    response = _decode(reply.body)
    return reply.body, _check(response, note, certificates, request.nonce)
