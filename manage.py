#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the developer's entry point: debug unless told otherwise. Production
    # runs gunicorn (config.wsgi) and Celery, which keep DEBUG off by default, and
    # `make serve` exports DJANGO_DEBUG=0 for its manage.py steps.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
