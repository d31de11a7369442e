"""Reading a collection folder: sources with their sidecars, essays, glossary, bibliography."""

from shiliao.collection.reader import Collection, CollectionFile, read_collection, source_id_for

__all__ = ["Collection", "CollectionFile", "read_collection", "source_id_for"]
