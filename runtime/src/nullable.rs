//! [`Nullable`]: an optional field whose schema allows `null`, where leaving it out
//! and sending `null` mean different things (a PATCH that clears a value).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An optional field that may also be `null`: absent (not sent, the default),
/// [`Null`](Self::Null) (sent as `null`: "clear it" in a PATCH) or a
/// [`Value`](Self::Value).
///
/// A generated struct's field of this type is left out of the JSON when it is
/// [`Absent`](Self::Absent); decoding gives `Absent` for a missing key, `Null` for
/// `null`. `From<T>` makes a value: `field: "blue".to_owned().into()`.
///
/// The accessors [`as_ref`](Self::as_ref), [`as_deref`](Self::as_deref),
/// [`into_option`](Self::into_option) and
/// [`unwrap_or_default`](Self::unwrap_or_default) read it as an `Option`, absent
/// and `null` both being `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Nullable<T> {
    /// Not sent; a missing key when decoded.
    #[default]
    Absent,
    /// Sent as `null`.
    Null,
    /// Sent as the value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the field is left out (generated structs skip it when serializing).
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// Whether the field is an explicit `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Whether the field holds a value.
    pub fn is_value(&self) -> bool {
        matches!(self, Self::Value(_))
    }

    /// The value, if there is one.
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// The value, if there is one, dereferenced (`&str` for a `String`).
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.as_ref().map(|value| &**value)
    }

    /// The value, if there is one.
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// The value, or `T::default()` when absent or `null`.
    pub fn unwrap_or_default(self) -> T
    where
        T: Default,
    {
        self.into_option().unwrap_or_default()
    }

    /// `Null` for `None`, a value for `Some`: an `Option` sent as it is, `None` as
    /// `null`.
    pub fn from_option(value: Option<T>) -> Self {
        match value {
            Some(value) => Self::Value(value),
            None => Self::Null,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Self::Value(value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Absent is skipped by the field's `skip_serializing_if`; serialized on
            // its own (an array item, a map value) it can only be `null`.
            Self::Absent | Self::Null => serializer.serialize_none(),
            Self::Value(value) => serializer.serialize_some(value),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// A missing key never reaches here (the field's `#[serde(default)]` makes it
    /// `Absent`); `null` is `Null`, anything else the value.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Self::from_option)
    }
}

#[cfg(test)]
mod tests {
    use super::Nullable;

    #[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        color: Nullable<String>,
    }

    #[test]
    fn absent_null_and_a_value_each_have_their_own_wire_form() {
        // (value, JSON)
        let cases = [
            (Nullable::Absent, r#"{}"#),
            (Nullable::Null, r#"{"color":null}"#),
            (Nullable::Value("blue".to_owned()), r#"{"color":"blue"}"#),
        ];
        for (color, json) in cases {
            let patch = Patch { color };
            assert_eq!(serde_json::to_string(&patch).unwrap(), json);
            assert_eq!(serde_json::from_str::<Patch>(json).unwrap(), patch);
        }
    }

    #[test]
    fn it_reads_as_an_option() {
        let blue: Nullable<String> = "blue".to_owned().into();
        assert_eq!(blue.as_deref(), Some("blue"));
        assert_eq!(Nullable::<String>::Null.as_ref(), None);
        assert_eq!(Nullable::<i64>::Absent.unwrap_or_default(), 0);
        assert_eq!(Nullable::from_option(None::<i64>), Nullable::Null);
    }
}
