"""References to announcements and clauses outside a clause: in invariant claims and accepts.

Takes: a `Program`, a reference, and the announcement it is written in (None: it must name one).
Returns: `check_reference(...)` appends E105 (no such announcement, or none named) or E104 (no
such clause) to the diagnostics.
Guarantees: one wording of these two problems wherever such a reference stands.
"""

from __future__ import annotations

from policylang import ast
from policylang.check.typecheck import did_you_mean
from policylang.diagnostics import Diagnostic, error
from policylang.program import Program


def check_reference(program: Program, ref: ast.Ref, home: str | None, diags: list[Diagnostic]) -> None:
    policy = ref.announcement or home
    if policy is None or policy not in program.announcements:
        diags.append(error("E105", ref.span, announcement=policy or "?",
                           help=did_you_mean(policy or "", program.announcements)
                           or "name the announcement: `MOFCOM-2025-61 clause V`"))
    elif ref.clause is not None and not program.clauses_for(ref, policy):
        numbers = [k.clause for k in program.clauses if k.policy == policy]
        diags.append(error("E104", ref.span, clause=ref.clause, announcement=policy,
                           help=did_you_mean(ref.clause, numbers)))
