"""HTML pages subscribers reach from the status page and from email links."""
from .blueprint import bp

from . import views  # noqa: E402,F401  (routes register on bp)

__all__ = ["bp"]
