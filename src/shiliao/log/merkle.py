"""RFC 9162 §2.1 Merkle tree hashing, inclusion and consistency proofs.

All hashes are SHA-256 digests, 32 bytes (``bytes``, not hex). A *leaf hash* is
``SHA-256(0x00 || entry)`` and an interior node ``SHA-256(0x01 || left || right)``
(§2.1.1); the distinct prefixes stop a leaf from being passed off as a node. The Merkle Tree
Hash (MTH) of ``n`` leaves, for any ``n`` (§2.1.1):

- ``MTH({}) = SHA-256()``, the hash of the empty string;
- ``MTH({d0}) = leaf hash of d0``;
- for ``n > 1``, with ``k`` the largest power of two smaller than ``n``:
  ``MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``.

The tree is the one RFC 6962 defined, so the same roots and proofs come out of Certificate
Transparency, Go's ``golang.org/x/mod/sumdb/tlog`` and ``transparency-dev/merkle``; the tests
check the RFC 6962 test vectors that transparency-dev publishes.

``MerkleTree`` keeps the hash of every complete (power-of-two, aligned) subtree, level by level,
so appending a leaf costs one hash amortized, and a root, an inclusion proof or a consistency
proof at any earlier size costs O(log² n) hashes instead of O(n). Every range that the RFC's
recursive definitions (§2.1.1, §2.1.3.1, §2.1.4.1) hash starts at a multiple of a power of two
at least as large as the range, so it is exactly a right fold of stored complete subtrees
(``_range_hash``). The module-level functions (``root_hash``, ``inclusion_proof``,
``consistency_proof``) are the same operations over a plain list of leaf hashes.

The two verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step (the step numbers are in
the comments) and return ``bool``: a verifier has one answer, and the caller knows which check
it asked for, so it raises the error that names it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from shiliao.errors import LogError

__all__ = [
    "EMPTY_ROOT",
    "HASH_BYTES",
    "MerkleTree",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_hash",
    "verify_consistency_proof",
    "verify_inclusion_proof",
]

HASH_BYTES = 32
"""Length of every hash in the tree, in bytes (SHA-256)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH of the empty tree (RFC 9162 §2.1.1): SHA-256 of the empty string."""


def leaf_hash(entry: bytes) -> bytes:
    """The leaf hash of one log entry: ``SHA-256(0x00 || entry)`` (RFC 9162 §2.1.1).

    Args:
        entry: the entry's bytes exactly as logged (for shiliao, one line without its newline).

    Returns:
        32 bytes.
    """
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node: ``SHA-256(0x01 || left || right)`` (RFC 9162 §2.1.1); 32 bytes."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n > 1``): the RFC's ``k``."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only Merkle tree over leaf hashes, with every complete subtree kept.

    Memory: 32 bytes per leaf for the leaves and about as much again for the upper levels.

    Args:
        leaf_hashes: initial leaf hashes (32 bytes each), in log order.

    Raises:
        LogError: a leaf hash is not 32 bytes.

    Example::

        tree = MerkleTree(leaf_hash(line) for line in lines)
        tree.root(7)                 # MTH of the first 7 leaves
        tree.inclusion_proof(3, 7)   # list of 32-byte hashes, leaf's sibling first
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        # _levels[h] holds the complete subtrees of 2**h leaves, 32 bytes each, left to right.
        self._levels: list[bytearray] = [bytearray()]
        for leaf in leaf_hashes:
            self.append(leaf)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0]) // HASH_BYTES

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash (32 bytes) at the end; ``LogError`` if it is not 32 bytes."""
        if len(leaf) != HASH_BYTES:
            raise LogError(f"a leaf hash is {HASH_BYTES} bytes, not {len(leaf)}")
        self._levels[0] += leaf
        height = 0
        # A level with an even count has just completed a pair: hash it into the level above.
        while (len(self._levels[height]) // HASH_BYTES) % 2 == 0:
            level = self._levels[height]
            parent = node_hash(level[-2 * HASH_BYTES : -HASH_BYTES], level[-HASH_BYTES:])
            if height + 1 == len(self._levels):
                self._levels.append(bytearray())
            self._levels[height + 1] += parent
            height += 1

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index`` (0-based); ``LogError`` when out of range."""
        self._check_index(index, self.size)
        return bytes(self._levels[0][index * HASH_BYTES : (index + 1) * HASH_BYTES])

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (default: all); ``LogError`` if ``size`` is too big."""
        size = self._check_size(size)
        return self._range_hash(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of the first ``size`` leaves.

        RFC 9162 §2.1.3.1 ``PATH(m, D[n])``: the hashes needed to recompute the root from the
        leaf, the leaf's sibling first and the root's child last; empty for a one-leaf tree.

        Raises:
            LogError: ``size`` exceeds the tree, or ``index`` is not below ``size``.
        """
        size = self._check_size(size)
        self._check_index(index, size)
        return self._path(index, 0, size)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """The proof that the tree of ``new_size`` leaves extends the one of ``old_size``.

        RFC 9162 §2.1.4.1 ``PROOF(m, D[n]) = SUBPROOF(m, D[n], true)``. The RFC defines it for
        ``0 < m < n``; for ``m == n`` and for ``m == 0`` the proof is empty (nothing to prove).

        Raises:
            LogError: ``new_size`` exceeds the tree or ``old_size`` exceeds ``new_size``.
        """
        new_size = self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise LogError(f"no consistency proof from size {old_size} to size {new_size}")
        if old_size == 0:
            return []
        return self._subproof(old_size, 0, new_size, True)

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise LogError(f"the tree has {self.size} leaves; no tree of size {size}")
        return size

    @staticmethod
    def _check_index(index: int, size: int) -> None:
        if not 0 <= index < size:
            raise LogError(f"no leaf {index} in a tree of {size} leaves")

    def _range_hash(self, start: int, end: int) -> bytes:
        """MTH of leaves ``[start, end)``, where ``start`` is a multiple of a power of two that
        is at least ``end - start`` (true of every range the RFC's recursions visit)."""
        pieces = []
        position = start
        for height in range((end - start).bit_length() - 1, -1, -1):
            if (end - start) >> height & 1:
                offset = (position >> height) * HASH_BYTES
                pieces.append(bytes(self._levels[height][offset : offset + HASH_BYTES]))
                position += 1 << height
        # MTH splits off the largest power of two first, so it nests to the right.
        result = pieces.pop()
        while pieces:
            result = node_hash(pieces.pop(), result)
        return result

    def _path(self, m: int, start: int, n: int) -> list[bytes]:
        # PATH(m, D[n]) over D[start:start+n] (RFC 9162 §2.1.3.1).
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*self._path(m, start, k), self._range_hash(start + k, start + n)]
        return [*self._path(m - k, start + k, n - k), self._range_hash(start, start + k)]

    def _subproof(self, m: int, start: int, n: int, complete: bool) -> list[bytes]:
        # SUBPROOF(m, D[n], b) over D[start:start+n] (RFC 9162 §2.1.4.1).
        if m == n:
            return [] if complete else [self._range_hash(start, start + n)]
        k = _split(n)
        if m <= k:
            return [*self._subproof(m, start, k, complete), self._range_hash(start + k, start + n)]
        return [
            *self._subproof(m - k, start + k, n - k, False),
            self._range_hash(start, start + k),
        ]


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (RFC 9162 §2.1.1); ``EMPTY_ROOT`` for an empty list."""
    return MerkleTree(leaf_hashes).root()


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """``PATH(index, D[n])`` (RFC 9162 §2.1.3.1) for the tree of all ``leaf_hashes``.

    Raises:
        LogError: ``index`` is not below ``len(leaf_hashes)``.
    """
    return MerkleTree(leaf_hashes).inclusion_proof(index)


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """``PROOF(old_size, D[n])`` (RFC 9162 §2.1.4.1) for the tree of all ``leaf_hashes``.

    Raises:
        LogError: ``old_size`` exceeds ``len(leaf_hashes)``.
    """
    return MerkleTree(leaf_hashes).consistency_proof(old_size)


def _all_hashes(*hashes: bytes) -> bool:
    return all(len(h) == HASH_BYTES for h in hashes)


def verify_inclusion_proof(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree ``root``.

    The algorithm of RFC 9162 §2.1.3.2, as written there.

    Args:
        leaf: the leaf hash (32 bytes), i.e. ``leaf_hash(entry)``.
        index: 0-based index of the leaf.
        tree_size: number of leaves in the tree whose root is ``root``.
        proof: the inclusion path, leaf's sibling first, 32 bytes each.
        root: the tree's root hash (32 bytes), e.g. from a signed checkpoint.
    """
    if not _all_hashes(leaf, root, *proof):
        return False
    # 1. leaf_index must be below tree_size.
    if not 0 <= index < tree_size:
        return False
    # 2. fn = leaf_index, sn = tree_size - 1.  3. r = hash.
    fn, sn = index, tree_size - 1
    r = leaf
    # 4. For each value p in the inclusion path:
    for p in proof:
        # a. If sn is 0, fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or fn equals sn:
        if fn & 1 or fn == sn:
            # i. r = HASH(0x01 || p || r)
            r = node_hash(p, r)
            # ii. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            # Otherwise: r = HASH(0x01 || r || p)
            r = node_hash(r, p)
        # c. Right-shift fn and sn once.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 and r must equal the root.
    return sn == 0 and r == root


def verify_consistency_proof(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> bool:
    """Whether ``proof`` shows the tree ``new_root`` of ``new_size`` leaves extends the tree
    ``old_root`` of ``old_size`` leaves (an append-only history, nothing rewritten).

    The algorithm of RFC 9162 §2.1.4.2, as written there, for ``0 < old_size < new_size``. The
    RFC leaves out the two trivial cases, decided here as transparency-dev/merkle does but
    strictly: equal sizes need an empty proof and equal roots; ``old_size == 0`` needs an empty
    proof and ``old_root == EMPTY_ROOT``.

    Args:
        old_size: leaves in the older tree.
        new_size: leaves in the newer tree.
        proof: the consistency path, 32 bytes each.
        old_root: root hash of the older tree (32 bytes).
        new_root: root hash of the newer tree (32 bytes).
    """
    if not _all_hashes(old_root, new_root, *proof):
        return False
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    # 1. An empty consistency path fails.
    if not proof:
        return False
    path = list(proof)
    # 2. If first is an exact power of 2, prepend first_hash.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = old_size - 1, new_size - 1
    # 4. If LSB(fn) is set, right-shift fn and sn until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value of the path.
    fr = sr = path[0]
    # 6. For each subsequent value c:
    for c in path[1:]:
        # a. If sn is 0, fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or fn equals sn:
        if fn & 1 or fn == sn:
            # i. fr = HASH(0x01 || c || fr)   ii. sr = HASH(0x01 || c || sr)
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # iii. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            # Otherwise: sr = HASH(0x01 || sr || c)
            sr = node_hash(sr, c)
        # c. Right-shift fn and sn once.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr second_hash, and sn must be 0.
    return fr == old_root and sr == new_root and sn == 0
