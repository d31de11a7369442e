"""The OCFL storage root: checked by ocfl-py's independent validator, killed at every commit step,
mutated byte by byte (reliability tests 16-19, 20-22, 51)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import unicodedata
from pathlib import Path

import ocfl
import pytest
from ocfl.layout_0003_hash_and_id_n_tuple import Layout_0003_Hash_And_Id_N_Tuple
from ocfl.validator import Validator

from shiliao.errors import IntegrityError, StoreError
from shiliao.store.ocfl import OcflStore, file_object_id

USER = {"name": "Test Curator", "address": "mailto:curator@example.org"}
RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def assert_valid(root: Path) -> None:
    """ocfl-py validates the storage root and every object with digests; every object sits
    where ocfl-py's own extension 0003 puts its id."""
    storage_root = ocfl.StorageRoot(str(root))
    valid = storage_root.validate(check_digests=True, log_warnings=False)
    assert valid and storage_root.good_objects == storage_root.num_objects, (
        storage_root.errors,
        str(storage_root.log),
    )
    # The same instance: ocfl-py 2.1's list_objects needs the log that validate() sets up.
    for path, identifier in storage_root.list_objects():
        assert path == Layout_0003_Hash_And_Id_N_Tuple().identifier_to_path(identifier)


def object_valid(path: Path) -> bool:
    """ocfl-py's verdict on one object folder (digests checked)."""
    return Validator(check_digests=True, log_warnings=False).validate_object(str(path))


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def store(tmp_path: Path) -> OcflStore:
    return OcflStore(tmp_path / "archive" / "objects", user=USER)


def test_a_new_root_and_object_follow_ocfl_and_extension_0003(
    store: OcflStore, tmp_path: Path
) -> None:
    report = write(tmp_path / "in" / "报告.html", "<p>结亲周 亲人更亲</p>".encode())
    oid = file_object_id("sources/报告.html")
    assert oid == "urn:shiliao:file:sources/%E6%8A%A5%E5%91%8A.html"
    version = store.put(oid, {"sources/报告.html": report}, "import", USER)
    assert (version.number, version.name, version.new) == (1, "v1", True)

    root = store.root
    assert (root / "0=ocfl_1.1").read_bytes() == b"ocfl_1.1\n"
    layout = json.loads((root / "ocfl_layout.json").read_text())
    assert layout["extension"] == "0003-hash-and-id-n-tuple-storage-layout"
    assert sorted(p.name for p in (root / "extensions").iterdir()) == [layout["extension"]]
    config = json.loads(
        (root / "extensions/0003-hash-and-id-n-tuple-storage-layout/config.json").read_text()
    )
    assert config == {
        "extensionName": "0003-hash-and-id-n-tuple-storage-layout",
        "digestAlgorithm": "sha256",
        "tupleSize": 3,
        "numberOfTuples": 3,
    }
    digest = hashlib.sha256(oid.encode()).hexdigest()
    obj = (
        root
        / digest[:3]
        / digest[3:6]
        / digest[6:9]
        / ("urn%3ashiliao%3afile%3asources%2f%25E6%258A%25A5%25E5%2591%258A%2ehtml")
    )
    assert store.object_path(oid) == obj

    raw = (obj / "inventory.json").read_bytes()
    assert (obj / "inventory.json.sha512").read_text() == (
        hashlib.sha512(raw).hexdigest() + " inventory.json\n"
    )
    assert (obj / "v1" / "inventory.json").read_bytes() == raw
    inventory = json.loads(raw)
    data = report.read_bytes()
    sha512, sha256 = hashlib.sha512(data).hexdigest(), hashlib.sha256(data).hexdigest()
    assert inventory["digestAlgorithm"] == "sha512"
    assert inventory["type"] == "https://ocfl.io/1.1/spec/#inventory"
    assert inventory["manifest"] == {sha512: ["v1/content/sources/报告.html"]}
    assert inventory["fixity"] == {"sha256": {sha256: ["v1/content/sources/报告.html"]}}
    v1 = inventory["versions"]["v1"]
    assert v1["state"] == {sha512: ["sources/报告.html"]}
    assert v1["message"] == "import" and v1["user"] == USER
    assert RFC3339_UTC.fullmatch(v1["created"])
    assert (obj / "v1/content/sources/报告.html").read_bytes() == data

    assert store.digest(oid, "sources/报告.html") == sha256
    assert store.digest(oid, "sources/报告.html", algorithm="sha512") == sha512
    assert list(store.iter_objects()) == [oid]
    assert store.verify() == [] and store.verify_object(oid) == []
    assert not list(store.staging.iterdir())
    assert_valid(root)


def test_a_changed_file_makes_v2_and_keeps_v1(store: OcflStore, tmp_path: Path) -> None:
    jsonl = write(tmp_path / "in" / "corpus.jsonl", b'{"title": "\xe7\xbb\x93\xe4\xba\xb2"}\n')
    sidecar = write(tmp_path / "in" / "corpus.jsonl.yaml", b"title: title\n")
    oid = file_object_id("sources/corpus.jsonl")
    files = {"sources/corpus.jsonl": jsonl, "sources/corpus.jsonl.yaml": sidecar}
    first = store.put(oid, files, "import", USER)
    old = jsonl.read_bytes()

    again = store.put(oid, files, "import again", USER)
    assert (again.number, again.new, again.message) == (1, False, "import")
    assert not store.object_path(oid).joinpath("v2").exists()

    jsonl.write_bytes(old + '{"title": "亲戚"}\n'.encode())
    second = store.put(oid, files, "the file grew", USER)
    assert (second.number, second.new) == (2, True)
    obj = store.object_path(oid)
    # Only the changed bytes are copied again; the unchanged sidecar stays in v1.
    assert sorted(
        p.relative_to(obj).as_posix() for p in (obj / "v2").rglob("*") if p.is_file()
    ) == [
        "v2/content/sources/corpus.jsonl",
        "v2/inventory.json",
        "v2/inventory.json.sha512",
    ]
    assert [v.name for v in store.versions(oid)] == ["v1", "v2"]
    assert store.head(oid) == store.versions(oid)[1]
    with store.open(oid, "sources/corpus.jsonl", version=1) as handle:
        assert handle.read() == old
    with store.open(oid, "sources/corpus.jsonl", version="v2") as handle:
        assert handle.read() == jsonl.read_bytes()
    assert store.digest(oid, "sources/corpus.jsonl", 1) == hashlib.sha256(old).hexdigest()
    assert first.state["sources/corpus.jsonl.yaml"] == second.state["sources/corpus.jsonl.yaml"]
    assert store.files(oid)["sources/corpus.jsonl.yaml"].content_path == (
        "v1/content/sources/corpus.jsonl.yaml"
    )

    # put_file replaces one file and keeps the others.
    sidecar.write_bytes(b"title: headline\n")
    stored = store.put_file(oid, sidecar, "sources/corpus.jsonl.yaml", user=USER)
    assert stored.version.number == 3 and stored.version.new
    assert stored.sha256 == hashlib.sha256(b"title: headline\n").hexdigest()
    assert stored.sha512 == hashlib.sha512(b"title: headline\n").hexdigest()
    assert stored.size == len(b"title: headline\n")
    assert set(stored.version.state) == set(files)
    assert store.put_file(oid, sidecar, "sources/corpus.jsonl.yaml").version.new is False
    with pytest.raises(StoreError, match="no version v9"):
        store.open(oid, "sources/corpus.jsonl", version=9)
    assert store.verify() == []
    assert_valid(store.root)


def test_nfc_and_nfd_names_are_one_logical_path(store: OcflStore, tmp_path: Path) -> None:
    # ǜ (pinyin) decomposes under NFD; U+F91D is a CJK compatibility ideograph for 欄.
    name = unicodedata.normalize("NFC", "新疆/lǜ-\uf91d目.txt")
    nfd = unicodedata.normalize("NFD", name)
    assert name != nfd and name == unicodedata.normalize("NFC", nfd)
    source = write(tmp_path / "in" / "a.txt", "绿 lǜ".encode())
    oid = file_object_id(nfd)
    assert oid == file_object_id(name)
    version = store.put(oid, {nfd: source}, "import", USER)
    assert list(version.state) == [name]
    for spelling in (name, nfd):
        with store.open(oid, spelling) as handle:
            assert handle.read() == "绿 lǜ".encode()
    assert store.put_file(oid, source, name).version.new is False
    with pytest.raises(StoreError, match="same in NFC"):
        store.put(oid, {name: source, nfd: source}, "both", USER)
    assert store.verify_object(oid) == []
    assert_valid(store.root)


def test_upper_case_hex_digests_resolve_the_same(store: OcflStore, tmp_path: Path) -> None:
    source = write(tmp_path / "in" / "a.txt", b"abc")
    oid = "urn:shiliao:file:a.txt"
    store.put(oid, {"a.txt": source}, "import", USER)
    obj = store.object_path(oid)
    inventory = json.loads((obj / "inventory.json").read_text())
    inventory["manifest"] = {k.upper(): v for k, v in inventory["manifest"].items()}
    inventory["fixity"]["sha256"] = {k.upper(): v for k, v in inventory["fixity"]["sha256"].items()}
    inventory["versions"]["v1"]["state"] = {
        k.upper(): v for k, v in inventory["versions"]["v1"]["state"].items()
    }
    raw = json.dumps(inventory, indent=2).encode()
    for folder in (obj, obj / "v1"):
        for name in ("inventory.json", "inventory.json.sha512"):
            (folder / name).chmod(0o644)
        (folder / "inventory.json").write_bytes(raw)
        (folder / "inventory.json.sha512").write_text(
            hashlib.sha512(raw).hexdigest() + "  inventory.json\n"
        )
    assert object_valid(obj)
    for sidecar_case in (str.lower, str.upper):
        # An upper-case sidecar too (§3.4 note); ocfl-py 2.1 compares sidecars case-sensitively.
        (obj / "inventory.json.sha512").write_text(
            sidecar_case(hashlib.sha512(raw).hexdigest()) + " inventory.json\n"
        )
        assert store.digest(oid, "a.txt") == hashlib.sha256(b"abc").hexdigest()
        assert store.digest(oid, "a.txt", algorithm="sha512") == hashlib.sha512(b"abc").hexdigest()
        assert store.head(oid).state == {"a.txt": hashlib.sha512(b"abc").hexdigest()}
        with store.open(oid, "a.txt") as handle:
            assert handle.read() == b"abc"
        assert store.verify_object(oid) == []
    assert store.put_file(oid, source, "a.txt").version.new is False


def test_logical_paths_are_checked_and_unsafe_names_get_digest_content_paths(
    store: OcflStore, tmp_path: Path
) -> None:
    source = write(tmp_path / "in" / "a.txt", b"x")
    for bad in ("../etc/passwd", "/abs", "a//b", "a/./b", "a/", ""):
        with pytest.raises(StoreError, match=r"E05[23]|non-empty"):
            store.put("urn:x", {bad: source}, "bad", USER)
    with pytest.raises(StoreError, match="E095"):
        store.put("urn:x", {"a": source, "a/b": source}, "bad", USER)
    assert not list(store.iter_objects())

    other = write(tmp_path / "in" / "b.txt", b"y")
    third = write(tmp_path / "in" / "c.txt", b"z")
    long_name = "长" * 100 + ".txt"  # 300 UTF-8 bytes: too long for most file systems
    files = {"问题:为什么?.txt": source, "CON.txt": other, long_name: third}
    version = store.put("urn:x", files, "odd names", USER)
    entries = store.files("urn:x")
    for logical, path in files.items():
        sha512 = hashlib.sha512(path.read_bytes()).hexdigest()
        assert entries[logical].content_path == f"v1/content/{sha512}"
        with store.open("urn:x", logical) as handle:
            assert handle.read() == path.read_bytes()
    assert set(version.state) == set(files)
    # Two names that differ only in case would collide on a case-insensitive file system.
    upper = write(tmp_path / "in" / "d.txt", b"upper")
    lower = write(tmp_path / "in" / "e.txt", b"lower")
    store.put("urn:y", {"Report.txt": upper, "report.txt": lower}, "case", USER)
    paths = {e.content_path for e in store.files("urn:y").values()}
    assert "v1/content/Report.txt" in paths and len(paths) == 2
    assert store.verify() == []
    assert_valid(store.root)


def _mutated_object(tmp_path: Path) -> tuple[OcflStore, str, Path, bytes]:
    store = OcflStore(tmp_path / "archive" / "objects", user=USER)
    data = bytes(range(256)) * 8
    oid = "urn:shiliao:file:scan.pdf"
    store.put(oid, {"scan.pdf": write(tmp_path / "in" / "scan.pdf", data)}, "import", USER)
    store.put(oid, {"scan.pdf": write(tmp_path / "in" / "scan2.pdf", data + b"!")}, "v2", USER)
    assert store.verify_object(oid) == []
    return store, oid, store.object_path(oid), data


def test_verify_object_names_a_flipped_byte(tmp_path: Path) -> None:
    store, oid, obj, data = _mutated_object(tmp_path)
    target = obj / "v1/content/scan.pdf"
    target.chmod(0o644)
    flipped = bytearray(data)
    flipped[100] ^= 0x01
    target.write_bytes(bytes(flipped))
    problems = store.verify_object(oid)
    assert {p.code for p in problems} == {"E092", "E093"}
    by_code = {p.code: p for p in problems}
    assert by_code["E092"].expected == hashlib.sha512(data).hexdigest()
    assert by_code["E092"].found == hashlib.sha512(bytes(flipped)).hexdigest()
    assert by_code["E093"].expected == hashlib.sha256(data).hexdigest()
    assert by_code["E093"].found == hashlib.sha256(bytes(flipped)).hexdigest()
    assert all(p.path.endswith("v1/content/scan.pdf") for p in problems)
    assert "v1/content/scan.pdf" in by_code["E092"].message and "sha512" in by_code["E092"].message
    assert not object_valid(obj)


def test_verify_object_names_a_deleted_file(tmp_path: Path) -> None:
    store, oid, obj, data = _mutated_object(tmp_path)
    (obj / "v2/content/scan.pdf").unlink()
    (problem,) = store.verify_object(oid)
    assert problem.code == "E092" and problem.path.endswith("v2/content/scan.pdf")
    assert "missing" in problem.message
    assert problem.expected == hashlib.sha512(data + b"!").hexdigest()
    assert not object_valid(obj)


def test_verify_object_names_an_extra_file(tmp_path: Path) -> None:
    store, oid, obj, _ = _mutated_object(tmp_path)
    write(obj / "v1/content/planted.html", b"<script>")
    (problem,) = store.verify_object(oid)
    assert problem.code == "E023" and problem.path.endswith("v1/content/planted.html")
    assert problem.found == hashlib.sha512(b"<script>").hexdigest()
    assert "not in the manifest" in problem.message
    assert not object_valid(obj)
    assert any(p.code == "E023" for p in store.verify())


def test_an_edited_inventory_is_flagged_and_readers_fall_back(tmp_path: Path) -> None:
    store, oid, obj, data = _mutated_object(tmp_path)
    inventory = obj / "inventory.json"
    inventory.chmod(0o644)
    edited = inventory.read_bytes().replace(b'"v2"', b'"v2 "', 1)
    inventory.write_bytes(edited)
    (problem,) = store.verify_object(oid)
    assert problem.code == "E060" and problem.path.endswith("inventory.json.sha512")
    assert problem.found == hashlib.sha512(edited).hexdigest()
    assert problem.expected == hashlib.sha512((obj / "v2/inventory.json").read_bytes()).hexdigest()
    assert not object_valid(obj)
    # The committed state is the version copy the sidecar names: nothing is lost.
    assert store.head(oid).number == 2
    with store.open(oid, "scan.pdf", 1) as handle:
        assert handle.read() == data
    # A truncated inventory too (reliability test 17).
    inventory.write_bytes(edited[:40])
    assert store.head(oid).number == 2
    assert [p.code for p in store.verify_object(oid)] == ["E060"]


def test_a_sidecar_matching_no_inventory_is_an_integrity_error(tmp_path: Path) -> None:
    store, oid, obj, _ = _mutated_object(tmp_path)
    sidecar = obj / "inventory.json.sha512"
    sidecar.chmod(0o644)
    sidecar.write_text("0" * 128 + " inventory.json\n")
    with pytest.raises(IntegrityError) as caught:
        store.head(oid)
    assert caught.value.expected == "0" * 128
    assert [p.code for p in store.verify_object(oid)] == ["E060"]


def test_verify_reports_stray_and_empty_folders_in_the_root(
    store: OcflStore, tmp_path: Path
) -> None:
    store.put("urn:a", {"a": write(tmp_path / "a", b"a")}, "import", USER)
    assert store.verify() == []
    (store.root / "abc" / "def").mkdir(parents=True)
    write(store.root / "abc" / "note.txt", b"stray")
    write(store.root / "sha256" / "ab" / "blob", b"old layout")
    codes = sorted(p.code for p in store.verify())
    assert codes == ["E073", "E084", "E088"]


def test_a_non_ocfl_folder_is_refused(tmp_path: Path) -> None:
    objects = tmp_path / "archive" / "objects"
    write(objects / "sha256" / "ab" / "cd" / ("ab" * 32), b"blob")
    with pytest.raises(StoreError, match="not an OCFL storage root"):
        OcflStore(objects)
    other = tmp_path / "other"
    OcflStore(other)
    (other / "ocfl_layout.json").write_text(
        json.dumps({"extension": "0002-flat-direct-storage-layout", "description": "flat"})
    )
    with pytest.raises(StoreError, match="another layout"):
        OcflStore(other)


# Crash safety ------------------------------------------------------------------------------


def _put_in_child(root: Path, oid: str, files: dict[str, Path], label: str) -> int:
    """Run ``put`` in a forked child that dies (``os._exit(1)``) just before ``label``;
    return the child's exit code (0 when the label was never reached)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns to pytest
        code = 2
        try:

            def fault(seen: str) -> None:
                if seen == label:
                    os._exit(1)

            OcflStore(root, user=USER, fault=fault).put(oid, files, "update", USER)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _labels(template: Path, scratch: Path, oid: str, files: dict[str, Path]) -> list[str]:
    shutil.copytree(template, scratch)
    seen: list[str] = []
    OcflStore(scratch / "objects", user=USER, fault=seen.append).put(oid, files, "update", USER)
    shutil.rmtree(scratch)
    return list(dict.fromkeys(seen))


def _read_all(store: OcflStore, oid: str) -> dict[str, bytes] | None:
    head = store.head(oid)
    if head is None:
        return None
    out = {}
    for logical in head.state:
        with store.open(oid, logical) as handle:
            out[logical] = handle.read()
    return out


@pytest.mark.slow
def test_a_kill_at_any_step_of_a_version_commit_leaves_old_or_new(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    a = write(inputs / "a.txt", "第一版".encode())
    b = write(inputs / "same.txt", b"unchanged")
    template = tmp_path / "template"
    oid = "urn:shiliao:file:sources/a.txt"
    OcflStore(template / "objects", user=USER).put(oid, {"a.txt": a, "same.txt": b}, "v1", USER)
    old = {"a.txt": "第一版".encode(), "same.txt": b"unchanged"}
    a.write_bytes("第二版".encode())
    c = write(inputs / "新.txt", "新文件".encode())
    files = {"a.txt": a, "same.txt": b, "新/文件.txt": c}
    new = {"a.txt": "第二版".encode(), "same.txt": b"unchanged", "新/文件.txt": "新文件".encode()}

    labels = _labels(template, tmp_path / "scratch", oid, files)
    assert len(labels) >= 10
    # The sidecar is the last thing renamed into the object: it is the commit point.
    renames = [label for label in labels if label.startswith("rename:") and "content" not in label]
    assert renames == ["rename:v2", "rename:inventory.json", "rename:inventory.json.sha512"]
    commit = labels.index("rename:inventory.json.sha512")

    for index, label in enumerate(labels):
        archive = tmp_path / f"crash-{index}"
        shutil.copytree(template, archive)
        root = archive / "objects"
        assert _put_in_child(root, oid, files, label) == 1, label
        reader = OcflStore(root)
        expected = new if index > commit else old
        assert _read_all(reader, oid) == expected, label
        assert reader.head(oid).number == (2 if index > commit else 1), label
        assert list(reader.staging.iterdir()), label  # the interrupted commit is visible
        if index % 2:
            assert reader.recover() == [oid], label
            assert not list(reader.staging.iterdir())
            assert_valid(root)
            assert _read_all(reader, oid) == expected
        rerun = OcflStore(root, user=USER).put(oid, files, "update", USER)
        assert rerun.number == 2 and rerun.new == (index <= commit), label
        assert _read_all(reader, oid) == new
        assert not list(reader.staging.iterdir()), label
        assert reader.verify() == [], label
        assert_valid(root)
        shutil.rmtree(archive)


@pytest.mark.slow
def test_a_kill_while_creating_an_object_leaves_nothing_or_all(tmp_path: Path) -> None:
    source = write(tmp_path / "in" / "报告.pdf", b"%PDF-1.7 report")
    files = {"sources/报告.pdf": source}
    oid = file_object_id("sources/报告.pdf")
    template = tmp_path / "template"
    OcflStore(template / "objects")
    labels = _labels(template, tmp_path / "scratch", oid, files)
    # Content files move inside the staging folder first; the next rename makes the object.
    appear = next(
        i
        for i, label in enumerate(labels)
        if label.startswith("rename:") and not label.startswith("rename:v1/")
    )
    for index, label in enumerate(labels):
        archive = tmp_path / f"crash-{index}"
        shutil.copytree(template, archive)
        root = archive / "objects"
        assert _put_in_child(root, oid, files, label) == 1, label
        reader = OcflStore(root)
        expected = {"sources/报告.pdf": b"%PDF-1.7 report"} if index > appear else None
        assert _read_all(reader, oid) == expected, label
        # The object appears in one rename, so the root is valid even before recovery.
        assert_valid(root)
        OcflStore(root).put(oid, files, "import", USER)
        assert _read_all(reader, oid) == {"sources/报告.pdf": b"%PDF-1.7 report"}
        assert not list(reader.staging.iterdir()) and reader.verify() == []
        shutil.rmtree(archive)


@pytest.mark.parametrize("label", ["fsync:inventory.json.sha512", "fsync:v2 (object folder)"])
def test_a_failed_fsync_is_fatal_and_rolled_back(tmp_path: Path, label: str) -> None:
    a = write(tmp_path / "in" / "a.txt", b"one")
    root = tmp_path / "archive" / "objects"
    OcflStore(root).put("urn:a", {"a.txt": a}, "v1", USER)
    a.write_bytes(b"two")

    def fail(seen: str) -> None:
        if seen == label:
            raise OSError(errno.EIO, "Input/output error")

    store = OcflStore(root, fault=fail)
    with pytest.raises(StoreError, match="Input/output error"):
        store.put("urn:a", {"a.txt": a}, "v2", USER)
    assert store.head("urn:a").number == 1
    assert not (store.object_path("urn:a") / "v2").exists()
    assert not list(store.staging.iterdir())
    assert store.verify() == []
    assert_valid(root)


# Storage layout ----------------------------------------------------------------------------

OLD_LAYOUT = "0004-hashed-n-tuple-storage-layout"
LAYOUT = "0003-hash-and-id-n-tuple-storage-layout"
# Encoded, longer than the 100 characters extension 0003 keeps of an object folder's name.
LONG_ID = file_object_id("sources/" + "新疆结亲周/" * 4 + "报告.pdf")


def _encapsulated(object_id: str) -> str:
    """Extension 0003's step 5, from its text: every UTF-8 byte outside A-Z a-z 0-9 - _
    percent-encoded in lower-case hex; past 100 characters, cut and the digest appended."""
    name = "".join(
        chr(b) if re.fullmatch(rb"[A-Za-z0-9_-]", bytes([b])) else f"%{b:02x}"
        for b in object_id.encode("utf-8")
    )
    digest = hashlib.sha256(object_id.encode("utf-8")).hexdigest()
    return name if len(name) <= 100 else f"{name[:100]}-{digest}"


def test_objects_sit_where_extension_0003_and_ocfl_py_put_them(
    store: OcflStore, tmp_path: Path
) -> None:
    # The extension's own examples (sha256, three tuples of three).
    assert store.object_path("object-01") == store.root / "3c0/ff4/240/object-01"
    assert store.object_path("..hor/rib:le-$id") == (
        store.root / "487/326/d8c/%2e%2ehor%2frib%3ale-%24id"
    )
    digest = hashlib.sha256(LONG_ID.encode()).hexdigest()
    assert len(_encapsulated(LONG_ID)) == 165 and _encapsulated(LONG_ID).endswith(digest)
    assert store.object_path(LONG_ID) == (
        store.root / digest[:3] / digest[3:6] / digest[6:9] / _encapsulated(LONG_ID)
    )
    data = write(tmp_path / "报告.pdf", b"%PDF-1.7 report")
    for oid in ("object-01", "..hor/rib:le-$id", LONG_ID):
        store.put(oid, {"报告.pdf": data}, "import", USER)
    assert sorted(store.iter_objects()) == sorted(["object-01", "..hor/rib:le-$id", LONG_ID])
    assert store.verify() == []
    assert_valid(store.root)


def make_old_layout(root: Path) -> None:
    """Give a storage root the layout earlier shiliao versions wrote, from extension 0004's
    text: every object folder named by the whole sha256 of its id, in the same tuples."""
    for declaration in root.glob("*/*/*/*/0=ocfl_object_1.1"):
        obj = declaration.parent
        object_id = json.loads((obj / "inventory.json").read_text())["id"]
        obj.rename(obj.parent / hashlib.sha256(object_id.encode()).hexdigest())
    shutil.rmtree(root / "extensions")
    config = {
        "extensionName": OLD_LAYOUT,
        "digestAlgorithm": "sha256",
        "tupleSize": 3,
        "numberOfTuples": 3,
        "shortObjectRoot": False,
    }
    write(root / "extensions" / OLD_LAYOUT / "config.json", json.dumps(config).encode())
    layout = {"extension": OLD_LAYOUT, "description": "hashed n-tuple"}
    (root / "ocfl_layout.json").write_text(json.dumps(layout))


def _old_root(base: Path) -> tuple[Path, dict[str, dict[str, bytes]]]:
    """An old-layout root of two objects (one with a long id), and what each holds."""
    inputs = base / "in"
    root = base / "archive" / "objects"
    store = OcflStore(root, user=USER)
    held = {
        file_object_id("sources/报告.pdf"): {"sources/报告.pdf": b"%PDF-1.7 report"},
        LONG_ID: {"a.txt": "第一版".encode()},
    }
    for oid, files in held.items():
        store.put(oid, {k: write(inputs / k, v) for k, v in files.items()}, "import", USER)
    write(inputs / "a.txt", "第二版".encode())
    store.put(LONG_ID, {"a.txt": inputs / "a.txt"}, "update", USER)
    held[LONG_ID] = {"a.txt": "第二版".encode()}
    make_old_layout(root)
    return root, held


def _tree(root: Path) -> dict[str, bytes | None]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def _assert_converted(root: Path, held: dict[str, dict[str, bytes]]) -> None:
    store = OcflStore(root, convert=False)
    assert store.layout == "0003-hash-and-id-n-tuple-storage-layout"
    layout = json.loads((root / "ocfl_layout.json").read_text())
    assert layout["extension"] == "0003-hash-and-id-n-tuple-storage-layout"
    assert [p.name for p in (root / "extensions").iterdir()] == [layout["extension"]]
    for oid, files in held.items():
        assert _read_all(store, oid) == files
        assert store.object_path(oid).name == _encapsulated(oid)
    assert store.versions(LONG_ID)[0].state != store.versions(LONG_ID)[1].state
    assert store.verify() == []
    assert_valid(root)


def test_an_old_layout_root_is_converted_on_open(tmp_path: Path) -> None:
    root, held = _old_root(tmp_path)
    # What ocfl-py's validator said of every archive shiliao wrote before.
    old = ocfl.StorageRoot(str(root))
    assert not old.validate(log_warnings=False)
    assert "E071" in str(old.log) and OLD_LAYOUT in str(old.log)
    # Opened without converting, it is read where 0004 put it, and nothing changes.
    before = _tree(root)
    reader = OcflStore(root, convert=False)
    assert reader.layout == OLD_LAYOUT
    assert {oid: _read_all(reader, oid) for oid in held} == held
    assert reader.verify() == [] and reader.layout_conversion() is None
    assert _tree(root) == before

    store = OcflStore(root)
    _assert_converted(root, held)
    note = store.layout_conversion()
    assert note is not None
    assert (note["from"], note["to"], note["objects"]) == (
        OLD_LAYOUT,
        "0003-hash-and-id-n-tuple-storage-layout",
        2,
    )
    assert RFC3339_UTC.fullmatch(note["started"]) and RFC3339_UTC.fullmatch(note["finished"])
    # The note waits until whoever logs the conversion forgets it.
    assert OcflStore(root).layout_conversion() == note
    store.forget_layout_conversion()
    assert store.layout_conversion() is None and OcflStore(root).layout_conversion() is None


def test_a_root_that_cannot_be_converted_is_left_as_it_was(tmp_path: Path) -> None:
    root, held = _old_root(tmp_path)
    oid = file_object_id("sources/报告.pdf")
    obj = OcflStore(root, convert=False).object_path(oid)
    misplaced = obj.parent / ("0" * 64)
    obj.rename(misplaced)
    with pytest.raises(StoreError, match=f"{'0' * 64} holds 'urn:shiliao:file:sources/"):
        OcflStore(root)
    # Nothing committed: the root still says 0004, and the misplaced object is where it was.
    assert json.loads((root / "ocfl_layout.json").read_text())["extension"] == OLD_LAYOUT
    assert (misplaced / "inventory.json").is_file()
    assert (root / "extensions" / OLD_LAYOUT / "config.json").is_file()
    misplaced.rename(obj)
    OcflStore(root)
    _assert_converted(root, held)


def _convert_in_child(root: Path, label: str) -> int:
    """Open ``root`` in a forked child that dies just before ``label``; its exit code."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns to pytest
        code = 2
        try:

            def fault(seen: str) -> None:
                if seen == label:
                    os._exit(1)

            OcflStore(root, fault=fault)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_kill_at_any_step_of_a_conversion_is_finished_by_the_next_open(tmp_path: Path) -> None:
    template, held = _old_root(tmp_path / "template")
    scratch = tmp_path / "scratch"
    shutil.copytree(template, scratch)
    labels: list[str] = []
    OcflStore(scratch, fault=labels.append)
    labels = list(dict.fromkeys(labels))
    renames = [label for label in labels if label.startswith("rename:")]
    assert len(renames) == 2 and labels[0] == "write:layout note"
    assert labels[-2:] == ["write:ocfl_layout.json", f"remove:extensions/{OLD_LAYOUT}"]
    for index, label in enumerate(labels):
        root = tmp_path / f"crash-{index}" / "objects"
        shutil.copytree(template, root)
        assert _convert_in_child(root, label) == 1, label
        layout = json.loads((root / "ocfl_layout.json").read_text())["extension"]
        assert layout == (OLD_LAYOUT if index < len(labels) - 1 else LAYOUT), label
        store = OcflStore(root)
        _assert_converted(root, held)
        assert store.layout_conversion()["objects"] == 2, label


def test_a_content_file_renamed_to_nfd_is_read_and_only_warned_about(
    store: OcflStore, tmp_path: Path
) -> None:
    logical = "sources/Ürümqi/lǜ报告.txt"
    data = "乌鲁木齐报告".encode()
    oid = file_object_id(logical)
    store.put(oid, {logical: write(tmp_path / "in.txt", data)}, "import", USER)
    obj = store.object_path(oid)
    content = obj / "v1" / "content" / "sources"
    # What a copy through macOS leaves: the folder and the file named in NFD.
    (content / "Ürümqi" / "lǜ报告.txt").rename(
        content / "Ürümqi" / unicodedata.normalize("NFD", "lǜ报告.txt")
    )
    (content / "Ürümqi").rename(content / unicodedata.normalize("NFD", "Ürümqi"))
    assert not (obj / "v1" / "content" / logical).exists()
    with store.open(oid, logical) as handle:
        assert handle.read() == data
    assert store.files(oid)[logical].size == len(data)
    assert store.digest(oid, logical) == hashlib.sha256(data).hexdigest()
    (problem,) = store.verify_object(oid)
    assert (problem.code, problem.warning) == ("E092", True)
    assert problem.path.endswith("v1/content/sources/Ürümqi/lǜ报告.txt")
    assert "Unicode normalization" in problem.message
    assert store.verify() == [problem]
    # The bytes are still checked under the other name.
    nfd = (
        content
        / unicodedata.normalize("NFD", "Ürümqi")
        / unicodedata.normalize("NFD", "lǜ报告.txt")
    )
    nfd.chmod(0o644)
    nfd.write_bytes(data + b"!")
    codes = sorted((p.code, p.warning) for p in store.verify_object(oid))
    assert codes == [("E092", False), ("E092", True), ("E093", False)]
