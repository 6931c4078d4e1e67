// Validation of a case as you type, against the JSON Schema `policylang schema` prints.
//
// Takes: the schema (JSON Schema 2020-12, the subset `policylang schema` writes: $ref into
// $defs, allOf, anyOf, enum, type, properties, required, items, minimum, maximum, pattern) and
// a JSON value. Returns: a list of {path, message}, empty when the value is valid. Keywords it
// does not know (title, description, default, format, enumDescriptions) are annotations and
// are not checked; a schema the page cannot read reports nothing rather than a false error.
"use strict";
(function (Policylang) {
  const TYPES = {
    string: (v) => typeof v === "string",
    number: (v) => typeof v === "number" && isFinite(v),
    integer: (v) => typeof v === "number" && Number.isInteger(v),
    boolean: (v) => typeof v === "boolean",
    null: (v) => v === null,
    array: (v) => Array.isArray(v),
    object: (v) => v !== null && typeof v === "object" && !Array.isArray(v),
  };
  const patterns = new Map();

  function regex(source) {
    if (!patterns.has(source)) {
      let made = null;
      try { made = new RegExp(source, "u"); } catch (e) {
        try { made = new RegExp(source); } catch (e2) { made = null; }
      }
      patterns.set(source, made);
    }
    return patterns.get(source);
  }

  function typeName(v) {
    if (v === null) return "null";
    if (Array.isArray(v)) return "an array";
    if (typeof v === "object") return "an object";
    if (typeof v === "string") return "text";
    return "a " + typeof v;
  }

  function shown(v) {
    const text = JSON.stringify(v);
    return text === undefined ? String(v) : text.length > 40 ? text.slice(0, 37) + "…" : text;
  }

  function join(path, key) {
    if (typeof key === "number") return path + "[" + key + "]";
    return path ? path + "." + key : key;
  }

  function resolve(root, ref) {
    if (typeof ref !== "string" || !ref.startsWith("#/")) return null;
    let node = root;
    for (const part of ref.slice(2).split("/")) {
      node = node && node[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    }
    return node || null;
  }

  function check(root, schema, value, path, errors, depth) {
    if (!schema || typeof schema !== "object" || depth > 64) return;
    if (schema.$ref) {
      check(root, resolve(root, schema.$ref), value, path, errors, depth + 1);
    }
    if (Array.isArray(schema.allOf)) {
      for (const part of schema.allOf) check(root, part, value, path, errors, depth + 1);
    }
    if (Array.isArray(schema.anyOf)) {
      let best = null, valid = false;
      for (const part of schema.anyOf) {
        const found = [];
        check(root, part, value, path, found, depth + 1);
        if (found.length === 0) { valid = true; break; }
        // the branch whose type the value has, with the fewest errors
        const wrongType = found.every((e) => e.path === path && e.kind === "type");
        if (!wrongType && (best === null || found.length < best.length)) best = found;
      }
      if (!valid) {
        if (best === null) {
          const wanted = schema.anyOf.map((s) => describe(root, s)).filter(Boolean);
          errors.push({ path, kind: "type", message: "expected " + unique(wanted).join(" or ") + ", found " + typeName(value) });
        } else {
          errors.push(...best);
        }
      }
    }
    if (schema.type !== undefined) {
      const kinds = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!kinds.some((k) => TYPES[k] && TYPES[k](value))) {
        errors.push({ path, kind: "type", message: "expected " + kinds.join(" or ") + ", found " + typeName(value) });
        return;
      }
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
      const some = schema.enum.slice(0, 8).map((e) => JSON.stringify(e)).join(", ");
      errors.push({ path, kind: "enum", message: shown(value) + " is not one of " + some + (schema.enum.length > 8 ? ", …" : "") });
    }
    if (typeof value === "number") {
      if (typeof schema.minimum === "number" && value < schema.minimum) {
        errors.push({ path, kind: "range", message: shown(value) + " is below the minimum " + schema.minimum });
      }
      if (typeof schema.maximum === "number" && value > schema.maximum) {
        errors.push({ path, kind: "range", message: shown(value) + " is above the maximum " + schema.maximum });
      }
    }
    if (typeof value === "string" && typeof schema.pattern === "string") {
      const re = regex(schema.pattern);
      if (re && !re.test(value)) {
        errors.push({ path, kind: "pattern", message: shown(value) + " is not written as " + (schema.format || "expected") });
      }
    }
    if (TYPES.object(value)) {
      if (Array.isArray(schema.required)) {
        for (const name of schema.required) {
          if (!(name in value)) errors.push({ path: join(path, name), kind: "required", message: "missing `" + name + "`" });
        }
      }
      if (schema.properties && typeof schema.properties === "object") {
        for (const [name, sub] of Object.entries(schema.properties)) {
          if (name in value) check(root, sub, value[name], join(path, name), errors, depth + 1);
        }
      }
    }
    if (Array.isArray(value) && schema.items && typeof schema.items === "object") {
      value.forEach((item, i) => check(root, schema.items, item, join(path, i), errors, depth + 1));
    }
  }

  function describe(root, schema) {
    if (!schema || typeof schema !== "object") return "";
    if (schema.$ref) return describe(root, resolve(root, schema.$ref));
    if (schema.type) return [].concat(schema.type).join(" or ");
    if (schema.enum) return "one of " + schema.enum.slice(0, 4).map((e) => JSON.stringify(e)).join(", ");
    return "";
  }

  function unique(list) { return list.filter((x, i) => list.indexOf(x) === i); }

  // The JSON text's own mistakes: where the parser stopped, as a line and column.
  function parse(text) {
    try {
      return { value: JSON.parse(text), error: null };
    } catch (e) {
      const message = String(e.message || e);
      const at = /position (\d+)/.exec(message);
      let where = "";
      if (at) {
        const before = text.slice(0, Number(at[1]));
        const line = before.split("\n").length;
        where = " (line " + line + ", column " + (before.length - before.lastIndexOf("\n")) + ")";
      }
      return { value: undefined, error: "not JSON: " + message.replace(/^JSON\.parse: /, "") + where };
    }
  }

  Policylang.validate = function (schema, value) {
    const errors = [];
    try { check(schema, schema, value, "", errors, 0); } catch (e) { return []; }
    const seen = new Set();
    return errors.filter((e) => {
      const key = e.path + "\u0000" + e.message;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }).map((e) => ({ path: e.path || "(the case)", message: e.message }));
  };
  Policylang.parseJSON = parse;
})(window.Policylang = window.Policylang || {});
