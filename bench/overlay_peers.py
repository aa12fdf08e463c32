"""Peers for the overlay benchmark: per-parcel intersection area with the farmland layer.

Usage: overlay_peers.py {geopandas|duckdb} DIR OUT.csv [THREADS]
Writes "id,overlap_m2" for every parcel (0 when it meets no farmland), sorted by id.
"""
import sys
import time


def geopandas_run(d, out):
    import geopandas as gpd
    import numpy as np
    import shapely

    p = gpd.read_file(f"{d}/parcels.gpkg", engine="pyogrio")
    f = gpd.read_file(f"{d}/farmland.gpkg", engine="pyogrio")
    ip, jf = f.sindex.query(p.geometry, predicate="intersects")
    inter = shapely.intersection(p.geometry.values[ip], f.geometry.values[jf])
    areas = np.bincount(ip, weights=shapely.area(inter), minlength=len(p))
    ids = p["地块编号"].to_numpy()
    write(out, zip(ids, areas))


def duckdb_run(d, out, threads):
    import duckdb
    import duckdb_ext
    import os

    ext = os.path.join(list(duckdb_ext.__path__)[0], "extensions", "v" + duckdb.__version__,
                       "linux_amd64", "spatial.duckdb_extension")
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{ext}'")
    con.execute(f"SET threads = {threads}")
    con.execute(f"CREATE TABLE p AS SELECT * FROM ST_Read('{d}/parcels.gpkg')")
    con.execute(f"CREATE TABLE f AS SELECT * FROM ST_Read('{d}/farmland.gpkg')")
    # An inner spatial join (DuckDB 1.4.4 spatial crashes on the LEFT JOIN form at 100k
    # polygons); parcels without farmland get 0 afterwards.
    rows = dict(con.execute(
        """SELECT p."地块编号" AS id, SUM(ST_Area(ST_Intersection(p.geom, f.geom)))
           FROM p JOIN f ON ST_Intersects(p.geom, f.geom) GROUP BY 1"""
    ).fetchall())
    ids = [r[0] for r in con.execute('SELECT "地块编号" FROM p').fetchall()]
    write(out, [(i, rows.get(i, 0.0)) for i in ids])


def write(out, rows):
    with open(out, "w") as fh:
        fh.write("id,overlap_m2\n")
        for i, a in sorted(rows):
            fh.write(f"{i},{float(a):.6f}\n")


if __name__ == "__main__":
    tool, d, out = sys.argv[1:4]
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    t = time.time()
    if tool == "geopandas":
        geopandas_run(d, out)
    elif tool == "duckdb":
        duckdb_run(d, out, threads)
    else:
        sys.exit(f"unknown tool {tool}")
    print(f"{tool}: {time.time() - t:.2f} s", file=sys.stderr)
