"""The editorial app a research team works in (``shiliao serve``): routes over
``shiliao.operations``, server-rendered pages and a JSON API. It imports nothing from
``shiliao.cli``; see ``web.app`` for what it guards against and ``docs/serve.md``."""
