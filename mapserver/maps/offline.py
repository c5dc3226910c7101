"""A single self-contained HTML file of a folium map: every script and style inlined, images as
data URIs, so a laptop opens it with no network (base-map tiles, if any, are optional)."""
from __future__ import annotations

import base64
import html as html_text
import mimetypes
import re
from pathlib import Path

from ..i18n import s_
from ..map_style import HOTSPOT_COLOURS, HOTSPOT_LABELS, hotspot_key
from .data import PlannerMapData
from .planner import planner_map

_SCRIPT = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>')
_STYLESHEET = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>')
_CSS_URL = re.compile(r'url\((?P<quote>["\']?)(?P<path>[^)"\']+)(?P=quote)\)')


def _local_file(url: str, static_url: str, static_dir: Path) -> Path:
    if not url.startswith(static_url + "/"):
        raise ValueError(f"not one of our static files: {url}")
    path = (static_dir / url[len(static_url) + 1:]).resolve()
    if static_dir.resolve() not in path.parents:
        raise ValueError(f"outside the static folder: {url}")
    return path


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(path: Path) -> str:
    def replace(match: re.Match) -> str:
        target = match.group("path")
        if target.startswith(("data:", "#")):
            return match.group(0)
        image = (path.parent / target).resolve()
        return f'url("{_data_uri(image)}")' if image.exists() else match.group(0)
    return _CSS_URL.sub(replace, path.read_text(encoding="utf-8"))


def inline_assets(html: str, static_url: str, static_dir: Path) -> str:
    """Replace our <script src> and stylesheet links by their contents."""
    def script(match: re.Match) -> str:
        code = _local_file(match.group("url"), static_url, static_dir).read_text(encoding="utf-8")
        return "<script>" + code.replace("</script", "<\\/script") + "</script>"

    def stylesheet(match: re.Match) -> str:
        return "<style>" + _inline_css(_local_file(match.group("url"), static_url, static_dir)) + "</style>"

    return _STYLESHEET.sub(stylesheet, _SCRIPT.sub(script, html))


_HEADER_STYLE = """
.offline-header { position: fixed; top: 10px; left: 60px; z-index: 1000; max-width: 46%; background: rgba(255, 255, 255, 0.94);
  padding: 8px 14px; border: 1px solid #999; border-radius: 4px; font-family: "DejaVu Sans", sans-serif; color: #111; }
.offline-header h1 { font-size: 22px; margin: 0 0 4px; }
.offline-header ul { list-style: none; margin: 4px 0 0; padding: 0; font-size: 15px; }
.offline-header .swatch { display: inline-block; width: 16px; height: 16px; margin-right: 6px; vertical-align: -2px;
  border: 1px solid #666; }
"""


def title_block(data: PlannerMapData, legend: dict) -> str:
    """The offline file's visible title and the poster's legend in plain words (escaped HTML),
    an entry for each hotspot class on the map."""
    shown = {hotspot_key(f["properties"]) for f in (data.cells or {"features": []})["features"]} - {None}
    items = "".join(f'<li><span class="swatch" style="background:{HOTSPOT_COLOURS[key]}"></span>'
                    f"{html_text.escape(str(legend[key]))}</li>" for key in HOTSPOT_LABELS if key in shown)
    if not items:
        none_yet = s_("Noch keine Stelle mit auffällig vielen Pins.")
        items = f"<li>{html_text.escape(none_yet)}</li>"
    return (f'<header class="offline-header"><h1>{html_text.escape(data.title)}</h1>'
            f'<ul class="offline-legend">{items}</ul></header>')


def offline_page(data: PlannerMapData, static_url: str, static_dir: Path, map_settings: dict) -> str:
    """A workshop's map as one self-contained HTML file: the planner map with every script,
    stylesheet and image it links put inline, so it opens without a network; with its title
    (in the window and on the map) and the poster's legend in plain words."""
    from .poster import plain_legend

    fmap = planner_map(data, static_url, map_settings)
    page = inline_assets(fmap.get_root().render(), static_url, static_dir)
    head = f"<title>{html_text.escape(data.title)}</title><style>{_HEADER_STYLE}</style>"
    page = re.sub(r"<head>", lambda m: m.group(0) + head, page, count=1)
    return re.sub(r"<body>", lambda m: m.group(0) + title_block(data, plain_legend()), page, count=1)
