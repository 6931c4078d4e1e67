// Tokenise .ecp files with VS Code's own TextMate engine (vscode-textmate + Oniguruma) and print,
// as JSON, every piece of non-blank text that no rule of the grammar matched:
//   node test/grammar.js FILE...   ->   [{"file", "line", "text"}, ...]
// tests/test_textmate_node.py runs it when `npm install` has been run here.

"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

async function main(files) {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => {
      const file = path.join(__dirname, "..", "syntaxes", "ecp.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
    },
  });
  const grammar = await registry.loadGrammar("source.ecp");
  const unmatched = [];
  for (const file of files) {
    let state = vsctm.INITIAL;
    fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      const result = grammar.tokenizeLine(line, state);
      for (const token of result.tokens) {
        const text = line.slice(token.startIndex, token.endIndex);
        if (token.scopes.length === 1 && text.trim() !== "") {
          unmatched.push({ file, line: i + 1, text: text.trim() });
        }
      }
      state = result.ruleStack;
    });
  }
  process.stdout.write(JSON.stringify(unmatched));
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exit(2);
});
