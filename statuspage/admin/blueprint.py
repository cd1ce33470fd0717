"""The console's blueprint, alone so the view modules import it without a cycle."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
