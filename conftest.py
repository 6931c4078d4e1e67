"""Root conftest: what pytest must not collect."""

collect_ignore = ["policylang/__main__.py"]
# tests/check holds policies with deliberate mistakes, checked by tests/test_check_files.py; their
# `test` blocks (a misspelt outcome, for one) are data there, not tests for the plugin to run.
collect_ignore_glob = ["tests/check/*"]
