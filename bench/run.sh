#!/usr/bin/env bash
# libasff benchmarks: generate the corpora, build, run every comparison in one go, print a table.
#
#   bench/run.sh [--build DIR] [--no-build] [--size 200M] [--big N] [--runs N] [--keep]
#
#   --build DIR   build directory (default build-bench; configured Release if it does not exist)
#   --no-build    the programs are already built (the CMake `bench` target passes this)
#   --size S      size of the main corpus (default 200M; gen_corpus.py syntax)
#   --big N       the RSS input is the main corpus N times over (default 10, ~2 GB); 0 skips it
#   --runs N      best of N runs for the timed comparisons (default 3)
#   --keep        keep the big RSS input (deleted by default: it is ~2 GB)
# Options may also come from $ASFF_BENCH_ARGS (how the CMake `bench` target takes them).
# Corpora go to bench/out/ (gitignored); the table is also written to bench/out/results.md.
# Comparisons whose command does not exist yet (asff filter, insight, validate) are reported as "n/a".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=$src/build-bench
do_build=1
size=200M
big=10
runs=3
keep=0
# shellcheck disable=SC2086
set -- ${ASFF_BENCH_ARGS:-} "$@"
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift 2 ;;
        --no-build) do_build=0; shift ;;
        --size) size=$2; shift 2 ;;
        --big) big=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
case $build in /*) ;; *) build=$PWD/$build ;; esac
py=${PYTHON:-python3}
out=$here/out
mkdir -p "$out"

if [ $do_build = 1 ]; then
    [ -f "$build/CMakeCache.txt" ] || cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake "$build" >/dev/null # re-detect the modules that landed since the last configure
    cmake --build "$build" --target bench_codec runstat -j2 >/dev/null
    cmake --build "$build" --target asff_cli -j2 >/dev/null 2>&1 || echo "run.sh: asff tool did not build; CLI rows are n/a" >&2
    cmake --build "$build" --target asff -j2 >/dev/null
fi
bench_codec=$build/bench/bench_codec
runstat=$build/bench/runstat
asff=$build/tools/asff/asff

# key=value out of a RESULT/RUNSTAT line
kv() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" | head -1; }
has_cmd() { [ -x "$asff" ] && "$asff" "$1" --help >/dev/null 2>&1; }

# ---- corpora (deterministic: same size and seed, same bytes; regenerated only when missing)
corpus=$out/corpus-$size.ndjson
corpus_doc=$out/corpus-$size.findings.json
# (written under a temporary name, so that an interrupted run leaves no truncated corpus to reuse)
if [ ! -s "$corpus" ]; then
    "$py" "$here/gen_corpus.py" --size "$size" --envelope ndjson --out "$corpus.part" && mv "$corpus.part" "$corpus"
fi
if [ ! -s "$corpus_doc" ]; then
    "$py" "$here/gen_corpus.py" --count "$(wc -l <"$corpus")" --envelope findings --out "$corpus_doc.part" &&
        mv "$corpus_doc.part" "$corpus_doc"
fi
bytes=$(stat -c %s "$corpus")
nfind=$(wc -l <"$corpus")
mb=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}')

rows=()
row() { rows+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$@")"); }
mbps() { awk -v b="$1" -v t="$2" 'BEGIN{ if (t > 0) printf "%.0f", b/1e6/t; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a > 0 && b > 0) printf "%.2f", a/b; else print "-" }'; }
worse() { awk -v a="$1" -v b="$2" 'BEGIN{ print (a+0 > b+0 ? a : b) }'; } # the less flattering of wall/CPU
verdict() { awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN{ if (v == "-" || v == "") print "n/a"; else if ((op == "le" && v+0 <= g+0) || (op == "ge" && v+0 >= g+0) || (op == "lt" && v+0 < g+0)) print "met"; else print "NOT met" }'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== libasff benchmarks: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $load_before"
echo "== corpus: $corpus, $bytes bytes, $nfind findings"

# ---- codec: yajl-only vs typed parse vs parse -> write (and validate), same bytes, one process
echo "== codec (bench_codec, best of $runs)"
codec_out=$("$bench_codec" --runs "$runs" "$corpus") || true
echo "$codec_out" >&2 # (not tee /dev/stderr: that reopens, and truncates, a log file stderr points to)
for m in yajl parse write validate; do
    line=$(grep "^RESULT mode=$m " <<<"$codec_out" || true)
    [ -n "$line" ] || { row "codec: $m" "n/a" "" "" "" ""; continue; }
    w=$(kv wall_s <<<"$line"); sp=$(kv mbps <<<"$line")
    r=$(awk -v x="$(kv ratio <<<"$line")" 'BEGIN{printf "%.2f", x}'); rc=$(awk -v x="$(kv ratio_cpu <<<"$line")" 'BEGIN{printf "%.2f", x}')
    case $m in
        yajl) row "codec: yajl tokenizer only (baseline)" "$w s" "$sp MB/s" "1.00" "" "" ;;
        parse) row "codec: typed streaming parse" "$w s" "$sp MB/s" "$r (cpu $rc) × yajl" "≤ 1.5× yajl" "$(verdict "$(worse "$r" "$rc")" 1.5 le)"
               parse_wall=$w; parse_cpu=$(kv cpu_s <<<"$line") ;;
        write) row "codec: parse → write NDJSON" "$w s" "$sp MB/s" "$r (cpu $rc) × yajl" "" "" ;;
        validate) vr=$(ratio "$w" "${parse_wall:-0}"); vrc=$(ratio "$(kv cpu_s <<<"$line")" "${parse_cpu:-0}")
                  row "validate: parse + asff_validate" "$w s" "$sp MB/s" "$vr (cpu $vrc) × parse" "≤ 1.3× parse" "$(verdict "$(worse "$vr" "$vrc")" 1.3 le)" ;;
    esac
done

# the same over one {"Findings": [...]} document (envelope handling, no NDJSON line splitting)
doc_out=$("$bench_codec" --runs "$runs" --modes yajl,parse "$corpus_doc" 2>&1) || true
echo "$doc_out" >&2
line=$(grep "^RESULT mode=parse " <<<"$doc_out" || true)
if [ -n "$line" ]; then
    row "codec: typed parse of the {\"Findings\":[...]} document" "$(kv wall_s <<<"$line") s" "$(kv mbps <<<"$line") MB/s" \
        "$(awk -v x="$(kv ratio <<<"$line")" -v c="$(kv ratio_cpu <<<"$line")" 'BEGIN{printf "%.2f (cpu %.2f)", x, c}') × yajl" "≤ 1.5× yajl" "$(verdict "$(worse "$(kv ratio <<<"$line")" "$(kv ratio_cpu <<<"$line")")" 1.5 le)"
fi

# ---- peak RSS of `asff fmt` on a big input streamed from a file
if [ "$big" -gt 0 ] && [ -x "$asff" ] && has_cmd fmt; then
    bigfile=$out/big.ndjson
    need=$((bytes * big / 1024))
    avail=$(df -Pk "$out" | awk 'NR==2{print $4}')
    if [ "$avail" -lt $((need + 2 * 1024 * 1024)) ]; then
        row "asff fmt peak RSS" "skipped: not enough disk" "" "" "< 32 MB" "n/a"
    else
        : >"$bigfile"
        for _ in $(seq "$big"); do cat "$corpus" >>"$bigfile"; done
        bigbytes=$(stat -c %s "$bigfile")
        echo "== asff fmt < $bigfile ($bigbytes bytes)"
        line=$("$runstat" -i "$bigfile" -- "$asff" fmt) || true
        echo "$line" >&2
        rss=$(kv maxrss_kb <<<"$line"); w=$(kv wall_s <<<"$line")
        rssmb=$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')
        row "asff fmt, $(awk -v b="$bigbytes" 'BEGIN{printf "%.2f GB", b/1e9}') NDJSON on stdin" "$w s" "$(mbps "$bigbytes" "$w") MB/s" "peak RSS $rssmb MiB" "< 32 MB" "$(verdict "$rssmb" 32 lt)"
        [ "$(kv exit <<<"$line")" = 0 ] || row "asff fmt exit status" "$(kv exit <<<"$line")" "" "" "0" "NOT met"
        if has_cmd filter; then
            echo "== asff filter < $bigfile"
            line=$("$runstat" -i "$bigfile" -- "$asff" filter --filters '{"SeverityLabel":[{"Value":"CRITICAL","Comparison":"EQUALS"}],"RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}]}') || true
            echo "$line" >&2
            rssmb=$(awk -v k="$(kv maxrss_kb <<<"$line")" 'BEGIN{printf "%.1f", k/1024}'); w=$(kv wall_s <<<"$line")
            row "asff filter, same $(awk -v b="$bigbytes" 'BEGIN{printf "%.2f GB", b/1e9}') on stdin" "$w s" "$(mbps "$bigbytes" "$w") MB/s" "peak RSS $rssmb MiB" "≤ 32 MB" "$(verdict "$rssmb" 32 le)"
        fi
        [ $keep = 1 ] || rm -f "$bigfile"
    fi
elif [ "$big" -eq 0 ]; then
    row "asff fmt peak RSS" "skipped (--big 0)" "" "" "< 32 MB" "n/a"
else
    row "asff fmt peak RSS" "n/a (asff fmt not built yet)" "" "" "< 32 MB" "n/a"
fi

# ---- filter: asff filter vs jq 1.6 vs Python json + a loop (NDJSON input), and the document form
filters='{"SeverityLabel":[{"Value":"CRITICAL","Comparison":"EQUALS"}],"RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}]}'
jqsel='select(.Severity.Label=="CRITICAL" and .RecordState=="ACTIVE")'
time_cmd() { # label input output cmd... -> sets W RSS N
    local label=$1 in=$2 o=$3; shift 3
    local line
    echo "== $label" >&2
    line=$("$runstat" -n "$runs" -i "$in" -o "$o" -- "$@") || true
    echo "$line" >&2
    W=$(kv wall_s <<<"$line"); RSS=$(kv maxrss_kb <<<"$line"); N=$(wc -l <"$o")
    [ "$(kv exit <<<"$line")" = 0 ] || { echo "run.sh: $label failed" >&2; W=-; }
}
rssmb() { awk -v k="$1" 'BEGIN{printf "%.1f MiB", k/1024}'; }
if has_cmd filter; then
    time_cmd "asff filter" "$corpus" "$out/filter.asff" "$asff" filter --filters "$filters"; aw=$W; arss=$RSS; an=$N
    time_cmd "jq 1.6" "$corpus" "$out/filter.jq" jq -c "$jqsel"; jw=$W; jrss=$RSS; jn=$N
    time_cmd "python json + loop" "$corpus" "$out/filter.py" "$py" "$here/py_filter.py"; pw=$W; prss=$RSS; pn=$N
    # same findings, same values: asff vs Python compared parsed; jq (other number spellings) by Id
    same=$("$py" -c 'import json, sys
load = lambda p: [json.loads(l) for l in open(p, "rb")]
a, p, j = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
print("same" if a == p and [x["Id"] for x in a] == [x["Id"] for x in j] else "DIFFERENT")' "$out/filter.asff" "$out/filter.py" "$out/filter.jq" ||
        echo DIFFERENT)
    [ "$same" = same ] || echo "run.sh: filter outputs differ: asff $an, jq $jn, python $pn findings" >&2
    row "filter: asff filter (CRITICAL ∧ ACTIVE → $an, output $same as jq/python)" "$aw s" "$(mbps "$bytes" "$aw") MB/s" "peak RSS $(rssmb "$arss")" "RSS ≤ 32 MB" "$(verdict "$(awk -v k="$arss" 'BEGIN{print k/1024}')" 32 le)"
    r=$(ratio "$jw" "$aw")
    row "filter: jq -c 'select(...)' (→ $jn)" "$jw s" "$(mbps "$bytes" "$jw") MB/s" "asff $r× faster; RSS $(rssmb "$jrss")" "≥ 12×" "$(verdict "$r" 12 ge)"
    r=$(ratio "$pw" "$aw")
    row "filter: python json + loop (→ $pn)" "$pw s" "$(mbps "$bytes" "$pw") MB/s" "asff $r× faster; RSS $(rssmb "$prss")" "≥ 12×" "$(verdict "$r" 12 ge)"
    # Opt-in: NDJSON lines that cannot match are skipped unparsed (asff filter --help says when).
    if [[ $("$asff" filter --help 2>&1) == *--prefilter* ]]; then
        time_cmd "asff filter --prefilter" "$corpus" "$out/filter.asff.pre" "$asff" filter --prefilter --filters "$filters"; fw=$W; frss=$RSS
        cmp -s "$out/filter.asff" "$out/filter.asff.pre" && same=same || same=DIFFERENT
        row "filter: asff filter --prefilter (output $same as without)" "$fw s" "$(mbps "$bytes" "$fw") MB/s" "peak RSS $(rssmb "$frss")" "RSS ≤ 32 MB" "$(verdict "$(awk -v k="$frss" 'BEGIN{print k/1024}')" 32 le)"
        r=$(ratio "$jw" "$fw")
        row "filter: --prefilter vs jq" "" "" "asff $r× faster" "≥ 12×" "$(verdict "$r" 12 ge)"
        r=$(ratio "$pw" "$fw")
        row "filter: --prefilter vs python json + loop" "" "" "asff $r× faster" "≥ 12×" "$(verdict "$r" 12 ge)"
    fi
    # The same selection over one {"Findings": [...]} document: jq and json.load hold it whole.
    time_cmd "asff filter (document)" "$corpus_doc" "$out/filter.asff.doc" "$asff" filter --filters "$filters"; adw=$W; adrss=$RSS
    time_cmd "jq 1.6 (document)" "$corpus_doc" "$out/filter.jq.doc" jq -c ".Findings[] | $jqsel"; jdw=$W; jdrss=$RSS
    docbytes=$(stat -c %s "$corpus_doc")
    row "filter, {\"Findings\":[...]} document: asff" "$adw s" "$(mbps "$docbytes" "$adw") MB/s" "peak RSS $(rssmb "$adrss")" "" ""
    row "filter, document: jq '.Findings[] | select(...)'" "$jdw s" "$(mbps "$docbytes" "$jdw") MB/s" "asff $(ratio "$jdw" "$adw")× faster; RSS $(rssmb "$jdrss")" "" ""
else
    row "filter: asff filter vs jq / python" "n/a (asff filter not built yet)" "" "" "≥ 12×, RSS ≤ 32 MB" "n/a"
fi

# ---- insight: asff insight --group-by ResourceId vs Python json + collections.Counter
if has_cmd insight; then
    time_cmd "asff insight" "$corpus" "$out/insight.asff" "$asff" insight --group-by ResourceId --format json; aw=$W; arss=$RSS
    time_cmd "python Counter" "$corpus" "$out/insight.py" "$py" "$here/py_insight.py"; pw=$W; prss=$RSS
    same=$(jq -S -c '[.InsightResults.ResultValues[] | [.GroupByAttributeValue, .Count]]' "$out/insight.asff" 2>/dev/null | cmp -s - <(jq -S -c '[.InsightResults.ResultValues[] | [.GroupByAttributeValue, .Count]]' "$out/insight.py") && echo same || echo DIFFERENT)
    row "insight: asff insight --group-by ResourceId (results $same as python)" "$aw s" "$(mbps "$bytes" "$aw") MB/s" "peak RSS $(rssmb "$arss")" "" ""
    r=$(ratio "$pw" "$aw")
    row "insight: python json + Counter" "$pw s" "$(mbps "$bytes" "$pw") MB/s" "asff $r× faster; RSS $(rssmb "$prss")" "≥ 10×" "$(verdict "$r" 10 ge)"
else
    row "insight: asff insight vs python Counter" "n/a (asff insight not built yet)" "" "" "≥ 10×" "n/a"
fi

# ---- Python bindings: asff.iter_findings with a filter vs json.load + a comprehension, same document
if [ -e "$build/libasff.so.0" ]; then
    pyb=$("$py" "$here/py_bindings.py" "$corpus_doc" --lib "$build/libasff.so.0" --runs "$runs") || pyb=""
    echo "$pyb"
    # "ratio: time X.Yx faster, peak memory Z% of json.load's"
    pr=$(sed -n 's/^ratio: time \([0-9.]*\)x faster.*/\1/p' <<<"$pyb")
    pm=$(sed -n 's/^ratio: .*peak memory \([0-9.]*%\).*/\1/p' <<<"$pyb")
    if [ -n "$pr" ]; then
        row "python: asff.iter_findings(filters=CRITICAL ∧ ACTIVE) vs json.load + comprehension" "" "" "asff $pr× faster; peak memory $pm of json.load's" "≥ 5×" "$(verdict "$pr" 5 ge)"
    else
        row "python: asff.iter_findings vs json.load" "failed" "" "" "≥ 5×" "NOT met"
    fi
else
    row "python: asff.iter_findings vs json.load" "n/a (libasff.so not built)" "" "" "≥ 5×" "n/a"
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); load average before $load_before, after $load_after"
    echo "Corpus: $(basename "$corpus"), $mb MB, $nfind findings (gen_corpus.py --size $size, seed 20240101); best of $runs runs"
    echo
    echo "| measurement | time | throughput | ratio / memory | goal | verdict |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$out/results.md"
