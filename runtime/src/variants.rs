//! The order a generated untagged union (a `oneOf`/`anyOf` without a discriminator)
//! tries its variants in, so that a body is decoded as the variant it best fits
//! rather than the first that accepts it (an object of optional fields accepts
//! every object).

use serde_json::Value;

/// What an object variant declares: its required properties and all its
/// properties, by wire name. Variants that are not objects have none.
#[derive(Debug, Clone, Copy)]
pub struct VariantShape {
    pub required: &'static [&'static str],
    pub properties: &'static [&'static str],
}

/// The indices of `shapes` in the order to try them for `value`:
///
/// 1. object variants whose required properties are all present and that declare
///    at least one of the body's properties, the one that declares the most of
///    them first (ties: more required properties first, then spec order);
/// 2. then the variants without a shape (not objects, or tagged unions), in spec
///    order;
/// 3. then the object variants that declare none of the body's properties but
///    miss no required one, in spec order;
/// 4. then the object variants that miss a required property, in spec order.
///
/// The first variant the body decodes as wins: the order only prefers, it never
/// refuses a body some variant accepts.
pub fn variant_order(value: &Value, shapes: &[Option<VariantShape>]) -> Vec<usize> {
    let object = value.as_object();
    let mut complete = Vec::new();
    let mut plain = Vec::new();
    let mut unrelated = Vec::new();
    let mut incomplete = Vec::new();
    for (index, shape) in shapes.iter().enumerate() {
        match (shape, object) {
            (None, _) => plain.push(index),
            (Some(shape), Some(object))
                if shape.required.iter().all(|name| object.contains_key(*name)) =>
            {
                let declared = object
                    .keys()
                    .filter(|key| shape.properties.contains(&key.as_str()))
                    .count();
                if declared == 0 {
                    unrelated.push(index);
                } else {
                    complete.push((declared, shape.required.len(), index));
                }
            }
            (Some(_), _) => incomplete.push(index),
        }
    }
    complete.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    complete
        .into_iter()
        .map(|(_, _, index)| index)
        .chain(plain)
        .chain(unrelated)
        .chain(incomplete)
        .collect()
}

/// Serializes a variant of a discriminated union with its tag: when `value` is
/// an object whose `property` is not one of the variant's `tags` (left empty, or
/// set to another kind's), the first tag is written there, so `Pet::Dog(dog)` is
/// always sent as a dog.
pub fn serialize_tagged<T, S>(
    value: &T,
    property: &str,
    tags: &[&str],
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    T: serde::Serialize,
    S: serde::Serializer,
{
    let mut json = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
    if let (Some(object), Some(first)) = (json.as_object_mut(), tags.first()) {
        let tagged = object
            .get(property)
            .and_then(Value::as_str)
            .is_some_and(|tag| tags.contains(&tag));
        if !tagged {
            object.insert(property.to_owned(), Value::String((*first).to_owned()));
        }
    }
    serde::Serialize::serialize(&json, serializer)
}

#[cfg(test)]
mod tests {
    use super::{serialize_tagged, variant_order, VariantShape};

    #[test]
    fn a_variant_is_sent_with_one_of_its_tags() {
        let tags = ["oneA", "oneB"];
        // (the value, what is sent)
        let cases = [
            (json!({"x": 1}), json!({"x": 1, "kind": "oneA"})),
            (json!({"kind": ""}), json!({"kind": "oneA"})),
            (json!({"kind": "twoA"}), json!({"kind": "oneA"})),
            (json!({"kind": "oneB"}), json!({"kind": "oneB"})),
            (json!("not an object"), json!("not an object")),
        ];
        for (value, sent) in cases {
            let json = serialize_tagged(&value, "kind", &tags, serde_json::value::Serializer);
            assert_eq!(json.unwrap(), sent, "{value}");
        }
    }
    use serde_json::json;

    const NOTE: VariantShape = VariantShape {
        required: &[],
        properties: &["label"],
    };
    const EMAIL: VariantShape = VariantShape {
        required: &["address"],
        properties: &["address", "label"],
    };
    const PHONE: VariantShape = VariantShape {
        required: &["number"],
        properties: &["number", "label"],
    };

    #[test]
    fn variants_are_tried_by_required_then_declared_properties() {
        let shapes = [Some(NOTE), Some(EMAIL), None, Some(PHONE)];
        // (the body, the order)
        let cases = [
            (json!({"label": "x"}), vec![0, 2, 1, 3]),
            (json!({"other": "x"}), vec![2, 0, 1, 3]),
            (json!({"address": "a"}), vec![1, 2, 0, 3]),
            (json!({"number": "1", "label": "x"}), vec![3, 0, 2, 1]),
            (json!({"address": "a", "number": "1"}), vec![1, 3, 2, 0]),
            (json!("text"), vec![2, 0, 1, 3]),
        ];
        for (body, order) in cases {
            assert_eq!(variant_order(&body, &shapes), order, "{body}");
        }
    }
}
