//! Completion for the query bar: keys, statuses, types, computer keys, and
//! values the backend knows (tags, hostnames, creators).

use std::ops::Range;

use super::lexer::quote_if_needed;
use super::vocabulary::{ALERTS, COMPUTER_KEYS, KEYS, KNOWN_TYPES, RELEASES};
use crate::model::ActivityStatus;

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The whole token to put in place of [`Completions::replace`].
    pub text: String,
    /// What it is, for the popup (`status`, `tag`, `key`…).
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completions {
    pub replace: Range<usize>,
    pub items: Vec<Completion>,
}

/// Most items a popup needs.
const MAX_ITEMS: usize = 50;

/// Completions for the token under `cursor` (a byte offset into `input`).
pub fn complete(input: &str, cursor: usize, values: &CompletionValues) -> Completions {
    let mut cursor = cursor.min(input.len());
    while !input.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let start = token_start(input, cursor);
    let end = input[cursor..]
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(input.len(), |(i, _)| cursor + i);
    let prefix = &input[start..cursor];
    let mut items = Vec::new();
    match prefix.split_once(':') {
        None => {
            for key in KEYS {
                offer(&mut items, prefix, &format!("{key}:"), "key");
            }
            for keyword in ["OR", "NOT"] {
                if !prefix.is_empty() && keyword.starts_with(prefix) {
                    items.push(Completion {
                        text: keyword.into(),
                        detail: "keyword".into(),
                    });
                }
            }
        }
        Some((key, partial)) => {
            let key_lower = key.to_ascii_lowercase();
            let head = format!("{key}:");
            match key_lower.as_str() {
                "status" => {
                    for s in ActivityStatus::NAMES {
                        offer_value(&mut items, &head, partial, s, "status");
                    }
                }
                "type" => {
                    let types: Vec<&str> = if values.types.is_empty() {
                        KNOWN_TYPES.to_vec()
                    } else {
                        values.types.iter().map(String::as_str).collect()
                    };
                    for t in types {
                        offer_value(&mut items, &head, partial, t, "type");
                    }
                }
                "creator" => {
                    for c in &values.creators {
                        offer_value(&mut items, &head, partial, c, "creator");
                    }
                }
                "computer" => computer(&mut items, &head, partial, values),
                // The dashboard writes these out before sending.
                "created-after" | "created-before" => {
                    for form in super::relative::FORMS {
                        offer_value(&mut items, &head, partial, form, "relative date");
                    }
                }
                _ => {}
            }
        }
    }
    // Prefix matches first; the sort is stable, so each keeps its order.
    items.sort_by_key(|i| i.detail.ends_with("(contains)"));
    items.truncate(MAX_ITEMS);
    Completions {
        replace: start..end,
        items,
    }
}

fn computer(items: &mut Vec<Completion>, head: &str, partial: &str, values: &CompletionValues) {
    match partial.split_once(':') {
        None => {
            for key in COMPUTER_KEYS {
                let text = if key == "needs" {
                    "needs:reboot".to_owned()
                } else {
                    format!("{key}:")
                };
                offer(
                    items,
                    &format!("{head}{partial}"),
                    &format!("{head}{text}"),
                    "computer key",
                );
            }
            for h in &values.hostnames {
                offer_value(items, head, partial, h, "hostname");
            }
        }
        Some((key, partial)) => {
            let head = format!("{head}{key}:");
            let candidates: Vec<(&str, &str)> = match key.to_ascii_lowercase().as_str() {
                "tag" => values.tags.iter().map(|t| (t.as_str(), "tag")).collect(),
                "hostname" => values
                    .hostnames
                    .iter()
                    .map(|h| (h.as_str(), "hostname"))
                    .collect(),
                "title" => values
                    .titles
                    .iter()
                    .map(|t| (t.as_str(), "title"))
                    .collect(),
                "access-group" => values
                    .access_groups
                    .iter()
                    .map(|g| (g.as_str(), "access group"))
                    .collect(),
                "alert" => ALERTS.iter().map(|a| (*a, "alert")).collect(),
                "distribution" => RELEASES
                    .iter()
                    .rev()
                    .flat_map(|(name, number)| [(*name, "release"), (*number, "release")])
                    .collect(),
                "needs" => vec![("reboot", "need")],
                _ => Vec::new(),
            };
            for (value, detail) in candidates {
                offer_value(items, &head, partial, value, detail);
            }
        }
    }
}

/// Offers `text` when it extends `prefix` (ignoring case) and is not it.
fn offer(items: &mut Vec<Completion>, prefix: &str, text: &str, detail: &str) {
    if text.len() > prefix.len() && text.to_lowercase().starts_with(&prefix.to_lowercase()) {
        items.push(Completion {
            text: text.to_owned(),
            detail: detail.to_owned(),
        });
    }
}

/// Offers `head` + `value` when `value` starts with (or else contains)
/// `partial`, ignoring case; prefix matches come first.
fn offer_value(items: &mut Vec<Completion>, head: &str, partial: &str, value: &str, detail: &str) {
    let partial = partial.trim_start_matches('"').to_lowercase();
    let lower = value.to_lowercase();
    let quoted = quote_if_needed(value, false);
    let item = Completion {
        text: format!("{head}{quoted}"),
        detail: detail.to_owned(),
    };
    if lower.starts_with(&partial) {
        items.push(item);
    } else if !partial.is_empty() && lower.contains(&partial) {
        items.push(Completion {
            detail: format!("{detail} (contains)"),
            ..item
        });
    }
}

/// Where the token under the cursor starts: after the last whitespace that
/// is outside quotes.
fn token_start(input: &str, cursor: usize) -> usize {
    let mut start = 0;
    let mut in_quotes = false;
    for (i, c) in input[..cursor].char_indices() {
        if c == '"' {
            in_quotes = !in_quotes;
        } else if c.is_whitespace() && !in_quotes {
            start = i + c.len_utf8();
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str, values: &CompletionValues) -> Vec<String> {
        complete(input, input.len(), values)
            .items
            .into_iter()
            .map(|c| c.text)
            .collect()
    }

    #[test]
    fn keys_from_a_prefix() {
        let t = texts("st", &CompletionValues::default());
        assert_eq!(t, vec!["status:"]);
        let t = texts("created", &CompletionValues::default());
        assert_eq!(t, vec!["created-after:", "created-before:"]);
    }

    #[test]
    fn date_keys_offer_relative_dates() {
        let t = texts("created-after:to", &CompletionValues::default());
        assert_eq!(t, vec!["created-after:today"]);
        let t = texts("created-before:-", &CompletionValues::default());
        assert_eq!(
            t,
            vec![
                "created-before:-30m",
                "created-before:-12h",
                "created-before:-7d"
            ]
        );
    }

    #[test]
    fn statuses_after_status_key() {
        let t = texts("NOT status:f", &CompletionValues::default());
        assert_eq!(t, vec!["status:failed"]);
        let c = complete("NOT status:f", 12, &CompletionValues::default());
        assert_eq!(c.replace, 4..12);
    }

    #[test]
    fn computer_tags_and_quoted_titles() {
        let values = CompletionValues {
            tags: vec!["laptop".into(), "server".into()],
            titles: vec!["web 01".into()],
            ..Default::default()
        };
        assert_eq!(
            texts("computer:tag:la", &values),
            vec!["computer:tag:laptop"]
        );
        assert_eq!(
            texts("computer:title:w", &values),
            vec!["computer:title:\"web 01\""]
        );
        assert!(texts("computer:ta", &values).contains(&"computer:tag:".to_string()));
    }

    #[test]
    fn types_match_inside_names_too() {
        let t = texts("type:Pocket", &CompletionValues::default());
        assert_eq!(t, vec!["type:SyncPocketRequest"]);
    }

    #[test]
    fn cursor_in_the_middle_replaces_the_whole_token() {
        let c = complete("status:fa creator:x", 9, &CompletionValues::default());
        assert_eq!(c.replace, 0..9);
        assert_eq!(c.items[0].text, "status:failed");
    }
}
