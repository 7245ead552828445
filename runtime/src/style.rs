//! OpenAPI parameter serialization: `style` x `explode` for path, query, header and
//! cookie parameters, as RFC 6570 defines the styles and OpenAPI 3.0.3 / 3.1.1 narrow
//! them (their "Style Examples" tables are this module's tests).
//!
//! A value is first captured through a small serde `Serializer` into a primitive, an
//! array of primitives or an object of primitive properties, keeping properties in
//! serialization order (a generated struct's fields are in the spec's order; going
//! through `serde_json::Value` would sort them). Values nested deeper than the styles
//! can express (an array inside an array, an object inside an object) are sent as
//! their JSON text. Then the captured value is expanded for its location, with that
//! location's percent-encoding.
//!
//! Where the tables leave a combination undefined, this module sends a documented
//! fallback rather than failing (the generator warns about such a spec):
//! - `deepObject` with an array or a primitive, and `spaceDelimited` /
//!   `pipeDelimited` with `explode: true`, are sent as `form` with `explode: true`.
//! - `label` without explode follows RFC 6570 section 3.2.5 (`.blue,black,brown`,
//!   `.R,100,G,200,B,150`), which the 3.1.1 table shows; the 3.0.3 table prints
//!   the exploded form (`.blue.black.brown`) for it too.
//! - A cookie with `explode: true` separates its pairs with `; ` (one cookie per
//!   item), since `&` would be part of the cookie's value.
//! - Header values are not percent-encoded (HTTP headers are not URLs); a value
//!   that is not a valid header value is [`Error::InvalidRequest`].
//! - Undefined values (`None`) and empty arrays and objects expand to nothing,
//!   as in RFC 6570; the empty string is a value (`color=`, `;color`, `.`).
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt::{self, Display, Write as _};

use percent_encoding::{utf8_percent_encode, AsciiSet};
use serde::ser::{self, Serialize};

use super::encode::{PATH_SEGMENT, QUERY_COMPONENT};
use super::Error;

/// A parameter's `style` (OpenAPI's Parameter Object).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `simple`: `blue,black,brown` (path, header).
    Simple,
    /// `label`: `.blue` (path).
    Label,
    /// `matrix`: `;color=blue` (path).
    Matrix,
    /// `form`: `color=blue` (query, cookie).
    Form,
    /// `spaceDelimited`: `color=blue%20black%20brown` (query).
    SpaceDelimited,
    /// `pipeDelimited`: `color=blue|black|brown` (query).
    PipeDelimited,
    /// `deepObject`: `color[R]=100&color[G]=200` (query).
    DeepObject,
}

/// How a parameter is serialized: its wire name, `style`, `explode` and
/// `allowReserved`, with the spec's defaults already applied by the generator.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The name on the wire (`$top`, `color`).
    pub name: &'static str,
    /// The parameter's style.
    pub style: Style,
    /// Whether arrays and objects are exploded into one pair per item.
    pub explode: bool,
    /// Whether RFC 3986 reserved characters in a query value are sent unencoded
    /// (all except `#` and `&`, which would end the value).
    pub allow_reserved: bool,
}

impl Param {
    /// A parameter with this `style` and `explode`, reserved characters encoded.
    pub const fn new(name: &'static str, style: Style, explode: bool) -> Self {
        Param {
            name,
            style,
            explode,
            allow_reserved: false,
        }
    }

    /// `form` with `explode: true`: a query or cookie parameter's default.
    pub const fn form(name: &'static str) -> Self {
        Self::new(name, Style::Form, true)
    }

    /// `simple` with `explode: false`: a path or header parameter's default.
    pub const fn simple(name: &'static str) -> Self {
        Self::new(name, Style::Simple, false)
    }

    /// The same parameter with `allowReserved: true`.
    pub const fn reserved(self) -> Self {
        Param {
            allow_reserved: true,
            ..self
        }
    }
}

/// Serializes `value` as its JSON text, as a parameter or form field whose
/// `content` (or `encoding.contentType`) is `application/json` is sent.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct AsJson<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> Serialize for AsJson<'_, T> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(self.0).map_err(ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

/// RFC 3986 reserved characters kept by `allowReserved`, except `#` (it would end the
/// URL's query) and `&` (it would start another parameter).
const QUERY_RESERVED: &AsciiSet = &QUERY_COMPONENT
    .remove(b':')
    .remove(b'/')
    .remove(b'?')
    .remove(b'[')
    .remove(b']')
    .remove(b'@')
    .remove(b'!')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// Where a parameter goes, which decides its percent-encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    /// Every byte but RFC 3986 unreserved ones is encoded.
    Path,
    /// Like the path, but `$` stays literal (OData names); with `allowReserved`,
    /// reserved characters too.
    Query,
    /// Nothing is encoded: the header value is checked instead.
    Header,
    /// Encoded like a path segment, so a value cannot end the cookie.
    Cookie,
    /// An `application/x-www-form-urlencoded` body: as the query, but a space is `+`.
    Form,
}

/// A parameter's value as the styles see it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// `None`, or a unit: nothing is sent.
    Undefined,
    Primitive(String),
    Array(Vec<String>),
    /// Properties in serialization order.
    Object(Vec<(String, String)>),
}

/// Captures `value` as a [`Value`].
pub(crate) fn capture<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    match value.serialize(Capture) {
        Ok(value) => Ok(value),
        // An enum variant with data, or anything else the styles cannot show: its JSON text.
        Err(CaptureError::Unsupported) => Ok(Value::Primitive(json_text(value)?)),
        Err(CaptureError::Custom(message)) => Err(Error::InvalidRequest(format!(
            "could not serialise a parameter: {message}"
        ))),
    }
}

/// JSON text of a value, a string without its quotes.
fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let text = serde_json::to_string(value).map_err(|error| {
        Error::InvalidRequest(format!("could not serialise a parameter: {error}"))
    })?;
    Ok(match serde_json::from_str::<String>(&text) {
        Ok(unquoted) if text.starts_with('"') => unquoted,
        _ => text,
    })
}

/// Appends `text` to `out`, percent-encoded for `location`.
fn encode(out: &mut String, text: &str, location: Location, allow_reserved: bool) {
    let set = match location {
        Location::Path | Location::Cookie => PATH_SEGMENT,
        Location::Query | Location::Form if allow_reserved => QUERY_RESERVED,
        Location::Query | Location::Form => QUERY_COMPONENT,
        Location::Header => {
            out.push_str(text);
            return;
        }
    };
    if location == Location::Form {
        // `application/x-www-form-urlencoded`: a space is `+`, so a literal `+` is encoded.
        for (index, piece) in text.split(' ').enumerate() {
            if index > 0 {
                out.push('+');
            }
            for chunk in utf8_percent_encode(piece, set) {
                if allow_reserved && chunk.contains('+') {
                    out.push_str(&chunk.replace('+', "%2B"));
                } else {
                    out.push_str(chunk);
                }
            }
        }
        return;
    }
    out.extend(utf8_percent_encode(text, set));
}

/// Expands `value` for `param` (sent as `name`) at `location` and appends it to `out`: a path
/// segment's text, a query string's pairs (joined with `&`), a header value, or the
/// `Cookie` header's pairs (joined with `; `). `out` is left as it was when the
/// value is undefined.
pub(crate) fn expand(
    out: &mut String,
    name: &str,
    param: &Param,
    location: Location,
    value: &Value,
) {
    let reserved = param.allow_reserved;
    let enc = |out: &mut String, text: &str| encode(out, text, location, reserved);
    // Between exploded pairs of a query string or a cookie.
    let pair_separator = if location == Location::Cookie {
        "; "
    } else {
        "&"
    };
    let items_empty = match value {
        Value::Undefined => true,
        Value::Primitive(_) => false,
        Value::Array(items) => items.is_empty(),
        Value::Object(pairs) => pairs.is_empty(),
    };
    if items_empty {
        return;
    }
    let style = match (param.style, value, param.explode) {
        (Style::DeepObject, Value::Object(_), _) => Style::DeepObject,
        (Style::DeepObject, _, _) => return form_exploded(out, name, value, &enc, pair_separator),
        (Style::SpaceDelimited | Style::PipeDelimited, _, true) => {
            return form_exploded(out, name, value, &enc, pair_separator)
        }
        (style, _, _) => style,
    };
    match (style, value) {
        (Style::Simple, Value::Primitive(text)) => enc(out, text),
        (Style::Simple, Value::Array(items)) => join(out, items, ",", &enc),
        (Style::Simple, Value::Object(pairs)) => pairs_joined(out, pairs, param.explode, ",", &enc),
        (Style::Label, Value::Primitive(text)) => {
            out.push('.');
            enc(out, text);
        }
        (Style::Label, Value::Array(items)) => {
            out.push('.');
            join(out, items, if param.explode { "." } else { "," }, &enc);
        }
        (Style::Label, Value::Object(pairs)) => {
            out.push('.');
            let separator = if param.explode { "." } else { "," };
            pairs_joined(out, pairs, param.explode, separator, &enc);
        }
        (Style::Matrix, Value::Primitive(text)) => matrix_pair(out, name, text, &enc),
        (Style::Matrix, Value::Array(items)) if param.explode => {
            for item in items {
                matrix_pair(out, name, item, &enc);
            }
        }
        (Style::Matrix, Value::Object(pairs)) if param.explode => {
            for (key, item) in pairs {
                matrix_pair(out, key, item, &enc);
            }
        }
        (Style::Matrix, Value::Array(items)) => {
            out.push(';');
            enc(out, name);
            out.push('=');
            join(out, items, ",", &enc);
        }
        (Style::Matrix, Value::Object(pairs)) => {
            out.push(';');
            enc(out, name);
            out.push('=');
            pairs_joined(out, pairs, false, ",", &enc);
        }
        (Style::Form, Value::Array(_) | Value::Object(_)) if param.explode => {
            form_exploded(out, name, value, &enc, pair_separator);
        }
        (Style::Form | Style::SpaceDelimited | Style::PipeDelimited, Value::Primitive(text)) => {
            enc(out, name);
            out.push('=');
            enc(out, text);
        }
        (Style::Form | Style::SpaceDelimited | Style::PipeDelimited, _) => {
            // `%20` is the delimiter's encoding, whatever the location's space is.
            let separator = match style {
                Style::SpaceDelimited => "%20",
                Style::PipeDelimited => "|",
                _ => ",",
            };
            enc(out, name);
            out.push('=');
            match value {
                Value::Array(items) => join(out, items, separator, &enc),
                Value::Object(pairs) => pairs_joined(out, pairs, false, separator, &enc),
                _ => {}
            }
        }
        (Style::DeepObject, Value::Object(pairs)) => {
            for (index, (key, item)) in pairs.iter().enumerate() {
                if index > 0 {
                    out.push_str(pair_separator);
                }
                enc(out, name);
                out.push('[');
                enc(out, key);
                out.push_str("]=");
                enc(out, item);
            }
        }
        (_, Value::Undefined) | (Style::DeepObject, _) => {}
    }
}

/// `;name=value`, or `;name` for the empty string (RFC 6570's `{;x}`).
fn matrix_pair(out: &mut String, name: &str, text: &str, enc: &dyn Fn(&mut String, &str)) {
    out.push(';');
    enc(out, name);
    if !text.is_empty() {
        out.push('=');
        enc(out, text);
    }
}

/// `form` with `explode: true`: `name=a&name=b` for an array, `R=100&G=200` for an
/// object, `name=value` for a primitive.
fn form_exploded(
    out: &mut String,
    name: &str,
    value: &Value,
    enc: &dyn Fn(&mut String, &str),
    separator: &str,
) {
    let pair = |out: &mut String, index: usize, key: &str, text: &str| {
        if index > 0 {
            out.push_str(separator);
        }
        enc(out, key);
        out.push('=');
        enc(out, text);
    };
    match value {
        Value::Undefined => {}
        Value::Primitive(text) => pair(out, 0, name, text),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                pair(out, index, name, item);
            }
        }
        Value::Object(pairs) => {
            for (index, (key, item)) in pairs.iter().enumerate() {
                pair(out, index, key, item);
            }
        }
    }
}

fn join(out: &mut String, items: &[String], separator: &str, enc: &dyn Fn(&mut String, &str)) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        enc(out, item);
    }
}

/// `R=100,G=200` (explode) or `R,100,G,200`, with `separator` between items.
fn pairs_joined(
    out: &mut String,
    pairs: &[(String, String)],
    explode: bool,
    separator: &str,
    enc: &dyn Fn(&mut String, &str),
) {
    for (index, (key, item)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        enc(out, key);
        out.push_str(if explode { "=" } else { separator });
        enc(out, item);
    }
}

/// Expands a path parameter: the text that replaces `{name}` in the path template,
/// percent-encoded so it cannot add a `/`, `?` or `#`. A `simple` value that is
/// exactly `.` or `..` is sent as `%2E` / `%2E%2E` (see
/// [`encode_path_segment`](super::encode_path_segment)).
#[doc(hidden)]
pub fn path_param<T: Serialize + ?Sized>(param: &Param, value: &T) -> Result<String, Error> {
    let value = capture(value)?;
    let mut out = String::new();
    expand(&mut out, param.name, param, Location::Path, &value);
    Ok(match out.as_str() {
        "." if param.style == Style::Simple => "%2E".to_owned(),
        ".." if param.style == Style::Simple => "%2E%2E".to_owned(),
        _ => out,
    })
}

// ---------------------------------------------------------------------------
// The capturing serializer.

#[derive(Debug)]
pub(crate) enum CaptureError {
    /// A shape the styles have no form for (an enum variant with data).
    Unsupported,
    Custom(String),
}

impl Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported => f.write_str("a value the parameter styles cannot express"),
            Self::Custom(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CaptureError {}

impl ser::Error for CaptureError {
    fn custom<M: Display>(message: M) -> Self {
        Self::Custom(message.to_string())
    }
}

/// The top-level serializer: primitives, arrays and objects.
struct Capture;

/// The text of one item of an array or one property of an object: a primitive's
/// text, JSON text for anything nested, `None` when undefined.
fn item_text<T: Serialize + ?Sized>(value: &T) -> Result<Option<String>, CaptureError> {
    match value.serialize(Capture) {
        Ok(Value::Undefined) => Ok(None),
        Ok(Value::Primitive(text)) => Ok(Some(text)),
        Ok(Value::Array(_) | Value::Object(_)) | Err(CaptureError::Unsupported) => {
            serde_json::to_string(value)
                .map(Some)
                .map_err(|error| CaptureError::Custom(error.to_string()))
        }
        Err(error) => Err(error),
    }
}

fn primitive(text: impl Display) -> Result<Value, CaptureError> {
    let mut out = String::new();
    let _ = write!(out, "{text}");
    Ok(Value::Primitive(out))
}

impl ser::Serializer for Capture {
    type Ok = Value;
    type Error = CaptureError;
    type SerializeSeq = SeqCapture;
    type SerializeTuple = SeqCapture;
    type SerializeTupleStruct = SeqCapture;
    type SerializeTupleVariant = ser::Impossible<Value, CaptureError>;
    type SerializeMap = MapCapture;
    type SerializeStruct = MapCapture;
    type SerializeStructVariant = ser::Impossible<Value, CaptureError>;

    fn serialize_bool(self, v: bool) -> Result<Value, CaptureError> {
        Ok(Value::Primitive(
            if v { "true" } else { "false" }.to_owned(),
        ))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_i16(self, v: i16) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_i32(self, v: i32) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_i64(self, v: i64) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_i128(self, v: i128) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_u16(self, v: u16) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_u32(self, v: u32) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_u64(self, v: u64) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_u128(self, v: u128) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_f32(self, v: f32) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_f64(self, v: f64) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_char(self, v: char) -> Result<Value, CaptureError> {
        primitive(v)
    }
    fn serialize_str(self, v: &str) -> Result<Value, CaptureError> {
        Ok(Value::Primitive(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, CaptureError> {
        Ok(Value::Primitive(String::from_utf8_lossy(v).into_owned()))
    }
    fn serialize_none(self) -> Result<Value, CaptureError> {
        Ok(Value::Undefined)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, CaptureError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, CaptureError> {
        Ok(Value::Undefined)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, CaptureError> {
        Ok(Value::Undefined)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, CaptureError> {
        Ok(Value::Primitive(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, CaptureError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Value, CaptureError> {
        Err(CaptureError::Unsupported)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqCapture, CaptureError> {
        Ok(SeqCapture(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqCapture, CaptureError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqCapture, CaptureError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, CaptureError> {
        Err(CaptureError::Unsupported)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapCapture, CaptureError> {
        Ok(MapCapture {
            pairs: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapCapture, CaptureError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, CaptureError> {
        Err(CaptureError::Unsupported)
    }
}

/// The items of an array, undefined items left out.
struct SeqCapture(Vec<String>);

impl ser::SerializeSeq for SeqCapture {
    type Ok = Value;
    type Error = CaptureError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CaptureError> {
        if let Some(text) = item_text(value)? {
            self.0.push(text);
        }
        Ok(())
    }
    fn end(self) -> Result<Value, CaptureError> {
        Ok(Value::Array(self.0))
    }
}

impl ser::SerializeTuple for SeqCapture {
    type Ok = Value;
    type Error = CaptureError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CaptureError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, CaptureError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqCapture {
    type Ok = Value;
    type Error = CaptureError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CaptureError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, CaptureError> {
        ser::SerializeSeq::end(self)
    }
}

/// The properties of an object in serialization order, undefined ones left out.
struct MapCapture {
    pairs: Vec<(String, String)>,
    key: Option<String>,
}

impl ser::SerializeMap for MapCapture {
    type Ok = Value;
    type Error = CaptureError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), CaptureError> {
        match key.serialize(Capture)? {
            Value::Primitive(text) => {
                self.key = Some(text);
                Ok(())
            }
            _ => Err(CaptureError::Custom("a map key is not a string".to_owned())),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CaptureError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| CaptureError::Custom("a map value without a key".to_owned()))?;
        if let Some(text) = item_text(value)? {
            self.pairs.push((key, text));
        }
        Ok(())
    }
    fn end(self) -> Result<Value, CaptureError> {
        Ok(Value::Object(self.pairs))
    }
}

impl ser::SerializeStruct for MapCapture {
    type Ok = Value;
    type Error = CaptureError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), CaptureError> {
        if let Some(text) = item_text(value)? {
            self.pairs.push((key.to_owned(), text));
        }
        Ok(())
    }
    fn end(self) -> Result<Value, CaptureError> {
        Ok(Value::Object(self.pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// The tables' object: properties in this order, which is not sorted.
    #[derive(Serialize)]
    #[allow(non_snake_case)]
    struct Rgb {
        R: u8,
        G: u8,
        B: u8,
    }

    const RGB: Rgb = Rgb {
        R: 100,
        G: 200,
        B: 150,
    };
    const ARRAY: [&str; 3] = ["blue", "black", "brown"];

    fn param(style: Style, explode: bool) -> Param {
        Param {
            name: "color",
            style,
            explode,
            allow_reserved: false,
        }
    }

    fn expanded<T: Serialize + ?Sized>(
        style: Style,
        explode: bool,
        location: Location,
        value: &T,
    ) -> String {
        let mut out = String::new();
        let value = capture(value).expect("captures");
        expand(&mut out, "color", &param(style, explode), location, &value);
        out
    }

    /// One row of the OpenAPI 3.1.1 "Style Examples" table: `None` where it says
    /// n/a. `empty` is the empty string.
    struct Row {
        style: Style,
        explode: bool,
        location: Location,
        empty: Option<&'static str>,
        string: Option<&'static str>,
        array: &'static str,
        object: Option<&'static str>,
    }

    const fn row(
        style: Style,
        explode: bool,
        location: Location,
        empty: Option<&'static str>,
        string: Option<&'static str>,
        array: &'static str,
        object: Option<&'static str>,
    ) -> Row {
        Row {
            style,
            explode,
            location,
            empty,
            string,
            array,
            object,
        }
    }

    use Location::{Cookie, Header, Path, Query};
    use Style::*;

    /// The 3.0.3 and 3.1.1 tables, with label/explode=false per RFC 6570 (3.1.1's
    /// cells; 3.0.3 prints `.blue.black.brown` and `.R.100.G.200.B.150`), plus the
    /// header (simple) and cookie (form) rows those tables' styles imply.
    #[rustfmt::skip]
    const TABLE: &[Row] = &[
        row(Matrix, false, Path, Some(";color"), Some(";color=blue"), ";color=blue,black,brown", Some(";color=R,100,G,200,B,150")),
        row(Matrix, true, Path, Some(";color"), Some(";color=blue"), ";color=blue;color=black;color=brown", Some(";R=100;G=200;B=150")),
        row(Label, false, Path, Some("."), Some(".blue"), ".blue,black,brown", Some(".R,100,G,200,B,150")),
        row(Label, true, Path, Some("."), Some(".blue"), ".blue.black.brown", Some(".R=100.G=200.B=150")),
        row(Form, false, Query, Some("color="), Some("color=blue"), "color=blue,black,brown", Some("color=R,100,G,200,B,150")),
        row(Form, true, Query, Some("color="), Some("color=blue"), "color=blue&color=black&color=brown", Some("R=100&G=200&B=150")),
        row(Simple, false, Path, Some(""), Some("blue"), "blue,black,brown", Some("R,100,G,200,B,150")),
        row(Simple, true, Path, Some(""), Some("blue"), "blue,black,brown", Some("R=100,G=200,B=150")),
        row(SpaceDelimited, false, Query, None, None, "color=blue%20black%20brown", Some("color=R%20100%20G%20200%20B%20150")),
        row(PipeDelimited, false, Query, None, None, "color=blue|black|brown", Some("color=R|100|G|200|B|150")),
        row(DeepObject, true, Query, None, None, "", Some("color[R]=100&color[G]=200&color[B]=150")),
        row(Simple, false, Header, Some(""), Some("blue"), "blue,black,brown", Some("R,100,G,200,B,150")),
        row(Simple, true, Header, Some(""), Some("blue"), "blue,black,brown", Some("R=100,G=200,B=150")),
        row(Form, false, Cookie, Some("color="), Some("color=blue"), "color=blue,black,brown", Some("color=R,100,G,200,B,150")),
        row(Form, true, Cookie, Some("color="), Some("color=blue"), "color=blue; color=black; color=brown", Some("R=100; G=200; B=150")),
    ];

    #[test]
    fn every_cell_of_the_style_tables() {
        for row in TABLE {
            let label = format!("{:?} explode={} {:?}", row.style, row.explode, row.location);
            let cell = |value: &dyn erased::Value| {
                let mut out = String::new();
                expand(
                    &mut out,
                    "color",
                    &param(row.style, row.explode),
                    row.location,
                    &value.capture(),
                );
                out
            };
            if let Some(empty) = row.empty {
                assert_eq!(cell(&""), empty, "{label} empty");
            }
            if let Some(string) = row.string {
                assert_eq!(cell(&"blue"), string, "{label} string");
            }
            if row.style != DeepObject {
                assert_eq!(cell(&ARRAY), row.array, "{label} array");
            }
            if let Some(object) = row.object {
                assert_eq!(cell(&RGB), object, "{label} object");
            }
        }
    }

    /// Lets the table test pass differently typed values through one closure.
    mod erased {
        pub trait Value {
            fn capture(&self) -> super::Value;
        }
        impl<T: serde::Serialize> Value for T {
            fn capture(&self) -> super::Value {
                super::capture(self).expect("captures")
            }
        }
    }

    #[test]
    fn undefined_combinations_fall_back_to_exploded_form() {
        assert_eq!(
            expanded(DeepObject, true, Query, &ARRAY),
            "color=blue&color=black&color=brown"
        );
        assert_eq!(expanded(DeepObject, true, Query, "blue"), "color=blue");
        assert_eq!(
            expanded(PipeDelimited, true, Query, &ARRAY),
            "color=blue&color=black&color=brown"
        );
        assert_eq!(expanded(SpaceDelimited, false, Query, "blue"), "color=blue");
    }

    #[test]
    fn undefined_and_empty_collections_send_nothing() {
        let none: Option<&str> = None;
        let empty: Vec<String> = Vec::new();
        for style in [
            Simple,
            Label,
            Matrix,
            Form,
            SpaceDelimited,
            PipeDelimited,
            DeepObject,
        ] {
            for explode in [false, true] {
                assert_eq!(expanded(style, explode, Query, &none), "");
                assert_eq!(expanded(style, explode, Query, &empty), "");
                assert_eq!(
                    expanded(
                        style,
                        explode,
                        Query,
                        &std::collections::BTreeMap::<String, i32>::new()
                    ),
                    ""
                );
            }
        }
        // An optional property that is `None` is left out of an object.
        #[derive(Serialize)]
        struct Partial {
            a: Option<i32>,
            b: i32,
        }
        assert_eq!(
            expanded(Form, true, Query, &Partial { a: None, b: 2 }),
            "b=2"
        );
    }

    #[test]
    fn percent_encoding_follows_the_location() {
        let text = "a b/c,$é";
        assert_eq!(expanded(Simple, false, Path, text), "a%20b%2Fc%2C%24%C3%A9");
        assert_eq!(
            expanded(Form, true, Query, text),
            "color=a%20b%2Fc%2C$%C3%A9"
        );
        assert_eq!(expanded(Simple, false, Header, text), "a b/c,$é");
        assert_eq!(expanded(Form, true, Cookie, "a b;c"), "color=a%20b%3Bc");
        assert_eq!(
            expanded(Form, true, Location::Form, "a b+c"),
            "color=a+b%2Bc"
        );
        // Items are encoded one by one; the delimiters between them stay literal.
        assert_eq!(
            expanded(Form, false, Query, &["a,b", "c|d"]),
            "color=a%2Cb,c%7Cd"
        );
        assert_eq!(
            expanded(DeepObject, true, Query, &RGB).matches('[').count(),
            3
        );
    }

    #[test]
    fn allow_reserved_keeps_reserved_characters_in_the_query() {
        let mut out = String::new();
        let reserved = Param {
            allow_reserved: true,
            ..param(Form, true)
        };
        let value = capture("a/b?c:d,e[f]@g!h=i#j&k l").expect("captures");
        expand(&mut out, "color", &reserved, Query, &value);
        assert_eq!(out, "color=a/b?c:d,e[f]@g!h=i%23j%26k%20l");
    }

    #[test]
    fn nested_values_are_json_text_in_order() {
        #[derive(Serialize)]
        struct Outer {
            z: Rgb,
            a: Vec<i32>,
        }
        let value = Outer {
            z: RGB,
            a: vec![1, 2],
        };
        assert_eq!(
            capture(&value).expect("captures"),
            Value::Object(vec![
                ("z".to_owned(), r#"{"R":100,"G":200,"B":150}"#.to_owned()),
                ("a".to_owned(), "[1,2]".to_owned()),
            ])
        );
    }

    #[test]
    fn primitives_of_every_kind() {
        assert_eq!(capture(&true).ok(), Some(Value::Primitive("true".into())));
        assert_eq!(capture(&-5_i64).ok(), Some(Value::Primitive("-5".into())));
        assert_eq!(capture(&1.5_f64).ok(), Some(Value::Primitive("1.5".into())));
        assert_eq!(capture(&Some('x')).ok(), Some(Value::Primitive("x".into())));
        #[derive(Serialize)]
        enum Data {
            Tagged(i32),
        }
        // An enum variant with data has no style: its JSON text.
        assert_eq!(
            capture(&Data::Tagged(1)).ok(),
            Some(Value::Primitive(r#"{"Tagged":1}"#.into()))
        );
        assert_eq!(
            capture(&AsJson(&RGB)).ok(),
            Some(Value::Primitive(r#"{"R":100,"G":200,"B":150}"#.into()))
        );
    }

    #[test]
    fn unserialisable_values_are_errors_not_panics() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(vec![1_u8], 1);
        assert!(matches!(capture(&map), Err(Error::InvalidRequest(_))));
    }

    #[test]
    fn path_params_cannot_be_dot_segments() {
        let simple = param(Simple, false);
        assert_eq!(path_param(&simple, ".").ok().as_deref(), Some("%2E"));
        assert_eq!(path_param(&simple, "..").ok().as_deref(), Some("%2E%2E"));
        assert_eq!(path_param(&simple, "a/b").ok().as_deref(), Some("a%2Fb"));
        assert_eq!(
            path_param(&param(Label, true), &ARRAY).ok().as_deref(),
            Some(".blue.black.brown")
        );
    }
}
