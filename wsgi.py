"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from inspect_app import create_app

app = create_app()
# What building the app made (modules, mappers, compiled templates and messages: some 250,000 objects) lives as long
# as the process, so the garbage collector need not look at it again: a full collection over it took about 0.1 s
# every thousand requests or so, some 3% of a task completion's CPU (bench/concurrency.py, issue 15).
gc.freeze()
