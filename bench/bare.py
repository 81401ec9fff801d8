"""A bare Flask app for the hot-path benchmark (bench/hot.py); never part of the product.

One route answering the same JSON as the product's GET /healthz, with none of the product's
extensions or hooks: what one gunicorn worker can serve at best, the ceiling the load client
must be shown to reach before any other figure is reported.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/bare")
def bare():
    return {"status": "ok"}
