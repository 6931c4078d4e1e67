// The service's page: the case editor and its decisions, the time line, the analysis findings.
//
// Takes: the service's JSON routes on the same origin (/v1/examples, /v1/schema, /v1/decide,
// /v1/timeline/bands, /v1/library). Returns: nothing; fills the page. Every failure (a request
// refused, the service gone) is said on the page, never thrown.
"use strict";
(function (Policylang) {
  const el = (...a) => Policylang.el(...a);
  const $ = (id) => document.getElementById(id);
  let schema = null, examples = [], pending = null;

  async function getJSON(url) {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(url + " answered " + response.status);
    return response.json();
  }

  function say(where, text, cls) {
    where.replaceChildren(el("p", { class: cls || "note" }, text));
  }

  // ------------------------------------------------------------ the case editor

  function showExample() {
    const chosen = $("example").value;
    const value = chosen === "all" ? examples : examples[Number(chosen)];
    $("case").value = JSON.stringify(value === undefined ? {} : value, null, 2);
    validateSoon(0);
  }

  function validateSoon(wait) {
    clearTimeout(pending);
    pending = setTimeout(validateNow, wait === undefined ? 150 : wait);
  }

  function validateNow() {
    const box = $("validation");
    const parsed = Policylang.parseJSON($("case").value);
    if (parsed.error) {
      $("case").classList.add("invalid");
      box.replaceChildren(el("p", { class: "invalid-text", "data-valid": "false" }, parsed.error));
      return false;
    }
    if (!schema) {
      box.replaceChildren(el("p", { class: "note" }, "JSON; the schema is still loading"));
      return true;
    }
    const errors = Policylang.validate(schema, parsed.value);
    $("case").classList.toggle("invalid", errors.length > 0);
    if (errors.length === 0) {
      box.replaceChildren(el("p", { class: "valid-text", "data-valid": "true" }, "✓ valid against the case schema"));
    } else {
      box.replaceChildren(el("p", { class: "invalid-text", "data-valid": "false" }, errors.length + " problem(s) against the case schema:"),
        el("ul", {}, errors.slice(0, 30).map((e) => el("li", {}, el("code", {}, e.path), " " + e.message))));
    }
    return true;
  }

  async function decide() {
    const out = $("decisions");
    const parsed = Policylang.parseJSON($("case").value);
    if (parsed.error) { say(out, parsed.error, "invalid-text"); return; }
    const query = new URLSearchParams();
    if ($("as-of").value) query.set("as_of", $("as-of").value);
    if ($("explain").checked) query.set("explain", "true");
    say(out, "deciding…");
    try {
      const response = await fetch("/v1/decide" + (query.toString() ? "?" + query : ""), {
        method: "POST", headers: { "content-type": "application/json" }, body: $("case").value,
      });
      const body = await response.json();
      if (body && !Array.isArray(body) && Array.isArray(body.errors) && body.outcome === undefined) {
        out.replaceChildren(el("div", { class: "refused" }, el("p", {}, "The service refused the request (" + response.status + "):"),
          el("ul", {}, body.errors.map((e) => el("li", {}, el("code", {}, e.code), " " + e.message)))));
        return;
      }
      const decisions = Array.isArray(body) ? body : [body];
      out.replaceChildren(...decisions.map(Policylang.renderDecision));
    } catch (e) {
      say(out, "the service did not answer: " + e.message, "invalid-text");
    }
  }

  function openWitness(witness) {
    $("case").value = JSON.stringify(witness, null, 2);
    validateSoon(0);
    $("decide-section").scrollIntoView({ behavior: "smooth" });
  }

  // ------------------------------------------------------------ the time line

  async function showTimeline() {
    const where = $("timeline");
    const day = $("timeline-date").value;
    try {
      const data = await getJSON("/v1/timeline/bands" + (day ? "?date=" + encodeURIComponent(day) : ""));
      where.replaceChildren(Policylang.renderTimeline(data));
      if (!day) $("timeline-date").value = data.date;
    } catch (e) {
      say(where, "the time line could not be loaded: " + e.message, "invalid-text");
    }
  }

  // ------------------------------------------------------------ the findings

  function readAnalysis(event) {
    const file = event.target.files && event.target.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      const report = Policylang.readFindings(String(reader.result));
      if (report.error) say($("findings"), file.name + ": " + report.error, "invalid-text");
      else $("findings").replaceChildren(Policylang.renderFindings(report, openWitness));
    };
    reader.onerror = () => say($("findings"), "could not read " + file.name, "invalid-text");
    reader.readAsText(file);
  }

  // ------------------------------------------------------------ start

  async function start() {
    $("case").addEventListener("input", () => validateSoon());
    $("example").addEventListener("change", showExample);
    $("decide").addEventListener("click", decide);
    $("timeline-date").addEventListener("change", showTimeline);
    $("analysis-file").addEventListener("change", readAnalysis);
    showTimeline();
    try {
      const library = await getJSON("/v1/library");
      $("library").textContent = "library " + (library.library.version || "") + ", " + library.announcements.length +
        " announcements, " + library.library.digest.slice(0, 19) + "…" +
        (library.library.checked_through ? ", sources checked through " + library.library.checked_through : "");
    } catch (e) {
      $("library").textContent = "the library could not be read: " + e.message;
    }
    try {
      examples = await getJSON("/v1/examples");
    } catch (e) {
      examples = [];
    }
    $("example").replaceChildren(
      ...examples.map((c, i) => el("option", { value: String(i) }, (c && c.id) || "case " + (i + 1))),
      el("option", { value: "all" }, "all " + examples.length + " examples"));
    showExample();
    try {
      schema = await getJSON("/v1/schema");
    } catch (e) {
      schema = null;
    }
    validateNow();
    document.body.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", start);
})(window.Policylang = window.Policylang || {});
