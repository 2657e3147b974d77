"""The README's examples run as written (on the demo declarations)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from mycareer.demo import demo_paths

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_python_examples_run() -> None:
    blocks = python_blocks()
    assert len(blocks) >= 2
    with demo_paths() as paths:
        folder = str(paths.dmfa)
    printed = io.StringIO()
    for block in blocks:
        code = block.replace('"declarations/"', repr(folder))
        with contextlib.redirect_stdout(printed):
            exec(compile(code, str(README), "exec"), {})
    lines = printed.getvalue().splitlines()
    # Five of the six demo workers were employed in 2025 (Chantal Dubois left in 2024);
    # An Peeters: 4/5 all year under PC 200's one day below 10 workers (T-PC200-3).
    assert len(lines) == 5
    assert "90.01.01-001.23 <10 0.8000" in lines


def test_readme_commands_are_the_ci_commands() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- demo-command -->" in text
    assert "<!-- test-command -->" in text
    assert "extract demo-command" in ci
    assert "extract test-command" in ci
