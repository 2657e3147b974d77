"""Every reader under damaged, hostile and oversized input (issue 11 item 9).

Only :class:`~mycareer.errors.MycareerError` escapes, the intact file read in the
same call keeps every record, messages stay short, and each input finishes
quickly (hypothesis' deadline). The long run is ``python tests/fuzz/run.py``.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .inputs import HOSTILE, READERS, Reader, json_seed, mutate, outcome

FAST = settings(
    max_examples=25,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name)
@FAST
@given(rng=st.randoms(use_true_random=False))
def test_damaged_input_is_refused_cleanly(reader: Reader, rng: random.Random) -> None:
    with tempfile.TemporaryDirectory() as folder:
        damaged = mutate(reader.seed.read_bytes(), rng)
        assert outcome(reader, Path(folder), damaged, reader.suffix) in ("ok", "refused")


@pytest.mark.parametrize(
    "reader", [r for r in READERS if json_seed(r) is not None], ids=lambda r: f"{r.name}-json"
)
@FAST
@given(rng=st.randoms(use_true_random=False))
def test_damaged_json_is_refused_cleanly(reader: Reader, rng: random.Random) -> None:
    seed = json_seed(reader)
    assert seed is not None
    with tempfile.TemporaryDirectory() as folder:
        assert outcome(reader, Path(folder), mutate(seed, rng), ".json") in ("ok", "refused")


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name)
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_each_hostile_value_alone_is_refused_cleanly(
    reader: Reader, value: bytes, tmp_path: Path
) -> None:
    assert outcome(reader, tmp_path, value, reader.suffix) in ("ok", "refused")


def test_a_device_named_like_an_input_stops_at_the_size_limit() -> None:
    from mycareer.errors import InputError
    from mycareer.fla.trainings_io import read_trainings
    from mycareer.limits import read_input_bytes

    with pytest.raises(InputError, match="larger than 1000 bytes"):
        read_input_bytes("/dev/zero", limit=1000)
    with pytest.raises(InputError):
        read_trainings("/dev/null")
