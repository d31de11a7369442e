"""shiliao (史料): turn a folder of primary sources into a preserved, searchable, citable,
bilingual documentation archive, and publish it as a website."""

__version__ = "0.1.0"

__all__ = ["__version__"]
