#!/usr/bin/env bash
# One command: set up, ingest the demo corpus into ./.temoin/index, start the search UI on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TEMOIN_INDEX=${TEMOIN_INDEX:-.temoin/index}
.venv/bin/temoin ingest corpus
exec .venv/bin/temoin serve --port "${TEMOIN_PORT:-8501}"
