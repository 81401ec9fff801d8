"""Static files as a phone on 4G wants them: versioned URLs cached for a year, the favicon,
and the offline service worker served from the root of the site.

``url_for('static', filename=…)`` adds ``?v=<content hash>``. A request carrying the file's
current hash is answered ``Cache-Control: public, max-age=31536000, immutable``, so the
browser never asks again; a changed file gets a new hash, hence a new URL. Any other static
request (no ``v``, or the hash of an older copy) is ``no-cache``: revalidated every time
against the ETag, so nothing stale outlives a deployment.
"""

from __future__ import annotations

import hashlib
import os
import threading

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

#: Cache-Control of a static file asked for by its current version, and of any other.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
#: /favicon.ico has a fixed URL (browsers ask for it by name): a day, then revalidated.
FAVICON_CACHE = "public, max-age=86400"

#: Endpoints whose responses carry no member data, so a browser may keep them (the security
#: headers' ``no-store`` is for everything else).
CACHEABLE_ENDPOINTS = {"static", "favicon"}

#: The service worker (static/sw.js) is served at /sw.js so that it may control /attempts/.
SERVICE_WORKER = "sw.js"
SERVICE_WORKER_SCOPE = "/attempts/"


class StaticVersions:
    """The content hash of each file of a folder, computed once per version of the file.

    A ``stat`` per lookup notices a changed file (a deployment without a restart, a
    developer's edit); the file is read and hashed only when its size or mtime moved.
    """

    def __init__(self) -> None:
        self._known: dict[str, tuple[int, int, str]] = {}
        self._lock = threading.Lock()

    def version(self, folder: str, filename: str) -> str | None:
        """Return the first 12 hex digits of the file's SHA-256, or None if there is none."""
        path = safe_join(folder, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if not os.path.isfile(path):
            return None
        known = self._known.get(path)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        with open(path, "rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()[:12]
        with self._lock:
            self._known[path] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest


def static_version(filename: str) -> str | None:
    """Return the current version of a static file of the running app."""
    return current_app.extensions["static_versions"].version(current_app.static_folder, filename)


def init_app(app: Flask) -> None:
    """Version static URLs, cache static files, serve /favicon.ico and /sw.js."""
    app.extensions["static_versions"] = StaticVersions()
    app.jinja_env.globals["service_worker_scope"] = SERVICE_WORKER_SCOPE

    @app.url_defaults
    def _version_static_urls(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = static_version(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache_static_files(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            current = request.args.get("v")
            fresh = current is not None and current == static_version(filename)
            response.headers["Cache-Control"] = IMMUTABLE if fresh else REVALIDATE
        return response

    def small_file(filename: str, mimetype: str) -> Response:
        # Read whole (a few kB): no open file is left to the server to close, and the ETag is
        # the content hash the static URLs use.
        path = safe_join(app.static_folder, filename)
        with open(path, "rb") as file:
            response = Response(file.read(), mimetype=mimetype)
        response.set_etag(static_version(filename))
        return response.make_conditional(request)

    @app.get("/favicon.ico", endpoint="favicon")
    def favicon():
        """The site icon at the address browsers ask for by themselves."""
        response = small_file("favicon.ico", "image/vnd.microsoft.icon")
        response.headers["Cache-Control"] = FAVICON_CACHE
        return response

    @app.get("/sw.js", endpoint="service_worker")
    def service_worker():
        """The offline service worker (static/sw.js), at the root so its scope may be
        /attempts/ (and no wider); never kept by the HTTP cache (the security headers' no-store),
        so an update reaches phones at once."""
        response = small_file(SERVICE_WORKER, "text/javascript")
        response.headers["Service-Worker-Allowed"] = SERVICE_WORKER_SCOPE
        return response
