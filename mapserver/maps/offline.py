"""A single self-contained HTML file of a folium map: every script and style inlined, images as
data URIs, so a laptop opens it with no network (base-map tiles, if any, are optional)."""
from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

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


def offline_page(data: PlannerMapData, static_url: str, static_dir: Path, map_settings: dict) -> str:
    """A workshop's map as one self-contained HTML file: the planner map with every script,
    stylesheet and image it links put inline, so it opens without a network."""
    fmap = planner_map(data, static_url, map_settings)
    return inline_assets(fmap.get_root().render(), static_url, static_dir)
