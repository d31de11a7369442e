"""An essay (section) rendered to an HTML fragment with linked citations, terms and figures.

The Markdown is parsed by markdown-it-py with the CommonMark preset and raw HTML off, so that
anything in an essay that looks like HTML is shown as text. The parsed tokens are then edited,
never the HTML string, and markdown-it's renderer writes and escapes everything:

* author-date citations (``shiliao.cite.citations``) become links to the reference list, or
  to the source's page when the work cited is an archived source;
* a quoted Chinese phrase in a paragraph that cites an archived source links to the passage
  of that source that says it;
* links by id (``source:``, ``passage:``, ``term:``, ``collection:``, ``section:``; the syntax
  of ``docs/essays.md``) become relative links to the site's pages;
* an image of an archived source alone in its paragraph becomes a ``<figure>`` with the web
  image ``publish.figures`` derives, and a paragraph starting ``Figure N:`` becomes a
  ``<figure>`` whose caption links its source;
* runs of Han characters get a ``lang`` attribute, and glossary terms in them link to the term
  with its pinyin and English in a ``title``;
* the reference list is appended.

What the essay writes is data: no text from it reaches the output unescaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from shiliao.cite.citations import Citation, Resolution, Resolver, find_citations
from shiliao.cite.csl import anchor_id
from shiliao.cite.iri import to_uri
from shiliao.cite.reference import format_bibliography, in_text, year_suffixes
from shiliao.cite.runs import Run
from shiliao.cite.sources import archived_source
from shiliao.model import Passage, Section, Source, Term
from shiliao.publish.figures import FigureImage, FigureRequest, parse_figure_target
from shiliao.publish.lang import term_hint, text_lang
from shiliao.publish.urls import SiteUrls

__all__ = ["EssayLinks", "RenderedReference", "RenderedSection", "render_section"]

_HAN_CHARS = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# CJK symbols and punctuation, full-width forms, and the curly double quotes, middle dot,
# dash and ellipsis that Chinese text shares with English.
_CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef“”·—…"
# A run starts at a Han character (or CJK punctuation before one) and goes on through Han
# characters and CJK punctuation; ASCII spaces and punctuation stay inside only between Han
# text, as in "交往,交流,交融" or a title "结亲周 亲人更亲 感情更浓".
_HAN_RUN = re.compile(
    rf"[{_CJK_PUNCTUATION}]*[{_HAN_CHARS}]"
    rf"(?:[{_HAN_CHARS}{_CJK_PUNCTUATION}]|[ \t,.:;!?|]+(?=[{_HAN_CHARS}{_CJK_PUNCTUATION}]))*"
)
_FIGURE = re.compile(r"Figure\s+(?P<number>\d+)\s*:")
# The source's title: the last parenthesis of the caption, holding Han text, before the final
# full stop.
_FIGURE_TITLE = re.compile(rf"[(（](?P<title>[^()（）]*[{_HAN_CHARS}][^()（）]*)[)）][\s.。]*\Z")
# A quoted phrase: Chinese corner brackets, curly or straight double quotes; linked to its
# passage only when it holds Han text.
_QUOTE = re.compile(
    r"“(?P<a>[^“”\n]{1,200})”|「(?P<b>[^「」\n]{1,200})」|\"(?P<c>[^\"\n]{1,200})\""
)
_HAN = re.compile(f"[{_HAN_CHARS}]")
_SPACE = re.compile(r"\s+")
# The link schemes of essays (docs/essays.md).
_SCHEMES = ("source", "passage", "term", "collection", "section")
_ID_LINK = re.compile(rf"(?P<scheme>{'|'.join(_SCHEMES)}):(?P<rest>.*)\Z", re.S)


def _english_ui(english: str) -> Markup:
    return Markup('<span data-ui="{}">{}</span>').format(english, english)


@dataclass(frozen=True)
class EssayLinks:
    """What an essay can link to by id, as seen from its page.

    Attributes:
        urls: the site's paths.
        link: the URL written in the page for a root-relative target (``urls.relative`` from
            the section's page).
        sources: the published sources, by id (the public projection's: a ``team`` source is
            not there, so a link to it is a missing id).
        passages: a source's published passages, in order.
        collections: the ids of the collections that have a page.
        sections: the ids of the sections.
        figure: the web image of a figure, written in the site, or why there is none (a
            sentence for a warning); ``site.py`` derives it with ``publish.figures``.
        records: the ids of the bibliography's own entries (the curator's records), which are
            checked for completeness when cited; None checks every item cited.
    """

    urls: SiteUrls
    link: Callable[[str], str]
    sources: Mapping[str, Source]
    passages: Callable[[str], Sequence[Passage]]
    collections: frozenset[str] = frozenset()
    sections: frozenset[str] = frozenset()
    figure: Callable[[FigureRequest], FigureImage | str] = lambda request: "no figures here"
    records: frozenset[str] | None = None


@dataclass(frozen=True)
class RenderedReference:
    """One entry of a section's reference list.

    Attributes:
        entry_id: the CSL id of the item.
        anchor: the ``id`` of its ``<li>`` (``"ref-chang-2020"``), the target of its citations.
        html: the entry's content as an HTML fragment, escaped (``markupsafe.Markup``); for an
            archived source, it ends with a link to the source's page.
    """

    entry_id: str
    anchor: str
    html: Markup


@dataclass(frozen=True)
class RenderedSection:
    """A section ready for a page template.

    Attributes:
        html: the body, reference list included, as an HTML fragment (``markupsafe.Markup``,
            so that Jinja2 inserts it as is); the title is not in it.
        title: the front matter's ``title``, or the section's id when it has none.
        subtitle: the front matter's ``subtitle``, or None.
        references: the items cited and the figures' sources, in reference-list order
            (``shiliao.cite.reference.format_bibliography`` in the section's style).
        warnings: ``"<path>:<line>: ..."`` for each citation or figure source that did not
            resolve, each figure without an image, each link to a missing id, each incomplete
            record cited (once), and ``"<path>: ..."`` for each front-matter collection that
            has no page; lines are lines of the essay's file.
        citations: every cited work and what it resolved to, in the order of the text.
        collections: ``(collection id, URL)`` of each collection the front matter names
            (``collection:``, a string or a list) that has a page.
    """

    html: Markup
    title: str
    subtitle: str | None
    references: list[RenderedReference]
    warnings: list[str]
    citations: list[Resolution]
    collections: list[tuple[str, str]] = field(default_factory=list)


def render_section(
    section: Section,
    bibliography: list[dict[str, Any]],
    terms: list[Term],
    term_url: Callable[[str], str],
    reference_anchor_prefix: str = "ref-",
    style: str = "chicago",
    links: EssayLinks | None = None,
    ui: Callable[[str], Markup] = _english_ui,
) -> RenderedSection:
    """Render an essay's Markdown body to HTML.

    Citations (the forms of ``shiliao.cite.citations``) become ``<a class="cite"
    href="#ref-<id>">Chang, 2020</a>`` inside their parentheses, one link per work; a work that
    does not resolve is kept as ``<span class="cite unresolved">`` and warned about. A Pandoc
    citation ``[@key, p. 14]`` is written as the style's in-text citation, ``(Chang 2020, p.
    14)`` in Chicago; its key may be a bibliography entry's id or, when ``bibliography``
    holds the archive's sources (``publish.citing.archive_items``), a source's id. Citations
    inside links and code are left alone. A work that is an archived source (a source's own
    item, an entry with a source's id, or an entry whose ``archived`` field names a source)
    links to the source's page instead (``class="cite archived"``), and its reference-list
    entry ends with a link there too. Citing an incomplete record (no title, or neither names
    nor date) is warned about once per record.

    In a paragraph that cites archived sources, a quoted phrase (“…”, 「…」 or "…") holding Han
    text that occurs in a passage of one of them (spaces aside) links to that passage
    (``class="quote"``), the quotation marks outside the link.

    Links by id (``[text](source:ID)``, ``passage:ID#N``, ``term:词``, ``collection:ID``,
    ``section:ID``) become links to those pages through ``links``; an id that is not there
    (or any, without ``links``) is warned about and its text kept, unlinked. An image of an
    archived source alone in its paragraph, optionally followed on the next line by its
    caption (``Figure N: ...``), becomes ``<figure>`` with ``<img alt width height>`` of the
    web image ``links.figure`` gives and a caption ending with the source's title linked to
    its page; without an image (and why) it is a warning. Any other image becomes a link
    holding its alt text.

    Every run of Han characters is wrapped in ``<span lang="zh-Hans">`` (``zh-Hant`` when
    ``publish.lang.text_lang`` finds it Traditional, as on the source pages). In runs outside
    links, glossary terms (Simplified or Traditional form) are linked to
    ``term_url(term.term)`` with ``class="term"``, the form's ``lang`` and a ``title`` giving
    the pinyin and English (``lang.term_hint``), longest match first, left to right, without
    overlap; a run that is exactly one term is the link alone.

    A paragraph (not one of a tight list) that starts ``Figure N:`` becomes ``<figure
    id="figure-N"><figcaption>``. The source's title, the last parenthesised Han text of the
    caption, links to the bibliography item with that ``title`` (compared after NFKC
    normalisation and stripping); otherwise a warning is given. Such a figure has no image,
    which is warned about too.

    The reference list (``<section class="references"><h2>References</h2><ol><li
    id="ref-<id>">``) holds every item cited and every figure source, formatted and ordered in
    ``style`` (works of the same authors and year lettered over the whole bibliography, as
    ``(Xu, 2018a)`` resolves), and is left out when there is none.

    Args:
        section: the essay; its ``body_line`` makes warnings point at lines of the file.
        bibliography: CSL-JSON items as ``shiliao.cite.csl.load_bibliography`` returns them,
            with the archive's sources after them where sources can be cited (unique ids).
        terms: the glossary.
        term_url: the URL of a term's page, given the term (Simplified).
        reference_anchor_prefix: put before a CSL id to make its reference anchor.
        style: ``"chicago"``, ``"apa"`` or ``"gb7714"`` (``[cite] style``).
        links: what the essay can link to by id; None when there is no site (id links and
            figures are then warned about, citations link to the reference list only).
        ui: writes interface text (``publish.interface.Interface.ui``).

    Returns:
        The rendered section; problems are in its ``warnings``, nothing is raised for them.
    """
    renderer = _SectionRenderer(
        section, bibliography, terms, term_url, reference_anchor_prefix, style, links, ui
    )
    return renderer.render()


@dataclass
class _SectionRenderer:
    """The state of one rendering: what has been cited and warned about so far."""

    section: Section
    bibliography: Sequence[Mapping[str, Any]]
    terms: list[Term]
    term_url: Callable[[str], str]
    prefix: str
    style: str
    links: EssayLinks | None
    ui: Callable[[str], Markup]
    markdown: MarkdownIt = field(init=False)
    suffixes: dict[str, str] = field(init=False)
    by_id: dict[str, Mapping[str, Any]] = field(init=False)
    resolver: Resolver = field(init=False)
    term_forms: dict[str, tuple[str, str]] = field(init=False)
    term_hints: dict[str, str] = field(init=False)
    longest_term: int = field(init=False)
    archived: dict[str, str] = field(init=False)
    warnings: list[str] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    cited: set[str] = field(default_factory=set)
    warned_records: set[str] = field(default_factory=set)
    # The archived sources the paragraph being rendered cites, for its quoted phrases.
    quoted_sources: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.markdown = MarkdownIt("commonmark", {"html": False})
        self.by_id = {entry["id"]: entry for entry in self.bibliography}
        self.suffixes = year_suffixes(self.bibliography)
        self.resolver = Resolver(self.bibliography)
        # Surface form -> (term, lang of the form); the first entry with a form wins.
        self.term_forms = {}
        self.term_hints = {}
        for term in self.terms:
            self.term_forms.setdefault(term.term, (term.term, "zh-Hans"))
            if term.traditional:
                self.term_forms.setdefault(term.traditional, (term.term, "zh-Hant"))
            self.term_hints.setdefault(term.term, term_hint(term))
        self.longest_term = max(map(len, self.term_forms), default=0)
        # Entry id -> the archived source it is (same id, or the entry's "archived" field).
        self.archived = {}
        if self.links is not None:
            for entry in self.bibliography:
                target = archived_source(entry) or str(entry["id"])
                if target in self.links.sources:
                    self.archived[str(entry["id"])] = target

    def render(self) -> RenderedSection:
        env: dict[str, Any] = {}
        tokens = self.markdown.parse(self.section.body, env)
        body = self.markdown.renderer.render(self._blocks(tokens), self.markdown.options, env)
        formatted = format_bibliography(
            [self.by_id[entry_id] for entry_id in self.cited], self.style, self.suffixes
        )
        references = [
            RenderedReference(
                entry_id=entry.id,
                anchor=anchor_id(entry.id, self.prefix),
                html=self._reference_html(entry.runs, entry.id),
            )
            for entry in formatted
        ]
        html = Markup(body)
        if references:
            items = Markup("").join(
                Markup('<li id="{}">{}</li>\n').format(reference.anchor, reference.html)
                for reference in references
            )
            html += Markup(
                '<section class="references">\n<h2>{}</h2>\n<ol>\n{}</ol>\n</section>\n'
            ).format(self.ui("References"), items)
        front = self.section.front_matter
        subtitle = front.get("subtitle")
        return RenderedSection(
            html=html,
            title=str(front.get("title") or self.section.id),
            subtitle=str(subtitle) if subtitle else None,
            references=references,
            warnings=self.warnings,
            citations=self.resolutions,
            collections=self._collections(),
        )

    def _collections(self) -> list[tuple[str, str]]:
        """The front matter's collections that have a page; a warning for each other one."""
        named = self.section.front_matter.get("collection")
        found = []
        for value in named if isinstance(named, list) else [named] if named else []:
            collection = str(value)
            if self.links is not None and collection in self.links.collections:
                found.append(
                    (collection, self.links.link(self.links.urls.collection_page(collection)))
                )
            else:
                self.warnings.append(
                    f"{self.section.path}: front matter collection: {collection} matches no "
                    "collection of the archive's published sources"
                )
        return found

    def _warn(self, line: int, message: str) -> None:
        self.warnings.append(f"{self.section.path}:{line}: {message}")

    def _line(self, token: Token) -> int:
        """The file line of a block token's first line."""
        return self.section.body_line + (token.map[0] if token.map else 0)

    def _blocks(self, tokens: list[Token]) -> list[Token]:
        """The block tokens, with figures made and every inline token's children rewritten."""
        out: list[Token] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type == "paragraph_open" and not token.hidden:
                inline = tokens[index + 1]
                made = self._image_figure(inline)
                if made is None and (figure := _FIGURE.match(inline.content)):
                    made = self._caption_figure(inline, figure.group("number"))
                if made is not None:
                    out += made
                    index += 3
                    continue
            if token.type == "inline":
                self.quoted_sources = self._cited_sources(token)
                token.children = self._inline(token.children or [], self._line(token))
            out.append(token)
            index += 1
        return out

    def _cited_sources(self, inline: Token) -> list[str]:
        """The archived sources a paragraph cites, in order, for its quoted phrases."""
        if not self.archived:
            return []
        text = "".join(
            "\n" if child.type == "softbreak" else child.content
            for child in inline.children or []
            if child.type in ("text", "softbreak")
        )
        found = self.resolver.resolve(find_citations(text, first_line=1))
        return list(
            dict.fromkeys(self.archived[r.entry_id] for r in found if r.entry_id in self.archived)
        )

    # Figures -----------------------------------------------------------------------------------

    def _caption_figure(self, inline: Token, number: str) -> list[Token]:
        """A ``Figure N:`` paragraph: a caption whose source title links its reference."""
        self._link_figure_source(inline, number)
        self._warn(
            self._line(inline),
            f"figure {number} has no image: write ![alt text](source:ID) on the line above its "
            "caption to show the archived picture",
        )
        self.quoted_sources = []
        inline.children = self._inline(inline.children or [], self._line(inline))
        return [
            Token("figure_open", "figure", 1, attrs={"id": f"figure-{number}"}, block=True),
            Token("figcaption_open", "figcaption", 1, block=True),
            inline,
            Token("figcaption_close", "figcaption", -1, block=True),
            Token("figure_close", "figure", -1, block=True),
        ]

    def _image_figure(self, inline: Token) -> list[Token] | None:
        """An image of an archived source alone in its paragraph (and its caption), or None."""
        children = inline.children or []
        if not children or children[0].type != "image":
            return None
        target = unquote(children[0].attrGet("src") or "")
        if not target.startswith("source:"):
            return None
        if len(children) > 1 and children[1].type not in ("softbreak", "hardbreak"):
            return None
        line = self._line(inline)
        image, caption = children[0], children[2:]
        alt = _plain_text(image.children or [])
        number = None
        if caption and caption[0].type == "text" and (found := _FIGURE.match(caption[0].content)):
            number = found.group("number")
        label = f"figure {number}" if number else "a figure"
        request = parse_figure_target(target)
        source = None
        made: FigureImage | str
        if isinstance(request, str):
            made = request
        elif self.links is None or request.source_id not in self.links.sources:
            made = f"no published source has the id {request.source_id!r}"
        else:
            source = self.links.sources[request.source_id]
            made = self.links.figure(request)
        if isinstance(made, str):
            self._warn(line, f"{label} has no image: {made}")
        if not alt:
            self._warn(line, f"{label} has no alt text: write what the picture shows in ![...]")
        attrs: dict[str, str | int | float] = {"class": "archive-figure"}
        if number:
            attrs["id"] = f"figure-{number}"
        out = [Token("figure_open", "figure", 1, attrs=attrs, block=True)]
        if isinstance(made, FigureImage) and self.links is not None:
            img = Token(
                "html_inline",
                "",
                0,
                content=Markup(
                    '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy">\n'
                ).format(self.links.link(made.path), alt, made.width, made.height),
            )
            out.append(img)
        titled = False
        source_url = ""
        if source is not None and self.links is not None:
            source_url = self.links.link(self.links.urls.source(source.id))
            if source.id in self.by_id:
                self.cited.add(source.id)
            titled = self._title_in_caption(caption, source, source_url)
        self.quoted_sources = []
        caption_tokens = self._inline(caption, line + 1) if caption else []
        if source is not None and not titled:
            # The source's own title, linked to its page, after the caption.
            if caption_tokens:
                caption_tokens.append(Token("hardbreak", "br", 0))
            caption_tokens += [
                Token("span_open", "span", 1, attrs={"class": "figure-source"}),
                Token("html_inline", "", 0, content=self.ui("Source:")),
                Token("text", "", 0, content=" "),
                *self._figure_source_link(source, source_url),
                Token("span_close", "span", -1),
            ]
        if not caption_tokens and not isinstance(made, FigureImage):
            # Neither a picture nor words: an empty frame would only puzzle a reader (the build
            # has warned).
            return []
        if caption_tokens:
            out += [
                Token("figcaption_open", "figcaption", 1, block=True),
                Token("inline", "", 0, children=caption_tokens, block=True),
                Token("figcaption_close", "figcaption", -1, block=True),
            ]
        out.append(Token("figure_close", "figure", -1, block=True))
        return out

    def _title_in_caption(self, caption: list[Token], source: Source, url: str) -> bool:
        """Link the title a caption ends with (in parentheses) to the source's page when it is
        the source's title; False when the caption does not end with it."""
        last = caption[-1] if caption else None
        title = _FIGURE_TITLE.search(last.content) if last and last.type == "text" else None
        if last is None or title is None:
            return False
        if _normal_title(title.group("title")) != _normal_title(source.title):
            return False
        text = last.content
        caption[-1:] = [
            Token("text", "", 0, content=text[: title.start("title")]),
            Token("link_open", "a", 1, attrs={"href": url, "class": "figure-source"}),
            Token("text", "", 0, content=title.group("title")),
            Token("link_close", "a", -1),
            Token("text", "", 0, content=text[title.end("title") :]),
        ]
        return True

    def _figure_source_link(self, source: Source, url: str) -> list[Token]:
        return [
            Token("link_open", "a", 1, attrs={"href": url, "class": "figure-source"}),
            *self._plain(source.title, link_terms=False),
            Token("link_close", "a", -1),
        ]

    def _link_figure_source(self, inline: Token, number: str) -> None:
        """Turn the source's title at the end of a caption into a link to its reference."""
        line = self._line(inline)
        children = inline.children or []
        last = children[-1] if children else None
        title = _FIGURE_TITLE.search(last.content) if last and last.type == "text" else None
        if last is None or title is None:
            self._warn(
                line,
                f"figure {number} names no source; end its caption with the source's title in "
                "parentheses",
            )
            return
        wanted = _normal_title(title.group("title"))
        matches = [
            str(entry["id"])
            for entry in self.bibliography
            if isinstance(entry.get("title"), str) and _normal_title(entry["title"]) == wanted
        ]
        if len(matches) != 1:
            found = (
                f"matches {len(matches)} entries: {', '.join(matches)}"
                if matches
                else "matches no bibliography entry"
            )
            self._warn(line, f"figure {number} source ({title.group('title')}) {found}")
            return
        self.cited.add(matches[0])
        self._check_record(matches[0], line)
        text = last.content
        children[-1:] = [
            Token("text", "", 0, content=text[: title.start("title")]),
            Token(
                "link_open",
                "a",
                1,
                attrs={"href": "#" + anchor_id(matches[0], self.prefix), "class": "figure-source"},
            ),
            Token("text", "", 0, content=title.group("title")),
            Token("link_close", "a", -1),
            Token("text", "", 0, content=text[title.end("title") :]),
        ]

    # Inline content ----------------------------------------------------------------------------

    def _inline(self, children: list[Token], line: int) -> list[Token]:
        """Rewrite inline tokens: text and soft breaks are re-emitted with citations and terms,
        links by id point at their pages, images become links."""
        out: list[Token] = []
        run: list[Token] = []
        link_depth = 0
        # For each open link: whether it was kept as a link (an id that is missing is a span).
        opened: list[bool] = []
        for child in children:
            if child.type in ("text", "softbreak"):
                run.append(child)
                continue
            line = self._text_run(run, line, link_depth > 0, out)
            run = []
            if child.type == "link_open":
                link_depth += 1
                kept = self._id_link(child, line)
                opened.append(kept)
                if not kept:
                    child = Token("span_open", "span", 1, attrs={"class": "missing-link"})
            elif child.type == "link_close":
                link_depth -= 1
                if opened and not opened.pop():
                    child = Token("span_close", "span", -1)
            elif child.type == "hardbreak":
                line += 1
            elif child.type == "image":
                out += self._image_link(child, line)
                continue
            out.append(child)
        self._text_run(run, line, link_depth > 0, out)
        return out

    def _id_link(self, token: Token, line: int) -> bool:
        """Point a link by id at its page; False (and a warning) when the id is missing.
        Links that are not by id are left as they are."""
        href = str(token.attrGet("href") or "")
        match = _ID_LINK.match(href)
        if match is None:
            return True
        scheme, rest = match.group("scheme"), unquote(match.group("rest"))
        target, problem = self._target(scheme, rest)
        if target is None:
            self._warn(line, f"link to {scheme}:{rest}: {problem}")
            return False
        token.attrSet("href", target)
        if scheme == "term" and (
            hint := self.term_hints.get(self.term_forms.get(rest, (rest,))[0])
        ):
            token.attrSet("class", "term")
            token.attrSet("title", hint)
        return True

    def _target(self, scheme: str, rest: str) -> tuple[str | None, str]:
        """The URL of a link by id, or None and why."""
        links = self.links
        if links is None:
            return None, "links by id need the archive's site"
        if scheme == "term":
            term = self.term_forms.get(rest, (rest, ""))[0]
            path = links.urls.term(term)
            return (links.link(path), "") if path else (None, "no glossary term is written so")
        if scheme == "section":
            if rest not in links.sections:
                return None, "no section has this id (a section's id is its file name's stem)"
            return links.link(links.urls.section(rest)), ""
        if scheme == "collection":
            if rest not in links.collections:
                return None, "no collection of published sources has this id"
            return links.link(links.urls.collection_page(rest)), ""
        source_id, _, fragment = rest.partition("#")
        if source_id not in links.sources:
            return None, "no published source has this id"
        if scheme == "source":
            if fragment:
                return None, "a source link takes no #...; use passage:ID#N for a passage"
            return links.link(links.urls.source(source_id)), ""
        if not fragment.isdigit():
            return None, "write the passage's number after #: passage:ID#12"
        paragraphs = {p.paragraph for p in links.passages(source_id)}
        if int(fragment) not in paragraphs:
            return None, f"the source has no published passage {int(fragment)}"
        return links.link(links.urls.passage(source_id, int(fragment))), ""

    def _image_link(self, image: Token, line: int) -> list[Token]:
        """An image that is not a figure: a link to its source's page holding its alt text
        (a picture is shown only as a figure, made from the archive)."""
        alt = _plain_text(image.children or [])
        target = unquote(str(image.attrGet("src") or ""))
        request = parse_figure_target(target)
        url = None
        if (
            isinstance(request, FigureRequest)
            and self.links is not None
            and request.source_id in self.links.sources
        ):
            url = self.links.link(self.links.urls.source(request.source_id))
        if url is None:
            self._warn(
                line,
                f"image {target}: pictures are shown from archived sources only, as a figure "
                "alone in its paragraph: ![alt text](source:ID)",
            )
            return self._plain(alt, link_terms=False)
        self._warn(
            line,
            f"image {target} is not alone in its paragraph; it is shown as a link, not a figure",
        )
        return [
            Token("link_open", "a", 1, attrs={"href": url}),
            *self._plain(alt, link_terms=False),
            Token("link_close", "a", -1),
        ]

    def _text_run(self, run: list[Token], line: int, in_link: bool, out: list[Token]) -> int:
        """Emit one run of text and soft breaks; returns the line after it.

        Text split by soft breaks is joined again so that a citation wrapped over two lines is
        still found. Inside a link nothing is linked (links do not nest), only marked by script.
        """
        text = "".join("\n" if token.type == "softbreak" else token.content for token in run)
        if in_link:
            out += self._plain(text, link_terms=False)
            return line + text.count("\n")
        citations = find_citations(text, first_line=line)
        position = 0
        for citation in citations:
            out += self._quoted(text[position : citation.start])
            out += self._citation(text, citation)
            position = citation.end
        out += self._quoted(text[position:])
        return line + text.count("\n")

    def _quoted(self, text: str) -> list[Token]:
        """Text with its quoted Chinese phrases linked to the passages that say them."""
        if not self.quoted_sources or self.links is None:
            return self._plain(text, link_terms=True)
        out: list[Token] = []
        position = 0
        for match in _QUOTE.finditer(text):
            phrase = match.group("a") or match.group("b") or match.group("c") or ""
            found = self._passage_of(phrase) if _HAN.search(phrase) else None
            if found is None:
                continue
            start = match.start() + 1
            end = match.end() - 1
            out += self._plain(text[position:start], link_terms=True)
            out.append(
                Token("link_open", "a", 1, attrs={"href": self.links.link(found), "class": "quote"})
            )
            out += self._plain(text[start:end], link_terms=False)
            out.append(Token("link_close", "a", -1))
            position = end
        out += self._plain(text[position:], link_terms=True)
        return out

    def _passage_of(self, phrase: str) -> str | None:
        """The root-relative URL of the first passage of the paragraph's archived sources that
        holds the phrase (spaces and line breaks aside), or None."""
        assert self.links is not None
        wanted = _SPACE.sub("", phrase)
        for source_id in self.quoted_sources:
            for passage in self.links.passages(source_id):
                if wanted in _SPACE.sub("", passage.text):
                    return self.links.urls.passage(source_id, passage.paragraph)
        return None

    def _citation(self, text: str, citation: Citation) -> list[Token]:
        resolutions = self.resolver.resolve([citation])
        for resolution in resolutions:
            self.resolutions.append(resolution)
            if resolution.entry_id is not None:
                self.cited.add(resolution.entry_id)
                self._check_record(resolution.entry_id, resolution.line)
            elif warning := resolution.warning(self.section.path):
                self.warnings.append(warning)
        out: list[Token] = []
        if citation.kind == "pandoc":
            # Pandoc's bracket is markup, not prose: write it as the author-date citation it
            # stands for.
            out += self._plain("(", link_terms=False)
            for number, resolution in enumerate(resolutions):
                work = resolution.work
                lead = ("; " if number else "") + (f"{work.prefix} " if work.prefix else "")
                out += self._plain(lead, link_terms=False)
                label = (
                    # The style's citation without its parentheses (or a locator after them).
                    in_text(
                        self.by_id[resolution.entry_id],
                        self.style,
                        self.suffixes.get(resolution.entry_id, ""),
                    )[1:].rsplit(")", 1)[0]
                    if resolution.entry_id is not None
                    else text[work.label_start : work.label_end]
                )
                out += self._cite(label, resolution.entry_id)
                if work.locator:
                    out += self._plain(f", {work.locator}", link_terms=False)
            out += self._plain(")", link_terms=False)
            return out
        position = citation.start
        for resolution in resolutions:
            work = resolution.work
            out += self._plain(text[position : work.label_start], link_terms=False)
            out += self._cite(text[work.label_start : work.label_end], resolution.entry_id)
            position = work.label_end
        out += self._plain(text[position : citation.end], link_terms=False)
        return out

    def _check_record(self, entry_id: str, line: int) -> None:
        """Warn, once per record, when a cited bibliography record is incomplete: no title,
        or neither names nor a date (a placeholder of what the essay says)."""
        if entry_id in self.warned_records:
            return
        links = self.links
        if links is not None and links.records is not None and entry_id not in links.records:
            return
        entry = self.by_id[entry_id]
        missing = []
        if not str(entry.get("title") or "").strip():
            missing.append("no title")
        if not any(entry.get(role) for role in ("author", "editor")) and not entry.get("issued"):
            missing.append("no author or date")
        if missing:
            self.warned_records.add(entry_id)
            self._warn(
                line,
                f"reference {entry_id} is an incomplete record ({', '.join(missing)}); "
                "complete its entry in the bibliography",
            )

    def _cite(self, label: str, entry_id: str | None) -> list[Token]:
        if entry_id is None:
            opening = Token("span_open", "span", 1, attrs={"class": "cite unresolved"})
            closing = Token("span_close", "span", -1)
        elif entry_id in self.archived and self.links is not None:
            href = self.links.link(self.links.urls.source(self.archived[entry_id]))
            opening = Token("link_open", "a", 1, attrs={"href": href, "class": "cite archived"})
            closing = Token("link_close", "a", -1)
        else:
            href = "#" + anchor_id(entry_id, self.prefix)
            opening = Token("link_open", "a", 1, attrs={"href": href, "class": "cite"})
            closing = Token("link_close", "a", -1)
        return [opening, *self._plain(label, link_terms=False), closing]

    def _plain(self, text: str, *, link_terms: bool) -> list[Token]:
        """Tokens for text: line breaks as soft breaks, Han runs marked, terms linked."""
        out: list[Token] = []
        for number, line in enumerate(text.split("\n")):
            if number:
                out.append(Token("softbreak", "br", 0))
            position = 0
            for match in _HAN_RUN.finditer(line):
                if match.start() > position:
                    out.append(Token("text", "", 0, content=line[position : match.start()]))
                out += self._han_run(match.group(), link_terms=link_terms)
                position = match.end()
            if position < len(line):
                out.append(Token("text", "", 0, content=line[position:]))
        return out

    def _han_run(self, run: str, *, link_terms: bool) -> list[Token]:
        if link_terms and run in self.term_forms:
            return self._term_link(run)
        # One rule for the whole site: the source pages decide a run's script the same way.
        lang = text_lang(run) or "zh-Hans"
        inner: list[Token] = []
        position = start = 0
        while link_terms and position < len(run):
            for length in range(min(self.longest_term, len(run) - position), 0, -1):
                if run[position : position + length] in self.term_forms:
                    if position > start:
                        inner.append(Token("text", "", 0, content=run[start:position]))
                    inner += self._term_link(run[position : position + length])
                    position = start = position + length
                    break
            else:
                position += 1
        if start < len(run):
            inner.append(Token("text", "", 0, content=run[start:]))
        opening = Token("span_open", "span", 1, attrs={"lang": lang})
        return [opening, *inner, Token("span_close", "span", -1)]

    def _term_link(self, form: str) -> list[Token]:
        term, lang = self.term_forms[form]
        attrs: dict[str, str | int | float] = {
            "href": self.term_url(term),
            "class": "term",
            "lang": lang,
        }
        if hint := self.term_hints.get(term):
            attrs["title"] = hint
        return [
            Token("link_open", "a", 1, attrs=attrs),
            Token("text", "", 0, content=form),
            Token("link_close", "a", -1),
        ]

    def _reference_html(self, runs: list[Run], entry_id: str) -> Markup:
        tokens: list[Token] = []
        for run in runs:
            if run.style == "italic":
                tokens.append(Token("em_open", "em", 1))
            elif run.style == "link":
                # Shown as the IRI the style prints, linked by its ASCII URI.
                tokens.append(Token("link_open", "a", 1, attrs={"href": to_uri(run.text)}))
            tokens += self._plain(run.text, link_terms=False)
            if run.style == "italic":
                tokens.append(Token("em_close", "em", -1))
            elif run.style == "link":
                tokens.append(Token("link_close", "a", -1))
        html = Markup(self.markdown.renderer.renderInline(tokens, self.markdown.options, {}))
        if entry_id in self.archived and self.links is not None:
            href = self.links.link(self.links.urls.source(self.archived[entry_id]))
            html += Markup(' <a class="archived-copy" href="{}">{}</a>').format(
                href, self.ui("In the archive")
            )
        return html


def _plain_text(children: list[Token]) -> str:
    """The text of inline tokens without their markup (an image's alt text)."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.children:
            parts.append(_plain_text(child.children))
    return "".join(parts).strip()


def _normal_title(title: str) -> str:
    return unicodedata.normalize("NFKC", title).strip()
