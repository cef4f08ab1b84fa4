//! A read-write lock where readers do not queue behind a waiting writer.
//!
//! With an ordinary lock, one long read (a scan of a million activities)
//! and one writer waiting for it hold every later reader too: the writer
//! is first in line and they line up behind it (a convoy). Here a reader
//! joins the readers already in, so reads go on while a writer waits.
//! So that a steady stream of reads cannot keep a writer out for ever,
//! once a writer has waited [`WRITER_PATIENCE`] new readers line up
//! behind it again; the writer then waits for the reads already running,
//! which the request limits keep short.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// How long a writer waits before new readers queue behind it.
pub const WRITER_PATIENCE: Duration = Duration::from_millis(50);

pub struct ReaderFirstLock<T> {
    lock: RwLock<T>,
    patience: Duration,
    /// Microseconds since `epoch` when the writer now waiting started to
    /// wait; 0 when none waits.
    writer_waiting_since: AtomicU64,
    epoch: Instant,
}

impl<T> ReaderFirstLock<T> {
    pub fn new(value: T) -> ReaderFirstLock<T> {
        ReaderFirstLock::with_patience(value, WRITER_PATIENCE)
    }

    pub fn with_patience(value: T, patience: Duration) -> ReaderFirstLock<T> {
        ReaderFirstLock {
            lock: RwLock::new(value),
            patience,
            writer_waiting_since: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn micros(&self) -> u64 {
        (self.epoch.elapsed().as_micros() as u64).max(1)
    }

    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        let since = self.writer_waiting_since.load(Ordering::Acquire);
        let patient =
            since == 0 || self.micros().saturating_sub(since) < self.patience.as_micros() as u64;
        if patient {
            // Joins the readers in, even with a writer waiting.
            self.lock.read_recursive()
        } else {
            self.lock.read()
        }
    }

    /// A read now, or `None` while a writer holds the lock.
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        self.lock.try_read_recursive()
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        if let Some(guard) = self.lock.try_write() {
            return guard;
        }
        // The first writer to wait starts the clock; writers after it are
        // serialised behind it anyway.
        let _ = self.writer_waiting_since.compare_exchange(
            0,
            self.micros(),
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        let guard = self.lock.write();
        self.writer_waiting_since.store(0, Ordering::Release);
        guard
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::mpsc;
    use std::thread;

    #[test]
    fn a_reader_is_not_held_by_a_writer_waiting_for_a_long_read() {
        // Patient enough that the test does not depend on timing.
        let lock = Arc::new(ReaderFirstLock::with_patience(
            0u64,
            Duration::from_secs(3600),
        ));
        let long_read = lock.read();
        let writer = {
            let lock = lock.clone();
            thread::spawn(move || *lock.write() += 1)
        };
        // The writer is waiting now.
        while lock.writer_waiting_since.load(Ordering::Acquire) == 0 {
            thread::yield_now();
        }
        let (done, read_done) = mpsc::channel();
        {
            let lock = lock.clone();
            thread::spawn(move || done.send(*lock.read()).unwrap());
        }
        // Had it queued behind the writer, it would wait for ever: the long
        // read ends only after it.
        let seen = read_done
            .recv_timeout(Duration::from_secs(30))
            .expect("the new read went on while the writer waited");
        assert_eq!(seen, 0, "it read the state before the write");
        drop(long_read);
        writer.join().unwrap();
        assert_eq!(*lock.read(), 1);
    }

    #[test]
    fn a_steady_stream_of_reads_does_not_keep_a_writer_out() {
        let lock = Arc::new(ReaderFirstLock::with_patience(
            0u64,
            Duration::from_millis(10),
        ));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Overlapping readers: at any moment one of them holds the lock.
        let readers: Vec<_> = (0..4)
            .map(|_| {
                let (lock, stop) = (lock.clone(), stop.clone());
                thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let _g = lock.read();
                        thread::sleep(Duration::from_millis(2));
                    }
                })
            })
            .collect();
        thread::sleep(Duration::from_millis(20));
        let (done, wrote) = mpsc::channel();
        {
            let lock = lock.clone();
            thread::spawn(move || {
                *lock.write() += 1;
                done.send(()).unwrap();
            });
        }
        // Deadlock detection, not a speed test: without the patience the
        // writer would wait as long as the readers go on (for ever).
        let got_in = wrote.recv_timeout(Duration::from_secs(30));
        stop.store(true, Ordering::Relaxed);
        readers.into_iter().for_each(|r| r.join().unwrap());
        got_in.expect("the writer got in");
        assert_eq!(*lock.read(), 1);
    }
}
