"""Open every page of the built course site in headless Chromium (Debian's /usr/bin/chromium, through playwright) and
check it: no console errors, no failed request and none off this machine (the site must work offline), math typeset
as MathML with no raw LaTeX left, every image loaded. Writes report.json and screenshots of the index and of a lesson
to OUT_DIR; exits 1 on any failure.

Usage: python tools/check_site.py SITE_DIR OUT_DIR [--lesson 04_shortrun]
Needs: apt-get install -y chromium; pip install -e ".[docs-check]"
"""
import argparse, functools, json, sys, threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
# In the page: MathML elements, those the browser did not lay out as math, LaTeX left in the text, broken images.
INSPECT = r"""() => {
  const maths = [...document.querySelectorAll('math')];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest('pre, code, script, style, math')) continue;
    raw.push(...(n.textContent.match(/\$\$|\\[A-Za-z]{2,}|\\[()[\]]/g) || []));
  }
  return {
    math: maths.length,
    math_untypeset: maths.filter(m => !(m instanceof MathMLElement) || !getComputedStyle(m).display.includes('math')
                                      || m.getBoundingClientRect().width === 0).length,
    raw_latex: raw.slice(0, 5),
    images: document.images.length,
    images_broken: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
  };
}"""


def serve(site):
    "Serve `site` on a free localhost port in a background thread; returns the server."
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):  # the browser's side is what is checked
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):  # the browser hung up (a favicon, a page closed)
            pass

    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def check_page(context, url):
    "Load one page; returns what INSPECT found plus the console errors and failed or off-machine requests."
    found = {"console_errors": [], "failed_requests": []}
    page = context.new_page()
    page.on("console", lambda msg: msg.type == "error" and found["console_errors"].append(msg.text))
    page.on("pageerror", lambda err: found["console_errors"].append(str(err)))
    page.on("requestfailed", lambda req: found["failed_requests"].append(f"{req.url} ({req.failure})"))
    page.on("response", lambda r: r.status >= 400 and found["failed_requests"].append(f"{r.url} (HTTP {r.status})"))
    page.goto(url, wait_until="load")
    found.update(page.evaluate(INSPECT))
    return page, found


def failures(path, found):
    problems = [f"console: {e}" for e in found["console_errors"]] + [f"request: {r}" for r in found["failed_requests"]]
    problems += [f"{found['math_untypeset']} math elements not typeset"] if found["math_untypeset"] else []
    problems += [f"raw LaTeX: {t}" for t in found["raw_latex"]] + [f"image: {s}" for s in found["images_broken"]]
    return [f"{path}: {p}" for p in problems]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--lesson", default="04_shortrun", help="the lesson to screenshot (default: 04_shortrun)")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    server = serve(args.site)
    base = f"http://127.0.0.1:{server.server_port}/"
    pages = sorted(p.relative_to(args.site).as_posix() for p in args.site.rglob("*.html"))
    report, problems = {}, []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        offsite = []  # anything not served from this machine is refused and counted as a failure

        def route(r):
            if urlsplit(r.request.url).hostname == "127.0.0.1":
                return r.continue_()
            offsite.append(r.request.url)
            return r.abort()

        context.route("**/*", route)
        for path in pages:
            page, found = check_page(context, base + path)
            if path == "index.html":
                page.screenshot(path=args.out / "index.png")
            if path == f"{args.lesson}.html":
                page.screenshot(path=args.out / "lesson.png")
                page.locator(".cell_output img").first.scroll_into_view_if_needed()
                page.screenshot(path=args.out / "lesson_figure.png")
            page.close()
            report[path] = found
            problems += failures(path, found)
        browser.close()
    server.shutdown()
    problems += [f"off-machine request: {u}" for u in offsite]
    if not sum(found["math"] for found in report.values()):
        problems.append("no math on any page")
    summary = {"pages": len(pages), "math": sum(f["math"] for f in report.values()),
               "images": sum(f["images"] for f in report.values()), "failures": problems}
    (args.out / "report.json").write_text(json.dumps({**summary, "by_page": report}, indent=1))
    print(json.dumps(summary, indent=1))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
