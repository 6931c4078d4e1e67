// The time line: every announcement and clause, its in-force, suspended and not-yet bands,
// today's line, and the days clauses apply again after a suspension (revivals) standing out.
//
// Takes: what `GET /v1/timeline/bands` returns (`policylang.timeline.bands`): `date` (today),
// `announcements` (each with its clauses, each with `bands` {from, through, state, by}; a null
// `from` is "since ever", a null `through` "with no end") and `revivals` ({date, clauses}).
// Returns: `Policylang.renderTimeline(data)`, an element holding an SVG drawing and a legend.
"use strict";
(function (Policylang) {
  const el = (...a) => Policylang.el(...a);
  const DAY = 86400000;
  const LABEL = 250, WIDTH = 1150, ROW = 16, HEAD = 34, TOP = 46;
  const STATES = {
    in_force: "in force", suspended: "suspended", not_yet: "not yet in force", expired: "expired", repealed: "repealed",
  };

  function day(text) { return Date.parse(text + "T00:00:00Z"); }
  function iso(ms) { return new Date(ms).toISOString().slice(0, 10); }

  // What the drawing spans: the whole life of the library, or a window around today.
  const SPANS = {
    around: { words: "two years before today to one after", before: 730, after: 365 },
    close: { words: "three months either side of today", before: 91, after: 91 },
    all: { words: "the whole life of the library", before: null, after: null },
  };

  Policylang.renderTimeline = function (data, span) {
    const chosen = SPANS[span] ? span : "around";
    const drawing = el("div", { class: "timeline-scroll" }, drawTimeline(data, SPANS[chosen]));
    const select = el("select", { class: "timeline-span", "aria-label": "what the time line spans" },
      Object.entries(SPANS).map(([key, s]) => el("option", { value: key, selected: key === chosen }, s.words)));
    select.addEventListener("change", () => drawing.replaceChildren(drawTimeline(data, SPANS[select.value])));
    return el("div", { class: "timeline-view" }, legend(), el("label", { class: "span-choice" }, "show ", select),
      revivalList(data.revivals || []), drawing);
  };

  function drawTimeline(data, span) {
    const announcements = (data && data.announcements) || [];
    const revivals = (data && data.revivals) || [];
    const today = day(data.date);
    const days = [today];
    for (const a of announcements) {
      for (const c of a.clauses) for (const b of c.bands) {
        if (b.from) days.push(day(b.from));
        if (b.through) days.push(day(b.through));
      }
    }
    const first = span.before === null ? Math.min(...days) - 60 * DAY : today - span.before * DAY;
    const last = span.after === null ? Math.max(...days) + 300 * DAY : today + span.after * DAY;
    const x = (ms) => LABEL + (Math.min(Math.max(ms, first), last) - first) / (last - first) * (WIDTH - LABEL - 10);
    const months = last - first < 400 * DAY;
    let rows = 0;
    for (const a of announcements) rows += 1 + a.clauses.length;
    const height = TOP + rows * ROW + HEAD;
    const svg = el("svg:svg", { class: "timeline", width: WIDTH, height, viewBox: "0 0 " + WIDTH + " " + height,
      role: "img", "aria-label": "the life of every clause" });

    // years (or months) along the top
    const start = new Date(first);
    for (let m = start.getUTCFullYear() * 12 + start.getUTCMonth() + 1; ; m++) {
      const tick = Date.UTC(Math.floor(m / 12), m % 12, 1);
      if (tick >= last) break;
      if (!months && m % 12 !== 0) continue;
      const at = x(tick);
      svg.append(el("svg:line", { x1: at, x2: at, y1: 14, y2: height, class: "year" }),
        el("svg:text", { x: at + 3, y: 12, class: "year-label" }, months ? iso(tick).slice(0, 7) : String(m / 12)));
    }
    let y = TOP;
    for (const a of announcements) {
      const title = el("svg:text", { x: 4, y: y + ROW - 4, class: "announcement" }, a.policy);
      title.append(el("svg:title", {}, (a.title || a.policy) + (a.issued ? " — issued " + a.issued : "")));
      svg.append(title);
      y += ROW;
      for (const c of a.clauses) {
        const label = el("svg:text", { x: 14, y: y + ROW - 4, class: "clause state-" + c.state }, cut(c.clause + (c.title ? " " + c.title : ""), 38));
        label.append(el("svg:title", {}, a.policy + " " + c.clause + (c.title ? ": " + c.title : "") + " — " + (STATES[c.state] || c.state) + " on " + data.date));
        svg.append(label);
        for (const b of c.bands) {
          const from = b.from ? day(b.from) : first, through = b.through ? day(b.through) + DAY : last;
          if (through <= first || from >= last) continue;
          const rect = el("svg:rect", { x: x(from), y: y + 2, width: Math.max(1, x(through) - x(from)), height: ROW - 4,
            class: "band band-" + b.state, "data-clause": a.policy + " " + c.clause, "data-state": b.state,
            "data-from": b.from || "", "data-through": b.through || "" });
          rect.append(el("svg:title", {}, a.policy + " " + c.clause + ": " + (STATES[b.state] || b.state) +
            (b.from ? " from " + b.from : "") + (b.through ? " through " + b.through : b.from ? " on" : "") + (b.by ? " (by " + b.by + ")" : "")));
          svg.append(rect);
        }
        y += ROW;
      }
    }
    // the revivals, then today, drawn over the bands
    revivals.filter((r) => day(r.date) > first && day(r.date) < last).forEach((r, i) => {
      const at = x(day(r.date));
      const mark = el("svg:g", { class: "revival", "data-revival": r.date });
      mark.append(el("svg:line", { x1: at, x2: at, y1: 16, y2: height - HEAD + 4 }),
        el("svg:text", { x: at + 3, y: height - 4 - (i % 2) * 14, class: "revival-label" }, r.date));
      mark.append(el("svg:title", {}, r.date + ": applies again after a suspension — " + r.clauses.length + " clause(s): " +
        r.clauses.slice(0, 12).join(", ") + (r.clauses.length > 12 ? ", …" : "")));
      svg.append(mark);
    });
    const now = x(today);
    svg.append(el("svg:g", { class: "today", "data-today": data.date },
      el("svg:line", { x1: now, x2: now, y1: 16, y2: height - HEAD + 4 }),
      el("svg:text", { x: now - 4, y: 28, class: "today-label", "text-anchor": "end" }, "today " + data.date)));

    return svg;
  }

  function legend() {
    return el("div", { class: "legend" },
      Object.entries(STATES).map(([state, words]) => el("span", { class: "key" }, el("span", { class: "swatch band-" + state }), words)),
      el("span", { class: "key" }, el("span", { class: "swatch today-swatch" }), "today"),
      el("span", { class: "key" }, el("span", { class: "swatch revival-swatch" }), "applies again after a suspension"));
  }

  function revivalList(revivals) {
    if (!revivals.length) return null;
    return el("div", { class: "revival-list" }, el("h4", {}, "Revivals: clauses that apply again after a suspension"),
      el("ul", { class: "revivals" }, revivals.map((r) =>
        el("li", { "data-revival": r.date }, el("strong", {}, r.date), ": " + r.clauses.length + " clause(s) — " + summary(r.clauses)))));
  }

  function cut(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  // "MOFCOM-2025-55 (11 clauses), MOFCOM-2025-61 I(1), …": the clauses, grouped by announcement.
  function summary(clauses) {
    const by = new Map();
    for (const c of clauses) {
      const cut = c.indexOf(" ");
      const policy = cut < 0 ? c : c.slice(0, cut);
      by.set(policy, (by.get(policy) || []).concat(cut < 0 ? [] : [c.slice(cut + 1)]));
    }
    return Array.from(by, ([policy, list]) => list.length > 3 ? policy + " (" + list.length + " clauses)" : policy + " " + list.join(", ")).join("; ");
  }
  Policylang.isoDay = iso;
})(window.Policylang = window.Policylang || {});
