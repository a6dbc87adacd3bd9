"""Versioned static URLs: `url_for('static', filename=...)` carries `?v=<content hash>`.

After an upgrade the URL of a changed file changes, so browsers (phones keep CSS for long)
fetch it afresh; a versioned response can then be cached for a year. The hash of a file is
computed once and kept while its size and modification time stay the same.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask, Response, current_app, request

VERSION_ARG = "v"
VERSIONED_MAX_AGE = 365 * 24 * 3600

_hashes: dict[tuple[str, int, int], str] = {}


def file_version(path: str) -> str | None:
    """A short hash of the file's content; None when there is no such file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _hashes:
        with open(path, "rb") as handle:
            _hashes[key] = hashlib.sha256(handle.read()).hexdigest()[:12]
    return _hashes[key]


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
        return
    folder = current_app.static_folder
    if folder is None:
        return
    path = os.path.realpath(os.path.join(folder, values["filename"]))
    if not path.startswith(os.path.realpath(folder) + os.sep):
        return
    version = file_version(path)
    if version is not None:
        values[VERSION_ARG] = version


def _cache_versioned(response: Response) -> Response:
    if request.endpoint == "static" and VERSION_ARG in request.args and response.status_code == 200:
        response.cache_control.public = True
        response.cache_control.max_age = VERSIONED_MAX_AGE
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    return response


def register(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_cache_versioned)
