#!/usr/bin/env bash
# The main job on the demo data (a fictional county, 示例县), from a clean checkout:
#   bash scripts/demo.sh
# Builds landplan, compiles the demo supply and reserve ledgers into reports (terminal, JSON,
# Markdown, Word, Excel, HTML, charts) under ./out/, checks the Word plan it wrote, and keeps the
# plan in the embedded default store, a GeoPackage (out/landplan.gpkg) that QGIS can open, through
# its life: imported, compiled, submitted, approved, published, audit verified.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --quiet -p landplan-cli
lp=target/release/landplan
mkdir -p out

supply=data/demo/example-county-supply-2025.csv
reserve=data/demo/example-county-reserve-2025.csv
common=(--region 示例县 --year 2025 --force)

"$lp" compile --ledger "$supply" "${common[@]}" --format json -o out/supply-2025.json
"$lp" compile --ledger "$supply" "${common[@]}" --format md -o out/supply-2025.md
"$lp" compile --ledger "$supply" "${common[@]}" --format docx --date 2025年1月8日 -o out/示例县2025年度国有建设用地供应计划.docx
"$lp" compile --ledger "$supply" "${common[@]}" --format xlsx -o out/示例县2025年度国有建设用地供应计划附表.xlsx
"$lp" compile --ledger "$supply" "${common[@]}" --format html -o out/supply-2025.html
"$lp" compile --ledger "$reserve" --kind reserve "${common[@]}" --format json -o out/reserve-2025.json
"$lp" compile --ledger "$reserve" --kind reserve "${common[@]}" --format docx -o out/示例县2025年度土地储备计划.docx
"$lp" render --ledger "$supply" --region 示例县 --year 2025 -o out/charts --force

echo
echo "== 审查本工具写出的计划文本 =="
"$lp" check out/示例县2025年度国有建设用地供应计划.docx out/示例县2025年度土地储备计划.docx

echo
echo "== 计划入库（GeoPackage：out/landplan.gpkg） =="
rm -f out/landplan.gpkg
db=(--db out/landplan.gpkg)
"$lp" init "${db[@]}" --region 990000=示例省 --region 990100=示例市
"$lp" import "${db[@]}" "$supply" --region 990101 --region-name 示例县 --year 2025 --user 演示
"$lp" plan create "${db[@]}" --region 990101 --year 2025 --user 演示
"$lp" plan submit "${db[@]}" --region 990101 --year 2025 --reason "报请县政府审批" --user 演示
"$lp" plan approve "${db[@]}" --region 990101 --year 2025 --user 演示
"$lp" plan publish "${db[@]}" --region 990101 --year 2025 --user 演示
"$lp" rollup "${db[@]}" --region 990100 --year 2025
"$lp" audit verify "${db[@]}"

echo
echo "== 供应计划（终端报告） =="
"$lp" compile --ledger "$supply" --region 示例县 --year 2025

echo
echo "已写出："
ls -1 out
