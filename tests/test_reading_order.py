"One reading order: notebook i uses only modules exported by the notebooks before it (DESIGN.md, 'Layout')."
import json, re
from pathlib import Path

NBS = Path(__file__).resolve().parent.parent/'nbs'
USE = re.compile(r'(?:from|import)\s+shortrun_nb\.(\w+)|from\s+shortrun_nb\s+import\s+([\w, ]+)')


def notebooks() -> list[tuple[str, str, list[str]]]:
    "`(name, module, code cells)` of the numbered notebooks, in reading order."
    out = []
    for p in sorted(NBS.glob('[0-9][0-9]_*.ipynb')):
        cells = [''.join(c['source']) for c in json.loads(p.read_text())['cells'] if c['cell_type'] == 'code']
        module = next(m.group(1) for c in cells for m in [re.search(r'#\|\s*default_exp\s+(\w+)', c)] if m)
        out.append((p.stem, module, cells))
    return out


def test_each_notebook_uses_only_earlier_modules():
    order = {module: i for i, (_, module, _) in enumerate(notebooks())}
    backward = []
    for i, (name, module, cells) in enumerate(notebooks()):
        for cell in cells:
            for a, b in USE.findall(cell):
                for used in ([a] if a else [x.strip() for x in b.split(',')]):
                    if used in order and order[used] > i: backward.append(f"{name} uses {used}")
    assert backward == [], backward


def test_every_module_has_its_notebook():
    modules = {p.stem for p in (NBS.parent/'shortrun_nb').glob('*.py') if not p.stem.startswith('_')}
    assert modules == {m for _, m, _ in notebooks()}
