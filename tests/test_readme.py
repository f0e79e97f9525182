"README.md is generated from nbs/index.ipynb and must not drift; its commands are the ones CI runs."
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def test_readme_matches_index_notebook():
    sys.path.insert(0, str(ROOT/'tools'))
    from make_readme import render
    assert (ROOT/'README.md').read_text() == render(), "run: python tools/make_readme.py"

def test_readme_has_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT/'README.md').read_text()
    assert "./tools/setup.sh && .venv/bin/shortrun-train digits --out runs/digits" in readme
    assert "./tools/test.sh" in readme
    assert "./tools/test.sh" in (ROOT/'.ci'/'run').read_text()

def test_readme_images_exist():
    import re
    for path in re.findall(r'\]\((nbs/images/[^)]+)\)', (ROOT/'README.md').read_text()):
        assert (ROOT/path).is_file(), path

def test_readme_notebook_links_exist():
    import re
    for path in re.findall(r'\]\((nbs/[^)]+\.ipynb)\)', (ROOT/'README.md').read_text()):
        assert (ROOT/path).is_file(), path
