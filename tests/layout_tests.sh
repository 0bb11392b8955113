#!/usr/bin/env bash
# Layout tests: the layers of sim/ (io -> engine -> model -> run -> tools ->
# cli) include only downwards, every module's header says first what it is
# for, and no source reaches into another folder by a relative path.  (The
# build enforces the first as well: each layer sees only the headers below it.)
# Usage: layout_tests.sh SOURCE_DIR
set -u
SRC=$1
. "$(dirname "$0")/lib.sh"
layers=(io engine model run tools cli)
rank() { local i; for i in "${!layers[@]}"; do [ "${layers[$i]}" = "$1" ] && echo "$i"; done; }
# which layer holds header H
declare -A home
for l in "${layers[@]}"; do
  for h in "$SRC"/sim/$l/*.h "$SRC"/sim/$l/*.def; do [ -e "$h" ] && home[$(basename "$h")]=$l; done
done
up="" relative="" undocumented="" unknown_layer=""
for f in "$SRC"/sim/*/*.[ch]; do
  l=$(basename "$(dirname "$f")")
  r=$(rank "$l")
  [ -n "$r" ] || unknown_layer="$unknown_layer $f"
  while read -r inc; do
    case $inc in */*) relative="$relative $f:$inc"; continue;; esac
    hl=${home[$inc]:-}
    [ -n "$hl" ] && [ "$(rank "$hl")" -gt "${r:-0}" ] && up="$up ${f#$SRC/}->$hl/$inc"
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done
for h in "$SRC"/sim/*/*.h; do
  n=$(basename "$h" .h)
  head -1 "$h" | grep -q "^/\* $n: " || undocumented="$undocumented ${h#$SRC/}"
done
check "every source file is in a layer folder" '[ -z "$unknown_layer" ] && [ -z "$(ls "$SRC"/sim/*.[ch] 2>/dev/null)" ]'
check "no include reaches up a layer:$up" '[ -z "$up" ]'
check "no include by a relative path:$relative" '[ -z "$relative" ]'
check "every header starts with '/* NAME: what it is for':$undocumented" '[ -z "$undocumented" ]'
# MNSIM_LOG checks categories against io/logspec.c's list: it must hold every one the sources define
unlisted=""
for cat in $(grep -ho 'XBT_LOG_NEW_DEFAULT_CATEGORY([a-z_]*' "$SRC"/sim/*/*.c | sed 's/.*(//'); do
  grep -q "\"$cat\"" "$SRC/sim/io/logspec.c" || unlisted="$unlisted $cat"
done
check "every log category is one MNSIM_LOG knows:$unlisted" '[ -z "$unlisted" ]'
finish
