"""Chinese text: normalization for the index, script detection, segmentation, glossary matching,
pinyin, glossary entry completion, formula and slogan detection, term statistics."""
