"""Privacy: access levels, personal-data detection, the review, redaction and the public
projection that every public output is made from (DESIGN.md, "Access and privacy").

Modules, bottom up: ``fold`` (one code point in, one out: the form text is matched in),
``lexicon`` (the word lists of name detection), ``numbers``, ``addresses`` and ``names`` (the
detectors), ``detect`` (a source's findings, keyed), ``access`` (which level applies to a
source), ``review`` (the editors' decisions applied to the findings), ``redact``
(placeholders), ``derive`` (public copies of files, in a limited worker), ``public`` (reading a
projection) and ``projection`` (making one).
"""

from shiliao.privacy.access import AccessRules
from shiliao.privacy.detect import DETECTOR_VERSION, detect, detect_source
from shiliao.privacy.projection import project
from shiliao.privacy.public import PrivacyInputs, ProjectionReport, PublicFiles, PublicProjection

__all__ = [
    "DETECTOR_VERSION",
    "AccessRules",
    "PrivacyInputs",
    "ProjectionReport",
    "PublicFiles",
    "PublicProjection",
    "detect",
    "detect_source",
    "project",
]
