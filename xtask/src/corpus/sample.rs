//! Seeded random samples of the directory: the same seed gives the same documents on
//! every machine (SplitMix64, a partial Fisher-Yates shuffle of the sorted list), and
//! the sample comes back in the list's order.

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast, and good enough to sample.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (rejection sampling, no modulo bias).
    fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % bound;
        loop {
            let x = self.next();
            if x < zone {
                return x % bound;
            }
        }
    }
}

/// `n` distinct items of `items` (all of them if there are fewer), chosen by `seed`,
/// in the order they have in `items`.
pub fn sample<T: Clone>(items: &[T], n: usize, seed: u64) -> Vec<T> {
    let mut rng = SplitMix64(seed);
    let mut order: Vec<usize> = (0..items.len()).collect();
    let n = n.min(items.len());
    for i in 0..n {
        let j = i + rng.below((items.len() - i) as u64) as usize;
        order.swap(i, j);
    }
    let mut chosen = order[..n].to_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| items[i].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_seeded_distinct_and_ordered() {
        let items: Vec<u32> = (0..100).collect();
        for (n, seed) in [
            (0, 1),
            (1, 1),
            (10, 1),
            (10, 2),
            (99, 3),
            (100, 4),
            (500, 5),
        ] {
            let chosen = sample(&items, n, seed);
            assert_eq!(chosen.len(), n.min(100), "{n} {seed}");
            assert!(chosen.windows(2).all(|w| w[0] < w[1]), "{n} {seed}");
            assert_eq!(
                chosen,
                sample(&items, n, seed),
                "{n} {seed}: not deterministic"
            );
        }
        assert_ne!(sample(&items, 10, 1), sample(&items, 10, 2));
    }

    #[test]
    fn the_same_seed_gives_the_same_sample_everywhere() {
        // Pinned: a change here changes every published sample.
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(sample(&items, 5, 42), [26, 182, 338, 413, 552]);
    }

    #[test]
    fn every_item_can_be_chosen() {
        let items: Vec<u32> = (0..20).collect();
        let mut seen = [false; 20];
        for seed in 0..200 {
            for i in sample(&items, 3, seed) {
                seen[i as usize] = true;
            }
        }
        assert!(seen.iter().all(|s| *s));
    }
}
