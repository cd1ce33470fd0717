"""The public blueprint, alone so the page and feed modules import it without a cycle."""
from flask import Blueprint

bp = Blueprint("public", __name__)
