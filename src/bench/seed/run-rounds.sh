#!/bin/bash
# The Rust seed against ProcessBuilder, side by side (issue 4; docs/BENCHMARKS.md). Run from the
# repository root after `mvn -B -q -Pbench compile` and `(cd src/bench/seed && cargo build --release --offline)`.
# 3 rounds; per workload, the seed then ProcessBuilder (order flipped in round 2). A round during
# which another bench trial or a Maven build was running is discarded and run again.
# Output: target/seed-rounds/results.tsv (round, workload, contender, clean/BUSY, @@result line)
set -u
cd "$(dirname "$0")/../../.."
OUT=$PWD/target/seed-rounds
mkdir -p $OUT
B=$PWD/src/bench/seed/target/release/seed-bench
mvn -B -q -Pbench dependency:build-classpath -Dmdep.outputFile=$OUT/cp.txt >/dev/null
# A copy of the classes, so that a Maven build meanwhile cannot remove them mid-run.
rm -rf $OUT/classes && cp -r target/classes $OUT/classes
CP=$OUT/classes:$(cat $OUT/cp.txt)
TSV=$OUT/results.tsv
LOG=$OUT/log.txt
: > $TSV; : > $LOG
# Another bench trial or a Maven build running right now?
busy_now() { pgrep -f dev.execpool.bench >/dev/null || pgrep -f org.codehaus.plexus.classworlds.launcher >/dev/null; }
wait_idle() { for _ in $(seq 1 240); do busy_now || return 0; sleep 5; done; echo "machine busy for 20 min" >&2; exit 1; }
run() { # round label contender cmd...
  local r=$1 w=$2 c=$3; shift 3
  echo "[$(date -u +%H:%M:%S)] round $r $w $c: ${*//$CP/\$CP}" >> $LOG
  local line busy=clean
  busy_now && busy=BUSY-before
  line=$("$@" 2>>$LOG | grep '^@@result' | tail -1)
  busy_now && busy=BUSY-after
  echo "  $line" >> $LOG
  printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$w" "$c" "$busy" "$line" >> $TSV
}
seed_w() { # round workload
  local r=$1 w=$2
  case $w in
    W1c1) run $r $w seed-poll1ms $B W1 tasks=2000 concurrency=1 budget=20
          run $r $w seed-yield   $B W1 tasks=2000 concurrency=1 budget=20 poll=yield ;;
    W1c4) run $r $w seed-poll1ms $B W1 tasks=2000 concurrency=4 budget=20
          run $r $w seed-yield   $B W1 tasks=2000 concurrency=4 budget=20 poll=yield ;;
    W2)   run $r $w seed-poll1ms $B W2 tasks=40 concurrency=2 bytes=25000000 ;;
    W3)   run $r $w seed-poll1ms $B W3 tasks=500 concurrency=500 sleep=2 ;;
  esac
}
pb_w() {
  local r=$1 w=$2
  case $w in
    W1c1) run $r $w processbuilder java -cp $CP dev.execpool.bench.Trial W1 processbuilder tasks=2000 concurrency=1 budget=20 ;;
    W1c4) run $r $w processbuilder java -cp $CP dev.execpool.bench.Trial W1 processbuilder tasks=2000 concurrency=4 budget=20 ;;
    W2)   run $r $w processbuilder java -cp $CP dev.execpool.bench.Trial W2 processbuilder tasks=40 concurrency=2 bytes=25000000 ;;
    W3)   run $r $w processbuilder java -cp $CP dev.execpool.bench.Trial W3 processbuilder tasks=500 concurrency=500 sleep=2 ;;
  esac
}
for r in 1 2 3; do
 for attempt in 1 2 3; do
  wait_idle
  echo "round $r (attempt $attempt) start $(date -u '+%Y-%m-%d %H:%M:%S') UTC loadavg: $(cat /proc/loadavg)" | tee -a $LOG >> $OUT/rounds.txt
  for w in W1c1 W1c4 W2 W3; do
    wait_idle
    if [ $((r % 2)) -eq 1 ]; then seed_w $r $w; pb_w $r $w; else pb_w $r $w; seed_w $r $w; fi
  done
  echo "round $r (attempt $attempt) end $(date -u '+%Y-%m-%d %H:%M:%S') UTC" >> $OUT/rounds.txt
  # A round in which another bench or a Maven build was seen is discarded and run again.
  if awk -F'\t' -v r=$r '$1==r && $4!="clean"' $TSV | grep -q .; then
    echo "round $r attempt $attempt discarded (BUSY)" | tee -a $LOG >> $OUT/rounds.txt
    awk -F'\t' -v r=$r '$1==r' $TSV >> $OUT/discarded.tsv
    awk -F'\t' -v r=$r '$1!=r' $TSV > $TSV.tmp && mv $TSV.tmp $TSV
  else
    break
  fi
 done
done
echo ALLDONE >> $LOG
