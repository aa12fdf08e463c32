#!/usr/bin/env bash
# The main job on the demo data (a fictional county, 示例县), from a clean checkout:
#   bash scripts/demo.sh
# Builds landplan, compiles the demo supply and reserve ledgers, writes the reports into ./out/
# and prints the supply plan to the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --quiet -p landplan-cli
lp=target/release/landplan
mkdir -p out

supply=data/demo/example-county-supply-2025.csv
reserve=data/demo/example-county-reserve-2025.csv

"$lp" compile --ledger "$supply" --region 示例县 --year 2025 --format json -o out/supply-2025.json --force
"$lp" compile --ledger "$supply" --region 示例县 --year 2025 --format md -o out/supply-2025.md --force
"$lp" compile --ledger "$reserve" --kind reserve --region 示例县 --year 2025 --format json -o out/reserve-2025.json --force
"$lp" compile --ledger "$reserve" --kind reserve --region 示例县 --year 2025 -o out/reserve-2025.txt --force

"$lp" compile --ledger "$supply" --region 示例县 --year 2025

echo
echo "已写出：" out/*
