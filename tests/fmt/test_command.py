"""`policylang fmt` on files: writes in place, `--check` and `--diff` write nothing, exit codes."""

from __future__ import annotations

from click.testing import CliRunner

from policylang.cli import cli

MESSY = "def  x=item.origin   # why\n"
TIDY = "def x = item.origin  # why\n"


def run(*args, input=None):
    return CliRunner().invoke(cli, ["fmt", *args], input=input)


def test_fmt_rewrites_a_messy_file_and_leaves_a_tidy_one(tmp_path):
    messy, tidy = tmp_path / "messy.ecp", tmp_path / "tidy.ecp"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(TIDY, encoding="utf-8")
    result = run(str(tmp_path))
    assert result.exit_code == 0
    assert messy.read_text(encoding="utf-8") == TIDY
    assert "formatted" in result.output and "messy.ecp" in result.output and "tidy.ecp" not in result.output


def test_check_writes_nothing_and_exits_1_when_a_file_would_change(tmp_path):
    messy = tmp_path / "messy.ecp"
    messy.write_text(MESSY, encoding="utf-8")
    result = run("--check", str(messy))
    assert result.exit_code == 1
    assert "would reformat" in result.output
    assert messy.read_text(encoding="utf-8") == MESSY
    messy.write_text(TIDY, encoding="utf-8")
    assert run("--check", str(messy)).exit_code == 0


def test_diff_shows_the_change_and_writes_nothing(tmp_path):
    messy = tmp_path / "messy.ecp"
    messy.write_text(MESSY, encoding="utf-8")
    result = run("--diff", str(messy))
    assert result.exit_code == 0
    assert f"-{MESSY}" in result.output and f"+{TIDY}" in result.output
    assert messy.read_text(encoding="utf-8") == MESSY


def test_a_file_with_a_syntax_error_is_left_alone_and_exits_2(tmp_path):
    broken = tmp_path / "broken.ecp"
    broken.write_text("def x = \n", encoding="utf-8")
    result = run(str(broken))
    assert result.exit_code == 2
    assert "error[E004]" in result.output
    assert broken.read_text(encoding="utf-8") == "def x = \n"


def test_standard_input_is_formatted_to_standard_output():
    result = run("-", input=MESSY)
    assert result.exit_code == 0
    assert result.output == TIDY
    assert run("--check", "-", input=MESSY).exit_code == 1


def test_without_paths_the_shipped_library_is_checked(monkeypatch, tmp_path):
    from policylang.fmt import command
    (tmp_path / "stdlib").mkdir()
    (tmp_path / "policies").mkdir()
    (tmp_path / "stdlib" / "a.ecp").write_text(TIDY, encoding="utf-8")
    (tmp_path / "policies" / "b.ecp").write_text(MESSY, encoding="utf-8")
    monkeypatch.setattr(command, "stdlib_dir", lambda: tmp_path / "stdlib")
    monkeypatch.setattr(command, "policies_dir", lambda: tmp_path / "policies")
    result = run("--check")
    assert result.exit_code == 1
    assert "b.ecp" in result.output and "a.ecp" not in result.output


def test_no_paths_never_rewrites_the_installed_library():
    from policylang.library import ecp_files, policies_dir, stdlib_dir
    files = ecp_files([stdlib_dir(), policies_dir()])
    before = {f: f.stat().st_mtime_ns for f in files}
    refused = run()
    assert refused.exit_code == 2 and "never rewritten" in refused.output
    assert run("--check").exit_code == 0          # looking is allowed, and the library is formatted
    assert {f: f.stat().st_mtime_ns for f in files} == before
