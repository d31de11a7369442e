"""The static website: pages, downloads of the originals, and a search index that needs no server.

``build_site`` writes the site from an archive's database and originals; ``site_is_current``
tells whether a rebuild can be skipped. See ``site.py`` for the pages, ``searchindex.py`` for
the search index's format and ``urls.py`` for every path.
"""

from shiliao.publish.site import SiteEvidence, SiteReport, build_site, site_is_current

__all__ = ["SiteEvidence", "SiteReport", "build_site", "site_is_current"]
