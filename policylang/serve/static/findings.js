// The analysis findings as a table, each with its witness case and the decision it gets.
//
// Takes: the text of a `policylang analyze --format json` file ({findings, warnings, stats}).
// Returns: `Policylang.readFindings(text)` → {findings, stats, warnings} or {error};
// `Policylang.renderFindings(report, onOpen)`, an element: a summary line, then one row per
// finding (kind, clauses, window, status, accepted with its reason, message), the witness and
// its decision folded under it. `onOpen(witness)`, when given, adds a button that puts the
// witness in the case editor.
"use strict";
(function (Policylang) {
  const el = (...a) => Policylang.el(...a);

  Policylang.readFindings = function (text) {
    let data;
    try { data = JSON.parse(text); } catch (e) { return { error: "the file is not JSON: " + e.message }; }
    if (!data || typeof data !== "object" || !Array.isArray(data.findings)) {
      return { error: "the file is not what `policylang analyze --format json` writes: it has no `findings` list" };
    }
    const bad = data.findings.findIndex((f) => !f || typeof f !== "object" || typeof f.kind !== "string" || !Array.isArray(f.clauses));
    if (bad >= 0) return { error: "finding " + (bad + 1) + " has no `kind` or `clauses`" };
    return { findings: data.findings, stats: data.stats || {}, warnings: Array.isArray(data.warnings) ? data.warnings : [] };
  };

  function windowText(f) {
    const windows = Array.isArray(f.windows) && f.windows.length ? f.windows : [[f.from, f.through]];
    return windows.map(([a, b]) => (a || "always") + " – " + (b || "no end")).join(", ");
  }

  Policylang.renderFindings = function (report, onOpen) {
    const counts = {};
    for (const f of report.findings) counts[f.kind] = (counts[f.kind] || 0) + 1;
    const accepted = report.findings.filter((f) => f.accepted).length;
    const summary = el("p", { class: "findings-summary" }, report.findings.length + " finding(s): " +
      Object.entries(counts).map(([k, n]) => n + " " + k).join(", ") + "; " + accepted + " accepted by the library's authors");
    const rows = [];
    report.findings.forEach((f, i) => {
      rows.push(el("tr", { class: "finding kind-" + f.kind + (f.accepted ? " accepted" : ""), "data-kind": f.kind },
        el("td", {}, String(i + 1)),
        el("td", {}, f.kind + (f.name ? " " + f.name : "")),
        el("td", {}, f.clauses.map(Policylang.clauseName).join(" · ")),
        el("td", {}, windowText(f)),
        el("td", {}, f.status || ""),
        el("td", {}, f.accepted ? el("span", { title: f.accepted.reason || "" }, "accepted") : "open"),
        el("td", {}, f.message || "")));
      const detail = el("td", { colspan: 7 });
      if (f.accepted && f.accepted.reason) detail.append(el("p", { class: "accepted-reason" }, "Accepted: " + f.accepted.reason + (f.accepted.at ? " (" + f.accepted.at + ")" : "")));
      if (f.reason) detail.append(el("p", {}, f.reason));
      if (f.witness) {
        const folded = el("details", { class: "witness" },
          el("summary", {}, "witness case" + (f.decision && f.decision.outcome ? " — decided " + (Policylang.outcomeWords[f.decision.outcome] || f.decision.outcome) : "")),
          el("pre", {}, JSON.stringify(f.witness, null, 2)),
          onOpen ? el("button", { type: "button", class: "open-witness", onclick: () => onOpen(f.witness) }, "Open in the case editor") : null,
          f.decision && Policylang.renderDecision ? Policylang.renderDecision(f.decision) : null);
        detail.append(folded);
      }
      rows.push(el("tr", { class: "finding-detail" }, detail));
    });
    return el("div", { class: "findings-view" }, summary,
      el("table", { class: "findings" },
        el("thead", {}, el("tr", {}, ["#", "kind", "clauses", "when", "status", "accepted", "what"].map((h) => el("th", {}, h)))),
        el("tbody", {}, rows)),
      report.warnings.length ? el("ul", { class: "warnings" }, report.warnings.map((w) => el("li", {}, (w.code || "") + " " + (w.message || "")))) : null);
  };
})(window.Policylang = window.Policylang || {});
