"""RFC 9162 §2.1: tree hashes and proofs against the RFC's recursive definitions and published
test vectors."""

from __future__ import annotations

import hashlib

import pytest

from shiliao.errors import LogError
from shiliao.log.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency_proof,
    verify_inclusion_proof,
)

# The RFC's definitions, written out naively over the entries themselves (no shared code).


def naive_mth(entries: list[bytes]) -> bytes:
    n = len(entries)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + naive_mth(entries[:k]) + naive_mth(entries[k:])).digest()


def naive_path(m: int, entries: list[bytes]) -> list[bytes]:
    n = len(entries)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*naive_path(m, entries[:k]), naive_mth(entries[k:])]
    return [*naive_path(m - k, entries[k:]), naive_mth(entries[:k])]


def naive_subproof(m: int, entries: list[bytes], complete: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if complete else [naive_mth(entries)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*naive_subproof(m, entries[:k], complete), naive_mth(entries[k:])]
    return [*naive_subproof(m - k, entries[k:], False), naive_mth(entries[:k])]


# Entries of varied lengths, including empty and non-ASCII ones.
ENTRIES = [f"entry {i} 结亲 {'x' * (i % 7)}".encode() for i in range(1000)]
ENTRIES[3] = b""
LEAVES = [leaf_hash(e) for e in ENTRIES]


def flip(proof: list[bytes], position: int) -> list[bytes]:
    changed = list(proof)
    changed[position] = bytes([changed[position][0] ^ 0x08]) + changed[position][1:]
    return changed


# RFC 6962 test vectors as published by transparency-dev/merkle (proof/verify_test.go): the
# leaves, the roots of the trees of 1..8 of them, and proofs between them.
VECTOR_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
VECTOR_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (0-based leaf index, tree size, proof)
VECTOR_INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (old size, new size, proof)
VECTOR_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


def test_empty_tree_is_the_hash_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_hash([]) == EMPTY_ROOT == MerkleTree().root()


def test_published_vectors() -> None:
    tree = MerkleTree(leaf_hash(e) for e in VECTOR_LEAVES)
    for size, root in enumerate(VECTOR_ROOTS, start=1):
        assert tree.root(size).hex() == root
    for index, size, proof in VECTOR_INCLUSION:
        hashes = [bytes.fromhex(h) for h in proof]
        assert tree.inclusion_proof(index, size) == hashes
        root = bytes.fromhex(VECTOR_ROOTS[size - 1])
        assert verify_inclusion_proof(tree.leaf(index), index, size, hashes, root)
    for old, new, proof in VECTOR_CONSISTENCY:
        hashes = [bytes.fromhex(h) for h in proof]
        assert tree.consistency_proof(old, new) == hashes
        roots = bytes.fromhex(VECTOR_ROOTS[old - 1]), bytes.fromhex(VECTOR_ROOTS[new - 1])
        assert verify_consistency_proof(old, new, hashes, *roots)


@pytest.mark.parametrize("n", range(1, 71))
def test_root_and_inclusion_proofs_match_the_rfc(n: int) -> None:
    entries, leaves = ENTRIES[:n], LEAVES[:n]
    root = naive_mth(entries)
    assert root_hash(leaves) == root
    tree = MerkleTree(leaves)
    for m in range(n):
        proof = inclusion_proof(m, leaves)
        assert proof == naive_path(m, entries) == tree.inclusion_proof(m)
        assert verify_inclusion_proof(leaves[m], m, n, proof, root)
        assert not verify_inclusion_proof(leaves[m], m, 2 * n, proof, root)
        assert not verify_inclusion_proof(leaves[m], m, n, proof, LEAVES[999])
        assert not verify_inclusion_proof(LEAVES[999], m, n, proof, root)
        assert not verify_inclusion_proof(leaves[m], m, n, [*proof, root], root)
        if m + 1 < n:
            assert not verify_inclusion_proof(leaves[m], m + 1, n, proof, root)
        if proof:
            assert not verify_inclusion_proof(leaves[m], m, n, proof[:-1], root)
            assert not verify_inclusion_proof(leaves[m], m, n, flip(proof, 0), root)
            assert not verify_inclusion_proof(leaves[m], m, n, flip(proof, -1), root)


@pytest.mark.parametrize("n", range(1, 41))
def test_consistency_proofs_match_the_rfc(n: int) -> None:
    entries = ENTRIES[:n]
    tree = MerkleTree(LEAVES[:n])
    new_root = naive_mth(entries)
    for m in range(0, n + 1):
        old_root = naive_mth(entries[:m])
        proof = consistency_proof(m, LEAVES[:n])
        assert proof == ([] if m == 0 else naive_subproof(m, entries, True))
        assert proof == tree.consistency_proof(m, n)
        assert verify_consistency_proof(m, n, proof, old_root, new_root)
        if m == 0:
            continue  # every tree extends the empty one: nothing to get wrong but old_root
        assert not verify_consistency_proof(m, n, proof, old_root, LEAVES[999])
        assert not verify_consistency_proof(m, 2 * n, proof, old_root, new_root)
        if m < n:
            assert not verify_consistency_proof(m, n, proof, LEAVES[999], new_root)
            assert not verify_consistency_proof(n, m, proof, new_root, old_root)
            assert not verify_consistency_proof(m, n, [*proof, old_root], old_root, new_root)
            assert not verify_consistency_proof(m, n, proof[:-1], old_root, new_root)
            assert not verify_consistency_proof(m, n, flip(proof, 0), old_root, new_root)
            assert not verify_consistency_proof(m, n, flip(proof, -1), old_root, new_root)


def test_checkpoint_sizes_are_each_consistent_with_every_later_one() -> None:
    tree = MerkleTree(LEAVES)
    sizes = [1, 2, 7, 8, 100, 1000]
    assert tree.root() == naive_mth(ENTRIES)
    for i, old in enumerate(sizes):
        for new in sizes[i + 1 :]:
            proof = tree.consistency_proof(old, new)
            assert verify_consistency_proof(old, new, proof, tree.root(old), tree.root(new))


def test_a_forked_log_is_not_consistent() -> None:
    shared = 37
    fork = LEAVES[:shared] + [leaf_hash(f"forked {i}".encode()) for i in range(shared, 120)]
    honest, forked = MerkleTree(LEAVES[:120]), MerkleTree(fork)
    # Up to the fork the two agree; from any size past it, neither extends the other.
    proof = forked.consistency_proof(shared, 120)
    assert verify_consistency_proof(shared, 120, proof, honest.root(shared), forked.root())
    for old in (shared + 1, 64, 100, 119):
        for proof_from in (honest, forked):
            proof = proof_from.consistency_proof(old, 120)
            assert not verify_consistency_proof(old, 120, proof, honest.root(old), forked.root())
            assert not verify_consistency_proof(old, 120, proof, forked.root(old), honest.root())


def test_growing_tree_matches_every_prefix() -> None:
    tree = MerkleTree()
    for n, leaf in enumerate(LEAVES[:300], start=1):
        tree.append(leaf)
        assert tree.root() == root_hash(LEAVES[:n])
    for size in (0, 1, 5, 64, 65, 299):
        assert tree.root(size) == MerkleTree(LEAVES[:size]).root()


def test_trivial_and_out_of_range_cases() -> None:
    leaf = LEAVES[0]
    assert verify_inclusion_proof(leaf, 0, 1, [], leaf)
    assert not verify_inclusion_proof(leaf, 0, 0, [], leaf)
    assert not verify_inclusion_proof(leaf, 1, 1, [], leaf)
    assert not verify_inclusion_proof(leaf[:31], 0, 1, [], leaf[:31])
    assert verify_consistency_proof(0, 5, [], EMPTY_ROOT, LEAVES[1])
    assert not verify_consistency_proof(0, 5, [], LEAVES[2], LEAVES[1])
    assert not verify_consistency_proof(3, 3, [], LEAVES[2], LEAVES[1])
    assert not verify_consistency_proof(3, 3, [LEAVES[2]], LEAVES[2], LEAVES[2])
    tree = MerkleTree(LEAVES[:4])
    with pytest.raises(LogError):
        tree.inclusion_proof(4)
    with pytest.raises(LogError):
        tree.root(5)
    with pytest.raises(LogError):
        tree.consistency_proof(3, 2)
    with pytest.raises(LogError):
        tree.append(b"short")
