"""Shared fixtures.

Official ONSS XSDs are never copied into the project: tests that need them read
the folder named by ``MYCAREER_ONSS_XSD_DIR`` (``.ci/run`` points it at
``../shared/schemas/onss``). Unset: those tests skip with a message. Set but
missing: they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _absolute_python_path() -> None:
    """Make ``PYTHONPATH`` absolute for every subprocess the tests start.

    Tests that run the command in another folder (``cwd=``) must still run the tree
    under test. With a relative ``PYTHONPATH`` (``PYTHONPATH=src``, as in a worktree
    sharing a virtual environment) they imported whatever mycareer was installed instead.
    An empty entry (the current folder) is left as it is.
    """
    raw = os.environ.get("PYTHONPATH")
    if raw:
        entries = raw.split(os.pathsep)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            str(Path(entry).resolve()) if entry else entry for entry in entries
        )


_absolute_python_path()


@pytest.fixture(scope="session")
def onss_xsd_dir() -> Path:
    raw = os.environ.get("MYCAREER_ONSS_XSD_DIR")
    if not raw:
        pytest.skip(
            "MYCAREER_ONSS_XSD_DIR is not set: official ONSS XSD checks skipped "
            "(set it to the folder holding DmfAOriginal_20231.xsd, Dimona_20231.xsd, "
            "NOTIFICATION_20223.xsd)"
        )
    folder = Path(raw)
    if not folder.is_dir():
        pytest.fail(f"MYCAREER_ONSS_XSD_DIR={raw!r} is not a folder")
    return folder


@pytest.fixture(scope="session")
def onss_samples_dir() -> Path:
    """The official ONSS sample documents: ``MYCAREER_ONSS_SAMPLES_DIR``, else the sibling
    ``../../samples/onss-official`` of ``MYCAREER_ONSS_XSD_DIR``; skipped when neither is there."""
    raw = os.environ.get("MYCAREER_ONSS_SAMPLES_DIR")
    xsd = os.environ.get("MYCAREER_ONSS_XSD_DIR")
    if raw:
        folder = Path(raw)
    elif xsd:
        folder = Path(xsd).parents[1] / "samples" / "onss-official"
    else:
        pytest.skip(
            "neither MYCAREER_ONSS_SAMPLES_DIR nor MYCAREER_ONSS_XSD_DIR is set: "
            "official ONSS sample documents skipped"
        )
    if not folder.is_dir():
        pytest.skip(f"no official ONSS samples at {folder}: official sample checks skipped")
    return folder
