"""`policylang report`: the time line and the analysis findings as one HTML file to send.

Takes: a date (default today), the library (`--policies`), optionally an `analyze --format json`
file (`--analysis`), and the file to write (`-o`).
Returns: writes one HTML file: the page's own CSS and JavaScript (`policylang/serve/static/`)
and the data (the time line's bands, `timeline.bands`, and the analysis) inlined, so the file
opens offline, anywhere, and draws what the service's page draws. Exit 0; 2 when the library
does not check, the analysis file is not analyze's output, or the file cannot be written.
Guarantees: nothing in the file is fetched from anywhere (no `src` or `href` for a script or a
style, no `url(` in the style); the data is JSON in a `<script type="application/json">`
element, with `<`, `>` and `&` escaped so no text in it can close that element; it is read
with `JSON.parse` and put on the page as text, never as markup.
"""

from __future__ import annotations

import datetime
import html
import json
import sys
from pathlib import Path

import click

from policylang.options import DATE

SCRIPTS = ("common.js", "decision.js", "timeline.js", "findings.js", "report.js")


def _inline_json(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(bands: dict, analysis: str | None, identity: dict) -> str:
    """The report's HTML: the page's style and scripts, and the data, in one file."""
    from policylang.serve import STATIC

    style = (STATIC / "style.css").read_text(encoding="utf-8")
    scripts = "\n".join(f"<script>\n{(STATIC / name).read_text(encoding='utf-8')}\n</script>" for name in SCRIPTS)
    data = _inline_json({"bands": bands, "analysis": analysis})
    about = (f"library {identity.get('version') or ''} {identity.get('digest', '')}"
             + (f", sources checked through {identity['checked_through']}" if identity.get("checked_through") else ""))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>policylang report — {html.escape(bands["date"])}</title>
<style>
{style}
</style>
</head>
<body>
<header class="report-head">
  <h1>policylang report, {html.escape(bands["date"])}</h1>
  <p>{html.escape(about)}</p>
</header>
<main>
<section id="timeline-section">
  <h2>Time line</h2>
  <div id="timeline"><p class="note">This report draws with JavaScript: allow scripts to see it.</p></div>
</section>
<section id="findings-section">
  <h2>Analysis findings</h2>
  <div id="findings"></div>
</section>
</main>
<script type="application/json" id="report-data">{data}</script>
{scripts}
</body>
</html>
"""


def read_analysis(path: Path) -> str:
    """The text of an analyze --format json file; a file that is not one stops the command."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"cannot read `{path}`: {getattr(exc, 'strerror', None) or exc}",
                                 param_hint="--analysis") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise click.BadParameter(f"`{path}` is not JSON", param_hint="--analysis") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise click.BadParameter(f"`{path}` is not what `policylang analyze --format json` writes (no `findings`)",
                                 param_hint="--analysis")
    return text


@click.command("report")
@click.option("--date", "day", type=DATE, help="The day the time line marks as today (default today).")
@click.option("--analysis", "analysis_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The output of `policylang analyze --format json`, shown as a table of findings.")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A folder or file of policies (repeatable). Default: the shipped policies.")
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib.")
@click.option("--output", "-o", "output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The HTML file to write.")
def report(day, analysis_file: Path | None, policy_dirs, no_stdlib: bool, output: Path) -> None:
    """Write the time line and the analysis findings as one self-contained HTML file."""
    from policylang.cli import EXIT_CANNOT_RUN, _load_or_exit
    from policylang.eval.law import library_identity
    from policylang.library import policies_dir
    from policylang.timeline import bands

    analysis = read_analysis(analysis_file) if analysis_file is not None else None
    program, _ = _load_or_exit([str(p) for p in (policy_dirs or [policies_dir()])], with_stdlib=not no_stdlib)
    identity = library_identity(program).to_json()
    page = render(bands(program, day or datetime.date.today()), analysis, identity)
    try:
        output.write_text(page, encoding="utf-8")
    except OSError as exc:
        click.echo(f"error: cannot write `{output}`: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    click.echo(f"wrote {output} ({len(page.encode('utf-8')):,} bytes)", err=True)
