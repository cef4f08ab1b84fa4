//! A query for one server among several: the ids in it that carry a
//! server ([`crate::model::origin`]) become that server's own, and a term
//! naming another server's id is false there — so a query for marked rows
//! on two servers asks each only for its own, and a server none of whose
//! ids it names is not asked at all.

use super::ast::{AnyOf, ComputerTerm, ComputerTermKind, Query, TermKind};
use super::{Mode, ParseOptions};
use crate::model::origin;

/// What to send to one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routed {
    /// This text (the query unchanged when it names no tagged id).
    Send(String),
    /// Nothing there can match: send nothing.
    Nothing,
}

/// What a term is on the server `index`.
enum Truth {
    /// The term as written (an id made local).
    Kept,
    /// It names another server's id: false on every activity here.
    False,
}

fn id_on(id: &mut u64, index: usize) -> Truth {
    match origin::server_of(*id) {
        None => Truth::Kept,
        Some(k) if k == index => {
            *id = origin::local(*id);
            Truth::Kept
        }
        Some(_) => Truth::False,
    }
}

fn computer_on(term: &mut ComputerTerm, index: usize) -> Truth {
    match &mut term.kind {
        ComputerTermKind::Id(id) => id_on(id, index),
        _ => Truth::Kept,
    }
}

fn term_on(kind: &mut TermKind, index: usize) -> Truth {
    match kind {
        TermKind::Id(id) | TermKind::ParentId(id) => id_on(id, index),
        TermKind::Computer(c) => computer_on(c, index),
        _ => Truth::Kept,
    }
}

/// Whether `text` names an id tagged with a server (only such a query is
/// rewritten; any other goes as the operator wrote it).
fn names_tagged_id(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse::<u64>().ok())
        .any(|n| origin::server_of(n).is_some())
}

fn lenient() -> ParseOptions<'static> {
    ParseOptions {
        mode: Mode::Lenient,
        ..ParseOptions::default()
    }
}

/// The AND of OR chains on one server: a false clause drops out of its
/// OR; a negated false one makes the whole OR true, so the OR drops out of
/// the AND; an OR left empty makes the whole query false (`None`).
fn on_server<C>(
    chains: Vec<Vec<C>>,
    mut truth: impl FnMut(&mut C) -> (Truth, bool),
) -> Option<Vec<Vec<C>>> {
    let mut kept = Vec::new();
    for mut chain in chains {
        let mut always = false;
        chain.retain_mut(|c| match truth(c) {
            (Truth::Kept, _) => true,
            (Truth::False, negated) => {
                always |= negated;
                false
            }
        });
        if always {
            continue;
        }
        if chain.is_empty() {
            return None;
        }
        kept.push(chain);
    }
    Some(kept)
}

/// `text`, an activity query, on the server `index`.
pub fn activity_query(text: &str, index: usize) -> Routed {
    if !names_tagged_id(text) {
        return Routed::Send(text.to_owned());
    }
    let Ok(parsed) = super::parse_with(text, &lenient()) else {
        return Routed::Send(text.to_owned());
    };
    let chains = parsed.query.all.into_iter().map(|c| c.any).collect();
    match on_server(chains, |c| (term_on(&mut c.term.kind, index), c.negated)) {
        None => Routed::Nothing,
        Some(chains) => {
            let all = chains.into_iter().map(|any| AnyOf { any }).collect();
            Routed::Send(Query { all }.to_string())
        }
    }
}

/// `text`, a computer query, on the server `index`.
pub fn computer_query(text: &str, index: usize) -> Routed {
    if !names_tagged_id(text) {
        return Routed::Send(text.to_owned());
    }
    let Ok(query) = super::parse_computer_query(text, &lenient()) else {
        return Routed::Send(text.to_owned());
    };
    let Some(chains) = on_server(query.all, |c| (computer_on(&mut c.term, index), c.negated))
    else {
        return Routed::Nothing;
    };
    let groups: Vec<String> = chains
        .iter()
        .map(|chain| {
            let clauses: Vec<String> = chain
                .iter()
                .map(|c| format!("{}{}", if c.negated { "NOT " } else { "" }, c.term))
                .collect();
            clauses.join(" OR ")
        })
        .collect();
    Routed::Send(groups.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::origin::tag;

    fn send(s: &str) -> Routed {
        Routed::Send(s.to_owned())
    }

    #[test]
    fn a_query_without_tagged_ids_goes_as_written() {
        assert_eq!(
            activity_query("status:failed  id:5", 1),
            send("status:failed  id:5")
        );
    }

    #[test]
    fn each_server_gets_its_own_ids_and_none_of_the_others() {
        let q = format!("id:{} OR id:{} OR id:{}", tag(0, 7), tag(1, 7), tag(1, 9));
        assert_eq!(activity_query(&q, 0), send("id:7"));
        assert_eq!(activity_query(&q, 1), send("id:7 OR id:9"));
        assert_eq!(activity_query(&q, 2), Routed::Nothing);
        let children = format!("parent-id:{} status:failed", tag(1, 40));
        assert_eq!(activity_query(&children, 0), Routed::Nothing);
        assert_eq!(
            activity_query(&children, 1),
            send("parent-id:40 status:failed")
        );
    }

    #[test]
    fn not_another_servers_id_is_true_everywhere_here() {
        let q = format!("NOT id:{} status:failed", tag(1, 7));
        assert_eq!(activity_query(&q, 0), send("status:failed"));
        assert_eq!(activity_query(&q, 1), send("NOT id:7 status:failed"));
        assert_eq!(
            activity_query(&format!("NOT id:{}", tag(1, 7)), 0),
            send("")
        );
    }

    #[test]
    fn computer_ids_are_per_server_too() {
        let q = format!("computer:id:{}", tag(0, 3));
        assert_eq!(activity_query(&q, 0), send("computer:id:3"));
        assert_eq!(activity_query(&q, 1), Routed::Nothing);
        let c = format!("id:{} OR id:{}", tag(0, 3), tag(1, 4));
        assert_eq!(computer_query(&c, 1), send("id:4"));
        assert_eq!(
            computer_query(&format!("id:{}", tag(0, 3)), 1),
            Routed::Nothing
        );
    }
}
