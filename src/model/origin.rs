//! Which server an id belongs to, when one dashboard shows several.
//!
//! The same id on two servers is two activities (and two computers), so
//! every id read through several servers carries its server in the bits
//! above [`LOCAL_BITS`]: marks, watches, jumps and the detail key on the
//! whole id and never confuse them. One server's ids are left as they
//! are (Landscape's ids are far below 2^48), and the operator always
//! sees [`local`] ids.

use std::borrow::Cow;

use super::Activity;

/// Bits of an id that are the server's own.
pub const LOCAL_BITS: u32 = 48;
const LOCAL_MASK: u64 = (1 << LOCAL_BITS) - 1;

/// `id` of the server at `index` (0-based) among several.
pub fn tag(index: usize, id: u64) -> u64 {
    ((index as u64 + 1) << LOCAL_BITS) | (id & LOCAL_MASK)
}

/// The server an id was tagged with, if any.
pub fn server_of(id: u64) -> Option<usize> {
    match id >> LOCAL_BITS {
        0 => None,
        n => Some(n as usize - 1),
    }
}

/// The id as its server knows it (and the operator reads it).
pub fn local(id: u64) -> u64 {
    id & LOCAL_MASK
}

/// Maps an activity's ids (its own, its parent's, its computer's, those
/// of the children it carries) through `f`.
fn map_ids(mut a: Activity, f: impl Fn(u64) -> u64) -> Activity {
    a.id = f(a.id);
    for id in [a.parent_id.get_mut(), a.computer_id.get_mut()]
        .into_iter()
        .flatten()
    {
        *id = f(*id);
    }
    if let Some(children) = a.children.get_mut() {
        for c in children.iter_mut() {
            for key in ["id", "parent_id", "computer_id"] {
                if let Some(n) = c.get(key).and_then(serde_json::Value::as_u64) {
                    c[key] = f(n).into();
                }
            }
        }
    }
    a
}

/// `a` as read from the server at `index` among several.
pub fn tag_activity(a: Activity, index: usize) -> Activity {
    map_ids(a, |id| tag(index, id))
}

/// `a` as its server sent it (its own ids): what the detail shows and
/// what is copied.
pub fn as_served(a: &Activity) -> Cow<'_, Activity> {
    match server_of(a.id) {
        None => Cow::Borrowed(a),
        Some(_) => Cow::Owned(map_ids(a.clone(), local)),
    }
}

/// An id as a person reads it among `servers`: "beta 1234", or "1234"
/// with one server.
pub fn named(id: u64, servers: &[ServerName]) -> String {
    match server_of(id).and_then(|k| servers.get(k)) {
        Some(s) => format!("{} {}", s.name, local(id)),
        None => local(id).to_string(),
    }
}

/// An id in JSON: a number with one server, `{"server", "id"}` among
/// several.
pub fn json(id: u64, servers: &[ServerName]) -> serde_json::Value {
    match server_of(id).and_then(|k| servers.get(k)) {
        Some(s) => serde_json::json!({"server": s.name, "id": local(id)}),
        None => local(id).into(),
    }
}

/// A server as the dashboard names it, among several.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerName {
    pub name: String,
    /// Its rows refuse actions.
    pub read_only: bool,
    /// Where it is (its API's URL), `DEMO` for the embedded engine.
    pub label: String,
    pub embedded: bool,
    /// The colour its profile asks for its name (`"red"`, `"208"`,
    /// `"#ff8800"`), else the theme's.
    pub colour: Option<String>,
}

/// What one server answered for the list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerRows {
    pub name: String,
    pub rows: u64,
    /// Why it did not answer.
    pub down: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_id_keeps_its_server_and_its_own_id() {
        let id = tag(2, 1234);
        assert_eq!(server_of(id), Some(2));
        assert_eq!(local(id), 1234);
        assert_ne!(tag(0, 1234), tag(1, 1234));
        assert_eq!(server_of(1234), None);
        assert_eq!(local(1234), 1234);
    }
}
