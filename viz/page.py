"""What every graphkit page shares: its assets, its ``<head>``, escaping and the CSP.

The network pages (:mod:`graphkit.viz.network`) and the report
(:mod:`graphkit.viz.report`) are templates in ``viz/assets`` with
``@@NAME@@`` markers; :func:`fill` substitutes them in one pass, so text
inserted from data is never rescanned for markers.  Both start with the same
``<head>`` (:func:`head`): UTF-8, a Content-Security-Policy that allows only
scripts whose SHA-256 hash it lists (:func:`csp`), no favicon request.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.resources
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["asset", "clean", "csp", "csp_hash", "fill", "h", "head", "json_for_script"]


def asset(name: str) -> str:
    """A file of ours from ``viz/assets`` (templates, styles, scripts)."""
    return importlib.resources.files("graphkit.viz").joinpath("assets", name).read_text(encoding="utf-8")


def fill(template: str, parts: Mapping[str, str]) -> str:
    """Substitute ``@@NAME@@`` markers in one pass (inserted text is never rescanned).

    >>> fill("<b>@@A@@</b>", {"A": "@@A@@"})
    '<b>@@A@@</b>'
    """
    return re.sub(r"@@([A-Z_]+)@@", lambda m: parts[m.group(1)], template)


def clean(text: str) -> str:
    """Replace lone surrogates (unencodable in UTF-8) with U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def h(value: Any) -> str:
    """Escape text for HTML element content and quoted attribute values.

    >>> h('<a href="x">')
    '&lt;a href=&quot;x&quot;&gt;'
    """
    return html.escape(clean(str(value)), quote=True)


def json_for_script(obj: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where their
    ``\\uXXXX`` escapes mean the same, so no ``</script>`` or ``<!--`` can
    end or confuse the element.

    >>> json_for_script({"a": "</script>"})
    '{"a":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def csp_hash(script: str) -> str:
    """The CSP source expression (``'sha256-…'``) allowing exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def csp(script_hashes: Iterable[str]) -> str:
    """The pages' Content-Security-Policy: nothing but inline styles, data: images and these scripts."""
    return (
        "default-src 'none'; "
        f"script-src {' '.join(script_hashes)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
        "media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def head(*, title: str, scripts: Iterable[str], styles: Iterable[str]) -> str:
    """The shared ``<head>`` element: `title` is plain text (escaped here), `scripts`
    the inline scripts the page will run (hashed into the CSP), `styles` its style sheets."""
    return fill(
        _HEAD,
        {
            "CSP": csp(dict.fromkeys(csp_hash(s) for s in scripts)),  # fixed text and base64 hashes: nothing to escape
            "TITLE": h(title),
            "STYLES": "\n".join(f"<style>{css}</style>" for css in styles),
        },
    )


_HEAD = asset("head.html")
