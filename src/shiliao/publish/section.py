"""An essay (section) rendered to an HTML fragment with linked citations, terms and figures.

The Markdown is parsed by markdown-it-py with the CommonMark preset and raw HTML off, so that
anything in an essay that looks like HTML is shown as text. The parsed tokens are then edited,
never the HTML string, and markdown-it's renderer writes and escapes everything:

* author-date citations (``shiliao.cite.citations``) become links to the reference list;
* runs of Han characters get a ``lang`` attribute, and glossary terms in them link to the term;
* a paragraph starting ``Figure N:`` becomes a ``<figure>`` whose caption links its source;
* the reference list is appended.

What the essay writes is data: no text from it reaches the output unescaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from shiliao.cite.citations import Citation, Resolution, Resolver, find_citations
from shiliao.cite.csl import anchor_id
from shiliao.cite.iri import to_uri
from shiliao.cite.reference import format_bibliography, in_text, year_suffixes
from shiliao.cite.runs import Run
from shiliao.model import Section, Term
from shiliao.publish.lang import text_lang

__all__ = ["RenderedReference", "RenderedSection", "render_section"]

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


@dataclass(frozen=True)
class RenderedReference:
    """One entry of a section's reference list.

    Attributes:
        entry_id: the CSL id of the item.
        anchor: the ``id`` of its ``<li>`` (``"ref-chang-2020"``), the target of its citations.
        html: the entry's content as an HTML fragment, escaped (``markupsafe.Markup``).
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
            resolve, in the order of the text; lines are lines of the essay's file.
        citations: every cited work and what it resolved to, in the order of the text.
    """

    html: Markup
    title: str
    subtitle: str | None
    references: list[RenderedReference]
    warnings: list[str]
    citations: list[Resolution]


def render_section(
    section: Section,
    bibliography: list[dict[str, Any]],
    terms: list[Term],
    term_url: Callable[[str], str],
    reference_anchor_prefix: str = "ref-",
    style: str = "chicago",
) -> RenderedSection:
    """Render an essay's Markdown body to HTML.

    Citations (the forms of ``shiliao.cite.citations``) become ``<a class="cite"
    href="#ref-<id>">Chang, 2020</a>`` inside their parentheses, one link per work; a work that
    does not resolve is kept as ``<span class="cite unresolved">`` and warned about. A Pandoc
    citation ``[@key, p. 14]`` is written as the style's in-text citation, ``(Chang 2020, p.
    14)`` in Chicago; its key may be a bibliography entry's id or, when ``bibliography``
    holds the archive's sources (``publish.citing.archive_items``), a source's id. Citations
    inside links and code are left alone.

    Every run of Han characters is wrapped in ``<span lang="zh-Hans">`` (``zh-Hant`` when
    ``publish.lang.text_lang`` finds it Traditional, as on the source pages). In runs outside links, glossary
    terms (Simplified or Traditional form) are linked to ``term_url(term.term)`` with
    ``class="term"`` and the form's ``lang``, longest match first, left to right, without
    overlap; a run that is exactly one term is the link alone.

    A paragraph (not one of a tight list) that starts ``Figure N:`` becomes ``<figure
    id="figure-N"><figcaption>``. The source's title, the last parenthesised Han text of the
    caption, links to the bibliography item with that ``title`` (compared after NFKC
    normalisation and stripping); otherwise a warning is given.

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

    Returns:
        The rendered section; problems are in its ``warnings``, nothing is raised for them.
    """
    renderer = _SectionRenderer(
        section, bibliography, terms, term_url, reference_anchor_prefix, style
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
    markdown: MarkdownIt = field(init=False)
    suffixes: dict[str, str] = field(init=False)
    by_id: dict[str, Mapping[str, Any]] = field(init=False)
    resolver: Resolver = field(init=False)
    term_forms: dict[str, tuple[str, str]] = field(init=False)
    longest_term: int = field(init=False)
    warnings: list[str] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    cited: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.markdown = MarkdownIt("commonmark", {"html": False})
        self.by_id = {entry["id"]: entry for entry in self.bibliography}
        self.suffixes = year_suffixes(self.bibliography)
        self.resolver = Resolver(self.bibliography)
        # Surface form -> (term, lang of the form); the first entry with a form wins.
        self.term_forms = {}
        for term in self.terms:
            self.term_forms.setdefault(term.term, (term.term, "zh-Hans"))
            if term.traditional:
                self.term_forms.setdefault(term.traditional, (term.term, "zh-Hant"))
        self.longest_term = max(map(len, self.term_forms), default=0)

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
                html=self._reference_html(entry.runs),
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
                '<section class="references">\n<h2>References</h2>\n<ol>\n{}</ol>\n</section>\n'
            ).format(items)
        front = self.section.front_matter
        subtitle = front.get("subtitle")
        return RenderedSection(
            html=html,
            title=str(front.get("title") or self.section.id),
            subtitle=str(subtitle) if subtitle else None,
            references=references,
            warnings=self.warnings,
            citations=self.resolutions,
        )

    def _line(self, token: Token) -> int:
        """The file line of a block token's first line."""
        return self.section.body_line + (token.map[0] if token.map else 0)

    def _blocks(self, tokens: list[Token]) -> list[Token]:
        """The block tokens, with figures made and every inline token's children rewritten."""
        out: list[Token] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if (
                token.type == "paragraph_open"
                and not token.hidden
                and (figure := _FIGURE.match(tokens[index + 1].content))
            ):
                inline = tokens[index + 1]
                number = figure.group("number")
                self._link_figure_source(inline, number)
                inline.children = self._inline(inline.children or [], self._line(inline))
                out += [
                    Token("figure_open", "figure", 1, attrs={"id": f"figure-{number}"}, block=True),
                    Token("figcaption_open", "figcaption", 1, block=True),
                    inline,
                    Token("figcaption_close", "figcaption", -1, block=True),
                    Token("figure_close", "figure", -1, block=True),
                ]
                index += 3
                continue
            if token.type == "inline":
                token.children = self._inline(token.children or [], self._line(token))
            out.append(token)
            index += 1
        return out

    def _link_figure_source(self, inline: Token, number: str) -> None:
        """Turn the source's title at the end of a caption into a link to its reference."""
        line = self._line(inline)
        children = inline.children or []
        last = children[-1] if children else None
        title = _FIGURE_TITLE.search(last.content) if last and last.type == "text" else None
        if last is None or title is None:
            self.warnings.append(
                f"{self.section.path}:{line}: figure {number} names no source; end its caption "
                "with the source's title in parentheses"
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
            self.warnings.append(
                f"{self.section.path}:{line}: figure {number} source "
                f"({title.group('title')}) {found}"
            )
            return
        self.cited.add(matches[0])
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

    def _inline(self, children: list[Token], line: int) -> list[Token]:
        """Rewrite inline tokens: text and soft breaks are re-emitted with citations and terms."""
        out: list[Token] = []
        run: list[Token] = []
        link_depth = 0
        for child in children:
            if child.type in ("text", "softbreak"):
                run.append(child)
                continue
            line = self._text_run(run, line, link_depth > 0, out)
            run = []
            if child.type == "link_open":
                link_depth += 1
            elif child.type == "link_close":
                link_depth -= 1
            elif child.type == "hardbreak":
                line += 1
            out.append(child)
        self._text_run(run, line, link_depth > 0, out)
        return out

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
            out += self._plain(text[position : citation.start], link_terms=True)
            out += self._citation(text, citation)
            position = citation.end
        out += self._plain(text[position:], link_terms=True)
        return line + text.count("\n")

    def _citation(self, text: str, citation: Citation) -> list[Token]:
        resolutions = self.resolver.resolve([citation])
        for resolution in resolutions:
            self.resolutions.append(resolution)
            if resolution.entry_id is not None:
                self.cited.add(resolution.entry_id)
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

    def _cite(self, label: str, entry_id: str | None) -> list[Token]:
        if entry_id is None:
            opening = Token("span_open", "span", 1, attrs={"class": "cite unresolved"})
            closing = Token("span_close", "span", -1)
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
        return [
            Token(
                "link_open",
                "a",
                1,
                attrs={"href": self.term_url(term), "class": "term", "lang": lang},
            ),
            Token("text", "", 0, content=form),
            Token("link_close", "a", -1),
        ]

    def _reference_html(self, runs: list[Run]) -> Markup:
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
        return Markup(self.markdown.renderer.renderInline(tokens, self.markdown.options, {}))


def _normal_title(title: str) -> str:
    return unicodedata.normalize("NFKC", title).strip()
