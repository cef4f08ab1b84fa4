//! Completion for the query bar.

/// Values the query bar offers beside keys and status names; the backend
/// supplies them (tags, hostnames, creators seen in the account).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompletionValues {
    pub tags: Vec<String>,
    pub hostnames: Vec<String>,
    pub titles: Vec<String>,
    pub access_groups: Vec<String>,
    pub creators: Vec<String>,
    pub types: Vec<String>,
}
