"""Tests of ``shiliao.extract``."""
