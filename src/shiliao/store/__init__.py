"""The archive's storage: originals in an OCFL root (``ocfl``), read by digest through
``originals``; the database (``catalog``)."""

from shiliao.store.blobs import BlobStore
from shiliao.store.catalog import Catalog
from shiliao.store.ocfl import OcflStore, file_object_id
from shiliao.store.originals import Originals

__all__ = ["BlobStore", "Catalog", "OcflStore", "Originals", "file_object_id"]
