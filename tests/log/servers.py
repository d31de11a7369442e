"""Loopback servers for the checkpoint tests: an OpenSSL time-stamping authority and a witness.

The TSA is ``openssl ts -reply`` behind a small HTTP server (RFC 3161 §3.4), with a CA and a TSA
certificate made here (the TSA's extendedKeyUsage critical, timeStamping only, as RFC 3161 §2.3
requires). The witness follows c2sp.org/tlog-witness: it checks the log's signature and the
consistency proof from the size it last cosigned, and answers tlog-cosignature/v1 lines.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import shutil
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shiliao.errors import ShiliaoError
from shiliao.log import verify_checkpoint
from shiliao.log.merkle import verify_consistency_proof

OPENSSL = shutil.which("openssl")


@contextmanager
def serve(
    handle: Callable[[BaseHTTPRequestHandler, bytes], tuple[int, str, bytes]],
) -> Iterator[str]:
    """Serve POSTs on 127.0.0.1 with ``handle(request, body) -> (status, type, body)``."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, media_type, reply = handle(self, body)
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@dataclass
class Tsa:
    """A running OpenSSL TSA: its URL, the CA file to trust, and what it was asked."""

    url: str
    ca_pem: Path
    requests: list[bytes] = field(default_factory=list)


def make_ca(folder: Path, name: str) -> tuple[ec.EllipticCurvePrivateKey, Path]:
    """A self-signed CA key and its PEM file in ``folder``."""
    key = ec.generate_private_key(ec.SECP256R1())
    path = folder / f"{name}.pem"
    path.write_bytes(_pem(_certificate(name, key, name, key, ca=True)))
    return key, path


@contextmanager
def openssl_tsa(folder: Path) -> Iterator[Tsa]:
    """An RFC 3161 TSA on loopback: ``openssl ts -reply`` signing with a certificate of a CA
    made here. ``Tsa.ca_pem`` is that CA's certificate."""
    assert OPENSSL is not None
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_pem = make_ca(folder, "Test TSA Root")
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa_cert = _certificate("Test TSA", tsa_key, "Test TSA Root", ca_key, ca=False)
    (folder / "tsa.pem").write_bytes(_pem(tsa_cert))
    (folder / "tsa.key").write_bytes(
        tsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(
        "[ tsa ]\ndefault_tsa = tsa_config\n\n[ tsa_config ]\n"
        f"dir = {folder}\nserial = $dir/serial\ncrypto_device = builtin\n"
        # No `certs` chain: the reply carries the signer's certificate alone (certReq), and the
        # CA is what the verifier is given. rfc3161-client refuses a chain that OpenSSL writes
        # unsorted (a SET OF not in DER order).
        "signer_cert = $dir/tsa.pem\nsigner_key = $dir/tsa.key\n"
        "signer_digest = sha256\ndefault_policy = 1.3.6.1.4.1.99999.1.1\n"
        "digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\n"
        "tsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n"
    )
    lock = threading.Lock()
    tsa = Tsa("", ca_pem)

    def handle(request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        if request.headers.get("Content-Type") != "application/timestamp-query":
            return 415, "text/plain", b"application/timestamp-query only\n"
        tsa.requests.append(body)
        with lock, tempfile.TemporaryDirectory(dir=folder) as work:
            query, reply = Path(work) / "q.tsq", Path(work) / "r.tsr"
            query.write_bytes(body)
            done = subprocess.run(
                [
                    OPENSSL,
                    "ts",
                    "-reply",
                    "-config",
                    str(folder / "tsa.cnf"),
                    "-queryfile",
                    str(query),
                    "-out",
                    str(reply),
                ],
                capture_output=True,
                timeout=30,
                check=False,
            )
            if done.returncode != 0:
                return 500, "text/plain", done.stderr
            return 200, "application/timestamp-reply", reply.read_bytes()

    with serve(handle) as url:
        tsa.url = url + "/tsr"
        yield tsa


def cosignature_key_id(name: str, public: bytes) -> bytes:
    """c2sp.org/tlog-cosignature: key ID of a cosignature/v1 key (signature type 0x04)."""
    return hashlib.sha256(name.encode() + b"\n\x04" + public).digest()[:4]


@dataclass
class Witness:
    """A c2sp.org/tlog-witness on loopback that trusts one log key.

    Attributes:
        url: the submission prefix (POST ``url/add-checkpoint``).
        name: the witness's key name.
        public_key: its Ed25519 public key (32 bytes).
        latest: origin -> (size, root hash) of the latest checkpoint it cosigned.
        bodies: every request body received.
    """

    url: str
    name: str
    public_key: bytes
    latest: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    bodies: list[bytes] = field(default_factory=list)

    def check_cosignature(self, note: str, line: str) -> None:
        """Verify a cosignature/v1 line over a checkpoint note, or raise."""
        text = note[: note.rfind("\n\n") + 1]
        name, _, blob_b64 = line.removeprefix("\u2014 ").partition(" ")
        blob = base64.b64decode(blob_b64)
        assert name == self.name
        assert blob[:4] == cosignature_key_id(self.name, self.public_key)
        (timestamp,) = struct.unpack(">Q", blob[4:12])
        message = f"cosignature/v1\ntime {timestamp}\n{text}".encode()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        Ed25519PublicKey.from_public_bytes(self.public_key).verify(blob[12:], message)


@contextmanager
def witness(log_vkey: str, name: str = "witness.test/w1") -> Iterator[Witness]:
    """Run a tlog-witness for the log whose verifier key is ``log_vkey``."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    state = Witness("", name, public)
    lock = threading.Lock()

    def handle(request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        if request.path != "/add-checkpoint":
            return 404, "text/plain", b"not found\n"
        state.bodies.append(body)
        head, _, note = body.decode().partition("\n\n")
        old_line, *proof_lines = head.split("\n")
        old_size = int(old_line.removeprefix("old "))
        try:
            checkpoint = verify_checkpoint(note, log_vkey)
        except ShiliaoError:
            return 403, "text/plain", b"no trusted signature\n"
        if old_size > checkpoint.size:
            return 400, "text/plain", b"old size past the checkpoint\n"
        with lock:
            size, root = state.latest.get(checkpoint.origin, (0, b""))
            if old_size != size:
                return 409, "text/x.tlog.size", f"{size}\n".encode()
            if size == checkpoint.size and root != checkpoint.root_hash:
                return 409, "text/x.tlog.size", f"{size}\n".encode()
            proof = [base64.b64decode(line) for line in proof_lines]
            if size and not verify_consistency_proof(
                size, checkpoint.size, proof, root, checkpoint.root_hash
            ):
                return 422, "text/plain", b"consistency proof does not verify\n"
            state.latest[checkpoint.origin] = (checkpoint.size, checkpoint.root_hash)
        text = note[: note.rfind("\n\n") + 1]
        now = int(time.time())
        signature = private.sign(f"cosignature/v1\ntime {now}\n{text}".encode())
        blob = cosignature_key_id(name, public) + struct.pack(">Q", now) + signature
        line = f"\u2014 {name} {base64.b64encode(blob).decode()}\n"
        return 200, "text/plain; charset=utf-8", line.encode()

    with serve(handle) as url:
        state.url = url
        yield state
