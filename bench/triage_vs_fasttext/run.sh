#!/usr/bin/env bash
# Routing classifier against fastText on the routing sets of ../shared/data (nothing fetched):
# the same files, the same text and labels, scored by the same code (`guichet eval triage`;
# fastText's answers go through --predictions).
#
# Usage: bench/triage_vs_fasttext/run.sh [--data DIR] [--guichet PATH] [--sets LIST]
#   --data     the shared data folder (default: ../shared/data next to the project)
#   --guichet  binary (default build/release/guichet)
#   --sets     comma-separated among cdtn-l1, cdtn-l2, vdd-offices, cfpb (default: all)
#
# Sets: cdtn-themes (text → label_l1 / label_l2; train, calibrated on its topics held out five
# ways (--group-column topic_id) and on dev, scored on test), vdd-offices (title → first
# office_pivots value; train, scored on dev: there is no test split), cfpb (Consumer complaint
# narrative → Product; train, calibrated on dev, scored on test). Ours with default options
# otherwise (which add each label's name as a training text).
# fastText: `fasttext supervised -wordNgrams 2 -epoch 25`, otherwise defaults, on train only.
# Both run five times (seeds 1–5): quality as the mean (min–max) over the runs; speed from run 1.
# Speed: training wall time; prediction per text on one thread over the scored texts 200 times
# over, model load excluded (ours: eval's own timer; fastText: `predict-prob` time minus the
# fastest of three runs on one text).
# Needs: fasttext (Debian package), python3 (to write fastText's input files).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data="$root/../shared/data"
guichet="$root/build/release/guichet"
sets="cdtn-l1,cdtn-l2,vdd-offices,cfpb"
seeds="1 2 3 4 5"
die() { echo "run.sh: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --data) data=${2:?}; shift 2 ;;
    --guichet) guichet=${2:?}; shift 2 ;;
    --sets) sets=${2:?}; shift 2 ;;
    *) die "unknown option: $1" ;;
  esac
done
routing="$data/routing"
[[ -d "$routing" ]] || die "no routing data at $routing (give --data DIR)"
[[ -x "$guichet" ]] || die "$guichet not found; cmake --preset release && cmake --build --preset release --target guichet"
command -v fasttext >/dev/null || die "fasttext not found (apt-get install -y fasttext)"
command -v python3 >/dev/null || die "python3 not found"

tmp=$(mktemp -d /tmp/guichet-triage-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# to_fasttext FILE TEXT_COLUMN LABEL_COLUMN SEPARATOR OUT_TXT OUT_LABELS OUT_TEXTS
# One "__label__N text" line per row with a label (N indexes OUT_LABELS, so labels may hold
# spaces); the text as guichet reads it (columns joined, trimmed), line breaks as spaces.
to_fasttext() {
  python3 - "$@" <<'PY'
import csv, gzip, io, sys
path, text_col, label_col, sep, out_txt, out_labels, out_texts = sys.argv[1:8]
opener = gzip.open if path.endswith(".gz") else open
tsv = path.removesuffix(".gz").endswith(".tsv")
with opener(path, "rt", encoding="utf-8", newline="") as f:
    rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if tsv else csv.DictReader(f)
    labels = []
    try:
        with open(out_labels, encoding="utf-8") as known:
            labels = [l.rstrip("\n") for l in known]
    except FileNotFoundError:
        pass
    with open(out_txt, "w", encoding="utf-8") as txt, open(out_texts, "w", encoding="utf-8") as texts:
        for row in rows:
            label = row[label_col].strip()
            if sep:
                label = label.split(sep)[0].strip()
            if not label:
                continue
            if label not in labels:
                labels.append(label)
            text = " ".join(row[text_col].split())
            txt.write(f"__label__{labels.index(label)} {text}\n")
            texts.write(f"{text}\n")
with open(out_labels, "w", encoding="utf-8") as f:
    f.write("".join(l + "\n" for l in labels))
PY
}

# fasttext predict-prob output → "label<TAB>probability" with the original label names.
from_fasttext() {
  python3 - "$1" "$2" <<'PY'
import sys
labels = [l.rstrip("\n") for l in open(sys.argv[2], encoding="utf-8")]
for line in open(sys.argv[1], encoding="utf-8"):
    parts = line.split()
    if not parts:
        print("\t0")
        continue
    print(f"{labels[int(parts[0].removeprefix('__label__'))]}\t{parts[1]}")
PY
}

seconds() { python3 -c "import sys; print(f'{float(sys.argv[1]):.2f}')" "$1"; }
now() { date +%s.%N; }
sub() { python3 -c "import sys; print(float(sys.argv[1]) - float(sys.argv[2]))" "$1" "$2"; }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

printf '| set | labels | train / scored | ours macro-F1 mean (min–max) | fastText macro-F1 mean (min–max) | ours acc. | fastText acc. | ours ECE | fastText ECE | ECE of exact confidences | ours cov.80 acc. | train s (ours / fastText) | µs per text (ours / fastText) |\n'
printf '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n'

run_set() {
  local name=$1 train=$2 calib=$3 scored=$4 text_col=$5 label_col=$6 sep=$7 group=${8:-}
  local dir="$tmp/$name"
  mkdir -p "$dir"
  local -a cols=(--text-column "$text_col" --label-column "$label_col")
  [[ -n "$sep" ]] && cols+=(--label-separator "$sep")
  local -a calib_args=()
  [[ -n "$calib" ]] && calib_args=(--calibration-data "$calib")
  local -a group_args=()
  [[ -n "$group" ]] && group_args=(--group-column "$group")

  # Five runs each, seeds 1 to 5: both learners depend on the order they see the examples in.
  to_fasttext "$train" "$text_col" "$label_col" "$sep" "$dir/ft-train.txt" "$dir/labels.txt" "$dir/train-texts.txt"
  to_fasttext "$scored" "$text_col" "$label_col" "$sep" "$dir/ft-scored.txt" "$dir/labels.txt" "$dir/scored-texts.txt"
  local t0 t1 seed ours_train="" ft_train=""
  for seed in $seeds; do
    t0=$(now)
    "$guichet" train triage --data "$train" "${cols[@]}" "${calib_args[@]}" "${group_args[@]}" \
      --seed "$seed" --out "$dir/ours-$seed" >"$dir/train.log" 2>&1 ||
      { cat "$dir/train.log" >&2; die "training failed on $name"; }
    t1=$(now)
    ours_train+="$(sub "$t1" "$t0") "
    "$guichet" eval triage --model "$dir/ours-$seed" --data "$scored" "${cols[@]}" --json >"$dir/ours-$seed.json"

    t0=$(now)
    fasttext supervised -input "$dir/ft-train.txt" -output "$dir/ft-$seed" -wordNgrams 2 -epoch 25 \
      -seed "$seed" -verbose 0
    t1=$(now)
    ft_train+="$(sub "$t1" "$t0") "
    fasttext predict-prob "$dir/ft-$seed.bin" "$dir/scored-texts.txt" >"$dir/ft-pred-raw.txt"
    from_fasttext "$dir/ft-pred-raw.txt" "$dir/labels.txt" >"$dir/ft-pred.txt"
    "$guichet" eval triage --predictions "$dir/ft-pred.txt" --data "$scored" "${cols[@]}" --json >"$dir/ft-$seed.json"
  done
  cp -r "$dir/ours-1" "$dir/ours"
  cp "$dir/ft-1.bin" "$dir/ft.bin"

  # Speed, one thread, on the scored texts 200 times over.
  local n reps=200
  n=$(wc -l <"$dir/scored-texts.txt")
  for ((i = 0; i < reps; i++)); do cat "$dir/scored-texts.txt"; done >"$dir/many-texts.txt"
  head -n 1 "$dir/scored-texts.txt" >"$dir/one-text.txt"
  local ft_load="" ft_many one
  for ((i = 0; i < 3; i++)); do
    t0=$(now); fasttext predict-prob "$dir/ft.bin" "$dir/one-text.txt" >/dev/null; t1=$(now)
    one=$(sub "$t1" "$t0")
    if [[ -z "$ft_load" ]] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$one" "$ft_load"; then
      ft_load=$one
    fi
  done
  t0=$(now); fasttext predict-prob "$dir/ft.bin" "$dir/many-texts.txt" >/dev/null; t1=$(now)
  ft_many=$(sub "$(sub "$t1" "$t0")" "$ft_load")
  local ft_us ours_us
  ft_us=$(python3 -c "import sys; print(f'{max(float(sys.argv[1]),0)*1e6/int(sys.argv[2]):.1f}')" "$ft_many" "$((n * reps))")
  # Ours on the same 200-fold texts, written as a TSV (text, label) for guichet eval.
  python3 - "$dir/scored-texts.txt" "$dir/many.tsv" "$reps" <<'PY'
import sys
texts = [l.rstrip("\n").replace("\t", " ") for l in open(sys.argv[1], encoding="utf-8")]
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write("text\tlabel\n")
    for _ in range(int(sys.argv[3])):
        for t in texts:
            out.write(f"{t}\tx\n")
PY
  "$guichet" eval triage --model "$dir/ours" --data "$dir/many.tsv" --text-column text \
    --label-column label --json >"$dir/ours-speed.json"
  ours_us=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['prediction_speed']; print(f\"{1e6/s['per_second']:.1f}\")" "$dir/ours-speed.json")

  python3 - "$dir" "$name" "$(wc -l <"$dir/labels.txt")" "$(wc -l <"$dir/ft-train.txt")" \
    "$ours_train" "$ft_train" "$ours_us" "$ft_us" $seeds <<'PY'
import json, statistics, sys
d, name, labels, n_train, ours_train, ft_train, ours_us, ft_us, *seeds = sys.argv[1:]
ours = [json.load(open(f"{d}/ours-{s}.json")) for s in seeds]
ft = [json.load(open(f"{d}/ft-{s}.json")) for s in seeds]
def spread(runs, key, bold=False):
    v = [r[key] for r in runs]
    mean = f"**{statistics.mean(v):.3f}**" if bold else f"{statistics.mean(v):.3f}"
    return f"{mean} ({min(v):.3f}–{max(v):.3f})"
def mean(runs, key):
    return f"{statistics.mean(r[key] for r in runs):.3f}"
def secs(text):
    return f"{statistics.mean(float(x) for x in text.split()):.2f}"
print(f"| {name} | {labels} | {n_train} / {ours[0]['n']} | {spread(ours, 'macro_f1', True)} | "
      f"{spread(ft, 'macro_f1')} | {mean(ours, 'accuracy')} | {mean(ft, 'accuracy')} | "
      f"{mean(ours, 'ece')} | {mean(ft, 'ece')} | {mean(ours, 'ece_if_calibrated')} | "
      f"{mean(ours, 'coverage_80_accuracy')} | {secs(ours_train)} / {secs(ft_train)} | "
      f"{ours_us} / {ft_us} |")
PY
}

IFS=, read -r -a wanted <<<"$sets"
for s in "${wanted[@]}"; do
  case "$s" in
    cdtn-l1) run_set cdtn-l1 "$routing/cdtn-themes/train.tsv" "$routing/cdtn-themes/dev.tsv" "$routing/cdtn-themes/test.tsv" text label_l1 "" topic_id ;;
    cdtn-l2) run_set cdtn-l2 "$routing/cdtn-themes/train.tsv" "$routing/cdtn-themes/dev.tsv" "$routing/cdtn-themes/test.tsv" text label_l2 "" topic_id ;;
    vdd-offices) run_set vdd-offices "$routing/vdd-offices/train.tsv" "" "$routing/vdd-offices/dev.tsv" title office_pivots "|" ;;
    cfpb) run_set cfpb "$routing/cfpb/train.csv.gz" "$routing/cfpb/dev.csv.gz" "$routing/cfpb/test.csv.gz" "Consumer complaint narrative" Product "" ;;
    *) die "unknown set: $s" ;;
  esac
done
echo
echo "date: $(date -u +%FT%TZ)  commit: $(git -C "$root" rev-parse --short HEAD)  cores: $(nproc)  fastText: $(dpkg-query -W -f='${Version}' fasttext 2>/dev/null || echo '?')"
