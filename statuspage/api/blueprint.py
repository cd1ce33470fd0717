"""The API blueprint, alone so that every route module can import it without a cycle."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
