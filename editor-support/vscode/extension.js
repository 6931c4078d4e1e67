// The VS Code client of the policylang language server.
//
// Starts `policylang lsp` (the command and its arguments are settings) over stdio for `.ecp`
// documents, and restarts it on the "policylang: Restart the language server" command. Every
// language feature (diagnostics, hover, definition, completion, outline, formatting) comes
// from the server; this file only wires it in.

"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function createClient() {
  const config = vscode.workspace.getConfiguration("policylang");
  const command = config.get("server.command", "policylang");
  const args = config.get("server.args", ["lsp"]);
  const serverOptions = {
    run: { command, args, transport: TransportKind.stdio },
    debug: { command, args, transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "ecp" }, { scheme: "untitled", language: "ecp" }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.ecp") },
  };
  return new LanguageClient("policylang", "policylang", serverOptions, clientOptions);
}

async function activate(context) {
  client = createClient();
  context.subscriptions.push(
    vscode.commands.registerCommand("policylang.restartServer", async () => {
      if (client) {
        await client.stop();
      }
      client = createClient();
      await client.start();
    })
  );
  await client.start();
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
