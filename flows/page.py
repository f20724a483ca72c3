"""The release page `index.html`: a static, self-contained view of one release."""

from __future__ import annotations

import html

from flows.versioning import ReleaseInfo


def render_page(files: dict[str, bytes], info: ReleaseInfo) -> bytes:
    """A placeholder page listing the release's files (issue 7 draws the real one)."""
    items = "".join(f"<li><a href='{html.escape(n)}'>{html.escape(n)}</a></li>" for n in files)
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'>"
        f"<title>CSTO open data v{html.escape(info.version)}</title><ul>{items}</ul></html>\n"
    ).encode()
