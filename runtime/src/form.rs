//! `application/x-www-form-urlencoded` request bodies: each property of the body
//! serialized by its Encoding Object's `style`, `explode` and `allowReserved` (default
//! `form` with `explode: true`, so an array is `tags=a&tags=b`), or as JSON text when
//! its `contentType` is JSON, properties in the body type's order.
//!
//! Hand-written on [`style`](super::style) rather than on `serde_urlencoded` (which
//! refuses arrays and nested objects) or `serde_qs` (whose `tags[0]=a` and
//! percent-encoded brackets are not among OpenAPI's styles): the styles are the
//! same ones parameters use, so both share one implementation.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use serde::ser::{self, Impossible, Serialize};

use super::style::{capture, expand, CaptureError, Location, Param, Style, Value};
use super::Error;

/// How one property of a form body is encoded (its Encoding Object).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// By `style`, `explode` and `allowReserved`; `name` is the property's wire name.
    Styled(Param),
    /// As JSON text (`contentType: application/json`, the default for an object
    /// property without a `style`); the property's wire name.
    Json(&'static str),
}

impl FormField {
    fn name(&self) -> &'static str {
        match self {
            Self::Styled(param) => param.name,
            Self::Json(name) => name,
        }
    }
}

/// Encodes `body`, a struct or map, as `name=value&...`; properties missing from
/// `fields` are `form` with `explode: true`. A body that is not an object is an
/// [`Error::InvalidRequest`].
pub(crate) fn encode_form<T: Serialize + ?Sized>(
    body: &T,
    fields: &[FormField],
) -> Result<String, Error> {
    let mut writer = FormWriter {
        fields,
        out: String::new(),
    };
    body.serialize(&mut writer).map_err(|error| {
        Error::InvalidRequest(format!("could not form-encode the request body: {error}"))
    })?;
    Ok(writer.out)
}

struct FormWriter<'a> {
    fields: &'a [FormField],
    out: String,
}

impl FormWriter<'_> {
    fn property<T: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), CaptureError> {
        let field = self.fields.iter().find(|field| field.name() == name);
        let (param, value) = match field {
            Some(FormField::Json(_)) => {
                // `None` is left out, as it is for every other property.
                let text = serde_json::to_string(value).map_err(ser::Error::custom)?;
                if text == "null" {
                    return Ok(());
                }
                (FORM_EXPLODED, Value::Primitive(text))
            }
            Some(FormField::Styled(param)) => (*param, captured(value)?),
            None => (FORM_EXPLODED, captured(value)?),
        };
        let mark = self.out.len();
        let separated = !self.out.is_empty();
        if separated {
            self.out.push('&');
        }
        expand(&mut self.out, name, &param, Location::Form, &value);
        if self.out.len() == mark + usize::from(separated) {
            // Nothing to send (an empty array): no stray `&` either.
            self.out.truncate(mark);
        }
        Ok(())
    }
}

/// A property without an Encoding Object (the name is the property's own).
const FORM_EXPLODED: Param = Param {
    name: "",
    style: Style::Form,
    explode: true,
    allow_reserved: false,
};

fn captured<T: Serialize + ?Sized>(value: &T) -> Result<Value, CaptureError> {
    capture(value).map_err(|error| CaptureError::Custom(error.to_string()))
}

fn not_an_object() -> CaptureError {
    CaptureError::Custom("the body is not an object".to_owned())
}

struct Properties<'w, 'a> {
    writer: &'w mut FormWriter<'a>,
    key: Option<String>,
}

impl<'w, 'a> ser::Serializer for &'w mut FormWriter<'a> {
    type Ok = ();
    type Error = CaptureError;
    type SerializeSeq = Impossible<(), CaptureError>;
    type SerializeTuple = Impossible<(), CaptureError>;
    type SerializeTupleStruct = Impossible<(), CaptureError>;
    type SerializeTupleVariant = Impossible<(), CaptureError>;
    type SerializeMap = Properties<'w, 'a>;
    type SerializeStruct = Properties<'w, 'a>;
    type SerializeStructVariant = Impossible<(), CaptureError>;

    fn serialize_bool(self, _v: bool) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_i8(self, _v: i8) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_i16(self, _v: i16) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_i32(self, _v: i32) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_i64(self, _v: i64) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_u8(self, _v: u8) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_u16(self, _v: u16) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_u32(self, _v: u32) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_u64(self, _v: u64) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_f32(self, _v: f32) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_f64(self, _v: f64) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_char(self, _v: char) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_str(self, _v: &str) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_none(self) -> Result<(), CaptureError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), CaptureError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), CaptureError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), CaptureError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), CaptureError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), CaptureError> {
        Err(not_an_object())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, CaptureError> {
        Err(not_an_object())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, CaptureError> {
        Err(not_an_object())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, CaptureError> {
        Err(not_an_object())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, CaptureError> {
        Err(not_an_object())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, CaptureError> {
        Ok(Properties {
            writer: self,
            key: None,
        })
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, CaptureError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, CaptureError> {
        Err(not_an_object())
    }
}

impl ser::SerializeMap for Properties<'_, '_> {
    type Ok = ();
    type Error = CaptureError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), CaptureError> {
        match captured(key)? {
            Value::Primitive(text) => {
                self.key = Some(text);
                Ok(())
            }
            _ => Err(CaptureError::Custom(
                "a property name is not a string".to_owned(),
            )),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CaptureError> {
        let key = self.key.take().unwrap_or_default();
        self.writer.property(&key, value)
    }
    fn end(self) -> Result<(), CaptureError> {
        Ok(())
    }
}

impl ser::SerializeStruct for Properties<'_, '_> {
    type Ok = ();
    type Error = CaptureError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), CaptureError> {
        self.writer.property(key, value)
    }
    fn end(self) -> Result<(), CaptureError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    #[allow(non_snake_case)]
    struct Rgb {
        R: u8,
        G: u8,
        B: u8,
    }

    #[derive(Serialize)]
    struct Body {
        name: &'static str,
        tags: Vec<&'static str>,
        color: Option<Rgb>,
        note: Option<&'static str>,
    }

    fn body() -> Body {
        Body {
            name: "n 1",
            tags: vec!["a", "b"],
            color: Some(Rgb {
                R: 100,
                G: 200,
                B: 150,
            }),
            note: None,
        }
    }

    fn styled(name: &'static str, style: Style, explode: bool) -> FormField {
        FormField::Styled(Param {
            name,
            style,
            explode,
            allow_reserved: false,
        })
    }

    #[test]
    fn properties_by_their_encoding_in_order() {
        let cases: &[(&[FormField], &str)] = &[
            // No Encoding Object: form, explode.
            (&[], "name=n+1&tags=a&tags=b&R=100&G=200&B=150"),
            (
                &[FormField::Json("color")],
                "name=n+1&tags=a&tags=b&color=%7B%22R%22%3A100%2C%22G%22%3A200%2C%22B%22%3A150%7D",
            ),
            (
                &[
                    styled("tags", Style::Form, false),
                    styled("color", Style::DeepObject, true),
                ],
                "name=n+1&tags=a,b&color[R]=100&color[G]=200&color[B]=150",
            ),
            (
                &[
                    styled("tags", Style::PipeDelimited, false),
                    styled("color", Style::Form, false),
                ],
                "name=n+1&tags=a|b&color=R,100,G,200,B,150",
            ),
        ];
        for (fields, expected) in cases {
            assert_eq!(
                encode_form(&body(), fields).ok().as_deref(),
                Some(*expected)
            );
        }
    }

    #[test]
    fn empty_and_missing_properties_leave_no_separator() {
        let body = Body {
            name: "x",
            tags: Vec::new(),
            color: None,
            note: None,
        };
        assert_eq!(encode_form(&body, &[]).ok().as_deref(), Some("name=x"));
        let mut map = std::collections::BTreeMap::new();
        map.insert("a b", vec![1, 2]);
        assert_eq!(encode_form(&map, &[]).ok().as_deref(), Some("a+b=1&a+b=2"));
    }

    #[test]
    fn a_body_that_is_not_an_object_is_an_error() {
        assert!(matches!(
            encode_form(&[1, 2], &[]),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            encode_form("text", &[]),
            Err(Error::InvalidRequest(_))
        ));
    }
}
