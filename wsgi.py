"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

# What start-up makes (modules, models, schemas, routes) lives as long as the process. Left to the collector, it is
# walked again and again while it is made, at every later full collection and once more at exit: about 0.4 s of CPU
# per process, a third of a CLI command's start-up and exit. So collect nothing until the app is made, then freeze it
# all out of the collector's sight (what Python's gc.freeze documentation advises); later garbage is collected as ever.
# In a server it matters more: a full collection, which a busy page triggers every few dozen requests, took 150 ms
# walking it all at 100k cases (the case list's slowest twentieth); frozen, 15 ms.
gc.disable()
from inspect_app import create_app  # noqa: E402

app = create_app()
gc.freeze()
gc.enable()
