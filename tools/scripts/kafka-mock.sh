#!/usr/bin/env bash
# Start librdkafka's built-in mock Kafka cluster (through kcat) for local runs and tests.
#
# Prints the bootstrap servers ("127.0.0.1:PORT,127.0.0.1:PORT,...") on the first line of stdout
# and keeps the cluster running in the foreground until interrupted (Ctrl-C / SIGTERM).
#
#   tools/scripts/kafka-mock.sh            # 3 brokers
#   KAFKA_MOCK_BROKERS=1 tools/scripts/kafka-mock.sh
#   coproc MOCK { tools/scripts/kafka-mock.sh; }; read -r KAFKA <&"${MOCK[0]}"   # in a script
#
# Environment: KCAT (kcat binary, default "kcat"), KAFKA_MOCK_BROKERS (default 3),
# KAFKA_MOCK_TIMEOUT (seconds to wait for the cluster, default 15).
set -euo pipefail

kcat_bin="${KCAT:-kcat}"
brokers="${KAFKA_MOCK_BROKERS:-3}"
timeout_s="${KAFKA_MOCK_TIMEOUT:-15}"

if ! command -v "$kcat_bin" >/dev/null 2>&1; then
  echo "kafka-mock: kcat not found (install the Debian package 'kcat' or set KCAT)" >&2
  exit 127
fi

work="$(mktemp -d)"
log_fifo="$work/kcat.log"
mkfifo "$log_fifo"
kcat_pid=""

cleanup() {
  if [[ -n "$kcat_pid" ]]; then
    kill "$kcat_pid" 2>/dev/null || true
    wait "$kcat_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# A consumer on a throw-away topic keeps kcat (and with it the mock cluster) alive.
# "-d mock" makes librdkafka log the mock cluster's bootstrap servers.
"$kcat_bin" -b unused:1 -C -t t -X "test.mock.num.brokers=${brokers}" -d mock >/dev/null 2>"$log_fifo" &
kcat_pid=$!

found=""
deadline=$((SECONDS + timeout_s))
# Keep draining the (chatty) debug log for as long as kcat runs, so it never blocks on a full pipe.
while IFS= read -r line; do
  if [[ -z "$found" && "$line" =~ bootstrap\.servers=([0-9A-Za-z.:,_-]+) ]]; then
    found="${BASH_REMATCH[1]}"
    echo "$found"
  elif [[ -z "$found" && $SECONDS -ge $deadline ]]; then
    echo "kafka-mock: no bootstrap.servers line from kcat within ${timeout_s}s" >&2
    exit 1
  fi
done <"$log_fifo"

if [[ -z "$found" ]]; then
  echo "kafka-mock: kcat exited before the mock cluster started" >&2
  exit 1
fi
