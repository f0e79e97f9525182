#!/usr/bin/env python
"""Render README.md from nbs/index.ipynb (Quarto, which nbdev-readme needs, is not available everywhere).

Markdown cells are copied as they are, code cells become ```python blocks (cells marked `#| hide` are left out),
and links to images and notebooks (relative to `nbs/`) are rewritten to start with `nbs/` so they work from the
repository root.
`python tools/make_readme.py` writes README.md; `--check` exits 1 if README.md is out of date.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def render(nb_path: Path = ROOT/'nbs'/'index.ipynb') -> str:
    cells = json.loads(nb_path.read_text())['cells']
    parts = []
    for c in cells:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#| hide'): continue
        if c['cell_type'] == 'markdown': parts.append(re.sub(r'\]\((images/[^)]+|[^):]+\.ipynb)\)', r'](nbs/\1)', src))
        elif c['cell_type'] == 'code': parts.append(f"```python\n{src}\n```")
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text = render()
    if '--check' in sys.argv:
        ok = (ROOT/'README.md').read_text() == text
        print('README.md is up to date' if ok
              else 'README.md differs from nbs/index.ipynb: run python tools/make_readme.py')
        sys.exit(0 if ok else 1)
    (ROOT/'README.md').write_text(text)
