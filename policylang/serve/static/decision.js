// A decision as a person reads it.
//
// Takes: one decision as `policylang eval --format json` prints it (contract §4).
// Returns: `Policylang.renderDecision(decision)`, an element: the outcome, the reasons with the
// quoted law and the official link, the duties with their due dates, the clauses suspended,
// not in force or overridden, the near matches of party names, the classification, the errors
// and warnings, and (with explain) why each relevant clause did not apply.
"use strict";
(function (Policylang) {
  const el = (...a) => Policylang.el(...a);
  const name = (x) => Policylang.clauseName(x);

  function section(title, items, render, cls) {
    if (!Array.isArray(items) || items.length === 0) return null;
    return el("section", { class: "part " + (cls || "") },
      el("h4", {}, title + " (" + items.length + ")"),
      el("ul", {}, items.map((x) => el("li", {}, render(x)))));
  }

  function reason(r) {
    const quoted = r.text && typeof r.text === "object" ? Object.entries(r.text) : [];
    return [
      el("div", { class: "clause-head" },
        el("span", { class: "badge effect-" + r.effect }, Policylang.outcomeWords[r.effect] || r.effect),
        " ", el("strong", {}, name(r)), r.title ? " — " + r.title : ""),
      r.source ? el("div", { class: "source" }, r.source) : null,
      quoted.map(([lang, text]) => el("blockquote", { lang: lang === "zh" ? "zh-Hans" : lang }, text)),
      r.url ? el("div", { class: "official" }, Policylang.link(r.url, "the official text")) : null,
      Array.isArray(r.listed_by) && r.listed_by.length
        ? el("div", { class: "listed" }, "listed: ", r.listed_by.map((l) => l.party + " on " + l.list + " as “" + l.entry + "”").join("; "))
        : null,
    ];
  }

  function duty(o) {
    return [
      el("strong", {}, Policylang.dutyWords[o.kind] || o.kind),
      o.due ? el("span", { class: "due" }, " due " + o.due) : null,
      o.detail ? " — " + o.detail : "",
      el("span", { class: "by" }, " (" + name(o) + ")"),
    ];
  }

  function suspended(s) {
    return [el("strong", {}, name(s)), " suspended by " + (s.by || "a later instrument") + " from " + s.from + " through " + s.through];
  }

  function notInForce(s) {
    const words = { not_yet: "not yet in force", expired: "expired", repealed: "repealed" };
    return [el("strong", {}, name(s)), " " + (words[s.state] || s.state) +
      (s.from ? " (from " + s.from + ")" : "") + (s.through ? " (through " + s.through + ")" : "")];
  }

  function overridden(o) {
    return [el("strong", {}, name(o)), " set aside by " + (o.by || []).map(name).join(", ")];
  }

  function nearMatch(m) {
    const verdict = m.disposition ? " — " + (m.disposition.verdict === "no_match" ? "cleared" : "confirmed") +
      " by " + m.disposition.reviewer + " on " + m.disposition.date : "";
    return [el("strong", {}, m.party), " is near “" + m.entry + "” on " + m.list + " ",
      el("span", { class: "score" }, "score " + m.score), verdict];
  }

  function diagnostic(d) {
    return [el("code", {}, d.code), d.path ? el("span", { class: "path" }, " " + d.path) : null, " " + d.message,
      d.help ? el("div", { class: "help" }, "help: " + d.help) : null];
  }

  function explanation(items) {
    if (!Array.isArray(items) || items.length === 0) return null;
    return el("details", { class: "part explanation" },
      el("summary", {}, "Why the other relevant clauses did not apply (" + items.length + ")"),
      el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "clause"), el("th", {}, "the first condition that failed"), el("th", {}, "field"))),
        el("tbody", {}, items.map((x) => el("tr", {}, el("td", {}, name(x) + (x.classifies ? " (classifies " + x.classifies + ")" : "")),
          el("td", {}, x.failed), el("td", {}, x.path || ""))))));
  }

  Policylang.renderDecision = function (d) {
    if (!d || typeof d !== "object") return el("div", { class: "decision" }, "not a decision");
    const outcome = d.outcome || "error";
    const head = el("header", {},
      el("span", { class: "outcome outcome-" + outcome, "data-outcome": outcome }, Policylang.outcomeWords[outcome] || outcome),
      d.needs_review ? el("span", { class: "review" }, "needs review") : null,
      el("span", { class: "case-id" }, d.id === undefined || d.id === null ? "(no id)" : String(typeof d.id === "string" ? d.id : JSON.stringify(d.id))),
      el("span", { class: "case-date" }, d.date ? "on " + d.date : "", d.as_of ? " as of " + d.as_of : ""));
    return el("article", { class: "decision", "data-id": typeof d.id === "string" ? d.id : null },
      head,
      section("Errors in the case", d.errors, diagnostic, "errors"),
      section("Reasons", d.reasons, reason, "reasons"),
      d.reasons && d.reasons.length === 0 && outcome !== "error"
        ? el("p", { class: "none" }, "No clause in force applies to this case.") : null,
      section("Duties", d.obligations, duty, "duties"),
      section("Suspended clauses that would have applied", d.suspended, suspended, "suspended"),
      section("Clauses not in force that would have applied", d.not_in_force, notInForce, "not-in-force"),
      section("Overridden clauses", d.overridden, overridden, "overridden"),
      section("Near matches of party names", d.screening, nearMatch, "screening"),
      section("Classification", d.classification, (c) => [el("strong", {}, c.code), " by " + name(c)], "classification"),
      section("Warnings", d.warnings, diagnostic, "warnings"),
      explanation(d.explanation),
      d.library ? el("footer", {}, "library " + (d.library.version || "") + " " + (d.library.digest || "").slice(0, 19) + "…" +
        (d.library.checked_through ? ", sources checked through " + d.library.checked_through : "")) : null);
  };
})(window.Policylang = window.Policylang || {});
