"""gunicorn settings for the web process (see Procfile)."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "2000"))
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = None
# gunicorn 27's control socket defaults to one path per user; several web
# processes on one machine (scaling out, tests) would fight over it.
control_socket_disable = True
