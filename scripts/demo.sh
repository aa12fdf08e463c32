#!/usr/bin/env bash
# The main job on the demo data (a fictional county, 示例县), from a clean checkout:
#   bash scripts/demo.sh
# Sets itself up as scripts/test.sh does, installing what is missing when it can (apt-get, as
# root or through sudo) and saying so: a C compiler (gcc, libc6-dev: the bundled SQLite is C),
# Rust >= the workspace's rust-version (through apt when the distribution's is new enough, else it
# says how to get it with rustup), a CJK font (fonts-noto-cjk) for PNG charts, and Node.js with
# npm (nodejs, npm: the web server's front end is bundled during the build). Then builds
# landplan with cargo's progress shown, compiles the demo supply and reserve ledgers into reports
# (terminal, JSON, Markdown, Word, Excel, HTML, charts) under ./out/, checks the Word plans it
# wrote, and keeps the plan in the embedded default store, a GeoPackage (out/landplan.gpkg) that
# QGIS can open, through its life: imported (the ledger with its parcels' boundaries, a 国土TXT in
# zone 38 converted into the store's CRS, and the township boundaries), compiled, submitted,
# approved, published (QGIS then shows the layer of the published version), audit verified.
#
# Every step finishes on a machine without CJK fonts: SVG charts need no font; PNG charts are
# drawn when a CJK font is found, else a note says how to get one and the demo goes on.
#
# Environment (tests and CI):
#   LANDPLAN_BIN=PATH        use this landplan binary instead of building one
#   LANDPLAN_DEMO_OUT=DIR    write the outputs there (default: out)
#   LANDPLAN_NO_INSTALL=1    install nothing; only say what is missing
set -euo pipefail
cd "$(dirname "$0")/.."

total=8
n=0
step() { n=$((n + 1)); printf '\n[%d/%d] %s\n' "$n" "$total" "$*"; }
say() { printf '  %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
# Packages can be installed: apt-get, and root or sudo, and not switched off.
can_install() {
  [ "${LANDPLAN_NO_INSTALL:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1 &&
    { [ "$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1; }
}
apt_updated=0
install() {
  local who="以 root 身份"
  [ "$(id -u)" = 0 ] || who="通过 sudo（可能需要输入密码）"
  say "安装 $*（apt-get，${who}）……"
  if [ $apt_updated = 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  say "已安装 $*"
}
# version_ge A B: A >= B (dotted versions).
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | sed -n 1p)" = "$2" ]; }

out=${LANDPLAN_DEMO_OUT:-out}
supply=data/demo/example-county-supply-2025.csv
reserve=data/demo/example-county-reserve-2025.csv
parcels=data/demo/example-county-supply-2025-parcels.txt
townships=data/demo/example-county-townships.geojson
common=(--region 示例县 --year 2025 --force)

step "检查运行环境（缺少的软件能安装时自动安装）"
if [ -n "${LANDPLAN_BIN:-}" ]; then
  say "使用已有的 landplan：$LANDPLAN_BIN（不构建）"
else
  required=$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' Cargo.toml | sed -n 1p)
  if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
  fi
  have=$(rustc --version 2>/dev/null | awk '{print $2}' || true)
  if command -v cargo >/dev/null 2>&1 && [ -n "$have" ] && version_ge "$have" "$required"; then
    say "Rust $have（需要 ≥ $required）"
  else
    candidate=$(apt-cache policy rustc 2>/dev/null | awk '/Candidate:/ {print $2}' | sed 's/[+~-].*//' || true)
    if can_install && [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && version_ge "$candidate" "$required"; then
      install rustc cargo
    else
      say "需要 Rust $required 或更新的版本（当前：${have:-未安装}），本系统的软件源中没有合适的版本。"
      say "请用 rustup 安装后重新运行本脚本："
      say "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y && . \"\$HOME/.cargo/env\""
      exit 1
    fi
  fi
  if command -v cc >/dev/null 2>&1; then
    say "C 编译器：$(command -v cc)"
  elif can_install; then
    install gcc libc6-dev
  else
    say "缺少 C 编译器（构建内置的 SQLite 需要）。请安装：sudo apt-get install gcc libc6-dev"
    exit 1
  fi
fi
# A CJK font is needed only for PNG pictures; without one the demo still finishes.
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; then
  say "中文字体：已安装（PNG 图表可用）"
elif can_install; then
  install fonts-noto-cjk fontconfig || say "未能安装中文字体：PNG 图表将从略，SVG 图表不受影响"
else
  say "未找到中文字体，也无法自动安装：PNG 图表将从略，SVG 图表不受影响。"
  say "需要 PNG 时：sudo apt-get install fonts-noto-cjk（或 fonts-wqy-microhei），或用 --font FILE 指定字体文件"
fi

# Node.js and npm bundle the web server's front end (the interactive map of `landplan serve`)
# during the build; without them the build still finishes and the site works without it.
if [ -z "${LANDPLAN_BIN:-}" ]; then
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    say "Node.js $(node --version)、npm $(npm --version)（网站前端打包）"
  elif can_install; then
    pkgs=()
    command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
    command -v npm >/dev/null 2>&1 || pkgs+=(npm)
    install "${pkgs[@]}" || say "未能安装 Node.js/npm：网站的交互地图将从略，其余不受影响"
  else
    say "未找到 Node.js/npm，也无法自动安装：网站（landplan serve）的交互地图和表格排序将从略，页面照常可用。"
    say "需要时：sudo apt-get install nodejs npm，然后重新构建"
  fi
fi

step "构建 landplan"
if [ -n "${LANDPLAN_BIN:-}" ]; then
  lp=$LANDPLAN_BIN
  say "已跳过"
else
  say "首次构建要编译约 270 个软件包（下载另计），双核机器上约 7 至 13 分钟，占用约 1 GB 磁盘；以后再运行只需几秒。"
  say "下面是 cargo 的进度（每编译一个软件包一行）："
  cargo build --release --locked -p landplan-cli
  lp=${CARGO_TARGET_DIR:-target}/release/landplan
fi
mkdir -p "$out"

step "编制供应计划：JSON、Markdown、Word、Excel、HTML（Word 和 HTML 附地块分布图）"
# The parcels' boundaries and the townships make the plan's 地块分布图 (Word, HTML) and the
# parcel list's coordinates (Excel).
geo=()
[ -f "$parcels" ] && geo+=(--geometry "$parcels")
[ -f "$parcels" ] && [ -f "$townships" ] && geo+=(--townships "$townships")
"$lp" compile --ledger "$supply" "${common[@]}" --format json -o "$out/supply-2025.json"
"$lp" compile --ledger "$supply" "${common[@]}" --format md -o "$out/supply-2025.md"
"$lp" compile --ledger "$supply" "${common[@]}" "${geo[@]}" --format docx --date 2025年1月8日 -o "$out/示例县2025年度国有建设用地供应计划.docx"
"$lp" compile --ledger "$supply" "${common[@]}" "${geo[@]}" --format xlsx -o "$out/示例县2025年度国有建设用地供应计划附表.xlsx"
"$lp" compile --ledger "$supply" "${common[@]}" "${geo[@]}" --format html -o "$out/supply-2025.html"

step "编制储备计划：JSON、Word"
"$lp" compile --ledger "$reserve" --kind reserve "${common[@]}" --format json -o "$out/reserve-2025.json"
"$lp" compile --ledger "$reserve" --kind reserve "${common[@]}" --format docx -o "$out/示例县2025年度土地储备计划.docx"

step "绘制图表（SVG 不需要字体；PNG 需要中文字体）"
"$lp" render --ledger "$supply" --region 示例县 --year 2025 -o "$out/charts" --force
"$lp" render --ledger "$reserve" --kind reserve --region 示例县 --year 2025 -o "$out/charts" --force
# PNG: drawn when landplan finds a CJK font; otherwise its message and a note, and on.
png_err=$(mktemp)
if "$lp" render --ledger "$supply" --region 示例县 --year 2025 --format png -o "$out/charts" --force 2>"$png_err"; then
  "$lp" render --ledger "$reserve" --kind reserve --region 示例县 --year 2025 --format png -o "$out/charts" --force
else
  sed 's/^/  /' "$png_err"
  say "注：未绘制 PNG 图表（SVG 图表已写出，不受影响）。安装中文字体（sudo apt-get install fonts-noto-cjk）或加 --font FILE 后即可绘制 PNG。"
fi
rm -f "$png_err"
# A parcel map, when the demo ships parcel geometry (with the township boundaries when present).
geometry=$parcels
[ -f "$geometry" ] || geometry=$(find data/demo -maxdepth 1 -type f \( -name '*.txt' -o -name '*.geojson' -o -name '*.shp' -o -name '*.gpkg' \) ! -name "$(basename "$townships")" | sort | sed -n 1p)
if [ -n "$geometry" ]; then
  map_towns=()
  [ -f "$townships" ] && map_towns=(--map-townships "$townships")
  "$lp" render --map-parcels "$geometry" "${map_towns[@]}" --region 示例县 --year 2025 -o "$out/地块分布图.svg" --force
else
  say "示例数据中没有地块几何文件，未绘制地块分布图（有几何文件时：landplan render --map-parcels 地块.txt …）"
fi

step "审查本工具写出的计划文本"
"$lp" check "$out/示例县2025年度国有建设用地供应计划.docx" "$out/示例县2025年度土地储备计划.docx"

step "计划入库、公布、导出公布版，供地记录入库并监测执行（GeoPackage：$out/landplan.gpkg，可用 QGIS 打开）"
rm -f "$out/landplan.gpkg"
db=(--db "$out/landplan.gpkg")
"$lp" init "${db[@]}" --region 990000=示例省 --region 990100=示例市
# The ledger with its parcels' boundaries (国土TXT, zone 38: converted into the store's CRS).
geo_files=()
[ -f "$parcels" ] && geo_files=("$parcels")
"$lp" import "${db[@]}" "$supply" "${geo_files[@]}" --region 990101 --region-name 示例县 --year 2025 --user 演示
if [ -f "$townships" ]; then
  "$lp" import "${db[@]}" "$townships" --region 990101 --user 演示
fi
"$lp" plan create "${db[@]}" --region 990101 --year 2025 --user 演示
"$lp" plan submit "${db[@]}" --region 990101 --year 2025 --reason "报请县政府审批" --user 演示
"$lp" plan approve "${db[@]}" --region 990101 --year 2025 --user 演示
"$lp" plan publish "${db[@]}" --region 990101 --year 2025 --user 演示
"$lp" rollup "${db[@]}" --region 990100 --year 2025
"$lp" audit verify "${db[@]}"
# The published version out of the store, as the portal would carry it.
"$lp" plan export "${db[@]}" --region 990101 --year 2025 --format docx --force \
  -o "$out/示例县2025年度国有建设用地供应计划（公布版）.docx"
if [ -f "$parcels" ]; then
  "$lp" plan export "${db[@]}" --region 990101 --year 2025 --format geojson --force \
    -o "$out/示例县2025年度国有建设用地供应计划地块.geojson"
fi
# A year of supply records and the approval batches into the store, and the plan's execution
# judged from the store on 30 September (checkpoints as the demo's plan sets them).
"$lp" import "${db[@]}" data/demo/example-county-records-2025.csv --as records --region 990101 --user 演示
"$lp" import "${db[@]}" data/demo/example-county-batches.csv --as batches --region 990101 --user 演示
"$lp" monitor "${db[@]}" --region 990101 --year 2025 --as-of 2025-09-30 \
  --checkpoint 06-30=50 --checkpoint 09-30=75 --format html --force \
  -o "$out/示例县2025年度供应计划执行情况.html" || [ $? -eq 1 ] # 1: red warnings, as expected here
# The exported Word plan, the compiled one and the Excel 附表 state one set of figures.
"$lp" check "$out/示例县2025年度国有建设用地供应计划（公布版）.docx" \
  "$out/示例县2025年度国有建设用地供应计划.docx" "$out/示例县2025年度国有建设用地供应计划附表.xlsx" | tail -n 1
say "QGIS 打开 $out/landplan.gpkg 可见图层：parcel（全部导入的地块）、township（乡镇界）、plan_990101_2025_supply_v1（公布的第 1 版计划的地块）"
if command -v ogrinfo >/dev/null 2>&1; then
  say "GDAL（ogrinfo）读到的图层："
  ogrinfo -ro -q "$out/landplan.gpkg" 2>&1 | grep -v '(None)' | sed 's/^/  /'
fi

step "供应计划（终端报告）"
"$lp" compile --ledger "$supply" --region 示例县 --year 2025

echo
echo "全部 $total 步已完成。已写出（$out）："
ls -1 "$out" "$out/charts"
