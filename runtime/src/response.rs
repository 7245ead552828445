//! Response types and the decoding helpers generated operations end with.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::cell::RefCell;
use std::fmt;
use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::StatusCode;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected,
    Visitor,
};

use url::Url;

use super::{DecodeError, Error, ShapeError};

/// A complete HTTP response whose body has been read but not interpreted.
#[derive(Debug, Clone)]
pub struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    // The operation that got it, for errors about its body ("" when unknown).
    operation: &'static str,
    // Where it came from (after redirects), when it came over the wire.
    url: Option<Url>,
}

impl RawResponse {
    /// Assembles a response; used by the client and handy in tests.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        RawResponse {
            status,
            headers,
            body,
            operation: "",
            url: None,
        }
    }

    /// The same response, as the answer to `operation` (named in errors).
    pub(crate) fn for_operation(mut self, operation: &'static str) -> Self {
        self.operation = operation;
        self
    }

    /// The same response, as the answer from `url`.
    pub(crate) fn with_url(mut self, url: Url) -> Self {
        self.url = Some(url);
        self
    }

    /// The URL the response came from, after any redirects; `None` for a
    /// response assembled with [`RawResponse::new`]. Relative links in the
    /// response (an RFC 8288 `Link` header) are resolved against it.
    pub fn url(&self) -> Option<&Url> {
        self.url.as_ref()
    }

    /// The `operationId` of the operation that got the response ("" when
    /// unknown).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The operation's declared response headers, typed (see
    /// [`ResponseValue::headers_as`]).
    pub fn headers_as<H: super::ResponseHeaders>(&self) -> Result<H, super::HeaderError> {
        H::from_headers(&self.headers)
    }

    /// The raw body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Takes the raw body.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// The `Content-Type` header, if present and readable as text.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    /// The body as UTF-8 text; invalid UTF-8 is a [`DecodeError`] (which `?`
    /// turns into [`Error::Decode`]).
    pub fn text(&self) -> Result<String, DecodeError> {
        String::from_utf8(self.body.to_vec()).map_err(|error| {
            DecodeError::new(
                self.status,
                String::new(),
                format!("body is not valid UTF-8: {error}"),
                self.body.clone(),
            )
        })
    }

    /// Decodes the body as JSON into any type; a failure names the field that
    /// failed (see [`DecodeError::path`]).
    ///
    /// Any content type is attempted: `application/json`, `application/*+json`
    /// (such as `application/vnd.bentley.itwin-platform.v2+json` or
    /// `application/problem+json`), none at all, and, since some servers
    /// mislabel JSON, anything else. When a body with a non-JSON content type
    /// fails to decode, the error says so.
    ///
    /// A document whose top level is an array where `T` is a struct is refused,
    /// although serde would otherwise fill the struct's fields from the array
    /// by position (and an array, even `[]`, would pass for a struct whose
    /// fields are all optional).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        self.json_with_keys().map(|(value, _)| value)
    }

    /// [`Self::json`], and what the top-level object held when `T` is a struct.
    fn json_with_keys<T: DeserializeOwned>(&self) -> Result<(T, TopLevelKeys), DecodeError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(self.decode_error(
                String::new(),
                "empty body where JSON was expected".to_owned(),
            ));
        }
        // Decodes without tracking where it is; a failure finds its path from
        // the position serde_json reports.
        let keys = RefCell::new(TopLevelKeys::default());
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        match T::deserialize(ObjectRoot(&mut deserializer, &keys)) {
            Ok(value) => {
                // Trailing garbage after a valid document means the body is not what we think.
                deserializer
                    .end()
                    .map_err(|error| self.decode_error(String::new(), error.to_string()))?;
                Ok((value, keys.into_inner()))
            }
            Err(error) if keys.borrow().refused_array => {
                Err(self.decode_error(String::new(), error.to_string()))
            }
            Err(error) => Err(self.explain_decode_failure(error)),
        }
    }

    /// The value of `property` of the top-level object as `T` (`None` when
    /// missing or null), the object's keys, and the keys of the value when `T`
    /// is a struct.
    fn json_in_with_keys<T: DeserializeOwned>(
        &self,
        property: &str,
    ) -> Result<(Option<T>, TopLevelKeys, TopLevelKeys), DecodeError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(self.decode_error(
                String::new(),
                "empty body where JSON was expected".to_owned(),
            ));
        }
        let keys = RefCell::new(TopLevelKeys::default());
        let outer = RefCell::new(TopLevelKeys {
            fields: Some(&[]),
            ..TopLevelKeys::default()
        });
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        let envelope = Envelope {
            property,
            outer: &outer,
            keys: &keys,
            value: std::marker::PhantomData::<T>,
        };
        match envelope.deserialize(&mut deserializer) {
            Ok(value) => {
                deserializer
                    .end()
                    .map_err(|error| self.decode_error(String::new(), error.to_string()))?;
                Ok((value, outer.into_inner(), keys.into_inner()))
            }
            // The array is the property's value as a whole.
            Err(error) if keys.borrow().refused_array => {
                Err(self.decode_error(property.to_owned(), error.to_string()))
            }
            Err(error) => Err(self.explain_decode_failure(error)),
        }
    }

    /// The error for a body that failed to decode, with the JSON path to where
    /// it failed (see [`super::json_path`]).
    fn explain_decode_failure(&self, error: serde_json::Error) -> DecodeError {
        let path = super::json_path::path_of(&self.body, &error);
        self.decode_error(path, error.to_string())
    }

    fn decode_error(&self, path: String, message: String) -> DecodeError {
        let message = match self.content_type() {
            Some(media) if !super::media::is_json_media(media) => {
                format!("{message} (the response content type is `{media}`, not JSON)")
            }
            _ => message,
        };
        DecodeError::new(self.status, path, message, self.body.clone())
    }
}

/// A deserializer that refuses a sequence where the caller asks for a struct,
/// at the top level of the document; every other request goes to the inner
/// deserializer unchanged. serde's derived `Deserialize` accepts a struct
/// written as an array of its fields in order, a form JSON APIs never use, so
/// an array where an object belongs is a wrong answer, not a struct.
///
/// Only the top level is checked: the nested values are deserialized by
/// `serde_json` directly, keeping decoding as fast as it was.
///
/// It also notes the top-level keys (see [`TopLevelKeys`]), so that a body of
/// another shape than declared, which an all-optional struct would silently take
/// as empty, can be reported.
struct ObjectRoot<'k, D>(D, &'k RefCell<TopLevelKeys>);

/// The value of one property of a JSON object (an envelope), decoded like a
/// whole body: a struct from an object only, its keys noted.
struct Envelope<'p, 'k, T> {
    property: &'p str,
    /// The envelope's own keys (all "unknown": its fields are `[]`).
    outer: &'k RefCell<TopLevelKeys>,
    /// The keys of the property's value.
    keys: &'k RefCell<TopLevelKeys>,
    value: std::marker::PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Envelope<'_, '_, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Envelope<'_, '_, T> {
    type Value = Option<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "a JSON object with the property `{}`",
            self.property
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut found = None;
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key != self.property {
                self.outer.borrow_mut().note(&key);
                map.next_value::<de::IgnoredAny>()?;
                continue;
            }
            if seen {
                return Err(de::Error::custom(format_args!(
                    "duplicate property `{}`",
                    self.property
                )));
            }
            seen = true;
            found = map.next_value_seed(Nullable(self.keys, std::marker::PhantomData::<T>))?;
        }
        Ok(found)
    }
}

/// A value that may be `null` (`None`), else decoded as `T` through
/// [`ObjectRoot`].
struct Nullable<'k, T>(&'k RefCell<TopLevelKeys>, std::marker::PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Nullable<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Nullable<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        T::deserialize(ObjectRoot(deserializer, self.0)).map(Some)
    }
}

/// The keys of a struct-typed body's top-level object, sorted by whether the
/// struct has a field of that name.
#[derive(Debug, Default)]
pub(crate) struct TopLevelKeys {
    /// The struct's field names; `None` when the top level was not a struct.
    fields: Option<&'static [&'static str]>,
    known: usize,
    unknown: usize,
    /// The first few unknown keys, for the error.
    unknown_names: Vec<String>,
    /// The top level was an array where the struct belongs: the error is the
    /// whole document's, whatever position serde_json reports.
    refused_array: bool,
}

impl TopLevelKeys {
    /// How many unknown keys an error names.
    const NAMED: usize = 8;

    /// The first few unknown keys, how many there were in all, and the
    /// struct's field names.
    pub(crate) fn into_parts(self) -> (Vec<String>, usize, &'static [&'static str]) {
        (
            self.unknown_names,
            self.unknown,
            self.fields.unwrap_or_default(),
        )
    }

    fn note(&mut self, key: &str) {
        let Some(fields) = self.fields else { return };
        if fields.contains(&key) {
            self.known += 1;
        } else {
            self.unknown += 1;
            if self.unknown_names.len() < Self::NAMED {
                self.unknown_names.push(key.to_owned());
            }
        }
    }

    /// A struct took none of the object's keys although it had some: the
    /// answer is not the declared shape (a wrapper object, say).
    fn none_kept(&self) -> bool {
        self.fields.is_some() && self.known == 0 && self.unknown > 0
    }
}

macro_rules! forward_to_inner {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectRoot<'_, D> {
    type Error = D::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.1.borrow_mut().fields = Some(fields);
        self.0
            .deserialize_struct(name, fields, NotFromSeq(visitor, self.1))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }

    forward_to_inner! {
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(), deserialize_str(),
        deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_seq(), deserialize_map(),
        deserialize_identifier(), deserialize_ignored_any(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    }
}

/// A struct's visitor that takes a map (a JSON object) but not a sequence.
struct NotFromSeq<'k, V>(V, &'k RefCell<TopLevelKeys>);

impl<'de, V: Visitor<'de>> Visitor<'de> for NotFromSeq<'_, V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(formatter)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(NotedKeys(map, self.1))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<V::Value, A::Error> {
        self.1.borrow_mut().refused_array = true;
        Err(de::Error::invalid_type(Unexpected::Seq, &self))
    }
}

/// The top-level object's entries, each key noted on its way to the struct.
struct NotedKeys<'k, A>(A, &'k RefCell<TopLevelKeys>);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for NotedKeys<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(NotedKey(seed, self.1))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.0.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// One key: noted as its text passes through to the struct's field visitor.
struct NotedKey<'k, K>(K, &'k RefCell<TopLevelKeys>);

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for NotedKey<'_, K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K::Value, D::Error> {
        self.0.deserialize(KeyDeserializer(deserializer, self.1))
    }
}

struct KeyDeserializer<'k, D>(D, &'k RefCell<TopLevelKeys>);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for KeyDeserializer<'_, D> {
    type Error = D::Error;

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_identifier(KeyVisitor(visitor, self.1))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_str(KeyVisitor(visitor, self.1))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_string(KeyVisitor(visitor, self.1))
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(KeyVisitor(visitor, self.1))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }

    forward_to_inner! {
        deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(),
        deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_seq(), deserialize_map(),
        deserialize_ignored_any(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    }
}

/// Notes a key's text, then hands it to the field visitor. JSON keys are
/// always strings, so the other kinds of value pass through unnoted.
struct KeyVisitor<'k, V>(V, &'k RefCell<TopLevelKeys>);

impl<'de, V: Visitor<'de>> Visitor<'de> for KeyVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(formatter)
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<V::Value, E> {
        self.1.borrow_mut().note(key);
        self.0.visit_str(key)
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<V::Value, E> {
        self.1.borrow_mut().note(key);
        self.0.visit_borrowed_str(key)
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<V::Value, E> {
        self.1.borrow_mut().note(&key);
        self.0.visit_string(key)
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<V::Value, E> {
        self.0.visit_u64(index)
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<V::Value, E> {
        self.0.visit_bytes(key)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, key: &'de [u8]) -> Result<V::Value, E> {
        self.0.visit_borrowed_bytes(key)
    }
}

/// A successfully decoded response: the value plus the status and headers it
/// came with (for `ETag`, `Location`, paging headers and the like). Derefs to
/// the value, so `response.items` reads a field of the decoded body.
#[derive(Debug, Clone)]
pub struct ResponseValue<T> {
    status: StatusCode,
    headers: HeaderMap,
    inner: T,
}

impl<T> ResponseValue<T> {
    /// Assembles a response value; used by the decoders and handy in tests.
    pub fn new(status: StatusCode, headers: HeaderMap, inner: T) -> Self {
        ResponseValue {
            status,
            headers,
            inner,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The operation's declared response headers, typed: `H` is the
    /// operation's generated `<Op>Headers` (see [`ResponseHeaders`](super::ResponseHeaders)).
    /// A declared header that is present but malformed, or required and
    /// missing, is a [`HeaderError`](super::HeaderError); the raw map
    /// ([`Self::headers`]) is there either way.
    pub fn headers_as<H: super::ResponseHeaders>(&self) -> Result<H, super::HeaderError> {
        H::from_headers(&self.headers)
    }

    /// Takes the decoded value.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// Takes status, headers and value.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.inner)
    }
}

impl<T> Deref for ResponseValue<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for ResponseValue<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

/// `declared` for a body the spec gives every 2xx (a `2XX` or `default` response).
#[doc(hidden)]
pub const ANY_SUCCESS: &[u16] = &[];

/// Whether `status` is one of `declared` ([`ANY_SUCCESS`], the empty list, means all).
fn is_declared(status: StatusCode, declared: &[u16]) -> bool {
    declared.is_empty() || declared.contains(&status.as_u16())
}

/// Decodes a 2xx response whose declared statuses carry a JSON body of type `T`
/// (see [`RawResponse::json`] for the content types accepted). Another 2xx is
/// [`Error::UndeclaredStatus`], which keeps the whole response.
///
/// A JSON object of which a struct `T` took none of the keys, while it had
/// some, is [`Error::UnexpectedShape`] (see there why it is an error rather
/// than an empty value).
#[doc(hidden)]
pub fn decode_json<T: DeserializeOwned>(
    raw: RawResponse,
    declared: &[u16],
) -> Result<ResponseValue<T>, Error> {
    if !is_declared(raw.status, declared) {
        return Err(Error::UndeclaredStatus(Box::new(raw)));
    }
    let (inner, keys) = raw.json_with_keys()?;
    if keys.none_kept() {
        return Err(ShapeError::no_declared_field(raw, keys).into());
    }
    Ok(ResponseValue::new(raw.status, raw.headers, inner))
}

/// Decodes the value of `property` of a 2xx response's JSON object body as
/// `T`: an envelope such as `{"iModel": {...}}` (a response an OpenAPI
/// document marks with `x-envelope: iModel`), whose typed value is the
/// entity inside. The other properties of the envelope are skipped.
///
/// A missing or `null` property is [`Error::UnexpectedShape`] (with
/// [`ShapeError::missing_property`] set), keeping the status, headers and
/// body; so is an entity of which a struct `T` took none of the keys, as with
/// [`decode_json`]. A body that is not an object, or whose property does not
/// decode as `T`, is [`Error::Decode`] with the path of the fault
/// (`iModel.createdDateTime`). Another 2xx is [`Error::UndeclaredStatus`].
pub fn decode_json_in<T: DeserializeOwned>(
    raw: RawResponse,
    declared: &[u16],
    property: &str,
) -> Result<ResponseValue<T>, Error> {
    if !is_declared(raw.status, declared) {
        return Err(Error::UndeclaredStatus(Box::new(raw)));
    }
    let (inner, outer, keys) = raw.json_in_with_keys::<T>(property)?;
    let Some(inner) = inner else {
        return Err(ShapeError::property_missing(raw, property, outer).into());
    };
    if keys.none_kept() {
        return Err(ShapeError::no_declared_field(raw, keys).into());
    }
    Ok(ResponseValue::new(raw.status, raw.headers, inner))
}

/// Wraps a 2xx response whose declared statuses carry a binary body; another
/// 2xx is [`Error::UndeclaredStatus`].
#[doc(hidden)]
pub fn decode_bytes(raw: RawResponse, declared: &[u16]) -> Result<ResponseValue<Bytes>, Error> {
    if !is_declared(raw.status, declared) {
        return Err(Error::UndeclaredStatus(Box::new(raw)));
    }
    Ok(ResponseValue::new(raw.status, raw.headers, raw.body))
}

/// Deserializes a string enum that keeps the values it does not know (its
/// `From<&str>` maps the known ones, `From<String>` keeps the rest): generated
/// open enums call it. Unlike going through a `String`, a known value costs no
/// allocation, which is most of an enum field's decoding cost in a long list.
#[doc(hidden)]
pub fn deserialize_str_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    struct StrEnum<T>(std::marker::PhantomData<T>);

    impl<'de, T: for<'a> From<&'a str> + From<String>> Visitor<'de> for StrEnum<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
            Ok(T::from(value))
        }

        fn visit_string<E: de::Error>(self, value: String) -> Result<T, E> {
            Ok(T::from(value))
        }
    }

    deserializer.deserialize_str(StrEnum(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use super::super::Unparsed;
    use super::*;

    #[test]
    fn any_success_declares_every_status() {
        assert!(is_declared(StatusCode::from_u16(299).unwrap(), ANY_SUCCESS));
        assert!(!is_declared(StatusCode::from_u16(201).unwrap(), &[200]));
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct List {
        i_models: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Item {
        #[allow(dead_code)]
        created_date_time: String,
    }

    fn raw(status: u16, body: &'static str) -> RawResponse {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
        RawResponse::new(
            status,
            HeaderMap::new(),
            Bytes::from_static(body.as_bytes()),
        )
    }

    #[test]
    fn declared_status_decodes() {
        let body = r#"{"iModels":[{"createdDateTime":"2024-01-01T00:00:00Z"}]}"#;
        let value = decode_json::<List>(raw(200, body), &[200]).expect("decodes");
        assert_eq!(value.status(), StatusCode::OK);
        assert_eq!(value.i_models.len(), 1);
    }

    #[test]
    fn decode_failure_names_the_field_and_keeps_the_body() {
        let body = r#"{"iModels":[{"createdDateTime":5}]}"#;
        let Err(Error::Decode(error)) = decode_json::<List>(raw(200, body), &[200]) else {
            panic!("expected a decode error");
        };
        assert_eq!(error.path(), "iModels[0].createdDateTime");
        assert_eq!(error.status(), StatusCode::OK);
        assert_eq!(error.body_text(), body);
    }

    #[derive(Debug, Default, serde::Deserialize)]
    struct AllOptional {
        #[serde(default)]
        #[allow(dead_code)]
        items: Vec<u8>,
    }

    #[test]
    fn top_level_array_is_not_a_struct() {
        for body in ["[]", "[[1]]"] {
            let Err(Error::Decode(error)) = decode_json::<AllOptional>(raw(200, body), &[200])
            else {
                panic!("{body} decoded as a struct");
            };
            assert_eq!(error.path(), "", "{body}");
            assert!(
                error
                    .message()
                    .starts_with("invalid type: sequence, expected struct AllOptional"),
                "{}",
                error.message()
            );
        }
        // Arrays are still arrays, objects still objects, and nested values are untouched.
        assert!(raw(200, "[1, 2]").json::<Vec<u8>>().is_ok());
        assert!(raw(200, r#"{"items": [1]}"#).json::<AllOptional>().is_ok());
        assert!(raw(200, "[]").json::<serde_json::Value>().is_ok());
        assert!(raw(200, "null").json::<Option<AllOptional>>().is_ok());
    }

    #[test]
    fn empty_or_trailing_body_is_a_decode_error() {
        for body in ["", "  \n", r#"{"iModels":[]} x"#] {
            let result = decode_json::<List>(raw(200, body), &[200]);
            assert!(matches!(result, Err(Error::Decode(_))), "body {body:?}");
        }
    }

    #[test]
    fn undeclared_2xx_keeps_the_whole_response() {
        match decode_json::<List>(raw(202, "not json"), &[200]) {
            Err(error @ Error::UndeclaredStatus(_)) => {
                assert_eq!(error.status(), Some(StatusCode::ACCEPTED));
                let Error::UndeclaredStatus(response) = error else {
                    unreachable!()
                };
                assert_eq!(response.body().as_ref(), b"not json");
            }
            other => panic!("expected UndeclaredStatus, got {other:?}"),
        }
    }

    fn with_content_type(content_type: &str, body: &'static str) -> RawResponse {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, content_type.parse().expect("valid"));
        RawResponse::new(StatusCode::OK, headers, Bytes::from_static(body.as_bytes()))
    }

    #[test]
    fn json_is_decoded_whatever_the_content_type_says() {
        let body = r#"{"iModels":[]}"#;
        for content_type in [
            "application/vnd.bentley.itwin-platform.v2+json",
            "application/json; charset=utf-8",
            "text/plain",
        ] {
            let raw = with_content_type(content_type, body);
            assert!(decode_json::<List>(raw, &[200]).is_ok(), "{content_type}");
        }
    }

    #[test]
    fn non_json_content_type_is_named_when_decoding_fails() {
        let html = with_content_type("text/html", "<html>proxy login</html>");
        let Err(error) = html.json::<List>() else {
            panic!("expected a decode error");
        };
        assert!(
            error
                .message()
                .ends_with("(the response content type is `text/html`, not JSON)"),
            "{}",
            error.message()
        );
        let Err(error) = with_content_type("application/json", "nope").json::<List>() else {
            panic!("expected a decode error");
        };
        assert!(
            !error.message().contains("content type"),
            "{}",
            error.message()
        );
    }

    #[test]
    fn bytes_are_passed_through() {
        let success = decode_bytes(raw(200, "\u{1}png"), &[200]).expect("bytes");
        assert_eq!(success.into_inner().as_ref(), b"\x01png");
        assert!(matches!(
            decode_bytes(raw(204, ""), &[200]),
            Err(Error::UndeclaredStatus(_))
        ));
    }

    #[test]
    fn text_rejects_invalid_utf8() {
        let response = RawResponse::new(
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::from_static(&[0xff]),
        );
        assert!(response.text().is_err());
        assert_eq!(raw(200, "héllo").text().expect("utf-8"), "héllo");
    }

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Entity {
        id: Option<String>,
        #[allow(dead_code)]
        display_name: Option<String>,
    }

    /// The shape error of a result, or a panic naming `case`.
    fn shape_error<T: fmt::Debug>(case: &str, result: Result<T, Error>) -> ShapeError {
        match result {
            Err(Error::UnexpectedShape(error)) => error,
            other => panic!("{case}: expected UnexpectedShape, got {other:?}"),
        }
    }

    #[test]
    fn an_object_of_another_shape_is_an_error_keeping_the_response() {
        // (case, body, Some(unknown keys) when it is a mismatch)
        let cases: [(&str, &'static str, Option<&[&str]>); 6] = [
            ("an envelope", r#"{"iModel":{"id":"a"}}"#, Some(&["iModel"])),
            (
                "renamed fields",
                r#"{"Id":"a","name":"b"}"#,
                Some(&["Id", "name"]),
            ),
            ("the declared shape", r#"{"id":"a"}"#, None),
            (
                "a known field among unknown ones",
                r#"{"id":"a","surprise":1}"#,
                None,
            ),
            ("an empty object", "{}", None),
            (
                "known fields that are null",
                r#"{"id":null,"displayName":null}"#,
                None,
            ),
        ];
        for (case, body, unknown) in cases {
            let mut headers = HeaderMap::new();
            headers.insert("x-request-id", "r1".parse().unwrap());
            let raw =
                RawResponse::new(StatusCode::OK, headers, Bytes::from_static(body.as_bytes()))
                    .for_operation("GetEntity");
            let result = decode_json::<Entity>(raw, &[200]);
            let Some(unknown) = unknown else {
                assert!(result.is_ok(), "{case}: {result:?}");
                continue;
            };
            let error = shape_error(case, result);
            assert_eq!(error.status(), StatusCode::OK, "{case}");
            assert_eq!(error.headers()["x-request-id"], "r1", "{case}");
            assert_eq!(error.body().as_ref(), body.as_bytes(), "{case}");
            assert_eq!(error.unknown_keys(), unknown, "{case}");
            assert_eq!(error.operation(), "GetEntity", "{case}");
            assert_eq!(error.expected_fields(), ["id", "displayName"], "{case}");
            assert_eq!(error.missing_property(), None, "{case}");
        }
    }

    #[test]
    fn a_mismatch_names_a_bounded_number_of_keys() {
        let body: String = format!(
            "{{{}}}",
            (0..20)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let raw = RawResponse::new(StatusCode::OK, HeaderMap::new(), Bytes::from(body));
        let error = shape_error("many keys", decode_json::<Entity>(raw, &[200]));
        assert_eq!(error.unknown_keys().len(), TopLevelKeys::NAMED);
        assert_eq!(error.unknown_key_count(), 20);
        assert_eq!(
            Error::<Unparsed>::from(error).to_string(),
            "the 200 OK response is not the declared shape: none of its keys (`k0`, `k1`, `k2`, \
             `k3`, `k4`, `k5`, `k6`, `k7` and 12 more) is a field of the declared type"
        );
    }

    #[test]
    fn an_envelope_yields_its_property() {
        // (case, body, Ok(id) or Err(what is wrong))
        let cases: [(&str, &'static str, Result<&str, &str>); 10] = [
            ("the entity", r#"{"iModel":{"id":"a"}}"#, Ok("a")),
            (
                "other properties are skipped",
                r#"{"_links":{"self":{"href":"x"}},"iModel":{"id":"a"},"more":[1,{"b":2}]}"#,
                Ok("a"),
            ),
            (
                "a missing property",
                r#"{"imodel":{"id":"a"}}"#,
                Err("missing"),
            ),
            ("a null property", r#"{"iModel":null}"#, Err("missing")),
            ("an empty envelope", "{}", Err("missing")),
            (
                "an entity of another shape",
                r#"{"iModel":{"Id":"a"}}"#,
                Err("shape"),
            ),
            (
                "a wrong field type",
                r#"{"iModel":{"id":5}}"#,
                Err("decode iModel.id"),
            ),
            (
                "an array inside",
                r#"{"iModel":["a"]}"#,
                Err("decode iModel"),
            ),
            ("not an object", r#"["a"]"#, Err("decode ")),
            (
                "a duplicate property",
                r#"{"iModel":{"id":"a"},"iModel":{"id":"b"}}"#,
                Err("decode iModel"),
            ),
        ];
        for (case, body, expected) in cases {
            let raw = RawResponse::new(
                StatusCode::OK,
                HeaderMap::new(),
                Bytes::from_static(body.as_bytes()),
            );
            let result = decode_json_in::<Entity>(raw, &[200], "iModel");
            match expected {
                Ok(id) => {
                    let value = result.unwrap_or_else(|e| panic!("{case}: {e}"));
                    assert_eq!(value.id.as_deref(), Some(id), "{case}");
                }
                Err("missing") => {
                    let error = shape_error(case, result);
                    assert_eq!(error.missing_property(), Some("iModel"), "{case}");
                    assert_eq!(error.body().as_ref(), body.as_bytes(), "{case}");
                    assert_eq!(error.status(), StatusCode::OK, "{case}");
                }
                Err("shape") => {
                    let error = shape_error(case, result);
                    assert_eq!(error.missing_property(), None, "{case}");
                    assert_eq!(error.unknown_keys(), ["Id"], "{case}");
                }
                Err(decode) => {
                    let path = decode.strip_prefix("decode ").unwrap();
                    match result {
                        Err(Error::Decode(error)) => {
                            assert_eq!(error.path(), path, "{case}: {error}")
                        }
                        other => panic!("{case}: expected a decode error, got {other:?}"),
                    }
                }
            }
        }
        let missing = decode_json_in::<Entity>(raw(200, r#"{"a":1,"b":2}"#), &[200], "iModel");
        assert_eq!(
            Error::<Unparsed>::from(shape_error("message", missing)).to_string(),
            "the 200 OK response has no value at `iModel` (its keys: `a`, `b`)"
        );
        assert!(matches!(
            decode_json_in::<Entity>(raw(201, "{}"), &[200], "iModel"),
            Err(Error::UndeclaredStatus(_))
        ));
    }

    #[test]
    fn response_value_parts() {
        let value = ResponseValue::new(StatusCode::CREATED, HeaderMap::new(), 7_u8);
        assert_eq!(*value, 7);
        let (status, _, inner) = value.into_parts();
        assert_eq!((status, inner), (StatusCode::CREATED, 7));
    }

    /// An open string enum as the generator emits it.
    #[derive(Debug, PartialEq)]
    enum Colour {
        Red,
        Unknown(super::super::UnknownValue),
    }

    impl super::super::StrEnum for Colour {
        fn known(value: &str) -> Option<Self> {
            (value == "red").then_some(Colour::Red)
        }
        fn unknown(value: super::super::UnknownValue) -> Self {
            Colour::Unknown(value)
        }
    }

    impl From<&str> for Colour {
        fn from(value: &str) -> Self {
            super::super::parse_str_enum(value)
        }
    }

    impl From<String> for Colour {
        fn from(value: String) -> Self {
            super::super::parse_str_enum(value)
        }
    }

    #[test]
    fn open_string_enums_decode_borrowed_escaped_and_unknown_values() {
        let decode = |json: &str| {
            let mut deserializer = serde_json::Deserializer::from_str(json);
            deserialize_str_enum::<_, Colour>(&mut deserializer).map_err(|e| e.to_string())
        };
        let cases: [(&str, Result<Colour, String>); 4] = [
            (r#""red""#, Ok(Colour::Red)),
            (r#""r\u0065d""#, Ok(Colour::Red)),
            (r#""blue""#, Ok(Colour::from("blue"))),
            (
                "7",
                Err("invalid type: integer `7`, expected a string at line 1 column 1".into()),
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(decode(json), expected, "{json}");
        }
        let from_reader: Colour =
            deserialize_str_enum(&mut serde_json::Deserializer::from_reader(&b"\"red\""[..]))
                .unwrap();
        assert_eq!(from_reader, Colour::Red);
    }
}
