"""Properties of the Merkle log's proofs (``log.merkle``, RFC 9162 §2.1): every inclusion and
consistency proof verifies, for every tree size and index, and fails once any byte of it, of
the leaf or of a root is changed, or once it is cut short or lengthened.

The roots are checked against the RFC's recursive definition, written out here on its own.
"""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

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
from tests.properties.strategies import scaled

_MAX_LEAVES = 70
# Entries of a few bytes, repeats likely (a log may hold one entry twice); the size is drawn
# first so that large trees come as often as small ones.
_ENTRIES = st.integers(0, _MAX_LEAVES).flatmap(
    lambda n: st.lists(st.binary(max_size=3), min_size=n, max_size=n)
)


def _mth(leaves: list[bytes]) -> bytes:
    """MTH by RFC 9162 §2.1.1, recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _flip(hashes: list[bytes], which: int, byte: int, bit: int) -> list[bytes]:
    """``hashes`` with one bit of one byte of one hash changed."""
    which %= len(hashes)
    changed = bytearray(hashes[which])
    changed[byte % len(changed)] ^= 1 << bit
    return [*hashes[:which], bytes(changed), *hashes[which + 1 :]]


def test_every_proof_of_every_size_up_to_100_verifies() -> None:
    leaves = [leaf_hash(b"%d" % n) for n in range(100)]
    tree = MerkleTree(leaves)
    roots = [tree.root(size) for size in range(101)]
    for new_size in range(101):
        for index in range(new_size):
            proof = tree.inclusion_proof(index, new_size)
            assert verify_inclusion_proof(leaves[index], index, new_size, proof, roots[new_size])
        for old_size in range(new_size + 1):
            proof = tree.consistency_proof(old_size, new_size)
            assert verify_consistency_proof(
                old_size, new_size, proof, roots[old_size], roots[new_size]
            )


@settings(max_examples=scaled(0.2))
@given(_ENTRIES)
def test_roots_are_the_rfc_mth_at_every_size(entries: list[bytes]) -> None:
    leaves = [leaf_hash(entry) for entry in entries]
    tree = MerkleTree(leaves)
    assert tree.size == len(leaves)
    for size in range(len(leaves) + 1):
        assert tree.root(size) == _mth(leaves[:size])
    assert root_hash(leaves) == _mth(leaves)
    assert MerkleTree().root() == EMPTY_ROOT


@settings(max_examples=scaled(0.2))
@given(_ENTRIES.filter(bool), st.data())
def test_inclusion_proofs_verify_at_every_size(entries: list[bytes], data: st.DataObject) -> None:
    leaves = [leaf_hash(entry) for entry in entries]
    tree = MerkleTree(leaves)
    for size in range(1, len(leaves) + 1):
        root = tree.root(size)
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert verify_inclusion_proof(leaves[index], index, size, proof, root)
    index = data.draw(st.integers(0, len(leaves) - 1))
    assert inclusion_proof(index, leaves) == tree.inclusion_proof(index)


@given(
    _ENTRIES.filter(bool),
    st.data(),
    st.integers(0, 1000),
    st.integers(0, 31),
    st.integers(0, 7),
)
def test_an_altered_inclusion_proof_fails(
    entries: list[bytes], data: st.DataObject, which: int, byte: int, bit: int
) -> None:
    leaves = [leaf_hash(entry) for entry in entries]
    tree = MerkleTree(leaves)
    size = data.draw(st.integers(1, len(leaves)))
    index = data.draw(st.integers(0, size - 1))
    proof, root, leaf = tree.inclusion_proof(index, size), tree.root(size), leaves[index]
    assert verify_inclusion_proof(leaf, index, size, proof, root)
    if proof:
        assert not verify_inclusion_proof(leaf, index, size, _flip(proof, which, byte, bit), root)
        assert not verify_inclusion_proof(leaf, index, size, proof[:-1], root)
    [bad_leaf] = _flip([leaf], 0, byte, bit)
    [bad_root] = _flip([root], 0, byte, bit)
    assert not verify_inclusion_proof(bad_leaf, index, size, proof, root)
    assert not verify_inclusion_proof(leaf, index, size, proof, bad_root)
    assert not verify_inclusion_proof(leaf, index, size, [*proof, leaf], root)
    assert not verify_inclusion_proof(leaf, size, size, proof, root)
    assert not verify_inclusion_proof(leaf, -1, size, proof, root)
    # At another index the proof verifies only where the same leaf has the same path (a log
    # may hold one entry twice).
    other = data.draw(st.integers(0, size - 1))
    same = leaves[other] == leaf and tree.inclusion_proof(other, size) == proof
    assert verify_inclusion_proof(leaf, other, size, proof, root) == same


@settings(max_examples=scaled(0.2))
@given(_ENTRIES, st.data())
def test_consistency_proofs_verify_between_every_two_sizes(
    entries: list[bytes], data: st.DataObject
) -> None:
    leaves = [leaf_hash(entry) for entry in entries]
    tree = MerkleTree(leaves)
    for new_size in range(len(leaves) + 1):
        new_root = tree.root(new_size)
        for old_size in range(new_size + 1):
            proof = tree.consistency_proof(old_size, new_size)
            assert verify_consistency_proof(
                old_size, new_size, proof, tree.root(old_size), new_root
            )
    old = data.draw(st.integers(0, len(leaves)))
    assert consistency_proof(old, leaves) == tree.consistency_proof(old)


@given(
    _ENTRIES.filter(lambda e: len(e) >= 2),
    st.data(),
    st.integers(0, 1000),
    st.integers(0, 31),
    st.integers(0, 7),
)
def test_an_altered_consistency_proof_fails(
    entries: list[bytes], data: st.DataObject, which: int, byte: int, bit: int
) -> None:
    leaves = [leaf_hash(entry) for entry in entries]
    tree = MerkleTree(leaves)
    new_size = data.draw(st.integers(2, len(leaves)))
    old_size = data.draw(st.integers(1, new_size - 1))
    proof = tree.consistency_proof(old_size, new_size)
    old_root, new_root = tree.root(old_size), tree.root(new_size)
    assert verify_consistency_proof(old_size, new_size, proof, old_root, new_root)
    assert proof
    assert not verify_consistency_proof(
        old_size, new_size, _flip(proof, which, byte, bit), old_root, new_root
    )
    [bad_old] = _flip([old_root], 0, byte, bit)
    [bad_new] = _flip([new_root], 0, byte, bit)
    assert not verify_consistency_proof(old_size, new_size, proof, bad_old, new_root)
    assert not verify_consistency_proof(old_size, new_size, proof, old_root, bad_new)
    assert not verify_consistency_proof(old_size, new_size, proof[:-1], old_root, new_root)
    assert not verify_consistency_proof(old_size, new_size, [*proof, old_root], old_root, new_root)
    assert not verify_consistency_proof(new_size, old_size, proof, new_root, old_root)
    # A rewritten history: change one of the first old_size entries and no proof from the
    # old root can reach the new tree's root.
    rewritten = list(leaves)
    rewritten[data.draw(st.integers(0, old_size - 1))] = leaf_hash(b"rewritten")
    if rewritten != leaves:
        forged = MerkleTree(rewritten)
        assert not verify_consistency_proof(
            old_size,
            new_size,
            forged.consistency_proof(old_size, new_size),
            old_root,
            forged.root(new_size),
        )


@given(st.integers(1, 2**20), st.integers(0, 2**20), st.lists(st.binary(min_size=32, max_size=32)))
def test_the_verifiers_answer_false_not_an_error_on_any_input(
    size: int, index: int, proof: list[bytes]
) -> None:
    leaf = root = bytes(32)
    assert verify_inclusion_proof(leaf, index, size, proof, root) in (True, False)
    assert verify_consistency_proof(index, size, proof, leaf, root) in (True, False)
    assert not verify_inclusion_proof(b"short", 0, 1, [], b"short")
