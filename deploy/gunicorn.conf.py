"""gunicorn settings for Inspect behind nginx (deploy/nginx/): `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Synchronous workers suit this stack because nginx hands over only whole requests and takes whole answers: a worker
is busy while the app works, never while a client is slow. Without nginx in front, a few half-sent requests hold
every synchronous worker, and the app stops answering. Options given on the command line win over these."""

import multiprocessing
import os

# The socket nginx proxies to; systemd creates /run/inspect (RuntimeDirectory=inspect in inspect-web.service).
bind = "unix:/run/inspect/gunicorn.sock"
# One per core, and one more to use a core while another worker waits on the database; WEB_CONCURRENCY overrides it.
# Not the usual two per core plus one: measured with bench/concurrency.py --workers 2,3,5 on PostgreSQL, 2 cores shared
# with the clients and the database (issue 15), 5 workers cost 25-35% more CPU per completion than 2 (processes
# taking turns on the cores) and completed 0-9% fewer per second at 8, 16 and 32 clients; 3 workers cost 10-15% more
# than 2 and completed about as many (2-6% more on a machine busy with other work). With the database on another
# host, each worker waits longer on it, and the one more counts for more.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
# Sync workers, not gthread: a completion is CPU work (the engine step, serialization) between a few short SQL
# round trips, so threads in one process share one GIL and gain nothing. Measured with bench/concurrency.py on
# PostgreSQL, 2 cores shared with the clients and the database (issue 15): 2 sync workers 55-77 completions/s for
# 1-32 clients, 2 gthread workers of 4 threads (each with a pool of 5 connections) 32-68/s, with worse p95 from 16
# clients on. gthread workers of one thread each keep connections alive but tie each client to one worker: at 16
# clients they completed a fifth fewer per second than sync workers, whose next request goes to whichever is free.
worker_class = "sync"
# A request running longer than this is stopped and its worker replaced (nginx waits 35 s, see inspect-app.conf).
timeout = 30
# On SIGTERM (systemctl stop or restart), requests in hand get this long to finish.
graceful_timeout = 30
# One line per request on stdout (the journal under systemd): client address as nginx saw it, request line,
# status, bytes and milliseconds.
accesslog = "-"
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# systemd and signals manage gunicorn here; no control socket in the service user's home (gunicorn 25.1+).
control_socket_disable = True
