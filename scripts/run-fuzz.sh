#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time on a working copy of its seeds
# (docs/fuzzing.md). The repository is never written: new inputs go to a
# temporary corpus that is deleted afterwards, crashes to --artifacts.
#
#   run-fuzz.sh FUZZER [--seconds N] [--runs N] [--artifacts DIR] [--dict FILE]
#               [--keep-corpus DIR] [SEED_DIR...] [-- LIBFUZZER_FLAG...]
#
# Exits 0 when the target ran its time (or runs) without a finding, and
# non-zero when it crashed, leaked, timed out on one input or ran out of
# memory; the input that did it is in the artifacts directory.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 1 ] || usage
fuzzer=$1
shift
seconds=10
runs=2000000
artifacts=""
dict=""
keep=""
seeds=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --artifacts) artifacts=$2; shift 2 ;;
    --dict) dict=$2; shift 2 ;;
    --keep-corpus) keep=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) usage ;;
    -*) echo "run-fuzz.sh: unknown option $1" >&2; usage ;;
    *) seeds+=("$1"); shift ;;
  esac
done
if [ ! -x "$fuzzer" ]; then
  echo "run-fuzz.sh: $fuzzer is not an executable (build the fuzz preset first)" >&2
  exit 2
fi
name=$(basename "$fuzzer")
[ -n "$artifacts" ] || artifacts="$(pwd)/fuzz-artifacts/$name"
mkdir -p "$artifacts"

work=$(mktemp -d "${TMPDIR:-/tmp}/paws-fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
corpus="$work/corpus"
mkdir -p "$corpus"
n=0
for dir in "${seeds[@]}"; do
  if [ ! -d "$dir" ]; then
    echo "run-fuzz.sh: no seed directory $dir (skipped)"
    continue
  fi
  while IFS= read -r -d '' f; do
    # Names stay apart when two directories hold the same file name.
    cp "$f" "$corpus/seed-$n-$(basename "$f")"
    n=$((n + 1))
  done < <(find "$dir" -maxdepth 1 -type f -print0)
done
echo "run-fuzz.sh: $name: $n seeds, ${seconds}s or $runs runs, artifacts in $artifacts"

flags=(
  -max_total_time="$seconds"
  -runs="$runs"
  -timeout=5
  -rss_limit_mb=2048
  -max_len=16384
  -print_final_stats=1
  -artifact_prefix="$artifacts/"
)
[ -n "$dict" ] && flags+=(-dict="$dict")

status=0
"$fuzzer" "${flags[@]}" "${extra[@]}" "$corpus" || status=$?
if [ -n "$keep" ]; then
  mkdir -p "$keep"
  cp -n "$corpus"/* "$keep"/ 2>/dev/null || true
fi
if [ "$status" -ne 0 ]; then
  echo "run-fuzz.sh: $name FAILED (exit $status); the input is in $artifacts:" >&2
  ls -l "$artifacts" >&2 || true
  exit "$status"
fi
echo "run-fuzz.sh: $name: no finding"
