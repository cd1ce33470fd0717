"""The subscription pages' blueprint, alone so the views import it without a cycle."""
from flask import Blueprint

bp = Blueprint("subscriptions", __name__, url_prefix="/subscriptions")
