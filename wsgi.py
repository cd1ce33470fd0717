"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""
from dotenv import load_dotenv

load_dotenv()

from statuspage import create_app  # noqa: E402

app = create_app()
