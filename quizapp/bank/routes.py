"""Question bank pages for organisers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("bank", __name__)
