#!/usr/bin/env bash
# libasff benchmarks: generate the corpora, build, run every comparison in one go, print a table.
#
#   bench/run.sh [--build DIR] [--no-build] [--size 200M] [--big N] [--runs N] [--keep]
#                [--duckdb] [--node-dir DIR] [--no-bindings]
#
#   --build DIR     build directory (default build-bench; configured Release if it does not exist)
#   --no-build      the programs are already built (the CMake `bench` target passes this)
#   --size S        size of the main corpus (default 200M; gen_corpus.py syntax)
#   --big N         the RSS input is the main corpus N times over (default 10, ~2 GB); 0 skips it
#   --runs N        best of N runs for the timed comparisons (default 3)
#   --keep          keep the big RSS input (deleted by default: it is ~2 GB)
#   --duckdb        also run the filter and the group-by through DuckDB's read_json (node and
#                   @duckdb/node-api, which tools/dev/deps.sh installs into build/node)
#   --node-dir DIR  where node_modules/@duckdb/node-api is (default: build/node of this checkout)
#   --no-bindings   leave out the Python bindings comparison (bench/py_bindings.py)
# Options may also come from $ASFF_BENCH_ARGS (how the CMake `bench` target takes them).
# Corpora go to bench/out/ (gitignored); the table is also written to bench/out/results.txt.
# Comparisons whose command or option does not exist yet are reported as "n/a". Every asff row runs
# once per JSON front-end the binary has: simdjson (when built) and yajl (ASFF_FRONTEND=yajl).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=$src/build-bench
do_build=1
size=200M
big=10
runs=3
keep=0
duckdb=0
node_dir=$src/build/node
bindings=1
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
        --duckdb) duckdb=1; shift ;;
        --node-dir) node_dir=$2; shift 2 ;;
        --no-bindings) bindings=0; shift ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
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
has_opt() { [ -x "$asff" ] && [[ $("$asff" "$1" --help 2>&1) == *"$2"* ]]; }

# ---- corpora (deterministic: same size and seed, same bytes; regenerated only when missing)
# (each written under a temporary name, so that an interrupted run leaves no truncated corpus to reuse)
gen() { # file generator-args...
    local f=$1; shift
    [ -s "$f" ] || { "$py" "$here/gen_corpus.py" "$@" --out "$f.part" && mv "$f.part" "$f"; }
}
corpus=$out/corpus-$size.ndjson                       # as generated: CRITICAL ∧ ACTIVE ≈ 5%
gen "$corpus" --size "$size" --envelope ndjson
nfind=$(wc -l <"$corpus")
corpus22=$out/corpus-$size-m22.ndjson                 # the same findings, 22% of them matching
gen "$corpus22" --count "$nfind" --match 0.22 --envelope ndjson
corpus_doc=$out/corpus-$size.oneline.json             # {"Findings":[...]} without a single newline
gen "$corpus_doc" --count "$nfind" --envelope findings --oneline
corpus_doc22=$out/corpus-$size-m22.oneline.json
gen "$corpus_doc22" --count "$nfind" --match 0.22 --envelope findings --oneline
bytes=$(stat -c %s "$corpus")
mb=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}')

rows=()
row() { rows+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$@")"); }
mbps() { awk -v b="$1" -v t="$2" 'BEGIN{ if (t > 0) printf "%.0f", b/1e6/t; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a > 0 && b > 0) printf "%.2f", a/b; else print "-" }'; }
worse() { awk -v a="$1" -v b="$2" 'BEGIN{ print (a+0 > b+0 ? a : b) }'; } # the less flattering of wall/CPU
verdict() { awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN{ if (v == "-" || v == "") print "n/a"; else if ((op == "le" && v+0 <= g+0) || (op == "ge" && v+0 >= g+0) || (op == "lt" && v+0 < g+0)) print "met"; else print "NOT met" }'; }
# all of "met" -> met; any "n/a" -> n/a; else NOT met, naming the goals missed
verdicts() { # name verdict name verdict ...
    local missed="" na=0
    while [ $# -gt 0 ]; do
        case $2 in met) ;; n/a) na=1 ;; *) missed="$missed${missed:+, }$1" ;; esac
        shift 2
    done
    if [ -n "$missed" ]; then echo "NOT met ($missed)"; elif [ $na = 1 ]; then echo "n/a"; else echo "met"; fi
}
mib() { awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }

# The front-ends this binary has: simdjson (the default when built) and yajl (ASFF_FRONTEND=yajl).
fes=(yajl)
if [ -x "$asff" ] && [[ $("$asff" --version 2>&1) == *simdjson* ]]; then fes=(simdjson yajl); fi
on_fe() { # fe cmd... : the command under that front-end
    local fe=$1; shift
    if [ "$fe" = yajl ]; then ASFF_FRONTEND=yajl "$@"; else env -u ASFF_FRONTEND "$@"; fi
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== libasff benchmarks: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $load_before"
echo "== corpus: $corpus, $bytes bytes, $nfind findings; front-ends: ${fes[*]}"
[ "${fes[0]}" = simdjson ] || row "[simdjson] every asff row" "n/a (built without simdjson)" "" "" "" "n/a"

# ---- codec: yajl-only vs typed parse vs parse -> write (and validate), same bytes, one process
# Goals: with simdjson the typed parse ≤ 0.6× the bare yajl tokenizer (issue 12); on yajl alone no
# worse than before issue 12 (≤ 1.5×, issue 3). Validate ≤ 1.3× parse on both.
for fe in "${fes[@]}"; do
    if [ "$fe" = simdjson ]; then pgoal=0.6; else pgoal=1.5; fi
    echo "== codec [$fe] (bench_codec, best of $runs)"
    codec_out=$(on_fe "$fe" "$bench_codec" --runs "$runs" "$corpus") || true
    echo "$codec_out" >&2 # (not tee /dev/stderr: that reopens, and truncates, a log file stderr points to)
    parse_wall=0; parse_cpu=0
    for m in yajl parse write validate; do
        line=$(grep "^RESULT mode=$m " <<<"$codec_out" || true)
        [ -n "$line" ] || { row "[$fe] codec: $m" "n/a" "" "" "" ""; continue; }
        w=$(kv wall_s <<<"$line"); sp=$(kv mbps <<<"$line")
        r=$(awk -v x="$(kv ratio <<<"$line")" 'BEGIN{printf "%.2f", x}'); rc=$(awk -v x="$(kv ratio_cpu <<<"$line")" 'BEGIN{printf "%.2f", x}')
        case $m in
            yajl) row "[$fe] codec: yajl tokenizer only (baseline)" "$w s" "$sp MB/s" "1.00" "" "" ;;
            parse) row "[$fe] codec: typed streaming parse, NDJSON" "$w s" "$sp MB/s" "$r (cpu $rc) × yajl" "≤ $pgoal× yajl" "$(verdict "$(worse "$r" "$rc")" $pgoal le)"
                   parse_wall=$w; parse_cpu=$(kv cpu_s <<<"$line") ;;
            write) row "[$fe] codec: parse → write NDJSON" "$w s" "$sp MB/s" "$r (cpu $rc) × yajl" "" "" ;;
            validate) vr=$(ratio "$w" "$parse_wall"); vrc=$(ratio "$(kv cpu_s <<<"$line")" "$parse_cpu")
                      row "[$fe] validate: parse + asff_validate" "$w s" "$sp MB/s" "$vr (cpu $vrc) × parse" "≤ 1.3× parse" "$(verdict "$(worse "$vr" "$vrc")" 1.3 le)" ;;
        esac
    done
    # the same findings as one newline-free {"Findings": [...]} document (no NDJSON line splitting)
    doc_out=$(on_fe "$fe" "$bench_codec" --runs "$runs" --modes yajl,parse "$corpus_doc" 2>&1) || true
    echo "$doc_out" >&2
    line=$(grep "^RESULT mode=parse " <<<"$doc_out" || true)
    if [ -n "$line" ]; then
        r=$(kv ratio <<<"$line"); rc=$(kv ratio_cpu <<<"$line")
        row "[$fe] codec: typed parse, newline-free {\"Findings\":[...]} document" "$(kv wall_s <<<"$line") s" "$(kv mbps <<<"$line") MB/s" \
            "$(awk -v x="$r" -v c="$rc" 'BEGIN{printf "%.2f (cpu %.2f)", x, c}') × yajl" "≤ $pgoal× yajl" "$(verdict "$(worse "$r" "$rc")" $pgoal le)"
    fi
done

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
        row "[${fes[0]}] asff fmt, $(awk -v b="$bigbytes" 'BEGIN{printf "%.2f GB", b/1e9}') NDJSON on stdin" "$w s" "$(mbps "$bigbytes" "$w") MB/s" "peak RSS $rssmb MiB" "< 32 MB" "$(verdict "$rssmb" 32 lt)"
        [ "$(kv exit <<<"$line")" = 0 ] || row "asff fmt exit status" "$(kv exit <<<"$line")" "" "" "0" "NOT met"
        if has_cmd filter; then
            echo "== asff filter < $bigfile"
            line=$("$runstat" -i "$bigfile" -- "$asff" filter --filters '{"SeverityLabel":[{"Value":"CRITICAL","Comparison":"EQUALS"}],"RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}]}') || true
            echo "$line" >&2
            rssmb=$(awk -v k="$(kv maxrss_kb <<<"$line")" 'BEGIN{printf "%.1f", k/1024}'); w=$(kv wall_s <<<"$line")
            row "[${fes[0]}] asff filter, same $(awk -v b="$bigbytes" 'BEGIN{printf "%.2f GB", b/1e9}') on stdin" "$w s" "$(mbps "$bigbytes" "$w") MB/s" "peak RSS $rssmb MiB" "≤ 32 MB" "$(verdict "$rssmb" 32 le)"
        fi
        [ $keep = 1 ] || rm -f "$bigfile"
    fi
elif [ "$big" -eq 0 ]; then
    row "asff fmt peak RSS" "skipped (--big 0)" "" "" "< 32 MB" "n/a"
else
    row "asff fmt peak RSS" "n/a (asff fmt not built yet)" "" "" "< 32 MB" "n/a"
fi


# ---- filter: asff filter vs Python per-line json.loads + the test vs jq 1.6, at 5% and 22%
# selectivity, on NDJSON and on the newline-free document of the same findings. Default options:
# every finding parsed and checked.
filters='{"SeverityLabel":[{"Value":"CRITICAL","Comparison":"EQUALS"}],"RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}]}'
jqsel='select(.Severity.Label=="CRITICAL" and .RecordState=="ACTIVE")'
time_cmd() { # label input output cmd... -> sets W RSS N (under front-end $FE, default the first)
    local label=$1 in=$2 o=$3; shift 3
    local line
    echo "== $label" >&2
    line=$(on_fe "${FE:-${fes[0]}}" "$runstat" -n "$runs" -i "$in" -o "$o" -- "$@") || true
    echo "$line" >&2
    W=$(kv wall_s <<<"$line"); C=$(kv cpu_s <<<"$line"); RSS=$(kv maxrss_kb <<<"$line"); N=$(wc -l <"$o")
    [ "$(kv exit <<<"$line")" = 0 ] || { echo "run.sh: $label failed" >&2; W=-; C=-; }
}
# base_wall base_cpu wall cpu -> R (the less flattering of the two ratios) and RT ("A× (cpu B×)"):
# wall time is what a user waits for, CPU time what load from other processes disturbs less
speedup() {
    local rw rc
    rw=$(ratio "$1" "$3"); rc=$(ratio "$2" "$4")
    R=$(awk -v a="$rw" -v b="$rc" 'BEGIN{ if (a == "-" || b == "-") print "-"; else print (a+0 < b+0 ? a : b) }')
    RT="$rw× (cpu $rc×)"
}
rssmb() { awk -v k="$1" 'BEGIN{printf "%.1f MiB", k/1024}'; }
# "same" when FILE1 and FILE2 parse to the same findings and FILE3 (jq's: other number spellings,
# DuckDB's: other member order) has the same Ids in the same order
same_as() {
    "$py" -c 'import json, sys
load = lambda p: [json.loads(l) for l in open(p, "rb")]
a, p, j = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
print("same" if a == p and [x["Id"] for x in a] == [x["Id"] for x in j] else "DIFFERENT")' "$@" || echo DIFFERENT
}
declare -A AW AC ARSS # asff's wall and CPU time and peak RSS by "front-end,key"
if has_cmd filter; then
    # the baselines, once: Python per line (NDJSON) or json.load (document: no lines to read), jq
    for sel in 5 22; do
        if [ $sel = 5 ]; then nd=$corpus; doc=$corpus_doc; else nd=$corpus22; doc=$corpus_doc22; fi
        ndb=$(stat -c %s "$nd"); docb=$(stat -c %s "$doc")
        time_cmd "python json.loads per line, $sel%" "$nd" "$out/filter.py.$sel" "$py" "$here/py_filter.py"
        declare "pw$sel=$W" "pc$sel=$C"
        row "filter baseline: python json.loads per line + test, NDJSON $sel% (→ $N)" "$W s (cpu $C s)" "$(mbps "$ndb" "$W") MB/s" "RSS $(rssmb "$RSS")" "" ""
        time_cmd "jq 1.6, $sel%" "$nd" "$out/filter.jq.$sel" jq -c "$jqsel"
        declare "jw$sel=$W" "jc$sel=$C"
        row "filter baseline: jq -c 'select(...)', NDJSON $sel% (→ $N)" "$W s (cpu $C s)" "$(mbps "$ndb" "$W") MB/s" "RSS $(rssmb "$RSS")" "" ""
        time_cmd "python json.load, document $sel%" "$doc" "$out/filter.py.doc$sel" "$py" "$here/py_filter.py" --document
        declare "pdw$sel=$W" "pdc$sel=$C"
        row "filter baseline: python json.load + test, document $sel% (→ $N)" "$W s (cpu $C s)" "$(mbps "$docb" "$W") MB/s" "RSS $(rssmb "$RSS")" "" ""
        time_cmd "jq 1.6, document $sel%" "$doc" "$out/filter.jq.doc$sel" jq -c ".Findings[] | $jqsel"
        declare "jdw$sel=$W" "jdc$sel=$C"
        row "filter baseline: jq -c '.Findings[] \\| select(...)', document $sel% (→ $N)" "$W s (cpu $C s)" "$(mbps "$docb" "$W") MB/s" "RSS $(rssmb "$RSS")" "" ""
    done
    for fe in "${fes[@]}"; do
        # goals: issue 12 with simdjson; on yajl alone no worse than the last run before it (2026-11-28)
        if [ "$fe" = simdjson ]; then gp=12; gj=20; else gp=2.5; gj=5.3; fi
        for sel in 5 22; do
            for form in ndjson document; do
                if [ $form = ndjson ]; then
                    in=$corpus; [ $sel = 5 ] || in=$corpus22; ref=$out/filter.py.$sel; jref=$out/filter.jq.$sel
                    jb=jw$sel; jbc=jc$sel; extra=""
                else
                    in=$corpus_doc; [ $sel = 5 ] || in=$corpus_doc22; ref=$out/filter.py.doc$sel; jref=$out/filter.jq.doc$sel
                    jb=jdw$sel; jbc=jdc$sel; pd=pdw$sel; pdc=pdc$sel; extra=""
                fi
                pb=pw$sel; pbc=pc$sel # Python's per-line time over the same findings, for both forms
                o=$out/filter.asff.$fe.$form$sel
                FE=$fe time_cmd "asff filter [$fe] $form $sel%" "$in" "$o" "$asff" filter --filters "$filters"
                AW[$fe,filter$form$sel]=$W; AC[$fe,filter$form$sel]=$C; ARSS[$fe,filter$form$sel]=$RSS
                same=$(same_as "$o" "$ref" "$jref")
                [ "$same" = same ] || echo "run.sh: asff filter [$fe] $form $sel%: output differs from python/jq" >&2
                speedup "${!pb}" "${!pbc}" "$W" "$C"; rp=$R; tp=$RT
                speedup "${!jb}" "${!jbc}" "$W" "$C"; rj=$R; tj=$RT
                if [ $form = document ]; then speedup "${!pd}" "${!pdc}" "$W" "$C"; extra="; python json.load of it: $RT"; fi
                rm=$(awk -v k="$RSS" 'BEGIN{print k/1024}')
                row "[$fe] filter: asff filter, $form, $sel% (→ $N, $same as python/jq)" "$W s (cpu $C s)" "$(mbps "$(stat -c %s "$in")" "$W") MB/s" \
                    "python per line $tp, jq $tj$extra; RSS $(rssmb "$RSS")" "≥ $gp× python, ≥ $gj× jq, RSS ≤ 32 MB" \
                    "$(verdicts python "$(verdict "$rp" $gp ge)" jq "$(verdict "$rj" $gj ge)" RSS "$(verdict "$rm" 32 le)" \
                        output "$([ "$same" = same ] && echo met || echo no)")"
            done
        done
    done
    rm -f "$out"/filter.*.doc* # documents' outputs: as large as the NDJSON ones, not needed again
else
    row "filter: asff filter vs python / jq" "n/a (asff filter not built yet)" "" "" "≥ 12× python, ≥ 20× jq, RSS ≤ 32 MB" "n/a"
fi

# ---- insight: asff insight --group-by ResourceId vs Python json + collections.Counter
ins_cmp() { jq -S -c '[.InsightResults.ResultValues[] | [.GroupByAttributeValue, .Count]]' "$1" 2>/dev/null; }
if has_cmd insight; then
    time_cmd "python Counter" "$corpus" "$out/insight.py" "$py" "$here/py_insight.py"; ipw=$W; ipc=$C
    row "insight baseline: python json.loads per line + Counter" "$W s (cpu $C s)" "$(mbps "$bytes" "$W") MB/s" "RSS $(rssmb "$RSS")" "" ""
    for fe in "${fes[@]}"; do
        if [ "$fe" = simdjson ]; then gi=10; else gi=2.6; fi
        FE=$fe time_cmd "asff insight [$fe]" "$corpus" "$out/insight.asff.$fe" "$asff" insight --group-by ResourceId --format json
        AW[$fe,insight]=$W; AC[$fe,insight]=$C; ARSS[$fe,insight]=$RSS
        same=$(cmp -s <(ins_cmp "$out/insight.asff.$fe") <(ins_cmp "$out/insight.py") && echo same || echo DIFFERENT)
        speedup "$ipw" "$ipc" "$W" "$C"
        row "[$fe] insight: asff insight --group-by ResourceId (results $same as python)" "$W s (cpu $C s)" "$(mbps "$bytes" "$W") MB/s" \
            "python + Counter $RT; RSS $(rssmb "$RSS")" "≥ $gi× python" \
            "$(verdicts python "$(verdict "$R" $gi ge)" output "$([ "$same" = same ] && echo met || echo no)")"
    done
else
    row "insight: asff insight vs python Counter" "n/a (asff insight not built yet)" "" "" "≥ 10× python" "n/a"
fi

# ---- opt-in: DuckDB's read_json running the same filter and group-by over the same NDJSON
if [ $duckdb = 1 ]; then
    if ! command -v node >/dev/null || [ ! -d "$node_dir/node_modules/@duckdb/node-api" ]; then
        row "DuckDB read_json comparison" "n/a (no node or no $node_dir/node_modules/@duckdb/node-api: run tools/dev/deps.sh)" "" "" "" "n/a"
    elif ! has_cmd filter || ! has_cmd insight; then
        row "DuckDB read_json comparison" "n/a (asff filter / insight not built)" "" "" "" "n/a"
    else
        for q in filter insight; do
            if [ $q = filter ]; then key=filterndjson5; o=$out/filter.duckdb; else key=insight; o=$out/insight.duckdb; fi
            time_cmd "duckdb $q" /dev/null /dev/null node "$here/duckdb_query.mjs" "$node_dir" $q "$corpus" "$o"
            dw=$W; dc=$C; drss=$RSS
            if [ $q = filter ]; then
                same=$(same_as "$out/filter.py.5" "$out/filter.py.5" "$o"); what="filter CRITICAL ∧ ACTIVE, NDJSON 5%"
            else
                same=$(cmp -s <(ins_cmp "$o") <(ins_cmp "$out/insight.py") && echo same || echo DIFFERENT); what="group by ResourceId, top 100"
            fi
            row "DuckDB baseline: read_json in node, $what (results $same as python)" "$dw s (cpu $dc s)" "$(mbps "$bytes" "$dw") MB/s" "RSS $(rssmb "$drss")" "" ""
            for fe in "${fes[@]}"; do
                speedup "$dw" "$dc" "${AW[$fe,$key]}" "${AC[$fe,$key]}"; rm=$(ratio "$drss" "${ARSS[$fe,$key]}")
                row "[$fe] $q: asff vs DuckDB read_json" "" "" "$RT faster; peak RSS 1/$rm of DuckDB's" "≥ 5× faster, ≤ 1/10 of its RSS" \
                    "$(verdicts time "$(verdict "$R" 5 ge)" RSS "$(verdict "$rm" 10 ge)")"
            done
        done
    fi
fi

# ---- asff validate --jobs 2 vs --jobs 1 (throughput of the CLI on the main corpus, a file argument)
if has_opt validate --jobs; then
    for fe in "${fes[@]}"; do
        FE=$fe time_cmd "asff validate --jobs 1 [$fe]" /dev/null "$out/validate.j1" "$asff" validate --no-service-owned --jobs 1 "$corpus"; w1=$W; c1=$C
        FE=$fe time_cmd "asff validate --jobs 2 [$fe]" /dev/null "$out/validate.j2" "$asff" validate --no-service-owned --jobs 2 "$corpus"; w2=$W
        cmp -s "$out/validate.j1" "$out/validate.j2" && same=same || same=DIFFERENT
        r=$(ratio "$w1" "$w2")
        row "[$fe] validate --jobs 2 vs --jobs 1, $mb MB NDJSON (output $same)" "$w2 s, cpu $C s (jobs 1: $w1 s, cpu $c1 s)" "$(mbps "$bytes" "$w2") MB/s" \
            "$r× the single-job throughput" "≥ 1.7×" "$(verdict "$r" 1.7 ge)"
    done
else
    row "validate --jobs 2 vs --jobs 1" "n/a (asff validate has no --jobs yet)" "" "" "≥ 1.7×" "n/a"
fi

# ---- Python bindings: asff.iter_findings with a filter vs json.load + a comprehension, same document
if [ $bindings = 0 ]; then
    row "python: asff.iter_findings vs json.load" "skipped (--no-bindings)" "" "" "≥ 5×" "n/a"
elif [ -e "$build/libasff.so.0" ]; then
    pyb=$("$py" "$here/py_bindings.py" "$corpus_doc" --ndjson "$corpus" --lib "$build/libasff.so.0" --runs "$runs") || pyb=""
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
    echo "Corpus: $(basename "$corpus"), $mb MB, $nfind findings (gen_corpus.py --size $size, seed 20240101; the same findings with --match 0.22, and both as newline-free {\"Findings\"} documents); best of $runs runs; front-ends: ${fes[*]}"
    echo
    echo "| measurement | time | throughput | ratio / memory | goal | verdict |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$out/results.txt"
