#!/usr/bin/env bash
# Runs every test project in the solution and ends with one plain line:
# "N passed, N failed, N skipped", totalled over all projects from their TRX reports.
set -uo pipefail
cd "$(dirname "$0")/.."
results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

run() {
  dotnet test "$1" -c Release --no-build --no-restore --filter "$2" \
    --logger "trx" --logger "console;verbosity=normal" \
    --results-directory "$results" \
    --blame-hang-timeout 6m -- RunConfiguration.TreatNoTestsAsError=false
}
# The whole-fleet tests start seven service processes each, so they run alone after everything else.
run DigitalTwin.sln "Category!=Fleet"
status=$?
run tests/DigitalTwin.Fleet.Tests "Category=Fleet" || status=1

projects=$(find tests -name '*.Tests.csproj' | wc -l)
reports=$(find "$results" -name '*.trx' | wc -l)
read -r passed failed skipped < <(
  find "$results" -name '*.trx' -print0 | xargs -0 -r grep -h -o '<Counters [^>]*>' |
  awk '{
    for (i = 1; i <= NF; i++) {
      split($i, kv, "=")
      gsub(/[^0-9]/, "", kv[2])
      if (kv[1] == "passed") p += kv[2]
      if (kv[1] == "failed" || kv[1] == "error" || kv[1] == "timeout" || kv[1] == "aborted") f += kv[2]
      if (kv[1] == "notExecuted") s += kv[2]
    }
  } END { printf "%d %d %d\n", p, f, s }')

# A test host that crashed or hung (killed by --blame-hang-timeout) leaves a report without the test it was running:
# count each aborted run as a failure, and name the tests its blame sequence shows as never completed.
aborted=$(find "$results" -name '*.trx' -print0 | xargs -0 -r grep -l 'The active test run was aborted' | wc -l)
if [ "$aborted" -gt 0 ]; then
  failed=$((failed + aborted))
  status=1
fi
if [ "$reports" -lt "$projects" ]; then
  echo "test run: only $reports of $projects test projects produced a report (a test host crashed or hung)"
  failed=$((failed + projects - reports))
  status=1
fi
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then status=1; fi
# Name every failed test with the first line of its message, so the tail of a CI log says what broke.
if [ "$failed" -gt 0 ]; then
  echo "failed tests:"
  find "$results" -name '*.trx' -print0 | xargs -0 -r grep -l 'The active test run was aborted' | while read -r trx; do
    echo "  aborted test run ($(grep -o -m1 'storage="[^"]*"' "$trx" | sed 's|.*/||; s|"$||')): $(grep -o -m1 'The active test run was aborted[^<]*' "$trx")"
  done
  find "$results" -name 'Sequence_*.xml' -print0 | xargs -0 -r grep -h 'Completed="False"' | sed 's|.*DisplayName="\([^"]*\)".*|  never completed (crash or hang): \1|; s|&quot;|"|g' | sort -u
  find "$results" -name '*.trx' -print0 | xargs -0 -r awk '
    /<UnitTestResult / && /outcome="(Failed|Error|Timeout|Aborted)"/ {
      match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); want = 1; next
    }
    want && /<Message>/ {
      line = $0; sub(/.*<Message>/, "", line); sub(/<\/Message>.*/, "", line)
      printf "  %s: %s\n", name, substr(line, 1, 300); want = 0
    }
    want && /<\/UnitTestResult>/ { printf "  %s\n", name; want = 0 }'
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
