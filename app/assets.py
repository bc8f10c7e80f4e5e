"""Static files with a content hash in their URL, and the asset list the service worker caches.

Static files are served from memory (they are small) so Flask-Compress can compress them and a
hashed URL can be cached for a year ("immutable"): a new deploy changes the hash, not the file.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, url_for
from werkzeug.security import safe_join

_hashes: dict[str, str] = {}
_files: dict[str, tuple[bytes, str]] = {}
YEAR = 365 * 24 * 3600


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_hash(filename: str) -> str:
    if filename not in _hashes or current_app.debug:
        _hashes[filename] = file_hash(Path(current_app.static_folder) / filename)
    return _hashes[filename]


def asset_url(filename: str) -> str:
    return url_for("static", filename=filename, v=asset_hash(filename))


def _read(filename: str) -> tuple[bytes, str]:
    if filename not in _files or current_app.debug:
        path = safe_join(current_app.static_folder, filename)
        if path is None or not Path(path).is_file():
            abort(404)
        data = Path(path).read_bytes()
        _files[filename] = (data, hashlib.sha256(data).hexdigest()[:12])
    return _files[filename]


def serve_static(filename: str) -> Response:
    data, digest = _read(filename)
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if filename.endswith(".webmanifest"):
        mimetype = "application/manifest+json"
    response = Response(data, mimetype=mimetype)
    response.set_etag(digest)
    if request.args.get("v") == digest:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "public, no-cache"
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url
    app.view_functions["static"] = serve_static
