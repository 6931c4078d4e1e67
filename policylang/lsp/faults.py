"""The language server's faults are policylang's: see `policylang.faults` (kept importable here)."""

from policylang.faults import DETAIL, FAULT_CODE, HELP, MESSAGES, fault  # noqa: F401
