"""The TextMate grammar in VS Code's own engine (vscode-textmate with Oniguruma), when present.

Runs `editor-support/vscode/test/grammar.js` on every library file. It needs Node and
`npm install` in `editor-support/vscode`; on a machine without them the tests are skipped, and
`tests/test_textmate.py` checks the same grammar in Python.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from policylang.library import ecp_files, policies_dir, stdlib_dir

EXTENSION = Path(__file__).resolve().parents[1] / "editor-support" / "vscode"
NODE = shutil.which("node")
READY = NODE is not None and (EXTENSION / "node_modules" / "vscode-textmate").is_dir() \
    and (EXTENSION / "node_modules" / "vscode-oniguruma").is_dir()

needs_modules = pytest.mark.skipif(not READY, reason="needs node and `npm install` in editor-support/vscode")


def unmatched(files: list[Path]) -> list[dict]:
    done = subprocess.run([NODE, str(EXTENSION / "test" / "grammar.js"), *map(str, files)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.skipif(NODE is None, reason="needs node")
def test_the_extension_client_is_valid_javascript():
    done = subprocess.run([NODE, "--check", str(EXTENSION / "extension.js")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@needs_modules
def test_vscode_tokenises_every_library_file_without_unmatched_text():
    assert unmatched(ecp_files([stdlib_dir(), policies_dir()])) == []


@needs_modules
def test_vscode_reports_text_outside_the_language(tmp_path):
    junk = tmp_path / "junk.ecp"
    junk.write_text("def x = 1 @ 2\n", encoding="utf-8")
    assert [(u["line"], u["text"]) for u in unmatched([junk])] == [(1, "@")]


PACKAGER = (EXTENSION / "node_modules" / "@vscode" / "vsce").is_dir() and (EXTENSION / "node_modules" / "esbuild").is_dir()


@pytest.mark.skipif(NODE is None or shutil.which("npm") is None or not PACKAGER,
                    reason="needs node, npm and `npm install` in editor-support/vscode")
def test_the_extension_packages_as_one_bundled_vsix(tmp_path):
    import zipfile
    target = tmp_path / "policylang-ecp.vsix"
    subprocess.run(["npm", "run", "bundle", "--silent"], cwd=EXTENSION, check=True, capture_output=True, timeout=300)
    subprocess.run(["npx", "vsce", "package", "--no-dependencies", "--out", str(target)], cwd=EXTENSION,
                   check=True, capture_output=True, timeout=300)
    names = zipfile.ZipFile(target).namelist()
    assert "extension/dist/extension.js" in names and "extension/syntaxes/ecp.tmLanguage.json" in names
    assert not any("node_modules" in n for n in names)          # the client is inside the bundle
    bundled = zipfile.ZipFile(target).read("extension/dist/extension.js").decode()
    assert 'require("vscode-languageclient' not in bundled and "LanguageClient" in bundled
    manifest = json.loads(zipfile.ZipFile(target).read("extension/package.json"))
    assert manifest["main"] == "./dist/extension.js"
