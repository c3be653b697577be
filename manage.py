#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tafcase.settings")
    from django.core.management import execute_from_command_line

    from tafcase.unmigrated import ensure_tables

    ensure_tables(sys.argv)
    execute_from_command_line(sys.argv)
