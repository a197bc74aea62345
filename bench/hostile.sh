#!/usr/bin/env bash
# Time and peak memory of parsing each hostile document (issue 14): writes
# them with the `hostile` crate's example, then runs `tagline parse-feed`
# or `tagline extract` on each under GNU time. Needs a release build and
# Debian's `time`. Usage: bash bench/hostile.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-$(mktemp -d /tmp/tagline-hostile.XXXXXX)}
cargo build --release -q -p tagline
cargo run --release -q -p hostile --example write -- "$dir"
printf '| input | bytes | command | exit | seconds | peak RSS (MB) |\n| --- | ---: | --- | ---: | ---: | ---: |\n'
for f in "$dir"/*; do
    name=$(basename "$f")
    case "$name" in
        feed-*) cmd=(parse-feed --url https://hostile.example/feed "$f") ;;
        page-*) cmd=(extract --url https://hostile.example/a.html "$f") ;;
        *) continue ;;
    esac
    set +e
    /usr/bin/time -f '%e %M' -o "$dir/.time" target/release/tagline "${cmd[@]}" >/dev/null 2>&1
    code=$?
    set -e
    read -r secs kb < <(tail -n 1 "$dir/.time")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$(stat -c %s "$f")" "${cmd[0]}" "$code" "$secs" "$((kb / 1024))"
done
