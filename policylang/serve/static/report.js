// `policylang report`: the time line and the findings drawn from the data inlined in the file.
//
// Takes: the JSON in <script type="application/json" id="report-data">: {bands, analysis}
// (`bands` as GET /v1/timeline/bands returns it; `analysis` the text of an `analyze --format
// json` file, or null). Returns: nothing; fills #timeline and #findings.
"use strict";
(function (Policylang) {
  document.addEventListener("DOMContentLoaded", function () {
    const data = JSON.parse(document.getElementById("report-data").textContent);
    document.getElementById("timeline").replaceChildren(Policylang.renderTimeline(data.bands));
    const where = document.getElementById("findings");
    if (data.analysis === null) {
      where.replaceChildren(Policylang.el("p", { class: "note" }, "No analysis was given (`policylang report --analysis FILE`)."));
    } else {
      const report = Policylang.readFindings(data.analysis);
      where.replaceChildren(report.error ? Policylang.el("p", { class: "invalid-text" }, report.error)
        : Policylang.renderFindings(report, null));
    }
    document.body.dataset.ready = "true";
  });
})(window.Policylang = window.Policylang || {});
