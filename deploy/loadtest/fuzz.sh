#!/usr/bin/env bash
# Coverage-guided fuzzing of usher's HTTP and echo pipelines for as long as asked: the long run of
# what ./mvnw verify runs briefly (the failsafe execution "fuzz": dev.usher.fuzz.PipelineFuzzTest in
# Jazzer's fuzzing mode, every buffer tracked). Coverage of Netty's HTTP codec guides it too.
#
# A crash stops the run and fails it: the failure shows the script that broke an invariant and what
# usher wrote, and Jazzer writes its input under
# server/src/test/resources/dev/usher/fuzz/PipelineFuzzTestInputs/connections/, where the unit tests
# replay it (commit it with the fix, and make it a row of deploy/conformance/http1.tsv when it is a
# rule of the protocol). Inputs that reached new code are kept in server/.cifuzz-corpus/ (git
# ignores it): the next run starts from them. No socket is opened: everything runs in one JVM.
#
# usage: deploy/loadtest/fuzz.sh [DURATION=10m] [SEED=0]
#   DURATION  how long to fuzz: 90s, 10m, 2h
#   SEED      libFuzzer's seed, printed as "INFO: Seed: N"; 0 picks one
set -euo pipefail
source "$(dirname "$0")/lib.sh"
case "${1:-}" in
  -h | --help)
    sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
esac
duration=${1:-10m}
seed=${2:-0}
export JAVA_HOME
JAVA_HOME=$(java_home)
cd "$LOADTEST_ROOT"
exec ./mvnw -B -pl server test-compile failsafe:integration-test@fuzz failsafe:verify@fuzz \
  -Dfuzz.duration="$duration" -Dfuzz.executions=0 -Dfuzz.seed="$seed" \
  -Dfuzz.instrument='dev.usher.**,io.netty.handler.codec.http.**'
