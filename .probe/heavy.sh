#!/bin/bash
# One turn of the heavy lock for the worker branch: build, the issue-8 e2e specs, then the measurements.
cd /work/wt/worker
echo "== build $(date +%T)"; npx next build > /tmp/worker-build.log 2>&1; echo "build rc=$?"; tail -3 /tmp/worker-build.log
echo "== e2e $(date +%T)"; env E2E_PORT=4307 timeout 900 npx playwright test tests/e2e/race-worker.spec.ts tests/e2e/backend.spec.ts > /tmp/worker-e2e.log 2>&1; echo "e2e rc=$?"; grep -E "✓|✘|passed|failed|Error|expect" /tmp/worker-e2e.log | head -60
echo "== race-report $(date +%T)"; timeout 600 node scripts/race-report.js --backends wasm --tokens 32,128,238 --repeats 1 --port 4317 > /tmp/worker-race-report.log 2>&1; echo "rr rc=$?"; cat /tmp/worker-race-report.log
echo "== bench $(date +%T)"; timeout 300 npm run bench -- --backends wasm --positions 50,146,256 > /tmp/worker-bench.log 2>&1; echo "bench rc=$?"; cat /tmp/worker-bench.log
echo "== node race $(date +%T)"; timeout 180 npx tsx .probe/node-race.ts 238 > /tmp/worker-node-race.log 2>&1; cat /tmp/worker-node-race.log
echo "== end $(date +%T)"
