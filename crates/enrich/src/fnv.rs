//! FNV-1a hashing: the same value for the same bytes on every run and
//! platform (the trained model's feature buckets depend on it), and fast on
//! the short words enrichment hashes.

use std::collections::HashMap;

const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0100_0000_01b3;

/// The FNV-1a hash of `data`, in the family picked by `seed` (0: plain FNV-1a).
pub(crate) fn fnv1a(data: &[u8], seed: u64) -> u64 {
    extend(BASIS ^ seed, data)
}

/// The FNV-1a hash of the concatenation of `parts`, without building it:
/// `fnv1a_parts(&[a, b], s) == fnv1a(&[a, b].concat(), s)`.
pub(crate) fn fnv1a_parts(parts: &[&[u8]], seed: u64) -> u64 {
    parts.iter().fold(BASIS ^ seed, |h, p| extend(h, p))
}

fn extend(h: u64, data: &[u8]) -> u64 {
    data.iter().fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME))
}

/// A `Hasher` for in-memory maps with small keys hashed once per word or
/// n-gram: SipHash's protection against chosen keys buys nothing there.
pub(crate) struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        Self(BASIS)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = extend(self.0, bytes);
    }
}

/// A `HashMap` hashed with FNV-1a.
pub(crate) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FnvHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fnv1a_matches_the_published_test_vector() {
        // FNV-1a 64 of "a", from the reference test suite.
        assert_eq!(fnv1a(b"a", 0), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn hashing_parts_is_hashing_their_concatenation() {
        assert_eq!(fnv1a_parts(&[b"oil", b" ", b"spill"], 2), fnv1a(b"oil spill", 2));
        assert_eq!(fnv1a_parts(&[], 1), fnv1a(b"", 1));
    }
}
