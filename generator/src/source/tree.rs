//! Source text -> JSON tree, for YAML and JSON alike, through one serde visitor.
//!
//! The stock visitors (`serde_json::Value`, `serde_yaml::Value`) each get something
//! wrong for a code generator, so the tree is built here instead, straight from the
//! parsers' events:
//! - a key given twice in one mapping is an error at the second one, in JSON as in
//!   YAML (`serde_json::Value` keeps the last silently: an operation disappeared);
//! - YAML merge keys (`<<: *base`) are resolved as YAML 1.1 defines them (the keys of
//!   the mapping itself win, then the merged mappings in order), instead of staying a
//!   literal `<<` key;
//! - an integer beyond 64 bits (`default: 99999999999999999999999`) becomes the nearest
//!   float, as serde_json does for JSON, instead of refusing the YAML document;
//! - YAML keys that are numbers, booleans or null become strings (`200:` is the
//!   response `"200"`), and tags are dropped, keeping the tagged value.
//!
//! The parsers' own errors keep their own positions. The visitor's refusals also know
//! where they are: the parser positions them (the duplicate key's line and column),
//! and the visitor records the JSON pointer on the way out ([`Refusal`]).

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

/// Which parser the text goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Syntax {
    Yaml,
    Json,
}

/// What the visitor refused, where: the parser's error for the same failure gives the
/// line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    pub message: String,
    pub hint: Option<String>,
    /// Segments of the JSON pointer, outermost first.
    pub segments: Vec<String>,
}

/// Shared by every seed of one parse: the refusal, once made, and the path to it,
/// which is filled in innermost first as the error travels out.
struct Context {
    syntax: Syntax,
    refusal: RefCell<Option<Refusal>>,
}

impl Context {
    /// Records a refusal (the first one wins) and returns the error that carries it
    /// out of the parser, which adds the position.
    fn refuse<E: de::Error>(&self, message: String, hint: Option<&str>, key: Option<&str>) -> E {
        let mut refusal = self.refusal.borrow_mut();
        if refusal.is_none() {
            *refusal = Some(Refusal {
                message: message.clone(),
                hint: hint.map(str::to_owned),
                segments: key.map(str::to_owned).into_iter().collect(),
            });
        }
        E::custom(message)
    }

    /// Adds one level of the path to a refusal travelling out (nothing for a parser
    /// error, which has no pointer).
    fn passing(&self, segment: impl FnOnce() -> String) {
        if let Some(refusal) = self.refusal.borrow_mut().as_mut() {
            refusal.segments.push(segment());
        }
    }
}

/// Parses `source` as `syntax` into a JSON tree. `Err` holds the parser's error and,
/// when the visitor refused the text, what it refused and where.
pub(super) fn parse<E>(
    syntax: Syntax,
    run: impl FnOnce(ValueSeed<'_>) -> Result<Value, E>,
) -> Result<Value, (E, Option<Refusal>)> {
    let context = Context {
        syntax,
        refusal: RefCell::new(None),
    };
    run(ValueSeed { context: &context }).map_err(|error| {
        let refusal = context.refusal.into_inner().map(|mut refusal| {
            refusal.segments.reverse();
            refusal
        });
        (error, refusal)
    })
}

/// Builds one value (and everything in it).
#[derive(Clone, Copy)]
pub(super) struct ValueSeed<'c> {
    context: &'c Context,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// The nearest float to an integer beyond 64 bits, as a JSON number.
fn wide(float: f64) -> Value {
    Number::from_f64(float).map_or(Value::Null, Value::Number)
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML or JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(match i64::try_from(v) {
            Ok(small) => Value::from(small),
            Err(_) => wide(v as f64),
        })
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(match u64::try_from(v) {
            Ok(small) => Value::from(small),
            Err(_) => wide(v as f64),
        })
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        match Number::from_f64(v) {
            Some(number) => Ok(Value::Number(number)),
            None => Err(self.context.refuse(
                "a number that JSON cannot hold (NaN or infinity)".to_owned(),
                None,
                None,
            )),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            match seq.next_element_seed(self) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(Value::Array(items)),
                Err(error) => {
                    self.context.passing(|| items.len().to_string());
                    return Err(error);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        // YAML merge keys: the mappings to merge in, in order, after the mapping's own.
        let mut merges: Vec<Value> = Vec::new();
        let mut merge_seen = false;
        loop {
            let key = access.next_key_seed(KeySeed {
                context: self.context,
                existing: &map,
                merge_seen,
            })?;
            let Some(key) = key else { break };
            let value = match access.next_value_seed(self) {
                Ok(value) => value,
                Err(error) => {
                    self.context.passing(|| key);
                    return Err(error);
                }
            };
            if self.context.syntax == Syntax::Yaml && key == MERGE_KEY {
                merge_seen = true;
                match value {
                    Value::Object(_) => merges.push(value),
                    Value::Array(items) if items.iter().all(Value::is_object) => {
                        merges.extend(items)
                    }
                    _ => {
                        return Err(self.context.refuse(
                            "a merge key `<<` must be given a mapping or a list of mappings"
                                .to_owned(),
                            Some("merge an anchored mapping: `<<: *base` or `<<: [*a, *b]`"),
                            Some(MERGE_KEY),
                        ))
                    }
                }
            } else {
                map.insert(key, value);
            }
        }
        for merged in merges {
            if let Value::Object(merged) = merged {
                for (key, value) in merged {
                    map.entry(key).or_insert(value);
                }
            }
        }
        Ok(Value::Object(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A YAML tag (`!Custom value`): keep the value.
        let (_tag, contents): (de::IgnoredAny, _) = data.variant()?;
        contents.newtype_variant_seed(self)
    }
}

/// The YAML merge key.
const MERGE_KEY: &str = "<<";

/// Reads one mapping key as a string, refusing a key the mapping already has.
struct KeySeed<'c, 'm> {
    context: &'c Context,
    existing: &'m Map<String, Value>,
    merge_seen: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl KeySeed<'_, '_> {
    fn key<E: de::Error>(self, key: String) -> Result<String, E> {
        let merge = self.context.syntax == Syntax::Yaml && key == MERGE_KEY;
        if self.existing.contains_key(&key) || (merge && self.merge_seen) {
            return Err(self.context.refuse(
                format!("duplicate key `{key}`: a mapping may hold each key once"),
                Some(match self.context.syntax {
                    Syntax::Json => "remove or rename one of them (JSON parsers would keep only the last, silently)",
                    Syntax::Yaml => "remove or rename one of them (`200` and `'200'` are the same key)",
                }),
                Some(&key),
            ));
        }
        Ok(key)
    }

    fn not_scalar<E: de::Error>(self) -> E {
        self.context.refuse(
            "a mapping key that is not a scalar".to_owned(),
            Some("OpenAPI keys are strings"),
            None,
        )
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.key(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.key(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.key(v.to_string())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        self.key(v.to_string())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        self.key(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        // Spelled as serde_yaml spells it (`.inf`, `1.5`), as before this visitor.
        self.key(serde_yaml::Number::from(v).to_string())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.key(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        self.key(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        self.key("null".to_owned())
    }

    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        self.key("null".to_owned())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(self.not_scalar())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(self.not_scalar())
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<String, A::Error> {
        let (_tag, contents): (de::IgnoredAny, _) = data.variant()?;
        contents.newtype_variant_seed(self)
    }
}
