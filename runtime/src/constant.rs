//! Decoding a 3.1 `const`: the generated unit struct of one checks the value here.

use serde::de::{Deserializer, Error, Unexpected};
use serde::Deserialize;

/// The value a `const` must have.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstValue {
    Str(&'static str),
    Int(i64),
    Bool(bool),
}

/// Decodes a `const`'s value, failing (with the usual "invalid value" message and
/// the field's JSON path) when it is another value.
#[doc(hidden)]
pub fn deserialize_const<'de, D: Deserializer<'de>>(
    deserializer: D,
    expected: ConstValue,
) -> Result<(), D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    let matches = match (expected, &value) {
        (ConstValue::Str(s), serde_json::Value::String(v)) => v == s,
        (ConstValue::Int(i), serde_json::Value::Number(n)) => n.as_i64() == Some(i),
        (ConstValue::Bool(b), serde_json::Value::Bool(v)) => *v == b,
        _ => false,
    };
    if matches {
        return Ok(());
    }
    let shown = match expected {
        ConstValue::Str(s) => format!("the string {s:?}"),
        ConstValue::Int(i) => format!("the integer {i}"),
        ConstValue::Bool(b) => format!("the boolean {b}"),
    };
    let unexpected = match &value {
        serde_json::Value::String(s) => Unexpected::Str(s),
        serde_json::Value::Bool(b) => Unexpected::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Unexpected::Signed(i),
            (None, Some(f)) => Unexpected::Float(f),
            (None, None) => Unexpected::Other("a number"),
        },
        serde_json::Value::Null => Unexpected::Unit,
        serde_json::Value::Array(_) => Unexpected::Seq,
        serde_json::Value::Object(_) => Unexpected::Map,
    };
    Err(D::Error::invalid_value(unexpected, &shown.as_str()))
}

#[cfg(test)]
mod tests {
    use super::{deserialize_const, ConstValue};

    #[test]
    fn the_value_decodes_and_any_other_is_an_error() {
        let check = |json: &str, expected| {
            let mut de = serde_json::Deserializer::from_str(json);
            deserialize_const(&mut de, expected).map_err(|e| e.to_string())
        };
        assert_eq!(check(r#""dog""#, ConstValue::Str("dog")), Ok(()));
        assert_eq!(check("3", ConstValue::Int(3)), Ok(()));
        assert_eq!(check("true", ConstValue::Bool(true)), Ok(()));
        let wrong = check(r#""cat""#, ConstValue::Str("dog")).unwrap_err();
        assert!(
            wrong.contains(r#"invalid value: string "cat", expected the string "dog""#),
            "{wrong}"
        );
        assert!(check("4", ConstValue::Int(3)).is_err());
    }
}
