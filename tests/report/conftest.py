"""Reading a report as a person does: in a real browser (Debian's headless ``chromium``).

``browser(html)`` gives what the page shows once laid out — its visible text, and per chart
its drawn size and its marks' — and a screenshot (1280 × 4000). The report holds no script;
the measuring script is added to a copy, in the test's folder. The screenshot is saved in
the test's folder and copied to ``$ENRICH_SCREENSHOTS`` (default: out/screenshots/ of the
checkout) for a person to look at. No chromium is a failure, not a skip: ``.ci/run``
installs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# what the page shows, measured by the browser and written into the page for --dump-dom
MEASURE = """<script>
const charts = [...document.querySelectorAll("svg.chart")].map(svg => {
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll(".mark")].map(m => m.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0).length;
  const thresholds = [...svg.querySelectorAll(".threshold")].map(m => m.getBoundingClientRect())
    .filter(r => r.height > 0).length;
  return {title: svg.querySelector("title").textContent, width: box.width, height: box.height,
          marks, thresholds};
});
const out = document.createElement("pre");
out.id = "measured";
out.textContent = JSON.stringify({charts, text: document.body.innerText,
  width: document.documentElement.scrollWidth});
document.body.appendChild(out);
</script>"""


@dataclass
class Rendered:
    charts: list[dict]  # title, width, height, marks (drawn, non-empty), thresholds
    text: str  # the page's visible text
    width: int  # of the laid-out page (1280: nothing wider than the window)
    screenshot: Path
    png_size: tuple[int, int]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is not installed (apt-get install chromium; .ci/run does it)")
    return found


def _run(args: list[str], profile: Path) -> str:
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def browser(tmp_path, request):
    def show(html: Path) -> Rendered:
        measured = tmp_path / f"{html.parent.name}-measured.html"
        page = html.read_text(encoding="utf-8")
        assert "<script" not in page  # the report itself runs nothing
        measured.write_text(page.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
        dom = _run(["--dump-dom", measured.as_uri()], tmp_path / "profile-dom")
        found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
        assert found, dom[-2000:]
        seen = json.loads(unescape(found.group(1)))
        shot = tmp_path / f"{request.node.name}.png"
        _run(
            [f"--screenshot={shot}", "--window-size=1280,4000", html.as_uri()],
            tmp_path / "profile-shot",
        )
        keep = Path(os.environ.get("ENRICH_SCREENSHOTS") or ROOT / "out" / "screenshots")
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, keep / shot.name)
        return Rendered(seen["charts"], seen["text"], seen["width"], shot, _png_size(shot))

    return show
