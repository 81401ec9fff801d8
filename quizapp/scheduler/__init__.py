"""The scheduler: idempotent jobs (``jobs.py``) run by one process of their own (``runner.py``,
``flask --app wsgi scheduler``), never inside the web app."""
