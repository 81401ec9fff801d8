"""Turn an organiser's Markdown (often pasted from Word or WeChat) into HTML safe to show.

The Markdown is rendered with the ``markdown`` package, which passes raw HTML through, and
the result is cleaned with ``nh3`` (the Rust ``ammonia`` sanitizer) against an allow-list:
article formatting only, no style attributes, no event handlers, no scripts, frames,
objects or forms. Links may point to http(s) or to this site; images only to this site or
to inline ``data:image`` pictures (the page's Content-Security-Policy allows no other).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "a",
    "hr",
    "span",
    "sub",
    "sup",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
#: Removed together with everything inside them (other unknown tags keep their text).
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "noscript",
    "template",
    "svg",
    "math",
    "form",
    "select",
    "textarea",
    "button",
    "audio",
    "video",
    "canvas",
    "title",
    "head",
}
#: Schemes nh3 lets through at all; :func:`_filter_attribute` narrows them per attribute.
URL_SCHEMES = {"http", "https", "data"}
#: Inline pictures (pasted screenshots); not SVG, which can carry scripts of its own.
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp|bmp);base64,", re.IGNORECASE)
#: At most this many characters of Markdown are rendered (a long article is ~30,000).
MAX_MARKDOWN = 200_000


def _is_same_site(url: str) -> bool:
    """Tell whether ``url`` is a relative URL that stays on this site."""
    # Browsers read "/\host" and "\\host" as "//host", another site.
    if url.startswith(("//", "\\", "/\\")):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


#: Characters browsers ignore or strip inside a URL's scheme ("java\tscript:").
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep an allowed attribute's value, or drop it (None) when its URL is not allowed."""
    url = value.strip()
    if attribute in ("href", "src"):
        # nh3 has already removed javascript: and other schemes; this is a second look at
        # what Markdown may have spread out with spaces ("java   script:").
        squeezed = _URL_NOISE.sub("", url).lower()
        if squeezed.startswith(_SCRIPT_SCHEMES):
            return None
    if tag == "a" and attribute == "href":
        # data: is for inline pictures only, never for a link (it can carry a page).
        return None if url.lower().startswith("data:") else value
    if tag == "img" and attribute == "src":
        return value if DATA_IMAGE.match(url) or _is_same_site(url) else None
    return value


def clean_html(html: str) -> str:
    """Sanitise an HTML fragment against the article allow-list."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML, ready to be shown as it is."""
    converter = markdown.Markdown(
        extensions=["extra", "sane_lists", "nl2br", "toc"],
        # "# 标题" becomes <h2>: the page's own title is the <h1>. The toc extension is here
        # only for this shift; the ids it adds are removed by the sanitizer.
        extension_configs={"toc": {"baselevel": 2}},
        output_format="html",
    )
    return clean_html(converter.convert((text or "")[:MAX_MARKDOWN]))
