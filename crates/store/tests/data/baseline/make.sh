#!/usr/bin/env bash
# How store.gpkg and the expected outputs beside it were made: with the landplan binary from
# before supply and reserve plans were one type (issue 10), whose stores hold the old
# SupplyPlan/ReservePlan JSON (no "kind") in plan_version.compiled.
#   bash make.sh /path/to/old/landplan
# The file is then repacked with sqlite3 (page size 1024, rollback journal) to keep it small;
# its content is what the old binary wrote.
set -euo pipefail
lp=$(readlink -f "$1")
cd "$(dirname "$0")"
rm -f store.gpkg store.gpkg-*
S=(--db store.gpkg)
q() { "$lp" "$@" >/dev/null; }
q init "${S[@]}" --region 990000=示例省 --region 990100=示例市 --region 990101=示例县 --region 990102=乙县
q import "${S[@]}" supply-v1.csv --region 990101 --region-name 示例县 --year 2025 --user 旧版
q import "${S[@]}" reserve.csv --kind reserve --region 990101 --region-name 示例县 --year 2025 --user 旧版
q import "${S[@]}" supply-v1.csv --region 990102 --region-name 乙县 --year 2025 --user 旧版
q plan create "${S[@]}" --region 990101 --year 2025 --user 旧版
q plan create "${S[@]}" --region 990101 --year 2025 --kind reserve --user 旧版
q plan create "${S[@]}" --region 990102 --year 2025 --user 旧版
for a in submit approve publish; do
  q plan $a "${S[@]}" --region 990101 --year 2025 --reason 测试 --user 旧版
done
q import "${S[@]}" supply-v2.csv --region 990101 --region-name 示例县 --year 2025 --user 旧版
q plan adjust "${S[@]}" --region 990101 --year 2025 --reason 年中调整 --user 旧版
"$lp" plan diff "${S[@]}" --region 990101 --year 2025 >diff.txt
"$lp" rollup "${S[@]}" --region 990100 --year 2025 >rollup.txt
"$lp" rollup "${S[@]}" --region 990000 --year 2025 --include-drafts >rollup-drafts.txt
"$lp" rollup "${S[@]}" --region 990100 --year 2025 --kind reserve --include-drafts >rollup-reserve.txt
sqlite3 store.gpkg "PRAGMA journal_mode=DELETE; PRAGMA page_size=1024; VACUUM;" >/dev/null
