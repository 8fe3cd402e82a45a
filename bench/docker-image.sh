#!/usr/bin/env bash
# Builds the repository's Dockerfile and proves the image runs loadlab: `--help`, then two short
# open-model runs from the image's own scenarios/ against a Node server on 127.0.0.1 that counts
# the requests it served: one whole run, and the same run as two shards (`--shard i/2
# --start-at`) merged by `loadlab merge` in the image. Each run's `summary.requests` must equal
# the server's count. Writes bench/results/docker-image.md.
#
#   bench/docker-image.sh                          base: $NODE_IMAGE (node:20-bookworm-slim)
#   STAND_IN=1 bench/docker-image.sh               base: a stand-in built here (below)
#   BENCH_LOCK=/work/bench.lock bench/docker-image.sh   holds that flock around the build and the runs
#
# The stand-in (loadlab-node-base:20) is built when STAND_IN=1 or when $NODE_IMAGE can be neither
# found locally nor pulled: Debian bookworm (debootstrap --variant=minbase) with this machine's
# Node 20 and npm in /usr/local, as in the official image, and a `node` user (uid 1000).
# Needs: root (debootstrap, chroot), docker, Node 20 on the host, deb.debian.org (stand-in only)
# and the npm registry (`npm ci` in the build runs with --network host).
set -euo pipefail
export DOCKER_BUILDKIT=0 # the classic builder: `docker build --network host` without buildx

repo=$(cd "$(dirname "$0")/.." && pwd)
node_image=${NODE_IMAGE:-node:20-bookworm-slim}
stand_in_given=${STAND_IN:-}
stand_in_tag=loadlab-node-base:20
image=${IMAGE:-loadlab:bench}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
scenario=scenarios/open-ramp.yaml # inside the image; its first phase is 200 requests/s
duration=3s
results=$repo/bench/results/docker-image.md
work=$(mktemp -d /tmp/loadlab-docker-image.XXXXXX)
server_pid=
ca_change=()
containers=()
commands=()
failures=()
dangling_before=$(docker image ls -q --filter dangling=true)

cleanup() {
  # Images this script left untagged: the build stage, and a stand-in it replaced.
  local id
  for id in $(docker image ls -q --filter dangling=true); do
    grep -qx "$id" <<<"$dangling_before" || docker image rm "$id" >/dev/null 2>&1 || true
  done
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }
fail() { failures+=("$*"); say "FAILED: $*"; }
# Runs a command, records it (as typed) for the results file, and echoes it first.
run() {
  commands+=("$*")
  say "+ $*"
  "$@"
}
ms_now() { date +%s%3N; }

# ── The base ─────────────────────────────────────────────────────────────────────────────────────

build_stand_in() {
  local root=$work/rootfs node_bin npm_dir
  node_bin=$(readlink -f "$(command -v node)")
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  [[ $("$node_bin" --version) == v20.* ]] || {
    say "the host's node is $("$node_bin" --version), not Node 20"
    exit 2
  }
  run debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    exit 3
  }
  install -m 0755 "$node_bin" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  # A host that reaches the npm registry through a TLS-intercepting proxy names its authority in
  # NODE_EXTRA_CA_CERTS: the stand-in carries that file and variable, so `npm ci` in the build
  # trusts the proxy as the host does (the Dockerfile itself is unchanged).
  extra_ca=${NODE_EXTRA_CA_CERTS:-}
  if [[ -n $extra_ca && -f $extra_ca ]]; then
    mkdir -p "$root$(dirname "$extra_ca")"
    cp "$extra_ca" "$root$extra_ca"
    ca_change=(--change "ENV NODE_EXTRA_CA_CERTS=$extra_ca")
  fi
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  stand_in_node=$(chroot "$root" /usr/local/bin/node --version)
  stand_in_npm=$(chroot "$root" /usr/local/bin/npm --version)
  commands+=("tar -C <rootfs> -c . | docker import --change 'ENV PATH=...' --change 'CMD [\"node\"]' ${ca_change[*]} - $stand_in_tag")
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' "${ca_change[@]}" - "$stand_in_tag" >/dev/null
}

base_why=
if [[ ${STAND_IN:-0} == 1 ]]; then
  base_why="STAND_IN=1 was given"
elif docker image inspect "$node_image" >/dev/null 2>&1; then
  base_why="$node_image was present locally"
elif pull_error=$(docker pull "$node_image" 2>&1); then
  base_why="$node_image was pulled"
else
  base_why="$node_image was not present locally and \`docker pull\` failed (\`$(tail -1 <<<"$pull_error")\`)"
  STAND_IN=1
fi
if [[ ${STAND_IN:-0} == 1 ]]; then
  say "building the stand-in base $stand_in_tag ($base_why)"
  t0=$(ms_now)
  build_stand_in
  stand_in_s=$((($(ms_now) - t0) / 1000))
  node_image=$stand_in_tag
fi

# ── Build and runs, under the bench lock if one is named ─────────────────────────────────────────

if [[ -n ${BENCH_LOCK:-} ]]; then
  exec 9>>"$BENCH_LOCK"
  say "waiting for $BENCH_LOCK"
  flock -w "${BENCH_LOCK_WAIT:-600}" 9 || {
    say "could not take $BENCH_LOCK"
    exit 4
  }
fi

cd "$repo"
t0=$(ms_now)
run docker build --network host --build-arg NODE_IMAGE="$node_image" -t "$image" . \
  >"$work/build.log" 2>&1 || {
  tail -30 "$work/build.log" >&2
  exit 3
}
build_s=$((($(ms_now) - t0) / 1000))
image_size=$(docker image ls "$image" --format '{{.Size}}')
base_size=$(docker image ls "$node_image" --format '{{.Size}}')
image_id=$(docker image inspect "$image" --format '{{.Id}}')
image_user=$(docker image inspect "$image" --format '{{.Config.User}}')
context_size=$(tr '\r' '\n' <"$work/build.log" | grep 'Sending build context' | tail -1 | sed 's/.*Sending build context to Docker daemon *//' || true)

commands+=("docker run --rm --network host $image --help")
help_out=$(docker run --rm --network host "$image" --help 2>&1) || fail "--help exited non-zero"
grep -q 'loadlab run <scenario>' <<<"$help_out" || fail "--help does not list \`loadlab run <scenario>\`"
help_first=$(head -1 <<<"$help_out")
in_image_node=$(docker run --rm --entrypoint node "$image" --version)
in_image_id=$(docker run --rm --entrypoint id "$image")

# A Node server on 127.0.0.1 that counts what it serves: the load's paths (/users/…) apart from the
# rest (loadlab's probe GET of the target URL and its scrapes of /metrics); on SIGTERM it writes
# its counts to the file named and exits.
server_js='
const http = require("node:http");
const fs = require("node:fs");
const counts = { load: 0, other: {} };
const server = http.createServer((req, res) => {
  if (req.url.startsWith("/users/")) counts.load++;
  else counts.other[req.method + " " + req.url] = (counts.other[req.method + " " + req.url] ?? 0) + 1;
  res.end("ok");
});
process.on("SIGTERM", () => { fs.writeFileSync(process.argv[1], JSON.stringify(counts)); process.exit(0); });
server.listen(0, "127.0.0.1", () => fs.writeFileSync(process.argv[2], String(server.address().port)));
'
start_server() { # $1: name
  rm -f "$work/$1.port"
  node -e "$server_js" "$work/$1.counts.json" "$work/$1.port" &
  server_pid=$!
  for _ in $(seq 100); do
    [[ -s $work/$1.port ]] && break
    kill -0 "$server_pid" 2>/dev/null || {
      say "the counting server exited"
      exit 3
    }
    sleep 0.05
  done
  port=$(cat "$work/$1.port")
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=
}
field() { # $1: result.json, $2: JS expression on r
  node -e 'const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$1" "$2"
}

out=$work/out
mkdir -p "$out"
chmod 0777 "$out" # the image runs as `node` (uid 1000)
rows=()
check_run() { # $1: label, $2: result.json, $3: counts file, $4: exit code
  local requests sent dropped errors served other
  requests=$(field "$2" 'r.summary.requests')
  sent=$(field "$2" 'r.summary.sent')
  dropped=$(field "$2" 'r.summary.dropped')
  errors=$(field "$2" 'r.summary.errors.total')
  served=$(node -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).load' "$3")
  other=$(node -p 'Object.entries(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).other).map(([k, v]) => v + "× " + k).join(", ")' "$3")
  rows+=("| $1 | $4 | $requests | $sent | $dropped | $errors | $served | $other | $([[ $requests == "$served" ]] && echo yes || echo **no**) |")
  [[ $requests == "$served" ]] || fail "$1: result.json counts $requests requests, the server $served"
  [[ $requests -gt 0 ]] || fail "$1: no requests"
}

# One whole run. Exit 1 (an SLO missed) still wrote its result: a busy host can miss the p99.
start_server whole
rc=0
containers+=("lb-$$-whole")
run docker run --rm --name "lb-$$-whole" --network host -v "$out:/out" "$image" \
  run "$scenario" --target "http://127.0.0.1:$port" --duration "$duration" --out /out/whole --quiet || rc=$?
stop_server
[[ $rc -le 1 && -f $out/whole/result.json ]] || fail "whole run exited $rc without a result"
[[ -f $out/whole/result.json ]] && check_run "whole run" "$out/whole/result.json" "$work/whole.counts.json" "$rc"

# The same run as two shards started together, merged in the image.
start_server shards
start_at=$((($(date +%s) + ${SHARD_LEAD_S:-20}) * 1000))
pids=()
for i in 0 1; do
  containers+=("lb-$$-shard-$i")
  commands+=("docker run --rm --name lb-$$-shard-$i --network host -v $out:/out $image run $scenario --target http://127.0.0.1:$port --duration $duration --shard $i/2 --start-at $start_at --out /out/shard-$i --quiet &")
  docker run --rm --name "lb-$$-shard-$i" --network host -v "$out:/out" "$image" \
    run "$scenario" --target "http://127.0.0.1:$port" --duration "$duration" \
    --shard "$i/2" --start-at "$start_at" --out "/out/shard-$i" --quiet &
  pids+=($!)
done
shard_rc=()
for p in "${pids[@]}"; do
  r=0
  wait "$p" || r=$?
  shard_rc+=("$r")
done
stop_server
merge_rc=0
containers+=("lb-$$-merge")
run docker run --rm --name "lb-$$-merge" --network host -v "$out:/out" "$image" \
  merge /out/shard-0 /out/shard-1 --out /out/merged >"$work/merge.log" 2>&1 || merge_rc=$?
for i in 0 1; do
  if [[ -f $out/shard-$i/result.json ]]; then
    s=$(field "$out/shard-$i/result.json" 'r.summary.requests')
    rows+=("| shard $i/2 | ${shard_rc[$i]} | $s | $(field "$out/shard-$i/result.json" 'r.summary.sent') | $(field "$out/shard-$i/result.json" 'r.summary.dropped') | $(field "$out/shard-$i/result.json" 'r.summary.errors.total') | | | |")
  else
    fail "shard $i exited ${shard_rc[$i]} without a result"
  fi
done
if [[ $merge_rc -le 1 && -f $out/merged/result.json ]]; then
  check_run "shards 0/2 + 1/2, merged" "$out/merged/result.json" "$work/shards.counts.json" "$merge_rc"
else
  fail "merge exited $merge_rc: $(tail -3 "$work/merge.log")"
fi

# The image's own reference service: the same scenario with no --target, in the container; the
# service counts what it served (summary.serviceCounted, from its /metrics).
rc=0
containers+=("lb-$$-reference")
run docker run --rm --name "lb-$$-reference" --network host -v "$out:/out" "$image" \
  run "$scenario" --duration "$duration" --out /out/reference --quiet || rc=$?
if [[ $rc -le 1 && -f $out/reference/result.json ]]; then
  requests=$(field "$out/reference/result.json" 'r.summary.requests')
  counted=$(field "$out/reference/result.json" 'r.summary.serviceCounted')
  rows+=("| reference service in the container | $rc | $requests | $(field "$out/reference/result.json" 'r.summary.sent') | $(field "$out/reference/result.json" 'r.summary.dropped') | $(field "$out/reference/result.json" 'r.summary.errors.total') | $counted (its \`summary.serviceCounted\`) | | $([[ $requests == "$counted" ]] && echo yes || echo **no**) |")
  [[ $requests == "$counted" ]] || fail "reference run: result.json counts $requests requests, the service $counted"
else
  fail "reference run exited $rc without a result"
fi

# ── Results ──────────────────────────────────────────────────────────────────────────────────────

commit=$(git -C "$repo" rev-parse --short HEAD)
{
  echo "# docker-image"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ); commit $commit; Docker engine $(docker version --format '{{.Server.Version}}') (storage driver $(docker info --format '{{.Driver}}')); host Node $(node --version); $(nproc) cores; loadavg at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "Reproduce (as root): \`${BENCH_LOCK:+BENCH_LOCK=$BENCH_LOCK }${stand_in_given:+STAND_IN=$stand_in_given }bench/docker-image.sh\`"
  echo
  echo "## Base"
  echo
  if [[ $node_image == "$stand_in_tag" ]]; then
    ca_note=
    if ((${#ca_change[@]} > 0)); then
      ca_note=", and the host's CA bundle \`$extra_ca\` named by \`NODE_EXTRA_CA_CERTS\` (this host reaches the npm registry through a TLS-intercepting proxy)"
    fi
    echo "The stand-in \`$stand_in_tag\`, because $base_why. It is Debian bookworm (\`debootstrap --variant=minbase\`, $mirror) with the host's Node $stand_in_node and npm $stand_in_npm in /usr/local, and a \`node\` user (uid 1000), as in the official image$ca_note; built in $stand_in_s s. The build passes it as \`--build-arg NODE_IMAGE=$stand_in_tag\`; without the argument the Dockerfile uses \`node:20-bookworm-slim\`."
  else
    echo "\`$node_image\`: $base_why."
  fi
  echo
  echo "## Image"
  echo
  echo "| figure | value |"
  echo "| --- | --- |"
  echo "| build (both stages, \`npm ci\` from the npm registry) | $build_s s |"
  echo "| build context sent | ${context_size:-?} |"
  echo "| \`docker image ls\` size of \`$image\` | $image_size (id ${image_id:7:12}) |"
  echo "| size of the base \`$node_image\` | $base_size |"
  echo "| user | \`$image_user\` (\`id\` in the image: $in_image_id) |"
  echo "| node in the image | $in_image_node |"
  echo "| \`--help\`, first line | \`$help_first\` |"
  echo
  echo "## Runs"
  echo
  echo "\`$scenario\` from the image, \`--duration $duration\` (its first phase: 200 requests/s, Poisson arrivals), against a Node \`http\` server on 127.0.0.1 of the host that counted every request it served. \"served\" counts the load's paths (/users/…); the other requests are loadlab's probe of the target URL and its scrapes of \`/metrics\`. The shards started together at \`--start-at\` $(date -u -d "@$((start_at / 1000))" +%H:%M:%SZ); their result is the merge's. The last row is the same scenario with no \`--target\`: against the reference service, booted inside the container."
  echo
  echo "| run | exit | result.json requests | sent | dropped | errors | served (server count) | other requests at the server | requests = served |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Exit 0 or 1 passes (1: an SLO missed, such as the scenario's p99 of 250 ms on a busy host); 2 or 3 fails."
  echo
  echo "## Commands"
  echo
  echo "As run (the temporary folder, ports and start time differ from run to run):"
  echo
  echo '```sh'
  printf '%s\n' "${commands[@]}"
  echo '```'
  if ((${#failures[@]} > 0)); then
    echo
    echo "## Failed"
    echo
    printf -- '- %s\n' "${failures[@]}"
  fi
} >"$results"
if [[ -x $repo/node_modules/.bin/prettier ]]; then "$repo/node_modules/.bin/prettier" --write "$results" >/dev/null; fi
say "wrote $results"
if ((${#failures[@]} > 0)); then exit 1; fi
