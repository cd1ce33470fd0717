"""The process entry point: ``gunicorn wsgi:app``, and the ``flask`` command (``FLASK_APP=wsgi``)."""
from dotenv import load_dotenv

load_dotenv()

from statuspage.entrypoint import build_app  # noqa: E402

app = build_app()
