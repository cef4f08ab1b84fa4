//! A set of store rows as bits: what a query selects. Counting is a
//! popcount and a page walks the set in order, so an answer never needs
//! a list of every match.

/// Rows `0..n`, a bit each.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowSet {
    words: Vec<u64>,
    n: usize,
}

impl RowSet {
    pub const EMPTY: RowSet = RowSet {
        words: Vec::new(),
        n: 0,
    };

    pub fn empty(n: usize) -> RowSet {
        RowSet {
            words: vec![0; n.div_ceil(64)],
            n,
        }
    }

    pub fn all(n: usize) -> RowSet {
        let mut words = vec![u64::MAX; n.div_ceil(64)];
        if !n.is_multiple_of(64)
            && let Some(last) = words.last_mut()
        {
            *last = (1u64 << (n % 64)) - 1;
        }
        RowSet { words, n }
    }

    /// The number of rows the set ranges over (not how many are in it).
    pub fn universe(&self) -> usize {
        self.n
    }

    /// How many rows are in the set.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn contains(&self, i: usize) -> bool {
        i < self.n && self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// Adds row `i`; false when it was in already.
    pub fn insert(&mut self, i: usize) -> bool {
        let (word, bit) = (&mut self.words[i / 64], 1u64 << (i % 64));
        let new = *word & bit == 0;
        *word |= bit;
        new
    }

    /// Adds every row of `rows` (each below the universe).
    pub fn add_all(&mut self, rows: &[u32]) {
        for &r in rows {
            let r = r as usize;
            if let Some(word) = self.words.get_mut(r / 64) {
                *word |= 1 << (r % 64);
            }
        }
    }

    /// Puts row `i` in or out, growing the universe to include it.
    pub fn set(&mut self, i: usize, on: bool) {
        if i >= self.n {
            self.n = i + 1;
            self.words.resize(self.n.div_ceil(64), 0);
        }
        let bit = 1u64 << (i % 64);
        if on {
            self.words[i / 64] |= bit;
        } else {
            self.words[i / 64] &= !bit;
        }
    }

    /// Keeps the rows also in `other` (or, `negated`, not in it); rows past
    /// `other`'s universe count as not in it.
    pub fn intersect(&mut self, other: &RowSet, negated: bool) {
        let theirs = other.words.iter().copied().chain(std::iter::repeat(0));
        for (w, o) in self.words.iter_mut().zip(theirs) {
            *w &= if negated { !o } else { o };
        }
    }

    /// Keeps the rows in `range` (or, `negated`, outside it).
    pub fn keep_range(&mut self, range: std::ops::Range<usize>, negated: bool) {
        let mut inside = RowSet::empty(self.n);
        let (lo, hi) = (range.start.min(self.n), range.end.min(self.n));
        if lo < hi {
            let (first, last) = (lo / 64, (hi - 1) / 64);
            for k in first..=last {
                let from = if k == first { lo % 64 } else { 0 };
                let to = if k == last { (hi - 1) % 64 + 1 } else { 64 };
                let width = to - from;
                let mask = if width == 64 {
                    u64::MAX
                } else {
                    ((1u64 << width) - 1) << from
                };
                inside.words[k] = mask;
            }
        }
        self.intersect(&inside, negated);
    }

    /// The rows in the set, ascending.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = usize> + '_ {
        self.words
            .iter()
            .enumerate()
            .flat_map(|(k, &w)| Bits(w).map(move |b| k * 64 + b))
    }

    /// The rows in the set, descending.
    pub fn iter_desc(&self) -> impl Iterator<Item = usize> + '_ {
        self.words
            .iter()
            .enumerate()
            .rev()
            .flat_map(|(k, &w)| Bits(w).rev().map(move |b| k * 64 + b))
    }

    pub fn indices(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.count());
        out.extend(self.iter());
        out
    }

    /// The highest `take` rows after skipping the highest `skip`; whole
    /// words are skipped by their popcount.
    pub fn highest(&self, mut skip: usize, take: usize) -> Vec<usize> {
        let mut out = Vec::with_capacity(take.min(1024));
        for (k, &w) in self.words.iter().enumerate().rev() {
            if out.len() == take {
                break;
            }
            let ones = w.count_ones() as usize;
            if skip >= ones {
                skip -= ones;
                continue;
            }
            for b in Bits(w).rev() {
                if skip > 0 {
                    skip -= 1;
                } else if out.len() < take {
                    out.push(k * 64 + b);
                }
            }
        }
        out
    }

    pub(super) fn words_mut(&mut self) -> &mut [u64] {
        &mut self.words
    }
}

/// The set bits of one word, lowest first (or highest, reversed).
struct Bits(u64);

impl Iterator for Bits {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        (self.0 != 0).then(|| {
            let b = self.0.trailing_zeros() as usize;
            self.0 &= self.0 - 1;
            b
        })
    }
}

impl DoubleEndedIterator for Bits {
    fn next_back(&mut self) -> Option<usize> {
        (self.0 != 0).then(|| {
            let b = 63 - self.0.leading_zeros() as usize;
            self.0 &= !(1u64 << b);
            b
        })
    }
}

#[cfg(test)]
mod tests {
    use super::RowSet;

    #[test]
    fn walks_both_ways_and_pages_from_the_top() {
        let mut s = RowSet::empty(200);
        for i in [0, 3, 63, 64, 65, 127, 128, 199] {
            assert!(s.insert(i));
        }
        assert!(!s.insert(3));
        assert_eq!(s.count(), 8);
        assert_eq!(s.indices(), vec![0, 3, 63, 64, 65, 127, 128, 199]);
        let desc: Vec<usize> = s.iter_desc().collect();
        assert_eq!(desc, vec![199, 128, 127, 65, 64, 63, 3, 0]);
        assert_eq!(s.highest(0, 3), vec![199, 128, 127]);
        assert_eq!(s.highest(2, 3), vec![127, 65, 64]);
        assert_eq!(s.highest(7, 3), vec![0]);
        assert_eq!(s.highest(8, 3), Vec::<usize>::new());
        assert_eq!(RowSet::all(130).count(), 130);
        for (lo, hi) in [(0, 200), (3, 64), (63, 65), (64, 128), (5, 5), (128, 300)] {
            let mut inside = s.clone();
            inside.keep_range(lo..hi, false);
            let want: Vec<usize> = s.iter().filter(|i| (lo..hi).contains(i)).collect();
            assert_eq!(inside.indices(), want, "{lo}..{hi}");
            let mut outside = s.clone();
            outside.keep_range(lo..hi, true);
            let want: Vec<usize> = s.iter().filter(|i| !(lo..hi).contains(i)).collect();
            assert_eq!(outside.indices(), want, "not {lo}..{hi}");
        }
        assert!(!RowSet::all(130).contains(130));
    }
}
