//! A compact index for finding duplicate parcels while a ledger streams past.
//!
//! Finding duplicate ids and "the same parcel under two ids" (same 坐落, same area) needs a key
//! per parcel for the whole ledger. Keeping each key as owned `String`s in hash maps costs a few
//! hundred bytes and several allocations per parcel, which for a million-parcel ledger is more
//! than the ledger file itself. [`DuplicateIndex`] keeps, per parcel, its id in one shared text
//! arena, its row, and two hashed keys: about 60 bytes and no allocation per parcel.
//!
//! Ids are compared exactly (a hash match is checked against the stored id). Places are
//! compared by a 64-bit hash of (normalised location, area): for a million parcels the chance
//! that two different places collide anywhere in the ledger is about 3 in 100 million, and the
//! finding it would cause is a warning (疑似同一地块) that a person checks.

use rust_decimal::Decimal;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// A multiply-rotate hasher (the FxHash scheme): fast for short keys that are not adversarial
/// (the index checks every id match exactly; landplan-io's word caches are bounded). The hash
/// does not depend on the process.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxBuild;

/// The hasher [`FxBuild`] builds.
#[derive(Debug)]
pub struct Fx(u64);

impl BuildHasher for FxBuild {
    type Hasher = Fx;
    #[inline]
    fn build_hasher(&self) -> Fx {
        Fx(0)
    }
}

const FX_K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(FX_K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(FX_K);
        }
    }
    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(FX_K);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Keys that are already hashes: hash them as themselves.
#[derive(Default, Clone, Copy)]
struct Identity;

struct IdentityHasher(u64);

impl BuildHasher for Identity {
    type Hasher = IdentityHasher;
    fn build_hasher(&self) -> IdentityHasher {
        IdentityHasher(0)
    }
}

impl Hasher for IdentityHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A finalising mix (from splitmix64) so that similar ids spread over the table.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash_id(id: &str) -> u64 {
    let mut h = FxBuild.build_hasher();
    h.write(id.as_bytes());
    mix(h.finish() ^ id.len() as u64)
}

/// The place key of a location as written and an area: the location normalised as
/// [`crate::class::normalize_name`] normalises it (full-width and traditional characters
/// mapped, whitespace and bracketed remarks dropped), hashed character by character without
/// building the normalised string, then the area without trailing zeros. `None` when nothing
/// of the location is left. The hash does not depend on the process.
fn hash_place(location: &str, area: Decimal) -> Option<u64> {
    let mut h = FxBuild.build_hasher();
    let mut depth = 0u32;
    let mut chars = 0u64;
    for ch in location.chars() {
        match crate::text::normalize_char(ch) {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if c.is_whitespace() => {}
            c if depth == 0 => {
                h.write_u64(c as u64);
                chars += 1;
            }
            _ => {}
        }
    }
    if chars == 0 {
        return None;
    }
    h.write(&area.normalize().serialize());
    Some(mix(h.finish() ^ chars))
}

/// What adding a parcel found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamePlace {
    /// The earlier parcel's id.
    pub id: String,
    /// The earlier parcel's row.
    pub row: usize,
}

/// The duplicate index. See the module documentation.
#[derive(Default)]
pub struct DuplicateIndex {
    /// All ids, one after the other.
    arena: String,
    /// End of each parcel's id in `arena`, by parcel number.
    ends: Vec<u32>,
    /// Row of each parcel, by parcel number.
    rows: Vec<u32>,
    /// Hash of an id → the first parcel with it.
    ids: HashMap<u64, u32, Identity>,
    /// Ids whose hash collided with a different id (practically never).
    collided: HashMap<String, u32>,
    /// Ids seen more than once → every row, in order.
    duplicates: HashMap<String, Vec<usize>>,
    /// Hash of (location, area) → the first parcel there.
    places: HashMap<u64, u32, Identity>,
}

impl std::fmt::Debug for DuplicateIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DuplicateIndex")
            .field("parcels", &self.rows.len())
            .field("duplicate_ids", &self.duplicates.len())
            .finish()
    }
}

impl DuplicateIndex {
    /// An empty index.
    pub fn new() -> DuplicateIndex {
        DuplicateIndex::default()
    }

    /// How many parcels were added.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True before any parcel is added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn id_of(&self, n: u32) -> &str {
        let n = n as usize;
        let start = if n == 0 { 0 } else { self.ends[n - 1] as usize };
        &self.arena[start..self.ends[n] as usize]
    }

    /// Add a parcel: its id, its row, and its place (the 坐落 as written, normalised here, and
    /// the area in hectares), when it has a location. Returns the earlier parcel at the same place under
    /// a different id, if there is one (the first such parcel).
    pub fn add(
        &mut self,
        id: &str,
        row: usize,
        place: Option<(&str, Decimal)>,
    ) -> Option<SamePlace> {
        let n = self.rows.len() as u32;
        self.arena.push_str(id);
        self.ends.push(self.arena.len() as u32);
        self.rows.push(row as u32);

        // Duplicate ids.
        let h = hash_id(id);
        match self.ids.get(&h).copied() {
            None => {
                self.ids.insert(h, n);
            }
            Some(first) if self.id_of(first) == id => {
                let first_row = self.rows[first as usize] as usize;
                self.duplicates
                    .entry(id.to_string())
                    .or_insert_with(|| vec![first_row])
                    .push(row);
            }
            Some(_) => match self.collided.get(id).copied() {
                None => {
                    self.collided.insert(id.to_string(), n);
                }
                Some(first) => {
                    let first_row = self.rows[first as usize] as usize;
                    self.duplicates
                        .entry(id.to_string())
                        .or_insert_with(|| vec![first_row])
                        .push(row);
                }
            },
        }

        // Same place under another id.
        let (loc, area) = place?;
        let key = hash_place(loc, area)?;
        match self.places.get(&key).copied() {
            None => {
                self.places.insert(key, n);
                None
            }
            Some(other) => {
                let other_id = self.id_of(other);
                (other_id != id).then(|| SamePlace {
                    id: other_id.to_string(),
                    row: self.rows[other as usize] as usize,
                })
            }
        }
    }

    /// Ids listed more than once, each with all its rows, ordered by first row.
    pub fn duplicate_ids(&self) -> Vec<(String, Vec<usize>)> {
        let mut v: Vec<(String, Vec<usize>)> = self
            .duplicates
            .iter()
            .map(|(id, rows)| (id.clone(), rows.clone()))
            .collect();
        v.sort_by_key(|(_, rows)| rows[0]);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn finds_duplicate_ids_with_every_row() {
        let mut ix = DuplicateIndex::new();
        for (i, id) in ["A", "B", "A", "C", "B", "A"].iter().enumerate() {
            assert_eq!(ix.add(id, i + 2, None), None);
        }
        assert_eq!(
            ix.duplicate_ids(),
            [
                ("A".to_string(), vec![2, 4, 7]),
                ("B".to_string(), vec![3, 6])
            ]
        );
        assert_eq!(ix.len(), 6);
    }

    #[test]
    fn places_compare_as_normalised_text() {
        let mut ix = DuplicateIndex::new();
        assert_eq!(ix.add("A1", 2, Some(("城关镇北环路东段", d("1.5")))), None);
        // Spaces, a bracketed remark, full-width and traditional characters do not make a
        // different place.
        let same = ix.add("A2", 3, Some(("城關鎮 北环路东段（拆迁）", d("1.50"))));
        assert_eq!(same.map(|s| s.id), Some("A1".to_string()));
        // Another street is another place; a location that is only a remark is no place.
        assert_eq!(ix.add("A3", 4, Some(("城关镇南环路东段", d("1.5")))), None);
        assert_eq!(ix.add("A4", 5, Some(("（待定）", d("1.5")))), None);
        assert_eq!(ix.add("A5", 6, Some(("（待定）", d("1.5")))), None);
    }

    #[test]
    fn same_place_and_area_under_another_id() {
        let mut ix = DuplicateIndex::new();
        assert_eq!(
            ix.add(
                "CB2026009",
                10,
                Some(("迎宾南路西侧、幸福路南侧", d("2.6466")))
            ),
            None
        );
        // Same location, other area: not the same parcel.
        assert_eq!(
            ix.add(
                "CB2026010",
                11,
                Some(("迎宾南路西侧、幸福路南侧", d("2.6467")))
            ),
            None
        );
        // 2.64660 is the same area as 2.6466.
        assert_eq!(
            ix.add(
                "CB2025011",
                13,
                Some(("迎宾南路西侧、幸福路南侧", d("2.64660")))
            ),
            Some(SamePlace {
                id: "CB2026009".into(),
                row: 10
            })
        );
        // The same id again at the same place is a duplicate id, not a second parcel there.
        assert_eq!(
            ix.add(
                "CB2026009",
                14,
                Some(("迎宾南路西侧、幸福路南侧", d("2.6466")))
            ),
            None
        );
        assert_eq!(ix.duplicate_ids().len(), 1);
        assert_eq!(ix.add("X", 15, Some(("", d("1")))), None);
    }

    #[test]
    fn many_parcels_stay_exact() {
        let mut ix = DuplicateIndex::new();
        for i in 0..200_000u32 {
            let id = format!("SLX2025-{i:07}");
            assert_eq!(ix.add(&id, i as usize + 2, Some((&id, d("1.5")))), None);
        }
        assert!(ix.duplicate_ids().is_empty());
        assert_eq!(ix.add("SLX2025-0123456", 999_999, None), None);
        assert_eq!(
            ix.duplicate_ids(),
            [("SLX2025-0123456".to_string(), vec![123_458, 999_999])]
        );
    }
}
