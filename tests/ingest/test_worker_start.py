"""A worker starts from ingest.worker_process alone: the parent's main script is not run again in it.

`spawn` would import the parent's `__main__` in each child. In the UI that is the Streamlit script, which
opens the index and loads the encoder: a worker then started with 1.6 GB of its 2 GB memory limit used."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from ingest.settings import Settings
from ingest.workers import WorkerPool


def test_a_worker_does_not_run_the_parents_main_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = tmp_path / "main-script-ran"
    script = tmp_path / "app.py"
    script.write_text(f"from pathlib import Path\nPath({str(ran)!r}).write_text('ran')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)  # what Streamlit leaves as __main__ while it runs the UI script
    monkeypatch.setitem(sys.modules, "__main__", main)
    with WorkerPool(1, Settings().models) as pool:
        pool.wait_ready()  # the child has imported what it needed and loaded its models
    assert sys.modules["__main__"] is main  # given back to the parent
    assert not ran.exists()
