"""gunicorn's settings for the shop: `gunicorn --config gunicorn.conf.py "storefront:create_app()"`
(`make serve` runs it beside the delivery workers). Each value can be changed from the
environment without editing this file.
https://docs.gunicorn.org/en/stable/settings.html
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Processes: WEB_CONCURRENCY (gunicorn's own convention; platforms set it), else 2.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads per process: a page waits on the database, never on LoyaltyLion (the outbox
# sends in the background), so a few threads keep a process busy.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request that takes 30 s is stuck: the worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# SIGTERM: stop accepting, finish the requests in hand for up to this long, then exit.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle processes now and then, staggered, so none grows without bound.
max_requests = 2000
max_requests_jitter = 200
# One access line per request and the errors on stdout/stderr, for the platform's logs.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Who may set X-Forwarded-Proto (https behind a TLS proxy). The client address behind
# proxies is the app's TRUSTED_PROXY_COUNT (ProxyFix), not this.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket (gunicorn 27's `gunicornc`) in the home directory: signals do.
control_socket_disable = True


def child_exit(server, worker):
    """A web process ended: Prometheus's multi-process mode must stop counting its live
    gauges (https://prometheus.github.io/client_python/multiprocess/)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
