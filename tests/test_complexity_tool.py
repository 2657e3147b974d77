"""``tools/complexity.py --check`` (run by the README's test command) fails over its limits.

Run as the test command runs it, on small trees written here: one that holds the limits,
one with a function of complexity 16 in 33 lines (far above 1.3 per 1,000), one with a
function of 81 lines.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "complexity.py"


def _run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), str(root), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _branchy(name: str, branches: int) -> str:
    """A function of cyclomatic complexity ``branches + 1``, two lines per branch."""
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(branches))
    return f"def {name}(x: int) -> int:\n{body}    return -1\n"


def _long(name: str, lines: int) -> str:
    """A function of ``lines`` lines and complexity 1."""
    body = "".join(f"    y = x + {i}\n" for i in range(lines - 2))
    return f"def {name}(x: int) -> int:\n{body}    return y\n"


@pytest.mark.parametrize(
    ("source", "code", "shown"),
    [
        (_branchy("fine", 14) + _long("long_enough", 80), 0, "complexity > 15: 0"),
        (_branchy("tangled", 15), 1, "tangled (complexity 16)"),
        (_long("too_long", 81), 1, "too_long (81 lines)"),
    ],
    ids=["within", "complex", "long"],
)
def test_check_exits_1_over_a_limit(tmp_path: Path, source: str, code: int, shown: str) -> None:
    (tmp_path / "module.py").write_text(source, encoding="utf-8")
    result = _run(tmp_path)
    assert result.returncode == code, result.stdout + result.stderr
    assert shown in result.stdout
    assert "largest file" in result.stdout
