"""Stage the course site's sources: check docs/course.yml against the notebooks, check the links in their markdown,
and write the notebooks as shown (hidden cells dropped, nbdev directives stripped, widget outputs removed, cells
marked `#| code-fold: true` collapsed in a "Show code" box), the navigation and one API page per module into
STAGE_DIR, for Sphinx to build without executing anything.

Usage: python docs/stage.py [--nbs NBS_DIR] STAGE_DIR
"""
import argparse, json, re, shutil, sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
NAV_FILE = ROOT / "docs" / "course.yml"
WIDGET = "application/vnd.jupyter.widget-view+json"
# Link targets in markdown cells: [text](target), ![alt](target), and src=/href= in inline HTML; code is no link.
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|\b(?:src|href)=[\"']([^\"']+)[\"']")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def load_nav(nbs):
    "The navigation from docs/course.yml, failing with a clear message unless it names every notebook exactly once."
    nav = yaml.safe_load(NAV_FILE.read_text())
    listed = [nav["landing"], *nav["course"], *nav["appendix"]]
    found = {p.relative_to(nbs).with_suffix("").as_posix() for p in nbs.rglob("*.ipynb")
             if not any(part.startswith(".") for part in p.relative_to(nbs).parts)}
    problems = [f"{name} is listed more than once" for name in sorted({n for n in listed if listed.count(n) > 1})]
    problems += [f"{name} is listed but {nbs}/{name}.ipynb does not exist" for name in listed if name not in found]
    problems += [f"{nbs}/{name}.ipynb is not listed (add it to `course` or `appendix`)"
                 for name in sorted(found - set(listed))]
    if problems:
        sys.exit(f"{NAV_FILE.relative_to(ROOT)} does not match the notebooks:\n  " + "\n  ".join(problems))
    return nav


def broken_links(nb_path, nbs):
    "The relative link targets in a notebook's markdown cells that name no file under `nbs`."
    cells = json.loads(nb_path.read_text())["cells"]
    text = "\n".join(CODE.sub("", "".join(c["source"])) for c in cells if c["cell_type"] == "markdown")
    targets = [a or b for a, b in LINK.findall(text)]
    bad = []
    for target in targets:
        url = urlsplit(target)
        if url.scheme or url.netloc or not url.path:  # web links, mailto:, and anchors on the same page
            continue
        path = (nb_path.parent / unquote(url.path)).resolve()
        if not path.is_file() or not path.is_relative_to(nbs.resolve()):
            bad.append(target)
    return bad


def directives(source):
    """The directives at the top of a code cell, as {name: value} — nbdev's (`#| hide`, `#| export`: value '') and
    Quarto's (`#| code-fold: true`) — and the code below them."""
    lines = source.splitlines(keepends=True)
    n = next((i for i, line in enumerate(lines) if not line.startswith("#|")), len(lines))
    found = {}
    for line in lines[:n]:
        name, _, value = line[2:].strip().partition(" ")
        if name:
            found[name.rstrip(":")] = value.strip()
    return found, "".join(lines[n:]).strip("\n")


FOLD = {"true": True, "false": False}  # Quarto's `code-fold: show` (open, foldable) has no MyST-NB equivalent


def fold(cell, value, where):
    "Mark a `#| code-fold: true` cell for MyST-NB to show its code collapsed under a \"Show code\" summary."
    if value.lower() not in FOLD:
        sys.exit(f"{where}: `#| code-fold: {value}` is not supported; use `#| code-fold: true` (or false)")
    if FOLD[value.lower()]:
        meta = cell.setdefault("metadata", {})
        meta["tags"] = [*meta.get("tags", []), "hide-input"]
        meta["mystnb"] = {**meta.get("mystnb", {}), "code_prompt_show": "Show code", "code_prompt_hide": "Hide code"}


def shown(nb, name="notebook"):
    """The notebook as the site shows it: no `#| hide` cells, no directive lines, no empty cells, no widget outputs,
    and `#| code-fold: true` cells collapsed."""
    cells = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            flags, cell["source"] = directives("".join(cell["source"]))
            cell["outputs"] = [o for o in cell["outputs"] if WIDGET not in o.get("data", {})]
            if "hide" in flags or not (cell["source"] or cell["outputs"]):
                continue
            if "code-fold" in flags:
                fold(cell, flags["code-fold"], f"{name}, cell {i}")
        cells.append(cell)
    nb["cells"] = cells
    nb["metadata"].pop("widgets", None)
    return nb


def toctree(caption, names):
    return f"```{{toctree}}\n:caption: {caption}\n:hidden:\n\n" + "\n".join(names) + "\n```\n"


def api_pages(nbs, stage):
    "One page per library module, with the notebook it is exported from; returns the page names."
    exported_by = {}
    for nb_path in sorted(nbs.glob("*.ipynb")):
        for cell in json.loads(nb_path.read_text())["cells"]:
            m = re.search(r"^#\|\s*default_exp\s+(\S+)", "".join(cell["source"]), re.MULTILINE)
            if cell["cell_type"] == "code" and m:
                exported_by[m[1]] = nb_path.name
    modules = sorted((p.stem for p in (ROOT / "shortrun_nb").glob("*.py") if p.stem not in ("__init__", "_modidx")),
                     key=lambda m: (exported_by.get(m, "~"), m))
    (stage / "api").mkdir()
    for mod in modules:
        source = f"From the notebook [{exported_by[mod]}](../{exported_by[mod]}).\n\n" if mod in exported_by else ""
        (stage / "api" / f"{mod}.md").write_text(
            f"# `shortrun_nb.{mod}`\n\n{source}```{{eval-rst}}\n.. automodule:: shortrun_nb.{mod}\n   :members:\n```\n")
    return [f"api/{mod}" for mod in modules]


def stage(nbs, out):
    nav = load_nav(nbs)
    notebooks = [nbs / f"{name}.ipynb" for name in [nav["landing"], *nav["course"], *nav["appendix"]]]
    bad = [f"{p.relative_to(nbs)} links to {t}" for p in notebooks for t in broken_links(p, nbs)]
    if bad:
        sys.exit("Broken links in the notebooks (no such file under nbs/):\n  " + "\n  ".join(bad))
    shutil.copytree(nbs, out, ignore=shutil.ignore_patterns("*.ipynb", ".*"), dirs_exist_ok=True)
    api = api_pages(nbs, out)
    for p in notebooks:
        nb = shown(json.loads(p.read_text()), p.relative_to(nbs).as_posix())
        if p.stem == nav["landing"]:
            nav_md = (toctree("Course", nav["course"]) + toctree("Appendix: the engineering", nav["appendix"])
                      + toctree("API reference", api))
            nb["cells"].append({"cell_type": "markdown", "id": "site-navigation", "metadata": {}, "source": nav_md})
        (out / p.relative_to(nbs)).write_text(json.dumps(nb))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nbs", type=Path, default=ROOT / "nbs", help="the notebooks folder (default: nbs/)")
    ap.add_argument("stage_dir", type=Path)
    args = ap.parse_args()
    stage(args.nbs, args.stage_dir)
