"""HTML to PDF with WeasyPrint, for every printable document (inspection minutes and conclusions, PAR appendices):
local files and data: URLs only, never the network.

Import this module inside the function that renders, not at the top of a module: WeasyPrint takes ~0.4 s to import,
and every process (web worker, CLI command, test worker) would pay it at start-up, though few render a PDF."""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher


class LocalOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that reads data: URLs and files under one folder, and refuses everything else
    (no network access while rendering, whatever the document refers to)."""

    def __init__(self, root: str | Path):
        super().__init__(allowed_protocols=("file", "data"))
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        """Fetch a local URL; raise ValueError for any other."""
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if parts.netloc not in ("", "localhost") or not path.is_relative_to(self.root):
                raise ValueError(f"refusing to read {url} while rendering a document")
        elif parts.scheme != "data":
            raise ValueError(f"refusing to fetch {url} while rendering a document")
        return super().fetch(url, headers)


def render_pdf(html: str) -> bytes:
    """Render an HTML document to PDF; relative URLs resolve under the static folder, and nothing is fetched
    from the network."""
    static = current_app.static_folder
    return HTML(string=html, base_url=static + "/", url_fetcher=LocalOnlyFetcher(static)).write_pdf()
