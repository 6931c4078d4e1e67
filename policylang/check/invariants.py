"""Checks of `invariant` and `test` blocks: what the analysis proves and what the test runner runs.

Takes: a `Program` and the shared `ExprChecker`.
Returns: diagnostics: an assumption that is not a condition (E201), a clause or announcement a
claim names that does not exist (E104, E105), an outcome that is not one of the ladder (E117), a
test whose case or expectation is not a JSON object (E511).
Guarantees: an invariant or test that checks clean can be analysed or run: every name resolves.
"""

from __future__ import annotations

import json

from policylang import ast
from policylang.check import types as T
from policylang.check.refs import check_reference
from policylang.check.typecheck import ExprChecker, did_you_mean
from policylang.diagnostics import Diagnostic, error
from policylang.program import Program
from policylang.semantics.outcomes import OUTCOMES


def invariants_and_tests(program: Program):
    """Every invariant and test block of the program, with its module name, in file order."""
    for module in program.modules:
        for item in module.items:
            if isinstance(item, (ast.Invariant, ast.CaseTest)):
                yield item, module.name


def check_invariants_and_tests(program: Program, exprs: ExprChecker) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for item, module in invariants_and_tests(program):
        if isinstance(item, ast.Invariant):
            scope = exprs.module_scope(module)
            for condition in item.assumptions:
                exprs.expect(condition, scope, T.BOOL, "an assumption is a condition on the case")
            for claim in item.claims:
                _check_claim(program, claim, diags)
        else:
            for text in (item.case, *item.expectations):
                if not isinstance(json.loads(text), dict):
                    diags.append(error("E511", item.span, found=type(json.loads(text)).__name__))
    return diags


def _check_claim(program: Program, claim: ast.Claim, diags: list[Diagnostic]) -> None:
    if claim.scope is not None:
        check_reference(program, claim.scope, None, diags)
    if claim.kind == "outcome" and claim.outcome not in OUTCOMES:
        diags.append(error("E117", claim.span, name=claim.outcome,
                           help=did_you_mean(claim.outcome, OUTCOMES) or "outcomes are " +
                           ", ".join(f"`{o}`" for o in OUTCOMES)))
