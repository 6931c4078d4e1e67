"""Issue 11, paths: nothing is read that was not asked for.

A test file's `policies:` entry may name only a relative `.ecp` file inside the folders given (or
the current folder, or the shipped library): `/etc/passwd`, `../x.ecp`, a link out of them or a
file that is not `.ecp` each fail that test with a message that quotes nothing of the target. A
`.ecp` link in a policy folder that leads outside it is refused by `check`, `fmt`, `eval` and
`test` alike, printing nothing of the target: pointed at `/proc/self/environ`, no variable of
the environment appears anywhere in the output. Devices, FIFOs and link loops are never read
nor followed; the language server reads neighbours only from its folders (`tests/lsp/
test_neighbours.py` holds those tests).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

SECRET = "policylang-secret-7f3a9c"
CASES = """cases:
  - name: a magnet
    case: {date: 2025-10-20, action: reexport, destination: US, item: {control_code: 1C904.a.4, origin: CN}}
    expect: {outcome: license_required}
"""


def _env() -> dict:
    return {**os.environ, "POLICYLANG_TEST_SECRET": SECRET, "POLICYLANG_CACHE_DIR": "off"}


@pytest.mark.parametrize("entry", ["/etc/passwd", "../x.ecp", "../../x.ecp", "sub/../../x.ecp", "C:\\\\x.ecp",
                                   "notes.txt", '""', "[1, 2]"])
def test_a_policies_entry_outside_the_folders_or_not_ecp_fails_its_test_and_reads_nothing(tmp_path, cli, entry):
    (tmp_path / "x.ecp").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (tmp_path / "notes.txt").write_text("root:x:0:0:root:/root:/bin/bash\n")
    suite = tmp_path / "suite" / "sub"
    suite.mkdir(parents=True)
    (suite / "test_x.yaml").write_text(f"policies: [{entry!s}]\n" + CASES if entry != "[1, 2]"
                                       else "policies: [[1, 2]]\n" + CASES)
    done = cli("test", str(tmp_path / "suite"), env=_env())
    assert done.returncode == 1, done.stderr
    assert "FAIL" in done.out and "policies" in done.out
    assert "root:x" not in done.out + done.stderr and "/bin/bash" not in done.out + done.stderr
    assert "internal error" not in done.stderr


def test_a_policies_entry_inside_the_folders_is_found_next_to_the_file_or_above(tmp_path, cli):
    fixtures = Path(__file__).parent.parent / "fixtures" / "constructs.ecp"
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "constructs.ecp").write_bytes(fixtures.read_bytes())
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "test_c.yaml").write_text(
        "policies: [fixtures/constructs.ecp]\ncases:\n  - name: nothing applies\n"
        "    case: {date: 2025-06-02, destination: DE, item: {control_code: 5A002.a}}\n"
        "    expect: {outcome: not_controlled}\n")
    done = cli("test", str(tmp_path))
    assert done.returncode == 0, done.out + done.stderr
    assert "1 passed" in done.out


def test_a_policies_entry_never_looks_above_the_folders_given(tmp_path, cli):
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "x.ecp").write_text("def x: bool = true\n")
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_x.yaml").write_text("policies: [fixtures/x.ecp]\n" + CASES)
    done = cli("test", str(suite), cwd=suite)
    assert done.returncode == 1 and "is found next to the test file nor in a folder above it" in done.out


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_a_link_to_the_environment_is_refused_everywhere_and_prints_nothing_of_it(tmp_path, cli):
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "env.ecp").symlink_to("/proc/self/environ")
    (folder / "passwd.ecp").symlink_to("/etc/passwd")
    cases = tmp_path / "case.json"
    cases.write_text('{"date": "2025-10-20"}')
    runs = {"check": cli("check", str(folder), env=_env()),
            "fmt": cli("fmt", "--check", str(folder), env=_env()),
            "eval": cli("eval", "--policies", str(folder), str(cases), env=_env()),
            "test": cli("test", str(folder), env=_env())}
    for name, done in runs.items():
        everything = done.out + done.stderr
        assert SECRET not in everything and "PATH=" not in everything and "root:" not in everything, name
        assert "internal error" not in everything, name
    for name in ("check", "fmt", "eval"):
        assert runs[name].returncode == 2, runs[name].stderr
        assert "error[E013]: `" in runs[name].stderr and "env.ecp:1:1" in runs[name].stderr
        assert "is a link to a file outside the folders named: it is not read" in runs[name].stderr
    assert runs["test"].returncode == 2


def test_a_link_is_read_when_its_target_lies_in_a_folder_named(tmp_path, cli):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.ecp").write_text("def x_inside: bool = true\n")
    (tmp_path / "a" / "link.ecp").symlink_to(tmp_path / "b" / "x.ecp")
    refused = cli("check", str(tmp_path / "a"))
    assert refused.returncode == 2 and "error[E013]" in refused.stderr
    read = cli("check", str(tmp_path / "a"), str(tmp_path / "b"))
    assert read.returncode == 0 and "ok: 7 module(s)" in read.out, read.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_devices_dangling_links_and_loops_are_not_read_and_do_not_hang(tmp_path, cli):
    folder = tmp_path / "policies"
    folder.mkdir()
    os.mkfifo(folder / "fifo.ecp")
    (folder / "zero.ecp").symlink_to("/dev/zero")
    (folder / "dangling.ecp").symlink_to(folder / "nowhere")
    (folder / "loop").symlink_to(folder)
    (folder / "self.ecp").symlink_to(folder / "self.ecp")
    done = cli("check", str(folder), timeout=60)
    assert done.returncode == 2
    for name, why in [("fifo.ecp", "E012"), ("zero.ecp", "E013"), ("dangling.ecp", "E012"), ("self.ecp", "E012")]:
        assert f"{name}:1:1" in done.stderr and why in done.stderr, (name, done.stderr)
    named = cli("check", "/dev/zero", timeout=60)        # named: asked for, but not a regular file
    assert named.returncode == 2 and "it is not a regular file" in named.stderr
    assert named.megabytes < 200


def test_a_yaml_test_file_whose_aliases_expand_to_gigabytes_is_one_failing_case(tmp_path, cli):
    laughs = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    laughs += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (tmp_path / "test_laughs.yaml").write_text("\n".join(laughs) + "\ncases:\n  - name: big\n    case: {x: *a8}\n"
                                                "    expect: {outcome: error}\n")
    done = cli("test", str(tmp_path / "test_laughs.yaml"), timeout=60)
    assert done.seconds < 20 and done.megabytes < 200
    assert "1 passed" in done.out            # the case is an error decision: E518, as expected


def test_a_test_file_that_is_not_yaml_or_not_utf8_is_one_failing_test(tmp_path, cli):
    (tmp_path / "test_bad.yaml").write_bytes(b"cases: [\xff")
    (tmp_path / "test_worse.yaml").write_text("cases: [{name: x, case: {a: 1}, expect: 3}]\ndate: 20261130\n")
    done = cli("test", str(tmp_path))
    assert done.returncode == 1 and "internal error" not in done.stderr
    assert "not UTF-8" in done.out and "is not written YYYY-MM-DD" in done.out


def test_the_language_server_never_searches_the_file_system_root():
    from policylang.lsp.neighbours import neighbours, shipped
    assert neighbours("/x.ecp", ["/", "file:///"]) == list(shipped())
    assert sys.platform == "win32" or neighbours("untitled:1", ["/"]) == list(shipped())
