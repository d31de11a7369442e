"""The archive's storage: originals by digest (``blobs``) and the database (``catalog``)."""

from shiliao.store.blobs import BlobStore, FsBlobStore
from shiliao.store.catalog import Catalog

__all__ = ["BlobStore", "Catalog", "FsBlobStore"]
