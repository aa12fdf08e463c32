#!/usr/bin/env python3
"""Geometry for a generated ledger, for bench/store.sh.

Reads the ledger CSV written by `landplan gen-ledger` and writes, for the same parcels:
  OUT.geojsonl           one GeoJSON feature per line: 地块编号 + a square in EPSG:4527
  OUT-full.geojsonl      the same features carrying every ledger column (what ogr2ogr loads)
Squares are laid out on a grid (CGCS2000 3-degree Gauss-Kruger zone 39 with zone prefix).
"""
import csv
import json
import sys

ledger, out = sys.argv[1], sys.argv[2]
CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}}
with open(ledger, encoding="utf-8-sig", newline="") as f, \
        open(out + ".geojsonl", "w", encoding="utf-8") as g, \
        open(out + "-full.geojsonl", "w", encoding="utf-8") as full:
    reader = csv.reader(f)
    header = next(reader)
    for i, row in enumerate(reader):
        x = 39_500_000.0 + (i % 1000) * 200.0
        y = 3_400_000.0 + (i // 1000) * 200.0
        ring = [[x, y], [x + 120, y], [x + 120, y + 120], [x, y + 120], [x, y]]
        geom = {"type": "Polygon", "coordinates": [ring]}
        feat = {"type": "Feature", "properties": {"地块编号": row[0]}, "geometry": geom}
        props = dict(zip(header, row))
        ffull = {"type": "Feature", "properties": props, "geometry": geom}
        if i == 0:
            feat["crs"] = CRS
        g.write(json.dumps(feat, ensure_ascii=False, separators=(",", ":")) + "\n")
        full.write(json.dumps(ffull, ensure_ascii=False, separators=(",", ":")) + "\n")
