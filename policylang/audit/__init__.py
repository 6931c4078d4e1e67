"""The audit trail: the decision log `eval --log` appends to (`log.py`), and `policylang log
verify`, which re-decides a log's cases and reports what would now differ (`verify.py`)."""
