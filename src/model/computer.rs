//! A managed computer: the fields the search language's computer terms read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Computer {
    pub id: u64,
    pub title: String,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub access_group: String,
    /// Release number as Landscape reports it, e.g. `22.04`.
    #[serde(default)]
    pub distribution: String,
    #[serde(default)]
    pub alerts: Vec<String>,
    #[serde(default)]
    pub macs: Vec<String>,
    #[serde(default)]
    pub ips: Vec<String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub needs_reboot: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Computer {
    pub fn new(id: u64, title: &str) -> Computer {
        Computer {
            id,
            title: title.to_owned(),
            hostname: String::new(),
            tags: Vec::new(),
            access_group: "global".to_owned(),
            distribution: String::new(),
            alerts: Vec::new(),
            macs: Vec::new(),
            ips: Vec::new(),
            annotations: BTreeMap::new(),
            needs_reboot: false,
            extra: Map::new(),
        }
    }
}

/// A saved search: a name for a computer query (`search:NAME` uses it),
/// as `GetSavedSearches` answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    pub name: String,
    pub title: String,
    pub search: String,
}

impl SavedSearch {
    /// A saved search titled from its name (`web-servers`: "Web servers").
    pub fn new(name: &str, search: &str) -> SavedSearch {
        let words = name.replace(['-', '_'], " ");
        let mut chars = words.chars();
        let title = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
        SavedSearch {
            name: name.to_owned(),
            title,
            search: search.to_owned(),
        }
    }
}
