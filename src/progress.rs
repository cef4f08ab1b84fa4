//! How far a long start (generating or loading a million activities) has
//! got, readable from another thread while it runs: the dashboard draws it
//! as a gauge, `serve` prints it.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    unit: AtomicU8,
}

/// What a start counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// Activities generated.
    #[default]
    Activities,
    /// Bytes of a file read.
    Bytes,
    /// Journal changes replayed.
    Changes,
}

/// What a start is doing, for a person to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub done: u64,
    pub total: u64,
    pub unit: Unit,
}

impl Progress {
    /// Starts counting `total` `unit`s from none.
    pub fn start(&self, total: u64, unit: Unit) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        self.unit.store(unit as u8, Ordering::Relaxed);
    }

    pub fn set(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    pub fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    pub fn read(&self) -> Reading {
        let total = self.total.load(Ordering::Relaxed);
        let unit = match self.unit.load(Ordering::Relaxed) {
            1 => Unit::Bytes,
            2 => Unit::Changes,
            _ => Unit::Activities,
        };
        Reading {
            done: self.done.load(Ordering::Relaxed).min(total),
            total,
            unit,
        }
    }
}

impl Reading {
    /// 0.0 to 1.0.
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.done as f64 / self.total as f64
        }
    }
}
