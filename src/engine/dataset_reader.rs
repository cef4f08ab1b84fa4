//! Reading a dataset file as a stream: the top-level object is walked byte
//! by byte, each record of `computers` and `activities` is cut out whole and
//! handed, in batches, to threads that parse it into its type. Only a few
//! batches of text are in memory at a time, whatever the file's size, and
//! the cores parse while the file is still being read.

use std::io::Read;
use std::ops::Range;
use std::sync::mpsc;

use serde::de::DeserializeOwned;

/// Why a dataset file could not be read, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetError(pub String);

impl std::fmt::Display for DatasetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DatasetError {}

/// Records handed to a parsing thread at a time.
const BATCH_RECORDS: usize = 2048;
/// Bytes read from the file at a time.
const READ_BYTES: usize = 4 << 20;

/// A record's text and its position in its list.
pub struct RawRecord<'a> {
    pub index: usize,
    pub text: &'a [u8],
}

/// The top level of a dataset, as it streams past.
pub struct DatasetReader<R: Read> {
    input: R,
    buf: Vec<u8>,
    pos: usize,
    /// Bytes consumed before `buf[0]`, for error positions.
    offset: u64,
    eof: bool,
    started: bool,
}

/// What a top-level key is followed by.
pub enum Entry {
    /// A list of records: read it with [`DatasetReader::records`].
    List(String),
    /// Any other value, whole.
    Value(String, Vec<u8>),
}

impl<R: Read> DatasetReader<R> {
    pub fn new(input: R) -> DatasetReader<R> {
        DatasetReader {
            input,
            buf: Vec::new(),
            pos: 0,
            offset: 0,
            eof: false,
            started: false,
        }
    }

    fn error(&self, what: &str) -> DatasetError {
        DatasetError(format!(
            "not a dataset: {what} at byte {}",
            self.offset + self.pos as u64
        ))
    }

    /// Makes at least one unread byte available, unless the input ended.
    fn fill(&mut self) -> Result<bool, DatasetError> {
        if self.pos < self.buf.len() {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.offset += self.buf.len() as u64;
        self.buf.resize(READ_BYTES, 0);
        self.pos = 0;
        let n = loop {
            match self.input.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(DatasetError(format!("reading the dataset: {e}"))),
            }
        };
        self.buf.truncate(n);
        self.eof = n == 0;
        Ok(n > 0)
    }

    fn peek(&mut self) -> Result<Option<u8>, DatasetError> {
        Ok(if self.fill()? {
            Some(self.buf[self.pos])
        } else {
            None
        })
    }

    fn skip_ws(&mut self) -> Result<Option<u8>, DatasetError> {
        while let Some(b) = self.peek()? {
            if !b.is_ascii_whitespace() {
                return Ok(Some(b));
            }
            self.pos += 1;
        }
        Ok(None)
    }

    fn expect(&mut self, want: u8, what: &str) -> Result<(), DatasetError> {
        match self.skip_ws()? {
            Some(b) if b == want => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.error(&format!("expected {what}"))),
            None => Err(self.error(&format!("the file ends where {what} was expected"))),
        }
    }

    /// Copies one whole JSON value (with everything inside it) to `out`.
    fn copy_value(&mut self, out: &mut Vec<u8>) -> Result<(), DatasetError> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let start = match self.skip_ws()? {
            Some(b) => b,
            None => return Err(self.error("the file ends where a value was expected")),
        };
        let scalar = !matches!(start, b'{' | b'[' | b'"');
        loop {
            if !self.fill()? {
                if scalar && depth == 0 && !in_string {
                    return Ok(());
                }
                return Err(self.error("the file ends inside a value"));
            }
            let chunk = &self.buf[self.pos..];
            let mut used = 0;
            let mut done = false;
            while used < chunk.len() {
                let b = chunk[used];
                if in_string {
                    // Most of a record is string text: jump to its next
                    // quote or backslash.
                    if !escaped && b != b'"' && b != b'\\' {
                        match memchr::memchr2(b'"', b'\\', &chunk[used..]) {
                            Some(at) => used += at,
                            None => used = chunk.len(),
                        }
                        continue;
                    }
                    used += 1;
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            done = true;
                            break;
                        }
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            used += 1;
                            done = true;
                            break;
                        }
                    }
                    b',' | b'}' | b']' if scalar => {
                        done = true;
                        break;
                    }
                    b if scalar && b.is_ascii_whitespace() => {
                        done = true;
                        break;
                    }
                    _ => {}
                }
                used += 1;
            }
            out.extend_from_slice(&chunk[..used]);
            self.pos += used;
            if done {
                return Ok(());
            }
        }
    }

    /// The next top-level key and what follows it; `None` after the last.
    /// `lists` names the keys whose value is a list of records.
    pub fn next_entry(&mut self, lists: &[&str]) -> Result<Option<Entry>, DatasetError> {
        if !std::mem::replace(&mut self.started, true) {
            self.expect(b'{', "the dataset's opening `{`")?;
            if self.skip_ws()? == Some(b'}') {
                self.pos += 1;
                return self.end().map(|()| None);
            }
        } else {
            match self.skip_ws()? {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return self.end().map(|()| None);
                }
                _ => return Err(self.error("expected `,` or `}` after a value")),
            }
        }
        let mut raw = Vec::new();
        if self.skip_ws()? != Some(b'"') {
            return Err(self.error("expected a key"));
        }
        self.copy_value(&mut raw)?;
        let key: String = serde_json::from_slice(&raw).map_err(|e| self.error(&e.to_string()))?;
        self.expect(b':', "`:` after a key")?;
        if lists.contains(&key.as_str()) {
            return Ok(Some(Entry::List(key)));
        }
        let mut value = Vec::new();
        self.copy_value(&mut value)?;
        Ok(Some(Entry::Value(key, value)))
    }

    fn end(&mut self) -> Result<(), DatasetError> {
        match self.skip_ws()? {
            None => Ok(()),
            Some(_) => Err(self.error("unexpected characters after the dataset")),
        }
    }

    /// Reads the list that follows a key, parsing its records on `threads`
    /// threads; `parse` turns one record into its type (errors name it).
    pub fn records<T: Send, S: Default>(
        &mut self,
        parse: fn(&mut S, RawRecord) -> Result<T, DatasetError>,
    ) -> Result<Vec<T>, DatasetError> {
        if self.skip_ws()? == Some(b'n') {
            // `null` stands for an empty list.
            let mut v = Vec::new();
            self.copy_value(&mut v)?;
            return if v == b"null" {
                Ok(Vec::new())
            } else {
                Err(self.error("expected a list"))
            };
        }
        self.expect(b'[', "a list `[`")?;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let (to_parse, batches) = mpsc::sync_channel::<Batch>(threads * 2);
        // Held by the parsing threads only: when they stop (an error), the
        // scanner's next send fails and it stops too.
        let batches = std::sync::Arc::new(std::sync::Mutex::new(batches));
        let (parsed_tx, parsed) = mpsc::channel::<(usize, Result<Vec<T>, DatasetError>)>();
        let (scanned, collected) = std::thread::scope(|scope| {
            for _ in 0..threads {
                let parsed_tx = parsed_tx.clone();
                let batches = batches.clone();
                scope.spawn(move || {
                    let mut state = S::default();
                    loop {
                        let batch = match batches.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(batch) = batch else { return };
                        let result = batch
                            .spans
                            .iter()
                            .enumerate()
                            .map(|(k, span)| {
                                parse(
                                    &mut state,
                                    RawRecord {
                                        index: batch.first + k,
                                        text: &batch.text[span.clone()],
                                    },
                                )
                            })
                            .collect();
                        if parsed_tx.send((batch.number, result)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(parsed_tx);
            drop(batches);
            // Parsed batches are appended in file order as they come, so the
            // records are never held twice (a growing list is remapped, not
            // copied).
            let collector = scope.spawn(move || {
                let mut all: Vec<T> = Vec::new();
                let mut waiting = std::collections::BTreeMap::new();
                let mut next = 0;
                for (number, part) in parsed {
                    waiting.insert(number, part);
                    while let Some(part) = waiting.remove(&next) {
                        all.extend(part?);
                        next += 1;
                    }
                }
                Ok::<Vec<T>, DatasetError>(all)
            });
            let scanned = self.scan_list(&to_parse);
            drop(to_parse);
            let collected = collector
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (scanned, collected)
        });
        // A parse error is earlier in the file than any scan error: the
        // batches parsed all come before the point where scanning stopped.
        let all = collected?;
        scanned?;
        Ok(all)
    }

    /// Cuts the list's records into batches; how many records it had.
    fn scan_list(&mut self, to_parse: &mpsc::SyncSender<Batch>) -> Result<usize, DatasetError> {
        let mut batch = Batch::new(0, 0);
        let mut count = 0;
        if self.skip_ws()? == Some(b']') {
            self.pos += 1;
            return Ok(0);
        }
        loop {
            let start = batch.text.len();
            self.copy_value(&mut batch.text)?;
            batch.spans.push(start..batch.text.len());
            count += 1;
            if batch.spans.len() == BATCH_RECORDS {
                let next = Batch::new(batch.number + 1, count);
                let full = std::mem::replace(&mut batch, next);
                if to_parse.send(full).is_err() {
                    break;
                }
            }
            match self.skip_ws()? {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => return Err(self.error("expected `,` or `]` between records")),
                None => return Err(self.error("the file ends inside a list")),
            }
        }
        if !batch.spans.is_empty() {
            let _ = to_parse.send(batch);
        }
        Ok(count)
    }
}

struct Batch {
    number: usize,
    /// Index of the first record in its list.
    first: usize,
    text: Vec<u8>,
    spans: Vec<Range<usize>>,
}

impl Batch {
    fn new(number: usize, first: usize) -> Batch {
        Batch {
            number,
            first,
            text: Vec::with_capacity(1 << 20),
            spans: Vec::with_capacity(BATCH_RECORDS),
        }
    }
}

/// Parses a whole value read by [`DatasetReader::next_entry`].
pub fn value<T: DeserializeOwned>(key: &str, raw: &[u8]) -> Result<T, DatasetError> {
    serde_json::from_slice(raw).map_err(|e| DatasetError(format!("not a dataset: `{key}`: {e}")))
}
