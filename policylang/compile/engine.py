"""The compiled engine: a checked program compiled once to Python, deciding as the interpreter does.

Takes: a checked `Program`; raw cases, as the interpreter takes them.
Returns: `CompiledEngine`, whose `decide(raw, default_date)` returns the `Decision` the
interpreter returns for the same case, and whose `source(clause)` shows the generated code.
Guarantees: the interpreter is the specification (STYLE habit 6): the same reader reads the case,
`combine` combines and `assemble` builds the decision, so only the evaluation of conditions,
classifications, invalid-case rules, obligation details and record defaults is compiled (see
`codegen`), and those call the interpreter's own semantic functions. A case evaluates only the
rules its guards let through (`guards`: by the case's action and the signature of its control
code, sound by construction), so the index never changes an output; the agreement tests compare
both engines field by field.

>>> from policylang.library import load_shipped
>>> from policylang.eval.cases import RawCase
>>> program, _ = load_shipped()
>>> engine = CompiledEngine(program)
>>> engine.decide(RawCase({"date": "2026-11-30", "destination": "US", "item": {"control_code": "2B005"}}, "-")).outcome
'denied_in_principle'
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Callable

import attrs

from policylang import ast, cache
from policylang.compile import runtime
from policylang.compile.codegen import Unsupported, Writer
from policylang.compile.guards import Guards
from policylang.diagnostics import error
from policylang.eval.asof import AsOfDecider
from policylang.eval.assemble import DEFAULT_REVIEW_THRESHOLD, assemble, screen_parties
from policylang.eval.cases import CaseReader, RawCase, read_date
from policylang.eval.combine import combine
from policylang.eval.decision import Classified, Decision
from policylang.eval.expressions import EvaluationError
from policylang.eval.law import Law
from policylang.eval.values import MISSING, RecordValue
from policylang.program import ClauseKey, Program


@attrs.frozen
class CompiledRule:
    """One rule of a clause: where it stands, its effect, its condition and its duties."""
    key: ClauseKey
    position: int                                   # its place in the library's order
    effect: str | None
    holds: Callable[[runtime.CaseContext], bool]
    details: tuple[tuple[ast.Obligation, Callable | None], ...]
    condition: ast.Expr
    # A clause that refines others (or is an exception to others) can apply only where one of
    # them holds: when all of them come before it in the library's order (so they are decided
    # first) and its condition cannot raise, it is evaluated only then. Empty: always evaluated.
    needs: tuple[frozenset[ClauseKey], ...] = ()


class CompiledEngine(AsOfDecider):
    """Decides cases with the program compiled to Python. Build once, decide many."""

    def __init__(self, program: Program, review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
                 law: Law | None = None, explain: bool = False):
        self.program = program
        self.law = law or Law(program)
        self.review_threshold = review_threshold
        self.explain = explain          # every decision says why relevant clauses did not apply
        self.guards = Guards(program)
        self._module = _Module.of(program, self.law.identity.digest)
        namespace = self._module.namespace
        keys, clauses = list(program.clauses), list(program.clauses.values())
        self.rules = []
        for n, j, name, details in self._module.rules:
            rule = clauses[n].rules[j]
            self.rules.append(CompiledRule(keys[n], len(self.rules), rule.effect, namespace[name], tuple(
                (ob, namespace[detail] if detail else None) for ob, detail in zip(rule.obligations, details)),
                rule.condition))
        self.rules = [attrs.evolve(r, needs=self._needs(r)) for r in self.rules]
        self.classifiers: dict[str, list[tuple[ClauseKey, str, Callable]]] = {}
        for n, j, name in self._module.classifiers:
            c = clauses[n].classifications[j]
            self.classifiers.setdefault(c.category, []).append((keys[n], c.code, namespace[name]))
        self.invalid = [(program.invalid_rules[i][0], namespace[name]) for i, name in self._module.invalid]
        self.reader = CaseReader(program, defaults=self._module.default)
        self._candidates: dict[tuple, tuple[CompiledRule, ...]] = {}
        self._signatures: dict[Any, tuple] = {}
        self._by_action: dict[str | None, frozenset[int]] = {}
        self._by_signature: dict[tuple, frozenset[int]] = {}

    # -------------------------------------------------------------- one case

    def _decide(self, raw: RawCase, default_date: datetime.date | None) -> Decision:
        read = self.reader.read(raw, default_date)
        if read.value is None:
            return self.error(read.id, _date_of(raw) or default_date, read.errors, read.warnings)
        case = read.value
        day = case.values["date"]
        law = self.law
        try:
            case, classified = self._classify(case, day)
            c = runtime.CaseContext(case, day, law.screening, lambda code: law.is_controlled(code, day))
            invalid = [error("E510", path=".".join(rule.path), message=rule.message)
                       for rule, holds in self.invalid if holds(c)]
            if invalid:
                return self.error(read.id, day, tuple(invalid), read.warnings)
            item = case.values.get("item", MISSING)
            code = MISSING if item is MISSING else item.values.get("control_code", MISSING)
            holding: dict[ClauseKey, list[CompiledRule]] = {}
            effects: dict[ClauseKey, list[str | None]] = {}
            action = case.values.get("action")
            for rule in self.candidates(getattr(action, "name", None), code):
                needs = rule.needs
                if needs and (needs[0].isdisjoint(holding) or (len(needs) > 1 and needs[1].isdisjoint(holding))):
                    continue
                if rule.holds(c):
                    if rule.key in holding:
                        holding[rule.key].append(rule)
                        effects[rule.key].append(rule.effect)
                    else:
                        holding[rule.key] = [rule]
                        effects[rule.key] = [rule.effect]
            combined = combine(law, day, effects)

            def duties_of(key: ClauseKey):
                return [(ob, _detail(detail, c)) for rule in holding[key] for ob, detail in rule.details]

            return assemble(law, read.id, day, combined, duties_of, classified,
                            screen_parties(law.screening, case, day), read.warnings,
                            None if code is MISSING else code, self.review_threshold, case, self.explain)
        except EvaluationError as exc:
            return self.error(read.id, day, (error(exc.code, path=exc.path, **exc.values),), read.warnings)

    def error(self, case_id, day, errors, warnings) -> Decision:
        return Decision(case_id, day, "error", errors=tuple(errors), warnings=tuple(warnings),
                        library=self.law.identity, explanation=() if self.explain else None)

    def decide_all(self, raws: list[RawCase], default_date: datetime.date | None = None,
                   as_of: datetime.date | None = None) -> list[Decision]:
        return [self.decide(raw, default_date, as_of) for raw in raws]

    def _needs(self, rule: CompiledRule) -> tuple[frozenset[ClauseKey], ...]:
        """The sets of clauses of which one must hold for the rule's clause to apply (see
        `CompiledRule.needs`), when skipping it is exact."""
        law, position = self.law, self.law.position
        needs = tuple(frozenset(targets) for targets in (law.refined[rule.key], law.excepted[rule.key]) if targets)
        if not needs or self.guards.may_raise(rule.condition):
            return ()
        if any(position[t] >= position[rule.key] for targets in needs for t in targets):
            return ()
        return needs

    def candidates(self, action: str | None, code: Any) -> tuple[CompiledRule, ...]:
        """The rules that can hold for a case with this action and code, in the library's order."""
        signature = self._signatures.get(code)
        if signature is None:
            if len(self._signatures) > 100_000:
                self._signatures.clear()
            signature = self._signatures[code] = self.guards.signature(code)
        key = (action, signature)
        found = self._candidates.get(key)
        if found is None:
            # The rules that can hold for the action (whatever the code) and for the code's
            # signature (whatever the action): a sound over-approximation of both together,
            # each part computed once per action or signature and shared.
            by_action, by_code = self._by_action.get(action), self._by_signature.get(signature)
            if by_action is None:
                by_action = self._by_action[action] = self._possible(self.guards.evaluator(action, None))
            if by_code is None:
                by_code = self._by_signature[signature] = self._possible(self.guards.evaluator(None, signature))
            found = self._candidates[key] = tuple(r for r in self.rules if r.position in by_action
                                                  and r.position in by_code)
        return found

    def _possible(self, abstract) -> frozenset[int]:
        return frozenset(r.position for r in self.rules if self.guards.holding(r.condition, abstract))

    def _classify(self, case: RecordValue, day: datetime.date) -> tuple[RecordValue, tuple[Classified, ...]]:
        item = case.values.get("item", MISSING)
        if item is MISSING or item.get("category") is MISSING or item.get("control_code") is not MISSING:
            return case, ()
        c = runtime.CaseContext(case, day, self.law.screening, lambda code: self.law.is_controlled(code, day))
        for key, code, holds in self.classifiers.get(item.get("category").name, ()):
            if holds(c):
                item = RecordValue(item.type, {**item.values, "control_code": code})
                return RecordValue(case.type, {**case.values, "item": item}), (Classified(code, key),)
        return case, ()

    # -------------------------------------------------------------- reading what runs

    def source(self, clause: str | None = None) -> str:
        """The generated Python: all of it, or the functions of one clause (`MOFCOM-2025-61 I(1)`,
        or a clause number alone) and the definitions they use."""
        return self._module.show(clause)


def _detail(detail: Callable | None, c: runtime.CaseContext) -> Any:
    if detail is None:
        return None
    value = detail(c)
    return None if value is MISSING else value


def _date_of(raw: RawCase) -> datetime.date | None:
    return read_date(raw.data.get("date")) if isinstance(raw.data, dict) else None


class _Module:
    """The generated source of a program, its functions in sections, compiled into a namespace.

    What is generated for a library is kept in the library cache (`policylang.cache`, keyed by
    the library's digest and policylang's own fingerprint), so a cold command does not generate
    it again; the rules, classifications and invalid-case rules are named by their positions in
    the program, and the constants are plain values."""

    def __init__(self, program: Program):
        self.program = program
        self.writer = Writer(program)
        self.sections: list[tuple[str, str, str]] = []   # (kind, label, source)
        self.rules: list[tuple[int, int, str, list]] = []          # clause, rule, function, details
        self.classifiers: list[tuple[int, int, str]] = []
        self.invalid: list[tuple[int, str]] = []
        self.defaults: dict[tuple[str, str], str] = {}
        self._definitions()
        self._clauses()
        self._invalid_rules()
        self._record_defaults()
        self.text = "\n\n".join(src for _, _, src in self.sections) + "\n"
        self.constants = self.writer.constants
        del self.writer
        self._load()

    @classmethod
    def of(cls, program: Program, digest: str) -> "_Module":
        files = [("compiled engine", digest.encode())]
        stored = cache.get(files)
        if isinstance(stored, cls):
            stored.program = program
            stored._load()
            return stored
        module = cls(program)
        cache.put(files, module)
        return module

    def _load(self) -> None:
        self.namespace: dict[str, Any] = {**runtime.RUNTIME, **self.constants, "U": _UNSET}
        exec(compile(self.text, "<policylang compiled library>", "exec"), self.namespace)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("program", "namespace")}

    def _add(self, kind: str, label: str, source: str) -> None:
        self.sections.append((kind, label, source))

    def _definitions(self) -> None:
        w = self.writer
        for name, (definition, module) in self.program.definitions.items():
            if definition.params:
                params, body = w.parameterised(definition, module)
                self._add("definition", name, f"def p_{name}(c, {', '.join(params)}):\n"
                                              f"    return {body}")
            else:
                body = w.expression(definition.body, module)
                self._add("definition", name,
                          f"def d_{name}(c):\n"
                          f"    m = c.memo\n"
                          f"    v = m.get({name!r}, U)\n"
                          f"    if v is U:\n"
                          f"        v = m[{name!r}] = {body}\n"
                          f"    return v")

    def _clauses(self) -> None:
        w = self.writer
        modules = {ann.id: module.name for module in self.program.modules for ann in module.items
                   if isinstance(ann, ast.Announcement)}
        for n, (key, clause) in enumerate(self.program.clauses.items()):
            module = modules[key.policy]
            label = str(key)
            for j, c in enumerate(clause.classifications):
                name = f"classify_{n}_{j}"
                self._add("clause", label, f"def {name}(c):  # {label}: classify {c.category} as {c.code}\n"
                                           f"    return {w.condition(c.condition, module)}")
                self.classifiers.append((n, j, name))
            for j, rule in enumerate(clause.rules):
                name = f"rule_{n}_{j}"
                effect = rule.effect or "obligations only"
                self._add("clause", label, f"def {name}(c):  # {label}, rule {j + 1}: {effect}\n"
                                           f"    return {w.condition(rule.condition, module)}")
                details = []
                for k, ob in enumerate(rule.obligations):
                    detail = None
                    if ob.detail is not None:
                        detail = f"detail_{n}_{j}_{k}"
                        self._add("clause", label, f"def {detail}(c):  # {label}: {ob.kind}\n"
                                                   f"    return {w.expression(ob.detail, module)}")
                    details.append((ob, detail))
                self.rules.append((n, j, name, [detail for _, detail in details]))

    def _invalid_rules(self) -> None:
        for n, (rule, module) in enumerate(self.program.invalid_rules):
            name = f"invalid_{n}"
            self._add("invalid", ".".join(rule.path), f"def {name}(c):  # invalid at {'.'.join(rule.path)}\n"
                                                      f"    return {self.writer.condition(rule.condition, module)}")
            self.invalid.append((n, name))

    def _record_defaults(self) -> None:
        for record, decl in self.program.records.items():
            for f in decl.fields:
                if f.default is None:
                    continue
                try:
                    body = self.writer.expression(f.default, "schema", record)
                except Unsupported:
                    continue
                name = f"default_{record}_{f.name}"
                self._add("default", f"{record}.{f.name}", f"def {name}(rf):  # {record}.{f.name}\n"
                                                           f"    return {body}")
                self.defaults[(record, f.name)] = name

    def default(self, record: str, f: ast.Field) -> Callable[[dict], Any] | None:
        """The compiled default of a record field, for the reader (None: the reader evaluates it)."""
        name = self.defaults.get((record, f.name))
        return self.namespace[name] if name is not None else None

    def show(self, clause: str | None) -> str:
        if clause is None:
            return self.text
        chosen = [src for kind, label, src in self.sections
                  if kind == "clause" and (label == clause or label.split(" ", 1)[-1] == clause)]
        if not chosen:
            raise KeyError(clause)
        used = {name for src in chosen for name in _called_definitions(src)}
        seen: set[str] = set()
        while used - seen:
            name = (used - seen).pop()
            seen.add(name)
            for kind, label, src in self.sections:
                if kind == "definition" and label == name:
                    used |= _called_definitions(src)
        definitions = [src for kind, label, src in self.sections if kind == "definition" and label in used]
        return "\n\n".join(definitions + chosen) + "\n"


def _called_definitions(source: str) -> set[str]:
    return set(re.findall(r"\b[dp]_([A-Za-z_][A-Za-z0-9_]*)\(", source))


_UNSET = object()


def compile_program(program: Program, review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
                    law: Law | None = None, explain: bool = False) -> CompiledEngine:
    """The compiled engine of a checked program."""
    return CompiledEngine(program, review_threshold, law, explain)

