# The web and worker image for self-hosting (see docs/DEPLOY.md, "Container").
#   docker build -t statuspage .            (or: podman build -t statuspage .)
# BASE_IMAGE may name any Debian-like image with Python 3.11+ and its venv module.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The runtime dependencies only (requirements.txt, pinned); test tools stay out. Their
# bytecode is compiled here: the app runs read-only and never writes any, so without it
# every process would compile SQLAlchemy, Flask and the rest from source at each start.
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

RUN useradd --uid 10001 --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin statuspage \
 && mkdir -p /app /var/lib/statuspage \
 && chown statuspage:statuspage /var/lib/statuspage
WORKDIR /app
COPY --chown=root:root wsgi.py gunicorn.conf.py Procfile ./
COPY --chown=root:root migrations ./migrations
COPY --chown=root:root statuspage ./statuspage
# Message catalogues and bytecode are build output: compiled here, never committed (the
# app runs read-only).
RUN /opt/venv/bin/pybabel compile -d statuspage/translations -D messages >/dev/null \
 && /opt/venv/bin/python -m compileall -q statuspage wsgi.py gunicorn.conf.py

# Runtime files (SQLite, metric files, the dev secret key) live in a volume, not the image.
ENV PATH=/opt/venv/bin:$PATH \
    FLASK_APP=wsgi \
    INSTANCE_PATH=/var/lib/statuspage \
    PORT=5000
VOLUME ["/var/lib/statuspage"]
USER statuspage
EXPOSE 5000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '5000'), timeout=4)"]

# The Procfile's web process; the worker runs `flask worker`, migrations `flask db upgrade`.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
