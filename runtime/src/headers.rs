//! Typed response headers: what a generated `<Op>Headers` struct is read with.
//!
//! An operation whose success responses declare `headers` gets a struct of
//! them (`GetPetHeaders`), each field typed from the header's schema as model
//! fields are. It implements [`ResponseHeaders`], so a caller reads it from
//! the answer with [`ResponseValue::headers_as`](super::ResponseValue::headers_as)
//! or [`RawResponse::headers_as`](super::RawResponse::headers_as).
//!
//! Reading them is separate from the call: the call succeeds on its body,
//! whatever the headers say, and the raw header map stays available. Reading
//! the typed set is a `Result`: a declared header that is present but is not
//! a value of its type (`X-Rate-Limit: soon` for an integer), or a required
//! one that is missing, is a [`HeaderError`] naming the header, the value and
//! what was expected. A caller that wants one header even when another is
//! malformed reads it alone with [`response_header`].
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt;

use reqwest::header::HeaderMap;
use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, Visitor};

/// The declared headers of an operation's success responses, as a struct
/// (generated as `<Op>Headers`).
pub trait ResponseHeaders: Sized {
    /// Reads every declared header from `headers`: absent optional ones are
    /// `None`; a malformed one, or a missing required one, is an error.
    fn from_headers(headers: &HeaderMap) -> Result<Self, HeaderError>;
}

/// A declared response header that could not be read as its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderError {
    name: &'static str,
    value: Option<String>,
    message: String,
}

impl HeaderError {
    /// The header's name, as the spec declares it (`X-Rate-Limit`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The value it had, as text (several values joined with `, `); `None`
    /// when a required header was missing.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// Why the value was refused (`invalid digit found in string`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the header was required and missing (rather than malformed).
    pub fn is_missing(&self) -> bool {
        self.value.is_none()
    }

    /// A required header that is missing.
    pub fn missing(name: &'static str) -> Self {
        HeaderError {
            name,
            value: None,
            message: "the header is required and missing".to_owned(),
        }
    }
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(
                f,
                "response header `{}` is malformed ({value:?}): {}",
                self.name, self.message
            ),
            None => write!(f, "response header `{}` is required and missing", self.name),
        }
    }
}

impl std::error::Error for HeaderError {}

/// The header `name` as a `T` (`None` when absent): the value read as the
/// header's schema says, a number, a boolean, a string, an enum, a date; a
/// list (`a, b, c`, OpenAPI's `simple` style) for a `Vec`; an object from
/// JSON text. Several occurrences of the header are joined with `, ` first.
pub fn response_header<T: DeserializeOwned>(
    headers: &HeaderMap,
    name: &'static str,
) -> Result<Option<T>, HeaderError> {
    let mut values = headers.get_all(name).iter().peekable();
    if values.peek().is_none() {
        return Ok(None);
    }
    let mut text = String::new();
    for value in values {
        let part = match value.to_str() {
            Ok(part) => part.to_owned(),
            // Not visible ASCII: read it as UTF-8 (RFC 9110 allows obs-text).
            Err(_) => match std::str::from_utf8(value.as_bytes()) {
                Ok(part) => part.to_owned(),
                Err(_) => {
                    return Err(HeaderError {
                        name,
                        value: Some(String::from_utf8_lossy(value.as_bytes()).into_owned()),
                        message: "the value is not valid UTF-8".to_owned(),
                    })
                }
            },
        };
        if !text.is_empty() {
            text.push_str(", ");
        }
        text.push_str(part.trim());
    }
    T::deserialize(HeaderText(&text))
        .map(Some)
        .map_err(|error: de::value::Error| HeaderError {
            name,
            value: Some(text.clone()),
            message: error.to_string(),
        })
}

/// [`response_header`] for a header the spec declares `required`: missing is
/// an error too.
pub fn required_response_header<T: DeserializeOwned>(
    headers: &HeaderMap,
    name: &'static str,
) -> Result<T, HeaderError> {
    response_header(headers, name)?.ok_or_else(|| HeaderError::missing(name))
}

/// A header's text, deserialized by the type asking: numbers and booleans
/// parsed, strings as they are, lists split on commas, objects as JSON.
struct HeaderText<'a>(&'a str);

macro_rules! parsed {
    ($($method:ident => $visit:ident,)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                match self.0.trim().parse() {
                    Ok(value) => visitor.$visit(value),
                    Err(error) => Err(de::Error::custom(format!(
                        "expected {}: {error}",
                        stringify!($method).trim_start_matches("deserialize_")
                    ))),
                }
            }
        )*
    };
}

impl<'de> Deserializer<'de> for HeaderText<'de> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_borrowed_str(self.0)
    }

    parsed! {
        deserialize_bool => visit_bool,
        deserialize_i8 => visit_i8,
        deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64,
        deserialize_i128 => visit_i128,
        deserialize_u8 => visit_u8,
        deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32,
        deserialize_u64 => visit_u64,
        deserialize_u128 => visit_u128,
        deserialize_f32 => visit_f32,
        deserialize_f64 => visit_f64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let items = self
            .0
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(HeaderText);
        visitor.visit_seq(de::value::SeqDeserializer::new(items))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_enum(self.0.trim().into_deserializer())
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        serde_json::Deserializer::from_str(self.0)
            .deserialize_map(visitor)
            .map_err(de::Error::custom)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct tuple tuple_struct identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, de::value::Error> for HeaderText<'de> {
    type Deserializer = HeaderText<'de>;

    fn into_deserializer(self) -> Self::Deserializer {
        self
    }
}

impl fmt::Debug for HeaderText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn values_are_read_by_type() {
        let map = headers(&[
            ("X-Rate-Limit", " 42 "),
            ("X-Tags", "a, b"),
            ("X-Tags", "c"),
            ("X-Flag", "true"),
            ("X-Name", "café"),
        ]);
        assert_eq!(response_header::<i64>(&map, "x-rate-limit"), Ok(Some(42)));
        assert_eq!(
            response_header::<Vec<String>>(&map, "X-Tags"),
            Ok(Some(vec!["a".into(), "b".into(), "c".into()]))
        );
        assert_eq!(response_header::<bool>(&map, "X-Flag"), Ok(Some(true)));
        assert_eq!(
            response_header::<String>(&map, "X-Name"),
            Ok(Some("café".to_owned()))
        );
        assert_eq!(response_header::<i32>(&map, "X-Absent"), Ok(None));
    }

    #[test]
    fn malformed_and_missing_values_are_errors() {
        let map = headers(&[("X-Rate-Limit", "soon")]);
        let error = response_header::<i32>(&map, "X-Rate-Limit").unwrap_err();
        assert_eq!(error.name(), "X-Rate-Limit");
        assert_eq!(error.value(), Some("soon"));
        assert!(!error.is_missing());
        assert!(error.to_string().contains("`X-Rate-Limit` is malformed"));
        let missing = required_response_header::<i32>(&map, "ETag").unwrap_err();
        assert!(missing.is_missing());
        assert_eq!(
            missing.to_string(),
            "response header `ETag` is required and missing"
        );
    }
}
