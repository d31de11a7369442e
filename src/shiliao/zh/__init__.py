"""Chinese text: normalization for the index, script detection, segmentation, glossary matching."""
