"""Guards: which rules can hold for a case's action and control code, decided before evaluating.

Takes: a checked `Program`, a rule's condition, an action (an `Action` member) and a code
signature (`signature(code)`: the library's code literals the case's code lies within, and
whether it is missing).
Returns: `can_hold`: False only when the condition is certainly not true for every case with
that action and a code of that signature, whatever else the case says.
Guarantees: sound, so the index never changes a decision: the condition is evaluated abstractly
in three values (true, false, unknown) with only the action and the code known; definitions are
expanded; `and`, `or`, `not` and `if` follow the interpreter's truth (`is True`); a comparison,
membership or `within` is known only when every operand is; `controlled(code)` is false only
when no control scope of the library covers the code. A condition that can raise (a division)
is always evaluated, as the interpreter would, so no error is skipped.

>>> from policylang.library import load_shipped
>>> program, _ = load_shipped()
>>> guards = Guards(program)
>>> rule = program.clauses[next(k for k in program.clauses if str(k) == "MOFCOM-2025-18 I(1)")].rules[0]
>>> guards.can_hold(rule.condition, "export", guards.signature("1C902.a")), guards.can_hold(rule.condition, "export", guards.signature("3C001.a"))
(True, False)
>>> guards.can_hold(rule.condition, "reexport", guards.signature("1C902.a"))
False
"""

from __future__ import annotations

from typing import Any

from policylang import ast
from policylang.eval.expressions import compare
from policylang.eval.values import MISSING, EnumValue
from policylang.program import CASE_RECORD, Program

UNKNOWN = object()          # a value (or truth) the guard does not know


class _Code:
    """The case's control code, known only by its signature: the library's code literals it lies
    within (itself included when it is one), whether it is itself one, whether it is missing."""

    def __init__(self, signature: tuple, literals: frozenset[str]):
        self.prefixes, self.exact, self.missing = signature
        self.literals = literals

    def within(self, scope: str) -> Any:
        if self.missing:
            return False
        return scope in self.prefixes if scope in self.literals else UNKNOWN

    def equals(self, code: str) -> Any:
        if self.missing:
            return False
        if code in self.literals:
            return self.exact and self.prefixes[-1] == code
        return UNKNOWN


class _Item:
    """The case's item: only its control code is known."""


class Guards:
    """Decides, for a rule and a case's action and code signature, whether the rule can hold."""

    def __init__(self, program: Program):
        self.program = program
        # The guards know the case's `action` (of `enum Action`) and `item.control_code`: the
        # schema of the shipped stdlib. A library with a schema of its own gets no guards (every
        # rule is evaluated), which is still exact.
        action = program.field(CASE_RECORD, "action")
        self.enabled = ("Action" in program.enums and action is not None
                        and getattr(action.type, "name", None) == "Action")
        self.actions = ({m.name: EnumValue("Action", m.name) for m in program.enums["Action"].members}
                        if self.enabled else {})
        literals: set[str] = set()
        declarations = [*program.announcements.values(), *(d for d, _ in program.definitions.values()),
                        *(r for r, _ in program.invalid_rules)]
        for declaration in declarations:
            for node in _walk(declaration):
                if isinstance(node, (ast.CodeLit, ast.ControlScope)):
                    literals.add(node.value)
                elif isinstance(node, ast.Classification):
                    literals.add(node.code)
        self.literals = frozenset(literals)
        self.scopes = [c for clause in program.clauses.values() for c in clause.controls]
        self._raises: dict[int, tuple[Any, bool]] = {}

    def signature(self, code: Any) -> tuple:
        """What the guards know of a code: the library's literals it lies within (itself
        included), in order, whether it is itself one, and whether it is missing. Codes of one
        signature are alike to every guard, so decisions about them are shared.

        >>> g = Guards.__new__(Guards); g.literals = frozenset({"1C904", "1C904.a"})
        >>> g.signature("1C904.a.9"), g.signature("1C904.a"), g.signature(None)
        ((('1C904', '1C904.a'), False, False), (('1C904', '1C904.a'), True, False), ((), False, True))
        """
        if code is MISSING or code is None:
            return ((), False, True)
        parts = code.split(".")
        prefixes = tuple(p for p in (".".join(parts[:i]) for i in range(1, len(parts) + 1)) if p in self.literals)
        return (prefixes, code in self.literals, False)

    def can_hold(self, condition: ast.Expr, action: str | None, signature: tuple) -> bool:
        """Whether the condition can hold for some case with this action and code signature."""
        return self.holding(condition, self.evaluator(action, signature))

    def evaluator(self, action: str | None, signature: tuple | None) -> "_Abstract":
        """An abstract evaluation knowing the action (None: unknown) and the code's signature
        (None: unknown); it remembers the definitions it expands, so share it between rules."""
        known = self.actions.get(action, UNKNOWN) if action is not None else UNKNOWN
        code = _Code(signature, self.literals) if signature is not None else UNKNOWN
        return _Abstract(self, known, code)

    def holding(self, condition: ast.Expr, abstract: "_Abstract") -> bool:
        if not self.enabled or self.may_raise(condition):
            return True
        try:
            return abstract.truth(condition, {}) is not False
        except RecursionError:  # pragma: no cover - a definition chain too deep to expand
            return True

    def covered(self, code: _Code) -> Any:
        """`controlled(code)`: false when no control scope covers codes of this signature (every
        scope's code is a literal of the library, so the signature tells)."""
        if code.missing:
            return False
        if any(scope.value in code.prefixes and (not scope.exact or (code.exact and code.prefixes[-1] == scope.value))
               for scope in self.scopes):
            return UNKNOWN      # covered by a scope: in force or not depends on the date
        return False

    def may_raise(self, e: ast.Expr) -> bool:
        """Whether evaluating `e` may divide by zero (and so raise E401), definitions expanded.
        A division is safe when its divisor is a non-zero number, or when it stands in the
        `then` branch of an `if` whose condition requires the divisor `> 0` (or `!= 0`) as one
        of its conjuncts: `if … and item.value > 0 then x / item.value else 0`."""
        key = id(e)   # the node is kept with its answer, so its id cannot be reused meanwhile
        if key not in self._raises:
            self._raises[key] = (e, False)       # cycles are checker errors; this stops any loop
            self._raises[key] = (e, self._raises_in(e, frozenset()))
        return self._raises[key][1]

    def _raises_in(self, e: Any, nonzero: frozenset) -> bool:
        if isinstance(e, tuple):
            return any(self._raises_in(x, nonzero) for x in e)
        if not hasattr(type(e), "__attrs_attrs__"):
            return False
        if isinstance(e, ast.Arith) and e.op == "/":
            divisor_safe = e.right in nonzero or (isinstance(e.right, ast.Number) and e.right.value != 0)
            if not divisor_safe:
                return True
        if isinstance(e, ast.Conditional):
            return (self._raises_in(e.condition, nonzero)
                    or self._raises_in(e.then, nonzero | _nonzero_facts(e.condition))
                    or self._raises_in(e.otherwise, nonzero))
        name = e.name if isinstance(e, ast.Name) else e.func if isinstance(e, ast.Call) else None
        if name in self.program.definitions and self.may_raise(self.program.definitions[name][0].body):
            return True
        return any(self._raises_in(getattr(e, f.name), nonzero)
                   for f in type(e).__attrs_attrs__ if not f.name.endswith("span"))


def _nonzero_facts(condition: ast.Expr) -> frozenset:
    """The expressions a condition requires to be non-zero, read off its `and`-ed `x > 0`,
    `0 < x` and `x != 0` tests."""
    facts: set = set()
    stack = [condition]
    while stack:
        c = stack.pop()
        if isinstance(c, ast.And):
            stack += [c.left, c.right]
        elif isinstance(c, ast.Compare) and isinstance(c.right, ast.Number) and c.right.value == 0 and c.op in (">", "!="):
            facts.add(c.left)
        elif isinstance(c, ast.Compare) and isinstance(c.left, ast.Number) and c.left.value == 0 and c.op in ("<", "!="):
            facts.add(c.right)
    return frozenset(facts)


class _Abstract:
    """Evaluates an expression knowing only the case's action and code signature."""

    def __init__(self, guards: Guards, action: EnumValue, code: _Code):
        self.g, self.program, self.action, self.code = guards, guards.program, action, code
        self.memo: dict[str, Any] = {}

    def truth(self, e: ast.Expr, env: dict) -> Any:
        v = self.value(e, env)
        if v is UNKNOWN:
            return UNKNOWN
        return v is True

    def value(self, e: ast.Expr, env: dict) -> Any:
        method = getattr(self, f"v_{type(e).__name__}", None)
        return UNKNOWN if method is None else method(e, env)

    # -------------------------------------------------------------- names

    def v_Name(self, e: ast.Name, env: dict) -> Any:
        name = e.name
        if name in env:
            return env[name]
        if name in self.program.definitions:
            definition, _ = self.program.definitions[name]
            if definition.params:
                return UNKNOWN
            if name not in self.memo:
                self.memo[name] = UNKNOWN      # a definition that reaches itself stays unknown
                self.memo[name] = self.value(definition.body, {})
            return self.memo[name]
        if self.program.field(CASE_RECORD, name) is not None:
            if name == "action":
                return self.action      # an `Action` member, or UNKNOWN
            if name == "item":
                return _ITEM
            return UNKNOWN
        if name in self.program.enums:
            return UNKNOWN
        return EnumValue(self.program.members[name][0], name)

    def v_Attribute(self, e: ast.Attribute, env: dict) -> Any:
        obj = self.value(e.obj, env)
        if obj is _ITEM and e.name == "control_code":
            return self.code            # a `_Code`, or UNKNOWN
        if isinstance(e.obj, ast.Name) and e.obj.name in self.program.enums and e.obj.name not in env:
            return EnumValue(e.obj.name, e.name)
        return UNKNOWN

    def v_Call(self, e: ast.Call, env: dict) -> Any:
        if e.func == "controlled" and len(e.args) == 1:
            arg = self.value(e.args[0], env)
            return self.g.covered(arg) if isinstance(arg, _Code) else UNKNOWN
        if e.func in self.program.definitions:
            definition, _ = self.program.definitions[e.func]
            bound = {p.name: self.value(a, env) for p, a in zip(definition.params or (), e.args)}
            return self.value(definition.body, bound)
        return UNKNOWN

    # -------------------------------------------------------------- literals

    def v_CodeLit(self, e, env):
        return e.value

    def v_StringLit(self, e, env):
        return e.value

    def v_BoolLit(self, e, env):
        return e.value

    def v_SetLit(self, e: ast.SetLit, env: dict) -> Any:
        values = [self.value(i, env) for i in e.items]
        return UNKNOWN if any(v is UNKNOWN or isinstance(v, _Code) for v in values) else frozenset(values)

    # -------------------------------------------------------------- tests

    def v_Compare(self, e: ast.Compare, env: dict) -> Any:
        left = self.value(e.left, env)
        if (isinstance(e.right, ast.Name) and isinstance(left, EnumValue) and e.right.name not in env
                and left.enum in self.program.members.get(e.right.name, ())):
            right = EnumValue(left.enum, e.right.name)
        else:
            right = self.value(e.right, env)
        if isinstance(left, _Code) and isinstance(right, str) and e.op in ("==", "!="):
            same = left.equals(right)
            return same if same is UNKNOWN or e.op == "==" else (False if left.missing else not same)
        if left is UNKNOWN or right is UNKNOWN or isinstance(left, _Code) or isinstance(right, _Code):
            return UNKNOWN
        if not all(isinstance(v, (EnumValue, str, bool)) for v in (left, right)):
            return UNKNOWN
        return compare(e.op, left, right)

    def v_Member(self, e: ast.Member, env: dict) -> Any:
        element = self.value(e.element, env)
        found = getattr(e.collection, "items", None)
        if isinstance(element, EnumValue) and found and all(
                isinstance(i, ast.Name) and i.name not in env and element.enum in self.program.members.get(i.name, ())
                for i in found):
            hit = element in {EnumValue(element.enum, i.name) for i in found}
            return not hit if e.negated else hit
        collection = self.value(e.collection, env)
        if isinstance(element, EnumValue) and isinstance(collection, frozenset):
            hit = element in collection
            return not hit if e.negated else hit
        return UNKNOWN

    def v_Within(self, e: ast.Within, env: dict) -> Any:
        code = self.value(e.code, env)
        scope = self.value(e.scope, env)
        if not isinstance(code, _Code) or scope is UNKNOWN:
            return UNKNOWN
        scopes = scope if isinstance(scope, frozenset) else (scope,)
        if not all(isinstance(s, str) for s in scopes):
            return UNKNOWN
        results = [code.within(s) for s in scopes]
        if any(r is True for r in results):
            return True
        return False if all(r is False for r in results) else UNKNOWN

    def v_Given(self, e: ast.Given, env: dict) -> Any:
        v = self.value(e.expr, env)
        if isinstance(v, _Code):
            return v.missing if e.negated else not v.missing
        if v is UNKNOWN or v is _ITEM:
            return UNKNOWN
        return (v is MISSING) if e.negated else (v is not MISSING)

    # -------------------------------------------------------------- logic

    def v_And(self, e: ast.And, env: dict) -> Any:
        left = self.truth(e.left, env)
        if left is False:
            return False
        right = self.truth(e.right, env)
        if right is False:
            return False
        return True if left is True and right is True else UNKNOWN

    def v_Or(self, e: ast.Or, env: dict) -> Any:
        left = self.truth(e.left, env)
        if left is True:
            return True
        right = self.truth(e.right, env)
        if right is True:
            return True
        return False if left is False and right is False else UNKNOWN

    def v_Not(self, e: ast.Not, env: dict) -> Any:
        t = self.truth(e.operand, env)
        return UNKNOWN if t is UNKNOWN else not t

    def v_Conditional(self, e: ast.Conditional, env: dict) -> Any:
        c = self.truth(e.condition, env)
        if c is UNKNOWN:
            a, b = self.value(e.then, env), self.value(e.otherwise, env)
            return a if a is b and a is not UNKNOWN else UNKNOWN
        return self.value(e.then if c else e.otherwise, env)


_ITEM = _Item()


def _walk(node: Any):
    """Every AST node under `node` (tuples walked into; spans skipped)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, tuple):
            stack.extend(n)
        elif hasattr(type(n), "__attrs_attrs__"):
            yield n
            stack.extend(getattr(n, f.name) for f in type(n).__attrs_attrs__ if not f.name.endswith("span"))
