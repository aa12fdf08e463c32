#!/usr/bin/env python3
"""Inputs of the national-size store, for bench/national.sh.

  national.py regions COUNTIES OUT_DIR
      OUT_DIR/regions.args   one `--region CODE=NAME` argument a line for `landplan init`
                             (31 provinces, their prefectures, their counties)
      OUT_DIR/counties.tsv   one county a line: index, code, name (index 0 is the template)

Provinces: the 31 provincial-level divisions of the mainland with their GB/T 2260 codes and
names (public facts). Prefectures and counties are generated, named as such (河北03市,
河北0321县): codes follow GB/T 2260's shape (prefecture PPxx00, county PPxxCC with CC from 21,
the range the standard gives counties), the counties spread evenly over the provinces, ten a
prefecture at most.
"""
import os
import sys

PROVINCES = [
    ("11", "北京市", "北京"), ("12", "天津市", "天津"), ("13", "河北省", "河北"),
    ("14", "山西省", "山西"), ("15", "内蒙古自治区", "内蒙古"), ("21", "辽宁省", "辽宁"),
    ("22", "吉林省", "吉林"), ("23", "黑龙江省", "黑龙江"), ("31", "上海市", "上海"),
    ("32", "江苏省", "江苏"), ("33", "浙江省", "浙江"), ("34", "安徽省", "安徽"),
    ("35", "福建省", "福建"), ("36", "江西省", "江西"), ("37", "山东省", "山东"),
    ("41", "河南省", "河南"), ("42", "湖北省", "湖北"), ("43", "湖南省", "湖南"),
    ("44", "广东省", "广东"), ("45", "广西壮族自治区", "广西"), ("46", "海南省", "海南"),
    ("50", "重庆市", "重庆"), ("51", "四川省", "四川"), ("52", "贵州省", "贵州"),
    ("53", "云南省", "云南"), ("54", "西藏自治区", "西藏"), ("61", "陕西省", "陕西"),
    ("62", "甘肃省", "甘肃"), ("63", "青海省", "青海"), ("64", "宁夏回族自治区", "宁夏"),
    ("65", "新疆维吾尔自治区", "新疆"),
]


def regions(counties, out):
    per, extra = divmod(counties, len(PROVINCES))
    args, rows = [], []
    for i, (pp, name, short) in enumerate(PROVINCES):
        args.append(f"--region={pp}0000={name}")
        n = per + (1 if i < extra else 0)
        prefectures = (n + 9) // 10
        for p in range(1, prefectures + 1):
            pcode = f"{pp}{p:02d}00"
            args.append(f"--region={pcode}={short}{p:02d}市")
            # The first prefectures take one county more until the province's count is met.
            k = n // prefectures + (1 if p <= n % prefectures else 0)
            for c in range(21, 21 + k):
                code = f"{pp}{p:02d}{c}"
                cname = f"{short}{p:02d}{c}县"
                args.append(f"--region={code}={cname}")
                rows.append((code, cname))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "regions.args"), "w", encoding="utf-8") as f:
        f.write("\n".join(args) + "\n")
    with open(os.path.join(out, "counties.tsv"), "w", encoding="utf-8") as f:
        for i, (code, cname) in enumerate(rows):
            f.write(f"{i}\t{code}\t{cname}\n")
    print(f"{len(PROVINCES)} provinces, {len(args) - len(rows) - len(PROVINCES)} prefectures, "
          f"{len(rows)} counties", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "regions":
        regions(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)
