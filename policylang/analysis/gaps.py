"""Gaps: values between adjacent entries of one item family that neither entry covers.

Takes: the `Analysis` of a program (its classifications: `classify <category> as <code> when …`).
Returns: `gap` findings.
Guarantees: entries are of one family when their codes share a parent (`2C902.a`, `2C902.b`);
two entries are compared on a parameter when both their conditions test that parameter and no
other, so the text can be read as a partition of that parameter's range. The solver looks for a
value covered by one entry, a value covered by the other, and a value between them that no entry
of the family covers (`50 um` when one entry says `< 50 um` and the next `> 50 um`). The witness
is an item of the first entry's category with that value, re-decided: the interpreter classifies
it to no code of the family.
"""

from __future__ import annotations

import z3

from policylang import ast
from policylang.analysis.encode import Encoder
from policylang.analysis.findings import Finding, merge_windows
from policylang.analysis.session import RLIMIT
from policylang.analysis.session import SessionModel, Translator
from policylang.analysis.symbolic import CaseBuilder, Unsupported, _walk
from policylang.analysis.verdicts import confirm, witness_id
from policylang.analysis.witness import _fraction, decimal_text
from policylang.semantics import units


def parameters_of(condition: ast.Expr) -> set[str]:
    """The item parameters a condition tests: `item.parameters.x` (or `parameters.x`)."""
    found = set()
    for node in _walk(condition):
        if isinstance(node, ast.Attribute) and isinstance(node.obj, (ast.Attribute, ast.Name)):
            parent = node.obj.name
            if parent == "parameters":
                found.add(node.name)
    return found


def _parent(code: str) -> str:
    return code.rsplit(".", 1)[0] if "." in code else code


def find_gaps(analysis) -> list[Finding]:
    lib = analysis.lib
    if not analysis.groups:
        return []
    group = analysis.all_groups[analysis.groups[-1]]
    families: dict[str, list] = {}
    for key, c in lib.interpreter.classifiers:
        params = parameters_of(c.condition)
        if len(params) == 1:
            families.setdefault(_parent(c.code), []).append((key, c, next(iter(params))))
    out = []
    for family in families.values():
        for i, (ka, a, pa) in enumerate(family):
            for kb, b, pb in family[i + 1:]:
                if pa != pb or a.code == b.code:
                    continue
                f = _gap(analysis, group, family, (ka, a), (kb, b), pa)
                if f:
                    out.append(f)
    return out


def _cover(lib, prefix: str, condition: ast.Expr, param: str, value=None):
    """The condition over a fresh item whose parameter is `value` (or free); and that parameter."""
    builder = CaseBuilder(lib.program, lib.domains, lib.bounds, prefix)
    enc = Encoder(lib.program, lib.domains, builder, lib.interpreter.controls, lib.interpreter.screening.entries)
    params = enc.case.get("item").get("parameters")
    p = params.get(param)
    extra = [enc.case.get("item").given, params.given, p.given]
    if value is not None:
        extra.append(p.v == value)
    return enc.truth(condition), p, builder.constraints + extra


def _gap(analysis, windows, family, first, second, param):
    """A value of `param` between one covered by entry `first` and one covered by `second` that
    no entry of the family covers; asked in a z3 context of its own (see `session.py`)."""
    (ka, a), (kb, b) = first, second
    lib = analysis.lib
    try:
        ca, pa, xa = _cover(lib, "gap_a:", a.condition, param)
        cb, pb, xb = _cover(lib, "gap_b:", b.condition, param)
        v = z3.Real("gap_v")
        holes = []
        for _, c, _ in family:
            cv, _, xv = _cover(lib, f"gap_{c.code}:", c.condition, param, v)
            holes += xv + [z3.Not(cv)]
    except Unsupported:
        return None
    tr = Translator(z3.Context())
    solver = z3.Solver(ctx=tr.ctx)
    solver.set("rlimit", RLIMIT)
    between = z3.Or(z3.And(pa.v < v, v < pb.v), z3.And(pb.v < v, v < pa.v))
    solver.add(tr.many([*xa, *xb, ca, cb, between, *holes, *lib.fact_constraints(windows)]))
    analysis.stats["queries"] += 1
    if solver.check() != z3.sat:
        return None
    m = SessionModel(solver.model(), tr)
    dim = pa.dim
    unit = lib_unit(analysis, dim)

    def show(x):
        q = _fraction(m, x)
        return f"{decimal_text((q - unit.offset) / unit.factor)} {unit.symbol}" if unit else decimal_text(q)
    value = show(v)
    day = windows[-1].start
    witness = {"id": witness_id("gap", (ka, kb) if ka != kb else (ka,)), "date": day.isoformat(),
               "item": {"category": a.category, "parameters": {param: value}}}
    other = {**witness, "item": {"category": b.category, "parameters": {param: value}}}

    def check(d):
        if d.classification:
            return f"the interpreter classifies the witness as {d.classification[0].code}"
        if analysis.recheck.decide(other).classification:
            return f"the interpreter classifies a {b.category} of that {param} as {analysis.recheck.decide(other).classification[0].code}"
        return None
    a_below = z3.is_true(m.eval(pa.v < v, model_completion=True))
    low, high = ((a, pa), (b, pb)) if a_below else ((b, pb), (a, pa))
    message = (f"{low[0].code} ({low[0].category}) covers {param} below {value} (such as {show(low[1].v)}) and "
               f"{high[0].code} ({high[0].category}) above it (such as {show(high[1].v)}), but {param} = {value} "
               f"itself is covered by neither")
    keys = (ka, kb) if ka != kb else (ka,)
    decision, reason = confirm(analysis.recheck, "gap", keys, witness, check)
    return Finding("gap", keys, merge_windows([(w.start, w.end) for w in windows]), witness, decision, message,
                   "unconfirmed" if reason else "confirmed", reason=reason)


def lib_unit(analysis, dim):
    if dim is None or dim == "ratio":
        return None
    return analysis.lib.domains.unit_of.get(dim) or units.BASE_UNITS[dim]
