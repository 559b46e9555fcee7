#!/usr/bin/env python3
"""Parses a query with sqlglot's dialect parser: `sqlglot_parse.py DIALECT QUERY.sql`.
Exits 3 (printing SKIPPED) when sqlglot is missing, 1 when the query does not parse."""
import sys

try:
    import sqlglot
    from sqlglot.errors import ParseError
except ImportError:
    print("SKIPPED: python module sqlglot not installed")
    sys.exit(3)

dialect, path = sys.argv[1:3]
text = open(path, encoding="utf-8").read()
try:
    trees = sqlglot.parse(text, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
except ParseError as e:
    print(f"does not parse as {dialect}: {str(e)[:2000]}")
    sys.exit(1)
statements = [t for t in trees if t is not None]
if len(statements) != 1:
    print(f"expected one statement, found {len(statements)}")
    sys.exit(1)
print(f"parsed as {dialect}: one statement, {len(text)} bytes, sqlglot {sqlglot.__version__}")
