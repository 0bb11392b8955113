#!/usr/bin/env bash
# The bad-input corpus (tests/bad-inputs/cases.tsv): each malformed trace,
# platform, generator spec, sweep spec, --set value or command line must
# give its exit code, a message containing its fragment (which names
# file:line or the key), and leave no result, trace or sweep point behind.
# Captures (the text of perf script, with a maps or pages snapshot) go
# through mnsim import.
# Usage: bad_inputs.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
DIR=$2/tests/bad-inputs
SEED=$2/workloads/litmus/01-seed-cow-order.trace
CAPTURE=$2/tests/data/import/churn.txt
. "$(dirname "$0")/lib.sh"
# the 10 MB single line is made here rather than stored
{ echo "mnsim-trace 1"; head -c 10485760 /dev/zero | tr '\0' 'a'; echo; } >"$TMP/long-line.trace"
mkdir -p "$TMP/dir" && : >"$TMP/file"
while IFS=$'\t' read -r input kind code fragment; do
  case "$input" in '#'*|'') continue ;; esac
  out="$TMP/out.h5"
  sub() { local s=${1//@DIR@/$DIR}; s=${s//@TMP@/$TMP}; s=${s//@SEED@/$SEED}; echo "${s//@OUT@/$out}"; }
  rm -rf "$TMP/sw"
  case "$kind" in
    trace|trace-ok) cmd=("$MNSIM" run -w "$DIR/$input" -o "$out") ;;
    generated) cmd=("$MNSIM" run -w "$TMP/$input" -o "$out") ;;
    platform) cmd=("$MNSIM" run -w "$SEED" -p "$DIR/$input" -o "$out") ;;
    spec) out="$TMP/out.trace"; cmd=("$MNSIM" gen -s "$DIR/$input" -o "$out") ;;
    capture) out="$TMP/out.trace"; cmd=("$MNSIM" import "$DIR/$input" -o "$out") ;;
    capture-maps) out="$TMP/out.trace"; cmd=("$MNSIM" import "$CAPTURE" --maps "$DIR/$input" -o "$out") ;;
    capture-pages) out="$TMP/out.trace"; cmd=("$MNSIM" import "$CAPTURE" --pages "$DIR/$input" -o "$out") ;;
    set) cmd=("$MNSIM" run -w "$SEED" --set "$input" -o "$out") ;;
    sweep|slurm) # a sweep spec, its @SEED@ replaced: refused before any point, before a job script
      sub "$(cat "$DIR/$input")" >"$TMP/$input"
      out="$TMP/sw/points/x.h5"
      cmd=("$MNSIM" sweep "$TMP/$input" -o "$TMP/sw" -j 1)
      [ "$kind" = slurm ] && cmd+=(--slurm --dry-run) ;;
    cmd) # mnsim's arguments, words split at spaces
      read -r -a words <<<"$(sub "$input")"
      cmd=("$MNSIM" "${words[@]}") ;;
    *) echo "FAIL $input: unknown kind $kind"; failed=$((failed + 1)); continue ;;
  esac
  msg=$("${cmd[@]}" 2>&1)
  rc=$?
  left=$(compgen -G "$out.tmp.*")
  [ "$kind" = trace-ok ] && rm -f "$out"
  points=$(compgen -G "$TMP/sw/points/*.h5"; compgen -G "$TMP/sw/sweep.sbatch")
  fragment=$(sub "$fragment")
  if [ $rc -eq "$code" ] && grep -qF -- "$fragment" <<<"$msg" && [ ! -e "$out" ] && [ -z "$left" ] && [ -z "$points" ] &&
     [ -d "$TMP/dir" ] && [ -f "$TMP/file" ]; then
    passed=$((passed + 1)); echo "ok   $input"
  else
    failed=$((failed + 1))
    echo "FAIL $input: exit $rc (expected $code), expected '$fragment' in:"; echo "$msg" | head -5
    [ -e "$out" ] && echo "  left behind: $out"
    [ -n "$left$points" ] && echo "  left behind: $left $points"
  fi
  rm -f "$out"
done <"$DIR/cases.tsv"
finish
