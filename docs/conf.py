"""Sphinx configuration of the course site. tools/docs.sh stages the notebooks (docs/stage.py) and builds with it.

Notebooks are shown with their committed outputs (MyST-NB, never executed); math is pre-rendered to MathML at build
time (latex2mathml), which browsers typeset natively with the bundled STIX Two Math font (shipped by ziamath), so
pages need no script and no network to show it."""
import re
import sys
import unicodedata
from importlib.resources import files
from pathlib import Path

from docutils import nodes
from latex2mathml.converter import convert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # document this tree's package, not an installed one
project = "shortrun_nb"
html_title = "shortrun_nb course"
extensions = ["myst_nb", "sphinx.ext.autodoc"]
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_dmath_double_inline = True  # $$...$$ inside a paragraph, as Jupyter shows it
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # notebooks may skip heading levels
autodoc_member_order = "bysource"
add_module_names = False  # the page title names the module
html_theme = "furo"
html_static_path = ["_static", str(files("ziamath") / "fonts")]  # STIX Two Math, for MathML
html_css_files = ["site.css"]
html_math_renderer = "mathml"
html_copy_source = False  # the notebooks are in the repository; the site needs only their pages


def _styled_letter(m):
    "A script or double-struck letter as its Unicode character, 𝒩 or 𝔼; a few (ℒ, ℝ, ...) sit in an older block."
    style, ch = m[1].upper(), m[2]
    case = "CAPITAL" if ch.isupper() else "SMALL"
    for name in (f"MATHEMATICAL {style} {case} {ch.upper()}", f"{style} {case} {ch.upper()}"):
        try:
            return f"<mi>{unicodedata.lookup(name)}</mi>"
        except KeyError:
            pass
    return f"<mi>{ch}</mi>"


# latex2mathml's output, adjusted to MathML Core (what browsers typeset) and to TeX's looks.
FIXES = [
    # MathML Core ignores mathvariant except "normal"
    (r'<mi mathvariant="(script|double-struck)">([A-Za-z])</mi>', _styled_letter),
    # \nabla is an upright symbol in TeX, not an operator
    (r"<mo>&#x02207;</mo>", '<mi mathvariant="normal">&#x02207;</mi>'),
    # function names: latex2mathml keeps the backslash of some (\arg) and spaces none
    (r"<mi>\\([a-z]+)</mi>", r"<mi>\1</mi>"),
    (r"(</mi>|</mn>|</msub>|</msup>)(<mi>[a-z]{2,}</mi>)", r'\1<mspace width="0.167em"/>\2'),
    (r"(<mi>[a-z]{2,}</mi>)(?=<mi|<mn|<msub|<msup)", r'\1<mspace width="0.167em"/>'),
]


def mathml(latex, display):
    ml = convert(latex, display="block" if display else "inline")
    for pattern, repl in FIXES:
        ml = re.sub(pattern, repl, ml)
    return ml


def visit_math(self, node):
    self.body.append(mathml(node.astext(), display=False))
    raise nodes.SkipNode


def visit_math_block(self, node):
    self.body.append(f'<div class="math-block">{mathml(node.astext(), display=True)}</div>\n')
    raise nodes.SkipNode


def markdown_docstring(app, what, name, obj, options, lines):
    "Docstrings are written as the notebooks' markdown, `code` and $math$; reStructuredText wants ``code``, :math:`x`."
    def markup(template):  # an escaped space ends the markup before a letter: ``Graph``\ s
        return lambda m: template.format(m[1]) + (f"\\ {m[2]}" if m[2] else "")
    for i, line in enumerate(lines):
        line = re.sub(r"(?<![`:])`([^`]+)`(?!`)(\w?)", markup("``{}``"), line)
        lines[i] = re.sub(r"(?<!\\)\$([^$]+)\$(\w?)", markup(":math:`{}`"), line)


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_math_block, None))
    app.connect("autodoc-process-docstring", markdown_docstring)
