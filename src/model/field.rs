//! A JSON field that may be absent, null, or hold a value.
//!
//! The REST and legacy APIs send different subsets of the activity record, and
//! REST sends `null` where legacy leaves a field out. Keeping the three states
//! apart is what lets a record survive a round trip unchanged.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Field<T> {
    /// The field was not in the record.
    #[default]
    Absent,
    /// The field was present as `null`.
    Null,
    Value(T),
}

impl<T> Field<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self) -> Option<&mut T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn into_option(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_some(&self) -> bool {
        matches!(self, Field::Value(_))
    }

    /// Sets a value, or `null` for `None` (the field is then present).
    pub fn set(&mut self, value: Option<T>) {
        *self = value.into();
    }
}

impl<T: Copy> Field<T> {
    pub fn copied(&self) -> Option<T> {
        self.get().copied()
    }
}

impl<T> From<Option<T>> for Field<T> {
    fn from(value: Option<T>) -> Self {
        match value {
            Some(v) => Field::Value(v),
            None => Field::Null,
        }
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(v) => v.serialize(serializer),
            // Absent fields are skipped by `skip_serializing_if`; if not, null.
            Field::Null | Field::Absent => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.into())
    }
}
