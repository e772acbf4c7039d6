#!/usr/bin/env bash
# Reproduces builtin-models/mutopia-piano/v1 from the Mutopia keyboard corpus: the default preset
# (timed tokens, keys moved to C major / A minor, 2×256 LSTM, song split, seed 1) for 3 epochs, then
# `ship`, which re-seals the bundle as mutopia-piano v1, evaluates it and writes sources.json and
# NOTICE.md from the corpus catalog. About 15 minutes of training on a quiet 2-core machine (wasm).
# Usage: scripts/train-builtin-model.sh [MIDI folder, default ../shared/datasets/mutopia-keyboard/midi]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-../shared/datasets/mutopia-keyboard/midi}"
pnpm --filter trainer train --data "$DATA" --epochs 3 --name mutopia-keyboard
pnpm --filter trainer ship --model models/mutopia-keyboard --data "$DATA" --name mutopia-piano --version v1
