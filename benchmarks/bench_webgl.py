"""The WebGL network page in real headless Chromium: file size, time until ready,
frames per second while panning, at 10k, 50k and 100k nodes (two edges a node).

    .venv/bin/python benchmarks/bench_webgl.py [--sizes 10000,50000,100000] [--runs 3]

Each figure is printed beside a yardstick measured in the same run, as a ratio:

* ready: from navigation start to the page's ``graphkit.ready``, against a
  page that only parses the same data (``JSON.parse`` of the same bytes), so
  the ratio is what drawing costs over reading;
* frames per second while panning (the mouse held down on the network and
  moved every frame) for 3 s, against the
  frame rate of a bare WebGL canvas of the network's size cleared every frame
  for the same 3 s (what the browser and its software GL manage at all).

The network is synthetic and laid out in Python beforehand (positions given,
as for any page: nothing is laid out in the browser); Chromium runs as in the
browser tests (headless, ``--disable-gpu``: WebGL on SwiftShader, i.e.
software rendering on the CPU).  Medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from screenshots import driver  # noqa: E402

from graphkit.viz.network import VizEdge, VizNode, render_network, write_html_atomic  # noqa: E402

PAN_SECONDS = 3.0

# Panning as a user does: the mouse pressed on the network and moved a little every frame.
_FPS_PANNING = """
var done = arguments[arguments.length - 1], gk = window.graphkit;
var target = gk.renderer.getMouseCaptor().container, box = target.getBoundingClientRect();
var cx = box.left + box.width / 2, cy = box.top + box.height / 2, frames = 0, start = null;
function mouse(type, x, y) {
  target.dispatchEvent(new MouseEvent(type, {clientX: x, clientY: y, bubbles: true, button: 0, buttons: 1}));
}
gk.renderer.on("afterRender", function () { frames += 1; });
function step(now) {
  if (start === null) { start = now; mouse("mousedown", cx, cy); frames = 0; }
  var t = (now - start) / 1000;
  if (t > SECONDS) { mouse("mouseup", cx, cy); done(frames / t); return; }
  mouse("mousemove", cx + 120 * Math.sin(t * 2), cy + 120 * Math.cos(t * 2) - 120);
  requestAnimationFrame(step);
}
requestAnimationFrame(step);
""".replace("SECONDS", str(PAN_SECONDS))

_FPS_EMPTY = (
    """
var done = arguments[arguments.length - 1], frames = 0, start = null;
var canvas = document.createElement("canvas");
canvas.width = WIDTH; canvas.height = HEIGHT;
document.body.appendChild(canvas);
var gl = canvas.getContext("webgl2");
function step(now) {
  if (start === null) { start = now; }
  frames += 1;
  gl.clearColor(frames % 2, 0.5, 0.5, 1);
  gl.clear(gl.COLOR_BUFFER_BIT);
  if ((now - start) / 1000 > SECONDS) { done(frames / ((now - start) / 1000)); return; }
  requestAnimationFrame(step);
}
requestAnimationFrame(step);
""".replace("SECONDS", str(PAN_SECONDS))
    .replace("WIDTH", "1100")
    .replace("HEIGHT", "800")
)


def network(n: int, seed: int = 7) -> tuple[list[VizNode], list[VizEdge]]:
    """`n` nodes in clusters of ~50 on a sunflower, two edges a node, mostly within a cluster."""
    rng = random.Random(seed)
    golden = math.pi * (3 - math.sqrt(5))
    clusters = max(1, n // 50)
    nodes = []
    for i in range(n):
        c = i % clusters
        cx, cy = 900 * math.sqrt(c) * math.cos(c * golden), 900 * math.sqrt(c) * math.sin(c * golden)
        r, a = 300 * math.sqrt(rng.random()), rng.random() * 2 * math.pi
        nodes.append(
            VizNode(
                id=f"n{i}",
                label=f"Provider {i}",
                group=("CMO", "Product", "Distributor")[i % 3],
                tooltip="",
                color=("#4e79a7", "#2f8f4e", "#9c755f")[i % 3],
                shape="dot",
                size=10 + 22 * rng.random() ** 3,
                x=round(cx + r * math.cos(a), 1),
                y=round(cy + r * math.sin(a), 1),
                highlight=i < 5,
            )
        )
    edges = []
    for i in range(n):
        for _ in range(2):
            j = i + clusters * rng.randint(1, 3) if rng.random() < 0.9 else rng.randrange(n)
            edges.append(VizEdge(f"n{i}", f"n{j % n}", "", "", "#b8bec9"))
    return nodes, edges


def _ready_ms(browser, path: Path, expression: str) -> float:  # type: ignore[no-untyped-def]
    """Milliseconds from navigation start until `expression` (a time stamp set by the page) is set."""
    browser.get(path.resolve().as_uri())
    deadline = time.monotonic() + 300
    while not browser.execute_script(f"return !!({expression});"):
        if time.monotonic() > deadline:
            raise SystemExit(f"{path.name}: never ready")
        time.sleep(0.02)
    return float(browser.execute_script(f"return {expression};"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="graphkit-bench-webgl-"))
    browser = driver()
    browser.set_script_timeout(120)
    try:
        print(
            f"{'nodes':>8} {'edges':>8} {'file MB':>8} {'ready s':>8} {'parse s':>8} {'ratio':>6} "
            f"{'pan fps':>8} {'gl fps':>8} {'ratio':>6}"
        )
        for n in (int(s) for s in args.sizes.split(",")):
            nodes, edges = network(n)
            page = work / f"net-{n}.html"
            write_html_atomic(render_network(nodes, edges, title=f"{n} nodes", renderer="webgl"), page)
            text = page.read_text(encoding="utf-8")
            start = text.index('<script type="application/json" id="gk-data">')
            end = text.index("</script>", start) + len("</script>")
            baseline = work / f"parse-{n}.html"
            baseline.write_text(
                "<!DOCTYPE html><html><body>"
                + text[start:end]
                + "<script>JSON.parse(document.getElementById('gk-data').textContent);"
                "window.__gkParsedAt = performance.now();</script></body></html>",
                encoding="utf-8",
            )
            ready, parse, fps, raf = [], [], [], []
            for _ in range(args.runs):
                parse.append(_ready_ms(browser, baseline, "window.__gkParsedAt") / 1000)
                ready.append(_ready_ms(browser, page, "window.graphkit && window.graphkit.readyAt") / 1000)
                fps.append(browser.execute_async_script(_FPS_PANNING))
                browser.get("about:blank")
                raf.append(browser.execute_async_script(_FPS_EMPTY))
            r, p, f, y = (statistics.median(v) for v in (ready, parse, fps, raf))
            print(
                f"{n:>8,} {len(edges):>8,} {page.stat().st_size / 1e6:>8.1f} {r:>8.2f} {p:>8.2f} {r / p:>6.1f} "
                f"{f:>8.1f} {y:>8.1f} {f / y:>6.2f}",
                flush=True,
            )
    finally:
        browser.quit()


if __name__ == "__main__":
    main()
