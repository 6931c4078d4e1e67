// Small helpers every part of the page (and `policylang report`) shares.
//
// `el(tag, attributes, ...children)` builds an element; text is always set as text, never as
// HTML, so what a policy, a case or an analysis file says can never become markup or script.
"use strict";
(function (Policylang) {
  const SVG = "http://www.w3.org/2000/svg";

  function el(tag, attributes, ...children) {
    const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.setAttribute("class", value);
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // A link to an official page: only http(s) addresses become links.
  function link(url, text) {
    if (typeof url === "string" && /^https?:\/\//i.test(url)) {
      return el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, text || url);
    }
    return el("span", {}, text || "");
  }

  function clauseName(x) {
    return (x && x.policy ? x.policy : "") + (x && x.clause ? " " + x.clause : "");
  }

  Policylang.el = el;
  Policylang.link = link;
  Policylang.clauseName = clauseName;
  Policylang.dutyWords = {
    report: "report",
    compliance_notice: "compliance notice",
    customs_remark: "customs remark",
    declare_destination: "declare the destination",
    show_license: "show the licence",
    inquire: "inquire",
    chinese_documents: "documents in Chinese",
  };
  Policylang.outcomeWords = {
    not_controlled: "not controlled",
    excluded: "excluded from scope",
    report_only: "report only",
    license_required: "licence required",
    case_by_case: "review case by case",
    denied_in_principle: "denied in principle",
    prohibited: "prohibited",
    error: "error: the case is invalid",
  };
})(window.Policylang = window.Policylang || {});
