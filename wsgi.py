"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from inspect_app import create_app

app = create_app()
# What start-up made (the app, its modules, the engine's classes: some 200,000 objects) lives as long as the process.
# Frozen, it is out of the garbage collector's sight: a full collection, which a busy page triggers every few dozen
# requests, no longer walks it all (150 ms each at 100k cases, the case list's slowest twentieth; 15 ms frozen).
gc.freeze()
