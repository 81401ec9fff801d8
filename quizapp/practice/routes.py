"""Practice, daily questions and the wrong-answer book, for members."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("practice", __name__)
