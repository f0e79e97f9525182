"The installed package: imports without dev tools, settings lookup, no downloads at import."
import subprocess, sys, textwrap, os

MODULES = ["core", "langevin", "data", "nets", "shortrun", "inference", "latent", "text", "metrics", "evaluate",
           "diagnostics", "accel", "fit", "presets", "cli"]

def test_imports_without_dev_dependencies():
    # the library's runtime must not need nbdev, fastcore, execnb or IPython (the GPU machine has none of them)
    code = textwrap.dedent(f"""
        import sys
        for m in ['nbdev', 'fastcore', 'execnb', 'IPython', 'ipywidgets']: sys.modules[m] = None
        import importlib
        for m in {MODULES!r}: importlib.import_module('shortrun_nb.' + m)
        print('ok')
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"

def test_settings_found_from_subfolder(tmp_path):
    (tmp_path / "settings.ini").write_text("[shortrun]\nprofile = full\nout_dir = out\n")
    sub = tmp_path / "nbs" / "tutorials"
    sub.mkdir(parents=True)
    code = "from shortrun_nb.core import load_settings; s = load_settings(); print(s.profile, s.out_dir)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTRUN_")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=sub, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["full", str((tmp_path / "out").resolve())]

def test_defaults_without_settings_file(tmp_path):
    code = "from shortrun_nb.core import load_settings; s = load_settings(); print(s.source, s.device, s.profile)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTRUN_")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.stdout.split() == ["None", "auto", "quick"], r.stderr
