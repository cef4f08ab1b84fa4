//! Fields a record carries that this build does not know, kept to be
//! written back as they came. Most records have none, so the map is boxed
//! only when there is one: 8 bytes a record instead of 72.

use std::ops::{Deref, DerefMut};
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Extra(Option<Box<Map<String, Value>>>);

static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

impl Deref for Extra {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        self.0.as_deref().unwrap_or(&EMPTY)
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Map<String, Value> {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Extra {
        Extra((!map.is_empty()).then(|| Box::new(map)))
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Extra, D::Error> {
        Map::deserialize(deserializer).map(Extra::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_until_written_and_written_back_as_it_came() {
        let mut e = Extra::default();
        assert!(e.is_empty() && e.0.is_none());
        e.insert("pocket_name".into(), Value::from("release"));
        assert_eq!(e["pocket_name"], "release");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"pocket_name":"release"}"#
        );
        let back: Extra = serde_json::from_str("{}").unwrap();
        assert!(back.0.is_none());
    }
}
