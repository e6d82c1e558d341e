"""Root-scoped PWA files: the service worker must be served from / to control the app."""
from __future__ import annotations

import brotli
from flask import Flask, request, send_from_directory

from .auth.permissions import public


def init_app(app: Flask) -> None:
    _compressible_static(app)

    @app.get("/sw.js")
    @public
    def service_worker():
        response = send_from_directory(app.static_folder, "sw.js", max_age=0)
        response.headers["Service-Worker-Allowed"] = "/"
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.get("/manifest.webmanifest")
    @public
    def manifest():
        return send_from_directory(
            app.static_folder, "manifest.webmanifest", mimetype="application/manifest+json"
        )


def _compressible_static(app: Flask) -> None:
    """Static files read into memory (they are small) so Flask-Compress can brotli/gzip
    them without streaming, which would leave file handles open."""
    original = app.send_static_file

    def send_static_file(filename: str):
        response = original(filename)
        if response.direct_passthrough:
            # Read and close the file now: a browser that drops the connection mid-answer
            # (navigating away) must not leave the handle to the garbage collector.
            wrapper = response.response
            try:
                body = b"" if response.status_code == 304 else b"".join(wrapper)
            finally:
                getattr(wrapper, "close", lambda: None)()
            response.direct_passthrough = False
            if response.status_code == 304:
                response.response = []
            else:
                response.set_data(body)
        return _brotli_best(response, filename)

    app.send_static_file = send_static_file


BEST = ("application/javascript", "text/javascript", "text/css")
_compressed: dict[tuple[str, str], bytes] = {}


def _brotli_best(response, filename: str):
    """Scripts and styles in brotli's best quality, compressed once per file version (the
    village map page carries Leaflet: 60 KB at the default quality, 51 KB at the best).
    Flask-Compress leaves a response that already has a Content-Encoding alone."""
    if response.status_code != 200 or response.mimetype not in BEST or "br" not in request.accept_encodings:
        return response
    key = (filename, response.headers.get("ETag") or str(response.last_modified))
    if key not in _compressed:
        _compressed[key] = brotli.compress(response.get_data(), quality=11)
    response.set_data(_compressed[key])
    response.headers["Content-Encoding"] = "br"
    response.vary.add("Accept-Encoding")
    return response
