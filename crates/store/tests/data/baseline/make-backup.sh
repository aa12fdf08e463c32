#!/usr/bin/env bash
# How backup.gpkg was made: store.gpkg exported by the landplan from before the audit chain
# covered the state (issue 11; e.g. the build of commit 99d7254), so the backup has no seals
# and no parcel row hashes — what users' existing backups look like.
#   bash make-backup.sh /path/to/landplan-before-seals
# The file is repacked with sqlite3 (page size 1024) to keep it small; its content is what that
# binary wrote.
set -euo pipefail
lp=$(readlink -f "$1")
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp store.gpkg "$tmp/store.gpkg"
rm -f backup.gpkg
"$lp" export --db "$tmp/store.gpkg" backup.gpkg --user 旧版 >/dev/null
sqlite3 backup.gpkg "PRAGMA page_size=1024; VACUUM;" >/dev/null
