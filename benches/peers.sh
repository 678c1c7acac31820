#!/usr/bin/env bash
# teren against its peers in real pseudo-terminals (DESIGN.md §10, BENCHMARKS.md).
#
#   benches/peers.sh [SIZE ...]        default: 1000 10000 100000 1000000
#
# Builds release, makes a demo database per size, and measures with
# ../shared/bench/tty_bench.py, in one run: the list fully loaded and searchable (both
# programs waited for until their count shows N/N; median of 3), teren's first
# screenful, bytes per cursor move and page down, search keystroke latency and peak
# memory — for teren, and for fzf (and
# VisiData) fed the same names when they are installed; then the first visit of each
# other pane (its key pressed once the list is loaded, timed to the last byte of its
# answer: the pane complete). Prints one table per size with the teren/peer ratio,
# and one of the panes. Keeps its files in a temp dir it removes.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=../shared/bench/tty_bench.py
[ -f "$BENCH" ] || { echo "peers.sh: $BENCH not found (run from the repo beside shared/)" >&2; exit 1; }
SIZES=("${@:-1000 10000 100000 1000000}")
read -r -a SIZES <<< "${SIZES[*]}"
cargo build --release --quiet
T=target/release/teren
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export TEREN_CONFIG_DIR="$WORK/config"   # no user keymap or config
mkdir -p "$TEREN_CONFIG_DIR"

measure() { # name, output json file, tty_bench args...
  local out=$1; shift
  python3 "$BENCH" --json --cols 120 --rows 40 "$@" > "$out" 2>/dev/null || echo '{}' > "$out"
}

for n in "${SIZES[@]}"; do
  db="$WORK/demo-$n.redb"
  start=$(date +%s.%N)
  "$T" --db "$db" demo --participants "$n" > /dev/null
  gen=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")
  "$T" --db "$db" participant list --json | python3 -c 'import json,sys; [print(p["name"]) for p in json.load(sys.stdin)]' > "$WORK/names-$n.txt"
  live=$(wc -l < "$WORK/names-$n.txt")
  # Each run opens a cleanly closed database: the harness closes the pty under the
  # program, and a database left open needs a repair pass at the next start.
  clean() { "$T" --db "$db" office > /dev/null; }
  # The first screenful: quiet 20 ms after it, as the full list's redraw follows it
  # within tty_bench's usual 150 ms.
  clean; measure "$WORK/t-first-$n.json" --wait-for uczestnicy --quiet-ms 20 -- "$T" --db "$db"
  # Fully loaded and searchable: the status line's N/N, three runs for a median.
  for r in 1 2 3; do
    clean; measure "$WORK/t-full$r-$n.json" --wait-for "$live/$live" -- "$T" --db "$db"
  done
  clean; measure "$WORK/t-down-$n.json" --wait-for "$live/$live" --presses 40 --key down -- "$T" --db "$db"
  clean; measure "$WORK/t-pgdn-$n.json" --wait-for "$live/$live" --presses 15 --key pgdn -- "$T" --db "$db"
  clean; measure "$WORK/t-search-$n.json" --wait-for "$live/$live" --type /kowalski -- "$T" --db "$db"
  # Each pane's first visit: a pane shows "wczytywanie…" at once and its rows when
  # loaded, with silence between, so the answer is over only after 2 s of quiet.
  for key in 2 3 4 5 6; do
    clean; measure "$WORK/t-pane$key-$n.json" --wait-for "$live/$live" --key "$key" --presses 1 --quiet-ms 2000 -- "$T" --db "$db"
  done
  if command -v fzf > /dev/null; then
    for r in 1 2 3; do
      measure "$WORK/f-full$r-$n.json" --stdin "$WORK/names-$n.txt" --wait-for "$live/$live" -- fzf
    done
    measure "$WORK/f-down-$n.json" --stdin "$WORK/names-$n.txt" --wait-for "$live/$live" --presses 40 --key down -- fzf
    measure "$WORK/f-pgdn-$n.json" --stdin "$WORK/names-$n.txt" --wait-for "$live/$live" --presses 15 --key pgdn -- fzf
    measure "$WORK/f-search-$n.json" --stdin "$WORK/names-$n.txt" --wait-for "$live/$live" --type kowalski -- fzf
  fi
  if command -v vd > /dev/null; then
    measure "$WORK/v-first-$n.json" --stdin "$WORK/names-$n.txt" -- vd -f txt -
  fi
  python3 - "$WORK" "$n" "$gen" <<'PY'
import json, os, sys
work, n, gen = sys.argv[1], sys.argv[2], sys.argv[3]
def get(prefix, what, key):
    p = os.path.join(work, f"{prefix}-{what}-{n}.json")
    try:
        return json.load(open(p)).get(key)
    except (OSError, ValueError):
        return None
def median(prefix, key):
    v = sorted(x for x in (get(prefix, f"full{r}", key) for r in (1, 2, 3)) if x is not None)
    return v[len(v) // 2] if v else None
full = ("list fully loaded and searchable (ms, median of 3)", median("t", "first_frame_ms"),
        median("f", "first_frame_ms"), "< 100 (100k), < 1000 (1M)")
rows = [
    ("first screenful (ms; fzf shows it only loaded)", "first", "first_frame_ms", "< 50"),
    ("cursor move (bytes, p50)", "down", "key_bytes_p50", "< 400"),
    ("cursor move (ms, p95)", "down", "key_ms_p95", ""),
    ("page down (bytes, max)", "pgdn", "key_bytes_max", "< 2500"),
    ("search keystroke (ms, p95)", "search", "key_ms_p95", "< 20 (100k), < fzf (1M)"),
    ("peak memory (MB)", "search", "rss_kb", "< fzf (100k), < 250 (1M)"),
]
print(f"\n{n} participants (demo generated in {gen} s)")
print(f"| what | teren | fzf | teren/fzf | goal |")
print("|---|---|---|---|---|")
fmt = lambda v: "—" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))
label, t, f, goal = full
print(f"| {label} | {fmt(t)} | {fmt(f)} | {f'{t / f:.2f}' if t and f else '—'} | {goal} |")
for label, what, key, goal in rows:
    t, f = get("t", what, key), (None if what == "first" else get("f", what, key))
    if key == "rss_kb":
        t = t / 1024 if t else t
        f = f / 1024 if f else f
    fmt = lambda v: "—" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))
    ratio = f"{t / f:.2f}" if t and f else "—"
    print(f"| {label} | {fmt(t)} | {fmt(f)} | {ratio} | {goal} |")
print(f"\n| pane, first visit at {n} (ms to complete) | teren | goal |")
print("|---|---|---|")
for key, name in [("2", "meetings"), ("3", "resources"), ("4", "partnerships"), ("5", "plans"), ("6", "report")]:
    print(f"| {key} {name} | {fmt(get('t', 'pane' + key, 'key_ms_p50'))} | < 100 |")
PY
done
