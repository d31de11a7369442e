"""Privacy: access levels, personal-data detection, the review, redaction and the public
projection that every public output is made from (DESIGN.md, "Access and privacy").

Modules, bottom up: ``fold`` (one code point in, one out: the form text is matched in),
``lexicon`` (the word lists of name detection), ``numbers``, ``addresses`` and ``names`` (the
detectors), ``detect`` (a source's findings, keyed), ``access`` (which level applies to a
source), ``review`` (the editors' decisions applied to the findings), ``redact``
(placeholders), ``derive`` (public copies of files, in a limited worker), ``public`` (reading a
projection) and ``projection`` (making one).
"""

from shiliao.lazy import exports

# Each name is imported from its submodule when first used (``shiliao.lazy``). The function
# ``detect`` is not among them: it would be shadowed by its own module, ``privacy.detect``.
_EXPORTS = {
    "AccessRules": "access",
    "DETECTOR_VERSION": "detect",
    "PrivacyInputs": "public",
    "ProjectionReport": "public",
    "PublicFiles": "public",
    "PublicProjection": "public",
    "detect_source": "detect",
    "project": "projection",
}

__all__ = sorted(_EXPORTS)
__getattr__ = exports(__name__, _EXPORTS)
