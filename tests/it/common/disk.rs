//! A journal file whose disk can be made to fill up: writes then fail as
//! on a full disk (half the record lands, then ENOSPC), syncs fail, and a
//! cut (shrinking a file) still works, as it does on a full filesystem.

use std::fs::File;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use landscape_tui::engine::state::JournalFile;

/// Shared switch: `full.store(true)` fills the disk, `false` frees it.
pub type Full = Arc<AtomicBool>;

pub struct FillingDisk {
    file: File,
    full: Full,
}

impl FillingDisk {
    pub fn wrap(full: &Full) -> impl FnOnce(File) -> Box<dyn JournalFile> + use<> {
        let full = full.clone();
        move |file| Box::new(FillingDisk { file, full })
    }
}

fn no_space() -> std::io::Error {
    std::io::Error::from_raw_os_error(28) // ENOSPC
}

impl JournalFile for FillingDisk {
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.full.load(Ordering::SeqCst) {
            // A torn write: what fitted went in.
            self.file.write_all(&bytes[..bytes.len() / 2])?;
            return Err(no_space());
        }
        self.file.write_all(bytes)
    }

    fn sync(&mut self) -> std::io::Result<()> {
        if self.full.load(Ordering::SeqCst) {
            return Err(no_space());
        }
        self.file.sync_data()
    }

    fn cut(&mut self, len: u64) -> std::io::Result<()> {
        self.file.set_len(len)?;
        self.file.sync_all()
    }
}
