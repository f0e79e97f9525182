"""The course site (tools/docs.sh): every nav page built, no broken internal link or image, math as MathML, nothing
loaded from off the machine, `#| code-fold: true` cells collapsed; a broken notebook link or an unlisted notebook fails
the build (issue 23, point 7)."""
import json, os, re, shutil, subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
import pytest, yaml

ROOT = Path(__file__).resolve().parents[1]

def build(out, nbs=None) -> subprocess.CompletedProcess:
    env = {**os.environ, **({'NBS_DIR': str(nbs)} if nbs else {})}
    return subprocess.run([str(ROOT/'tools'/'docs.sh'), str(out)], capture_output=True, text=True, timeout=600, env=env,
                          check=False)

NAV = yaml.safe_load((ROOT/'docs'/'course.yml').read_text())
NAMES = [NAV['landing'], *NAV['course'], *NAV['appendix']]

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('site')
    done = build(out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out

class Page(HTMLParser):
    """What a page refers to (links, images, styles, scripts), its ids, its MathML count, its code and other text,
    and the code shown collapsed: inside a closed `<details>` box, with the box's summary text."""
    def __init__(self, path):
        super().__init__()
        self.refs, self.loads, self.ids, self.math, self.text, self.code, self.skip = [], [], set(), 0, [], [], []
        self.details, self.folded, self.summaries = [], [], []   # open <details> (each: open?), folded code
        self.feed(path.read_text())
        self.text, self.code, self.folded = ''.join(self.text), ''.join(self.code), ''.join(self.folded)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if 'id' in a: self.ids.add(a['id'])
        if tag == 'a' and a.get('href'): self.refs.append(a['href'])
        if tag in ('img', 'script') and a.get('src'): self.loads.append(a['src'])
        if tag == 'link' and a.get('href'): self.loads.append(a['href'])
        if tag == 'math': self.math += 1
        if tag in ('pre', 'code', 'math', 'script', 'style', 'summary'): self.skip.append(tag)
        if tag == 'details': self.details.append('open' in a)
        if tag == 'summary': self.summaries.append('')
    def handle_endtag(self, tag):
        if self.skip and self.skip[-1] == tag: self.skip.pop()
        if tag == 'details' and self.details: self.details.pop()
    def handle_data(self, data):
        if 'summary' in self.skip: self.summaries[-1] += data
        elif not self.skip: self.text.append(data)
        elif 'pre' in self.skip:
            self.code.append(data)
            if self.details and not any(self.details): self.folded.append(data)

@pytest.fixture(scope='module')
def pages(site): return {p.relative_to(site).as_posix(): Page(p) for p in site.rglob('*.html')}

def test_every_nav_page_and_module_is_built(site):
    for name in NAMES: assert (site/f'{name}.html').is_file(), name
    for mod in ROOT.joinpath('shortrun_nb').glob('*.py'):
        if mod.stem not in ('__init__', '_modidx'): assert (site/'api'/f'{mod.stem}.html').is_file(), mod.stem
    index = (site/'index.html').read_text()
    for name in NAMES[1:]: assert f'href="{name}.html"' in index                                 # the navigation

def test_no_broken_internal_link_or_image_and_nothing_loaded_from_off_the_machine(site, pages):
    bad = []
    for path, page in pages.items():
        for ref in page.refs + page.loads:
            url = urlsplit(ref)
            if url.scheme or url.netloc:
                if ref in page.loads: bad.append(f'{path} loads {ref}')
                continue
            target = (site/path).parent/unquote(url.path) if url.path else site/path
            key = target.resolve().relative_to(site.resolve()).as_posix() if target.is_file() else None
            if key is None: bad.append(f'{path}: {ref} (no such file)')
            elif url.fragment and key in pages and url.fragment not in pages[key].ids:
                bad.append(f'{path}: {ref} (no such id)')
    assert not bad, '\n'.join(bad)

def test_math_is_mathml_with_no_latex_left(pages):
    assert sum(pages[f'{name}.html'].math for name in NAV['course']) > 100
    assert sum(page.math for path, page in pages.items() if path.startswith('api/')) > 0   # docstrings' $...$ too
    raw = {p: t for p, page in pages.items() for t in ['$$', '\\frac', '\\theta', '\\nabla'] if t in page.text}
    assert not raw, raw

def test_hidden_cells_and_directives_are_not_shown(pages):
    for name in NAMES:
        for cell in json.loads((ROOT/'nbs'/f'{name}.ipynb').read_text())['cells']:
            head, _, body = ''.join(cell['source']).partition('\n')
            if cell['cell_type'] == 'code' and head.strip() == '#| hide':
                assert body.strip() not in pages[f'{name}.html'].code, name
    for path, page in pages.items(): assert '\n#|' not in '\n' + page.code, path

def folded_cells(name):
    "The code of a notebook's cells marked `#| code-fold: true`, without its directive lines."
    for cell in json.loads((ROOT/'nbs'/f'{name}.ipynb').read_text())['cells']:
        lines = ''.join(cell['source']).splitlines()
        n = next((i for i, line in enumerate(lines) if not line.startswith('#|')), len(lines))
        if cell['cell_type'] == 'code' and any(re.fullmatch(r'#\|\s*code-fold:\s*true\s*', l) for l in lines[:n]):
            yield '\n'.join(lines[n:]).strip()

def test_code_fold_cells_are_collapsed(pages):
    folded = {name: list(folded_cells(name)) for name in NAMES}
    assert any(folded.values()), 'no notebook has a `#| code-fold: true` cell to check'
    for name, bodies in folded.items():
        page = pages[f'{name}.html']
        for body in bodies:
            lines = [line for line in body.splitlines() if line.strip()]
            assert all(line in page.folded for line in lines), f'{name}: a code-fold cell is not collapsed:\n{body}'
        if bodies: assert any(s.split() == ['Show', 'code', 'Hide', 'code'] for s in page.summaries), page.summaries
    plain = [name for name, bodies in folded.items() if not bodies and pages[f'{name}.html'].code]
    assert plain and all(pages[f'{name}.html'].folded == '' for name in plain)   # other code stays open

@pytest.fixture
def nbs_copy(tmp_path):
    nbs = tmp_path/'nbs'
    shutil.copytree(ROOT/'nbs', nbs, ignore=shutil.ignore_patterns('.*'))
    return nbs

def add_markdown(nb_path, text):
    nb = json.loads(nb_path.read_text())
    nb['cells'].append({'cell_type': 'markdown', 'id': 'added', 'metadata': {}, 'source': text})
    nb_path.write_text(json.dumps(nb))

def test_a_broken_notebook_link_fails_the_build(nbs_copy, tmp_path):
    add_markdown(nbs_copy/'index.ipynb', 'See [the missing lesson](tutorials/99_missing.ipynb).')
    done = build(tmp_path/'out', nbs_copy)
    assert done.returncode != 0 and 'index.ipynb links to tutorials/99_missing.ipynb' in done.stderr, done.stderr

def test_an_unlisted_or_missing_notebook_fails_the_build(nbs_copy, tmp_path):
    shutil.copy(nbs_copy/'index.ipynb', nbs_copy/'99_new.ipynb')
    (nbs_copy/f'{NAMES[-1]}.ipynb').unlink()
    done = build(tmp_path/'out', nbs_copy)
    assert done.returncode != 0, done.stderr
    assert '99_new.ipynb is not listed' in done.stderr and f'{NAMES[-1]} is listed but' in done.stderr, done.stderr
