"""The samples here hold a deliberately failing test; `tests/test_testing.py` runs them itself
(and through pytest in a fresh folder), so the suite does not collect them."""

collect_ignore = ["sample.ecp", "test_sample_cases.yaml"]
