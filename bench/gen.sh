#!/usr/bin/env bash
# Generates the standard suite: N files × STEPS GETs, each with a status, a header and a
# JSONPath check, as sonde YAML (DIR/yaml/) and as the equivalent Hurl files (DIR/hurl/).
# The URL is a template (`{{ base }}`), as in a real suite: pass it with --var / --variable.
#   bench/gen.sh DIR FILES [STEPS] [PATH]
set -euo pipefail
dir=$1 files=$2 steps=${3:-10} path=${4:-/data.json}
rm -rf "$dir"
mkdir -p "$dir/yaml" "$dir/hurl"
awk -v dir="$dir" -v files="$files" -v steps="$steps" -v path="$path" 'BEGIN {
  for (f = 1; f <= files; f++) {
    y = sprintf("%s/yaml/f%05d.yaml", dir, f)
    h = sprintf("%s/hurl/f%05d.hurl", dir, f)
    printf "name: bench file %d\nsteps:\n", f > y
    for (s = 1; s <= steps; s++) {
      printf "  - name: get %d\n    request:\n      url: \"{{ base }}%s\"\n", s, path > y
      printf "    expect:\n      status: 200\n      headers:\n        content-type: { contains: json }\n" > y
      printf "      json:\n        $.slideshow.author: { contains: Yours }\n" > y
      printf "GET {{base}}%s\nHTTP 200\n[Asserts]\nheader \"Content-Type\" contains \"json\"\njsonpath \"$.slideshow.author\" contains \"Yours\"\n\n", path > h
    }
    close(y); close(h)
  }
}'
