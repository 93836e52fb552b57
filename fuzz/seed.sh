#!/usr/bin/env bash
# Builds a starting corpus for every fuzz target in fuzz/corpus/ (ignored by git) from the
# repository's own inputs: the scenario and .http fixtures, the examples, the scenarios,
# and the named regression seeds of fuzz/regressions/. Run it once before `cargo fuzz run`;
# libFuzzer grows the corpus from there (`cargo fuzz cmin` keeps it small).
set -euo pipefail
cd "$(dirname "$0")"
root=..
corpus=corpus

seed() { # seed TARGET FILE…: copies each file under a name of its content's hash
  local target=$1; shift
  mkdir -p "$corpus/$target"
  for file in "$@"; do
    [[ -f $file ]] || continue
    cp "$file" "$corpus/$target/$(sha1sum "$file" | cut -c1-40)"
  done
}

mapfile -t yaml < <(find "$root/tests/fixtures" "$root/examples" "$root/scenarios" \
  -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
mapfile -t http < <(find "$root/tests/fixtures" "$root/examples" "$root/scenarios" \
  -type f \( -name '*.http' -o -name '*.rest' \) | sort)

seed yaml_load "${yaml[@]}"
seed http_load "${http[@]}"

# Templates, predicates and paths: the lines of the scenarios that hold them.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
grep -ho '{{[^}]*}}' "${yaml[@]}" | sort -u | while IFS= read -r line; do
  n=$((n + 1)); printf '%s' "$line" >"$work/template-$n"
done
seed template_render "$work"/template-*
n=0
grep -hoE '\$\.[^:" ]*' "${yaml[@]}" | sort -u | while IFS= read -r path; do
  n=$((n + 1))
  printf '%s\0{"a":{"b":[1,2,{"c":"d"}]},"items":[{"id":7}]}' "$path" >"$work/path-$n"
done
seed json_pick "$work"/path-*
n=0
for matcher in '{contains: x}' '{matches: "^x+$"}' '{gt: 3, lt: 9}' '{one_of: [1, 2]}' \
  '{length: 3}' '{type: string}' '{exists: true}' '{not: {equals: 1}}' '[1, {a: 2}]' '7'; do
  for actual in '"xyz"' '5' '[1,2,3]' '{"a":2}' 'null'; do
    n=$((n + 1)); printf '%s\0%s' "$matcher" "$actual" >"$work/predicate-$n"
  done
done
seed predicate_eval "$work"/predicate-*
printf 'suite\0case\0message\0expected\0actual\0diff' >"$work/junit"
seed junit_write "$work/junit"

for target in regressions/*/; do
  target=${target%/}; target=${target#regressions/}
  seed "$target" regressions/"$target"/*
done

for dir in "$corpus"/*/; do
  echo "$(basename "$dir"): $(find "$dir" -type f | wc -l) seeds"
done
