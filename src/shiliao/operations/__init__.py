"""What a user does with an archive, one function per operation: ingest (the first half of
build), add, rebuild, search. The command line (``shiliao.cli``) and the editorial app are thin
adapters over these functions; each wires the stages below it with dependencies passed in."""
