#!/usr/bin/env bash
# Fails when libs/proto/src/generated is not what protos/ generates (stale or hand-edited code).
set -euo pipefail
cd "$(dirname "$0")/../.."
node tools/scripts/proto-generate.mjs >/dev/null
if ! git diff --quiet -- libs/proto/src/generated || [ -n "$(git ls-files --others --exclude-standard libs/proto/src/generated)" ]; then
  echo "libs/proto/src/generated is stale: run 'npm run proto:generate' and commit the result." >&2
  git status --short -- libs/proto/src/generated >&2
  exit 1
fi
echo "generated code is up to date"
