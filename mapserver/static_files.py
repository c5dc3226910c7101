"""Static files for weak connections: fingerprinted names (cached for a year, immutable) and
pre-compressed copies (gzip, brotli), served by WhiteNoise; HTML and JSON compressed by
Flask-Compress.

`glaswaende assets build` (run at set-up) copies static/ to static/dist/, adds a copy named
`name.<hash>.ext` of every script, style sheet and image, writes dist/manifest.json and
compresses. Pages link the fingerprinted copies (`url_for('static', …)` in templates looks them
up); relative references inside vendor style sheets still find their images beside them.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import click
from flask import Flask, Response, current_app, url_for
from flask.cli import with_appcontext
from flask_compress import Compress
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

DIST = "dist"
MANIFEST = "manifest.json"
FINGERPRINTED = (".css", ".js", ".svg", ".png")
_HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.\w+$")


def build(static_dir: Path) -> dict[str, str]:
    """static/ -> static/dist/ with fingerprinted copies and a manifest; compressed. Idempotent."""
    dist = static_dir / DIST
    if dist.exists():
        shutil.rmtree(dist)
    manifest = {}
    for source in sorted(p for p in static_dir.rglob("*") if p.is_file() and DIST not in p.relative_to(static_dir).parts):
        relative = source.relative_to(static_dir)
        target = dist / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        if source.suffix in FINGERPRINTED:
            digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
            hashed = relative.with_name(f"{source.stem}.{digest}{source.suffix}")
            shutil.copy2(source, dist / hashed)
            manifest[relative.as_posix()] = hashed.as_posix()
    (dist / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    compressor = Compressor(quiet=True)
    for path in [p for p in dist.rglob("*") if p.is_file()]:
        if compressor.should_compress(str(path)):
            for _ in compressor.compress(str(path)):
                pass
    return manifest


SMALL_ANSWER = 1400  # bytes: about one TCP segment's payload


def _load_manifest(app: Flask) -> dict[str, str]:
    path = Path(app.static_folder) / DIST / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _static_url_for(endpoint: str, **values) -> str:
    """url_for for templates: static files by their fingerprinted name, when built."""
    if endpoint == "static":
        manifest = current_app.extensions["glaswaende.assets"]
        filename = values.get("filename", "")
        if filename in manifest:
            values["filename"] = f"{DIST}/{manifest[filename]}"
    return url_for(endpoint, **values)


def _immutable(path: str, url: str) -> bool:
    return bool(_HASHED_NAME.search(url))


def _static_headers(headers, path: str, url: str) -> None:
    """WhiteNoise answers before Flask: the headers security.py adds to Flask's answers."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"


@click.group("assets", help="Statische Dateien für schwache Verbindungen vorbereiten.")
def assets_cli():
    pass


@assets_cli.command("build", help="Fingerabdruck-Namen und komprimierte Kopien nach static/dist/ schreiben.")
@with_appcontext
def build_command():
    manifest = build(Path(current_app.static_folder))
    click.echo(f"{len(manifest)} Dateien mit Fingerabdruck in static/{DIST}/.")


def init_app(app: Flask) -> None:
    app.extensions["glaswaende.assets"] = _load_manifest(app)
    app.jinja_env.globals["url_for"] = _static_url_for
    # HTML, JSON and GeoJSON answers, compressed when the client accepts it.
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "application/json", "application/geo+json",
                                                  "application/problem+json", "application/javascript", "image/svg+xml"])
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # An answer that fits one packet (a pin's, an error) is sent as it is: compressing it saves no
    # round trip and costs CPU on both ends.
    app.config.setdefault("COMPRESS_MIN_SIZE", SMALL_ANSWER)
    app.config["COMPRESS_REGISTER"] = False
    compress = Compress(app)

    @app.after_request
    def _compress_when_worth_it(response: Response) -> Response:
        """Flask-Compress's hook for the answers it may compress; a small one it would leave as
        it is anyway, and is spared its look at the request (a pin's answer is timed in µs). A
        download sent from its file (export_process.download) passes as it is: the export process
        compressed it if worth it, and the web process's CPU belongs to the residents."""
        if response.direct_passthrough:
            return response
        length = response.content_length
        if length is not None and length < app.config["COMPRESS_MIN_SIZE"] and not response.is_streamed:
            return response
        return compress.after_request(response)

    # Static files bypass Flask: WhiteNoise serves the pre-compressed copies and caches
    # fingerprinted names for a year. Files added after start (tests, development) are found too.
    app.wsgi_app = WhiteNoise(app.wsgi_app, root=app.static_folder, prefix="static/", max_age=3600,
                              immutable_file_test=_immutable, add_headers_function=_static_headers,
                              autorefresh=app.debug or app.testing)
    app.cli.add_command(assets_cli)
