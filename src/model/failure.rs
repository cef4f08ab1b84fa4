//! Failures grouped by what went wrong: the same type, result code and
//! first line of result text once the parts that differ between computers
//! (numbers, versions, paths, host names) are taken out. Fifty computers
//! whose dpkg lock was held by fifty different processes are one cluster.

use std::collections::HashMap;

use super::{ACTIVITY_GROUP, Activity};

/// The query terms that select what clusters are made of: failed
/// activities, not the groups (whose status only follows their children).
pub const FAILED_TERMS: &str = "status:failed NOT type:ActivityGroup";

/// What a cluster's members have in common.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FailureKey {
    pub activity_type: String,
    pub result_code: Option<i64>,
    /// The first line of the result text, normalised ([`normalise`]).
    pub pattern: String,
}

impl FailureKey {
    pub fn of(activity: &Activity) -> FailureKey {
        FailureKey {
            activity_type: activity.activity_type.to_string(),
            result_code: activity.result_code.copied(),
            pattern: normalise(first_line(activity.result_text.get().map_or("", |t| &**t))),
        }
    }
}

/// Failed activities with one [`FailureKey`].
#[derive(Debug, Clone, PartialEq)]
pub struct FailureCluster {
    pub key: FailureKey,
    /// Every member, in the order met (newest first when fed a page).
    pub ids: Vec<u64>,
    /// Each member's group (`None` for a standalone activity), by `ids`'s
    /// order.
    pub parents: Vec<Option<u64>>,
    /// The computers hit, each once, in the order met.
    pub computers: Vec<u64>,
    /// The first member, whole: one full example.
    pub example: Activity,
}

impl FailureCluster {
    pub fn count(&self) -> usize {
        self.ids.len()
    }
}

/// Clusters `failures` (groups are skipped), largest first; ties by key.
pub fn cluster<'a>(failures: impl IntoIterator<Item = &'a Activity>) -> Vec<FailureCluster> {
    let mut at: HashMap<FailureKey, usize> = HashMap::new();
    let mut out: Vec<FailureCluster> = Vec::new();
    let mut seen_computer: Vec<std::collections::HashSet<u64>> = Vec::new();
    for a in failures {
        if *a.activity_type == *ACTIVITY_GROUP {
            continue;
        }
        let key = FailureKey::of(a);
        let i = *at.entry(key.clone()).or_insert_with(|| {
            out.push(FailureCluster {
                key,
                ids: Vec::new(),
                parents: Vec::new(),
                computers: Vec::new(),
                example: a.clone(),
            });
            seen_computer.push(Default::default());
            out.len() - 1
        });
        out[i].ids.push(a.id);
        out[i].parents.push(a.parent());
        if let Some(c) = a.computer()
            && seen_computer[i].insert(c)
        {
            out[i].computers.push(c);
        }
    }
    out.sort_by(|a, b| b.count().cmp(&a.count()).then_with(|| a.key.cmp(&b.key)));
    out
}

/// How a cluster is shown as a list of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Narrowing {
    /// A query whose failures are exactly the cluster's.
    Query(String),
    /// A query that holds the cluster, which Landscape's language cannot
    /// say on its own (it has no term for a result code or text): its
    /// members are marked within it.
    Marked { query: String, ids: Vec<u64> },
}

/// The most ids a narrowing names in a query (`id:N OR …`).
pub const NARROWING_IDS: usize = super::scope::IDS_PER_QUERY;

/// How `clusters[index]`, found among the failures of `base`, is shown
/// alone: by its type when no other cluster has that type and every
/// failure was clustered; else by its ids when they are few; else by its
/// type, its members marked.
pub fn narrowing(
    base: &str,
    clusters: &[FailureCluster],
    index: usize,
    complete: bool,
) -> Narrowing {
    let c = &clusters[index];
    let ty = &c.key.activity_type;
    let by_type = super::scope::and(base, &format!("status:failed type:{ty}"));
    let alone = clusters
        .iter()
        .enumerate()
        .all(|(i, o)| i == index || o.key.activity_type != *ty);
    if alone && complete {
        return Narrowing::Query(by_type);
    }
    if c.ids.len() <= NARROWING_IDS {
        let ids = super::scope::ids_chain(c.ids.iter().copied());
        return Narrowing::Query(super::scope::and(base, &ids));
    }
    Narrowing::Marked {
        query: by_type,
        ids: c.ids.clone(),
    }
}

/// The first line with text in it, trimmed.
pub fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// `line` with what differs between computers replaced by placeholders:
/// `<url>`, `<path>`, `<ip>`, `<host>`, `<version>`, `<n>` (numbers and
/// hex ids). Words stay, so a package's name still tells clusters apart.
pub fn normalise(line: &str) -> String {
    if line.is_empty() {
        return "(no result text)".to_owned();
    }
    let words: Vec<String> = line.split_whitespace().map(normalise_word).collect();
    words.join(" ")
}

/// Punctuation that wraps a word without being part of it.
fn is_wrapper(c: char) -> bool {
    matches!(
        c,
        '(' | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '<'
            | '>'
            | '"'
            | '\''
            | '`'
            | ','
            | ';'
            | ':'
            | '!'
            | '?'
    )
}

fn normalise_word(word: &str) -> String {
    let start = word.find(|c| !is_wrapper(c)).unwrap_or(word.len());
    let inner_and_tail = &word[start..];
    let end = inner_and_tail.rfind(|c| !is_wrapper(c)).map_or(0, |i| {
        i + inner_and_tail[i..].chars().next().map_or(1, char::len_utf8)
    });
    let (inner, tail) = inner_and_tail.split_at(end);
    // A sentence's full stop is not part of a path or a number.
    let (inner, stop) = match inner.strip_suffix('.') {
        Some(rest) if !rest.is_empty() => (rest, "."),
        _ => (inner, ""),
    };
    let head = &word[..start];
    // `key=value`: the value is what differs.
    if let Some((k, v)) = inner.split_once('=')
        && !k.is_empty()
        && !v.is_empty()
    {
        return format!("{head}{k}={}{stop}{tail}", placeholder(v).unwrap_or(v));
    }
    match placeholder(inner) {
        Some(p) => format!("{head}{p}{stop}{tail}"),
        None => word.to_owned(),
    }
}

/// The placeholder `word` stands for, if it is one of the varying kinds.
fn placeholder(word: &str) -> Option<&'static str> {
    if word.is_empty() {
        return None;
    }
    if word.contains("://") {
        return Some("<url>");
    }
    if word.starts_with('/') || word.starts_with("~/") || word.starts_with("./") {
        return Some("<path>");
    }
    if is_ipv4(word) {
        return Some("<ip>");
    }
    if is_number(word) {
        return Some("<n>");
    }
    if is_version(word) {
        return Some("<version>");
    }
    if is_host(word) {
        return Some("<host>");
    }
    if is_hex_id(word) {
        return Some("<n>");
    }
    None
}

fn is_ipv4(word: &str) -> bool {
    let word = word.split_once(':').map_or(word, |(ip, _port)| ip);
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.parse::<u8>().is_ok())
}

/// `42`, `-1`, `2.4`, `300s`, `2.4GB`, `85%`: digits with at most a
/// decimal point and a short unit.
fn is_number(word: &str) -> bool {
    let w = word.strip_prefix(['-', '+']).unwrap_or(word);
    let digits_end = w
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(w.len());
    let (num, unit) = w.split_at(digits_end);
    let starts_with_digit = num.starts_with(|c: char| c.is_ascii_digit());
    let one_point = num.matches('.').count() <= 1 && !num.ends_with('.');
    let unit_ok = unit.is_empty()
        || (unit.len() <= 3 && unit.chars().all(|c| c.is_ascii_alphabetic() || c == '%'));
    starts_with_digit && one_point && unit_ok
}

/// A Debian or upstream version: starts with a digit (or `N:`), holds a
/// digit after a `.`, `-`, `~` or `+`: `3.0.2-0ubuntu1.15`, `1:8.9p1-3`,
/// `5.15.0-105-generic`.
fn is_version(word: &str) -> bool {
    let w = match word.split_once(':') {
        Some((epoch, rest)) if !epoch.is_empty() && epoch.chars().all(|c| c.is_ascii_digit()) => {
            rest
        }
        _ => word,
    };
    w.starts_with(|c: char| c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '~' | '+' | '_'))
        && w.contains(['.', '-', '~', '+'])
}

/// A dotted name that ends in a top-level domain: `archive.ubuntu.com`,
/// `web-01.example.com`, `db.internal`.
fn is_host(word: &str) -> bool {
    let word = word.split_once(':').map_or(word, |(h, _port)| h);
    let labels: Vec<&str> = word.split('.').collect();
    if labels.len() < 2 || word.len() > 253 {
        return false;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
    };
    let tld = labels[labels.len() - 1].to_ascii_lowercase();
    if !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let known_tld = matches!(
        tld.as_str(),
        "com"
            | "net"
            | "org"
            | "io"
            | "dev"
            | "internal"
            | "local"
            | "lan"
            | "corp"
            | "home"
            | "cloud"
            | "example"
            | "test"
            | "uk"
            | "de"
            | "fr"
            | "eu"
    );
    labels.iter().all(label_ok) && (known_tld || labels.len() >= 3)
}

/// A key id, a hash, a container id: 8 or more hex digits, at least one
/// of them a digit.
fn is_hex_id(word: &str) -> bool {
    word.len() >= 8
        && word.chars().all(|c| c.is_ascii_hexdigit())
        && word.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(line: &str) -> String {
        normalise(first_line(line))
    }

    #[test]
    fn apt_and_dpkg_messages_lose_what_differs_per_computer() {
        assert_eq!(
            n(
                "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 2231 (unattended-upgr)"
            ),
            "E: Could not get lock <path>. It is held by process <n> (unattended-upgr)"
        );
        assert_eq!(
            n(
                "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 918 (apt-get)"
            ),
            "E: Could not get lock <path>. It is held by process <n> (apt-get)",
            "the process holding the lock still tells causes apart"
        );
        assert_eq!(
            n(
                "dpkg: error processing package openssl (--configure):\n installed openssl package post-installation script subprocess returned error exit status 1"
            ),
            "dpkg: error processing package openssl (--configure):",
            "the first line only"
        );
        assert_eq!(
            n("E: Version '3.0.2-0ubuntu1.15' for 'openssl' was not found"),
            "E: Version '<version>' for 'openssl' was not found"
        );
        assert_eq!(
            n("E: You don't have enough free space in /var/cache/apt/archives/."),
            "E: You don't have enough free space in <path>."
        );
        assert_eq!(
            n("Setting up linux-image-5.15.0-105-generic (5.15.0-105.115) ..."),
            "Setting up linux-image-5.15.0-105-generic (<version>) ...",
            "a package name is a word, even with numbers in it"
        );
    }

    #[test]
    fn script_time_outs_and_exit_codes() {
        assert_eq!(
            n("Script timed out after 300 seconds"),
            "Script timed out after <n> seconds"
        );
        assert_eq!(
            n("Script timed out after 3600 seconds"),
            n("Script timed out after 300 seconds")
        );
        assert_eq!(
            n("Script exited with return code 1:\n/tmp/landscape-script: line 12: failed"),
            "Script exited with return code <n>:"
        );
        assert_eq!(n("took 2.5s, used 85%"), "took <n>, used <n>");
    }

    #[test]
    fn network_errors_lose_hosts_addresses_and_urls() {
        assert_eq!(
            n(
                "Failed to fetch http://archive.ubuntu.com/ubuntu/dists/jammy/Release: 503 Service Unavailable"
            ),
            "Failed to fetch <url>: <n> Service Unavailable"
        );
        assert_eq!(
            n("Could not resolve 'mirror-3.internal'"),
            "Could not resolve '<host>'"
        );
        assert_eq!(
            n("Could not connect to 10.1.2.40:8080 (10.1.2.40), connection timed out"),
            "Could not connect to <ip> (<ip>), connection timed out"
        );
        assert_eq!(
            n("Temporary failure resolving web-01.example.com"),
            "Temporary failure resolving <host>"
        );
        assert_eq!(
            n("GPG error: NO_PUBKEY 871920D1991BC93C"),
            "GPG error: NO_PUBKEY <n>"
        );
        assert_eq!(n("exit status=137"), "exit status=<n>");
    }

    #[test]
    fn empty_and_blank_texts_have_a_pattern_too() {
        assert_eq!(n(""), "(no result text)");
        assert_eq!(n("\n\n  \n"), "(no result text)");
        assert_eq!(n("\n  second line first"), "second line first");
    }

    #[test]
    fn clusters_are_largest_first_with_their_computers_once() {
        use crate::model::Field;
        use chrono::TimeZone;
        let at = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let failed = |id: u64, computer: u64, text: &str| {
            let mut a = Activity::new(id, "ChangePackagesRequest", "upgrade", at);
            a.computer_id = Field::Value(computer);
            a.result_code = Field::Value(100);
            a.result_text = Field::Value(text.into());
            a
        };
        let all = [
            failed(1, 10, "E: held by process 1"),
            failed(2, 11, "E: Unable to locate package x"),
            failed(3, 10, "E: held by process 2"),
            failed(4, 12, "E: held by process 3"),
            Activity::new(5, ACTIVITY_GROUP, "upgrade", at),
        ];
        let clusters = cluster(&all);
        assert_eq!(clusters.len(), 2, "the group is not a failure of its own");
        assert_eq!(clusters[0].ids, [1, 3, 4]);
        assert_eq!(clusters[0].computers, [10, 12]);
        assert_eq!(clusters[0].example.id, 1);
        assert_eq!(clusters[0].key.pattern, "E: held by process <n>");
        assert_eq!(clusters[1].ids, [2]);
    }
}
