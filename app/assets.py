"""Static files with a content hash in their URL, and the asset list the service worker caches."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, url_for

_hashes: dict[str, str] = {}


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_hash(filename: str) -> str:
    if filename not in _hashes or current_app.debug:
        _hashes[filename] = file_hash(Path(current_app.static_folder) / filename)
    return _hashes[filename]


def asset_url(filename: str) -> str:
    return url_for("static", filename=filename, v=asset_hash(filename))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url
