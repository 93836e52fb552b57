#!/usr/bin/env bash
# The sonde benchmark, one command: bench/run.sh   (see bench/README.md)
#
# Builds the release binary, starts a local server (nginx when installed, else
# `sonde serve`), generates the standard suite, then, alternating runs over ROUNDS rounds:
# sonde, Hurl (when installed) and wrk (when installed) with the same number of workers and
# connections. Prints medians. Then: a 1 GiB download with save_body (nginx only), the wall
# time of `sonde validate` on one small file, and a 10,000-file suite against the 1,000 one.
#
# Environment: ROUNDS (5), JOBS (8), FILES (1000), STEPS (10), BIG_FILES (10000),
# SONDE (a prebuilt binary: skips the build), WORK (scratch dir), PORT (free port),
# SKIP_BUILD=1, SKIP_BIG=1, SKIP_DOWNLOAD=1, SKIP_SCALE=1, NO_NGINX=1 (use `sonde serve`), HURL (path of hurl), WRK_SECONDS (5),
# BASELINE (another sonde binary, e.g. one built before a change: run in the same rounds,
# alternating, and compared).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
ROUNDS=${ROUNDS:-5} JOBS=${JOBS:-8} FILES=${FILES:-1000} STEPS=${STEPS:-10}
BIG_FILES=${BIG_FILES:-10000} WRK_SECONDS=${WRK_SECONDS:-5}
WORK=${WORK:-$(mktemp -d /tmp/sonde-bench.XXXXXX)}
mkdir -p "$WORK"
# nginx workers run as another user: they must be able to read the files served.
chmod 755 "$WORK"
log() { printf '%s\n' "$*" >&2; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; print m}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }

if [[ -z "${SONDE:-}" ]]; then
  if [[ -z "${SKIP_BUILD:-}" ]]; then
    log "building the release binary…"
    (cd "$root" && cargo build --release --quiet)
  fi
  SONDE=$root/target/release/sonde
fi
TIME=/usr/bin/time
[[ -x $TIME ]] || { log "needs /usr/bin/time (apt-get install time)"; exit 1; }
HURL=${HURL:-$(command -v hurl || true)}
WRK=$(command -v wrk || true)
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
[[ "${NO_NGINX:-}" ]] && NGINX=
PORT=${PORT:-$(free_port)}
BASE=http://127.0.0.1:$PORT

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

if [[ -n "$NGINX" ]]; then
  SERVER=nginx
  mkdir -p "$WORK/www" "$WORK/nginx"
  # The same document as `sonde serve`'s /json.
  cat > "$WORK/www/data.json" <<'JSON'
{"slideshow":{"author":"Yours Truly","date":"date of publication","slides":[{"title":"Wake up to WonderWidgets!","type":"all"},{"items":["Why <em>WonderWidgets</em> are great","Who <em>buys</em> WonderWidgets"],"title":"Overview","type":"all"}],"title":"Sample Slide Show"}}
JSON
  truncate -s 1G "$WORK/www/big.bin"
  cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  keepalive_timeout 65;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$PORT; root $WORK/www; }
}
CONF
  "$NGINX" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
  pids+=($!)
  DOC=/data.json
else
  SERVER="sonde serve"
  "$SONDE" serve --port "$PORT" > "$WORK/serve.log" 2>&1 &
  pids+=($!)
  DOC=/json
fi
for _ in $(seq 50); do curl -sf "$BASE$DOC" > /dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$BASE$DOC" > /dev/null || { log "the server did not start on $BASE"; exit 1; }

log "generating the suites in $WORK…"
"$here/gen.sh" "$WORK/suite" "$FILES" "$STEPS" "$DOC"
requests=$((FILES * STEPS))

# run NAME CMD…: one timed run; appends "wall rss_kb" to $WORK/NAME.times; fails on a non-zero exit.
# The wall time is taken in nanoseconds: time(1)'s %e has a resolution of 10 ms, 3 % of a run.
run() {
  local name=$1; shift
  local start end
  start=$(date +%s%N)
  if ! "$TIME" -f '%M %U %S' -o "$WORK/time.out" "$@" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr"; then
    log "$name failed: see $WORK/$name.stdout"; tail -5 "$WORK/$name.stdout" >&2; exit 1
  fi
  end=$(date +%s%N)
  echo "$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }') $(tail -1 "$WORK/time.out")" >> "$WORK/$name.times"
}
rm -f "$WORK"/*.times
for round in $(seq "$ROUNDS"); do
  log "round $round/$ROUNDS"
  run sonde "$SONDE" run --jobs "$JOBS" --no-progress --color never --var "base=$BASE" "$WORK/suite/yaml"
  if [[ -n "${BASELINE:-}" ]]; then
    run baseline "$BASELINE" run --jobs "$JOBS" --no-progress --color never --var "base=$BASE" "$WORK/suite/yaml"
  fi
  if [[ -n "$HURL" ]]; then
    run hurl "$HURL" --test --jobs "$JOBS" --no-color --variable "base=$BASE" "$WORK/suite/hurl"
  fi
  if [[ -n "$WRK" ]]; then
    "$WRK" -t 2 -c "$JOBS" -d "${WRK_SECONDS}s" "$BASE$DOC" > "$WORK/wrk.out"
    awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out" >> "$WORK/wrk.rps"
  fi
done

col() { awk -v c="$1" '{print $c}' "$2" | median; }
cpu() { awk '{print $3 + $4}' "$1" | median; }
rps() { awk -v n="$requests" -v w="$1" 'BEGIN {printf "%.0f", n / w}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

sonde_wall=$(col 1 "$WORK/sonde.times"); sonde_rss=$(col 2 "$WORK/sonde.times")
sonde_rps=$(rps "$sonde_wall")
echo "machine: $(nproc) cores, $(uname -srm); server: $SERVER on $BASE; $FILES files × $STEPS steps = $requests requests; --jobs $JOBS; medians of $ROUNDS rounds"
echo "sonde: $sonde_rps req/s, wall ${sonde_wall}s, peak RSS $(mb "$sonde_rss") MB, CPU $(cpu "$WORK/sonde.times")s   (walls: $(awk '{printf "%s ", $1}' "$WORK/sonde.times"))"
if [[ -n "${BASELINE:-}" ]]; then
  base_wall=$(col 1 "$WORK/baseline.times"); base_rss=$(col 2 "$WORK/baseline.times")
  echo "baseline ($BASELINE): $(rps "$base_wall") req/s, wall ${base_wall}s, peak RSS $(mb "$base_rss") MB, CPU $(cpu "$WORK/baseline.times")s   (walls: $(awk '{printf "%s ", $1}' "$WORK/baseline.times"))"
  echo "sonde/baseline: req/s $(ratio "$sonde_rps" "$(rps "$base_wall")")×"
fi
if [[ -n "$HURL" ]]; then
  hurl_wall=$(col 1 "$WORK/hurl.times"); hurl_rss=$(col 2 "$WORK/hurl.times")
  hurl_rps=$(rps "$hurl_wall")
  echo "hurl ($("$HURL" --version | head -1)): $hurl_rps req/s, wall ${hurl_wall}s, peak RSS $(mb "$hurl_rss") MB, CPU $(cpu "$WORK/hurl.times")s   (walls: $(awk '{printf "%s ", $1}' "$WORK/hurl.times"))"
  echo "sonde/hurl: req/s $(ratio "$sonde_rps" "$hurl_rps")× (target ≥ 2), peak RSS $(ratio "$sonde_rss" "$hurl_rss")× (target ≤ 0.5)"
else
  echo "hurl: not installed (cargo install hurl --version 8.0.1 --locked)"
fi
if [[ -n "$WRK" ]]; then
  wrk_rps=$(median < "$WORK/wrk.rps")
  echo "wrk (-t 2 -c $JOBS, ${WRK_SECONDS}s, no checks): ${wrk_rps%.*} req/s   (runs: $(tr '\n' ' ' < "$WORK/wrk.rps"))"
  echo "sonde/wrk: $(ratio "$sonde_rps" "$wrk_rps")× (target ≥ 0.5)"
else
  echo "wrk: not installed (apt-get install wrk)"
fi

if [[ "$SERVER" == nginx && -z "${SKIP_DOWNLOAD:-}" ]]; then
  mkdir -p "$WORK/download"
  cat > "$WORK/download/big.yaml" <<YAML
name: 1 GiB download
steps:
  - name: download
    request:
      url: "{{ base }}/big.bin"
      save_body: "$WORK/download/big.out"
    expect:
      status: 200
YAML
  rm -f "$WORK/download.times"
  for _ in $(seq 3); do
    run download "$SONDE" run --no-progress --color never --var "base=$BASE" "$WORK/download/big.yaml"
    size=$(stat -c %s "$WORK/download/big.out"); rm -f "$WORK/download/big.out"
  done
  echo "1 GiB download with save_body: peak RSS $(mb "$(col 2 "$WORK/download.times")") MB (target < 20), wall $(col 1 "$WORK/download.times")s, $size bytes saved"
fi

{ echo "vars: { base: \"$BASE\" }"; cat "$WORK/suite/yaml/f00001.yaml"; } > "$WORK/one.yaml"
"$SONDE" validate "$WORK/one.yaml" > /dev/null 2>&1 || { log "one.yaml does not validate"; exit 1; }
if command -v hyperfine > /dev/null; then
  hyperfine -N --warmup 10 --runs 200 --export-json "$WORK/validate.json" "$SONDE validate $WORK/one.yaml" > /dev/null 2>&1
  v=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f ms (median; mean %.2f ± %.2f)" % (r["median"]*1e3, r["mean"]*1e3, r["stddev"]*1e3))' "$WORK/validate.json" 2>/dev/null || echo "see $WORK/validate.json")
else
  start=$(date +%s%N); for _ in $(seq 200); do "$SONDE" validate "$WORK/one.yaml" > /dev/null; done
  v=$(awk -v t=$(( $(date +%s%N) - start )) 'BEGIN {printf "%.2f ms (mean of a loop of 200)", t / 200 / 1e6}')
fi
echo "sonde validate one.yaml: $v (target < 5 ms)"

if [[ -z "${SKIP_BIG:-}" ]]; then
  "$here/gen.sh" "$WORK/big" "$BIG_FILES" "$STEPS" "$DOC"
  rm -f "$WORK/big.times"
  for _ in 1 2 3; do
    run big "$SONDE" run --jobs "$JOBS" --no-progress --color never --var "base=$BASE" "$WORK/big/yaml"
  done
  big_rss=$(col 2 "$WORK/big.times")
  echo "$BIG_FILES files: wall $(col 1 "$WORK/big.times")s ($(awk -v n=$((BIG_FILES * STEPS)) -v w="$(col 1 "$WORK/big.times")" 'BEGIN {printf "%.0f", n / w}') req/s), peak RSS $(mb "$big_rss") MB; $FILES files: $(mb "$sonde_rss") MB; difference $(awk -v a="$big_rss" -v b="$sonde_rss" 'BEGIN {printf "%.1f", (a - b) / 1024}') MB (target ≤ 10)"
fi

# Hardening (issue 8): 10,000 files × 5 steps under --jobs 64, with both reports; every step
# must be a testcase, exactly once.
if [[ -z "${SKIP_SCALE:-}" ]]; then
  "$here/gen.sh" "$WORK/scale" "$BIG_FILES" 5 "$DOC"
  run scale "$SONDE" run --jobs 64 --no-progress --color never --var "base=$BASE" \
    --junit "$WORK/scale.xml" --json "$WORK/scale.json" "$WORK/scale/yaml"
  cases=$(grep -c '<testcase ' "$WORK/scale.xml")
  steps=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(len(f["steps"]) for f in r["files"]))' "$WORK/scale.json")
  echo "scale, $BIG_FILES files × 5 steps, --jobs 64: $cases JUnit testcases, $steps JSON steps (expected $((BIG_FILES * 5))), wall $(col 1 "$WORK/scale.times")s, peak RSS $(mb "$(col 2 "$WORK/scale.times")") MB"
fi
