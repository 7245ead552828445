//! Open string enums: a value the spec lists is its variant, however it was made
//! (decoded, parsed, converted), and any other value is kept in an [`UnknownValue`]
//! that only parsing can make, so `Unknown` never holds a value a variant names.

use std::fmt;

/// A value of an open string enum that the client does not know (the server added it
/// after the client was generated), exactly as the server sent it.
///
/// It can only be made by parsing (`From<&str>`, `FromStr`, `Deserialize` of the
/// enum), which turns every value the spec lists into its variant: an enum's
/// `Unknown` variant never holds a known value, so two values equal on the wire are
/// equal (and hash alike) in Rust.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    /// The value as the server sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for UnknownValue {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for UnknownValue {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for UnknownValue {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

/// An open string enum as the generator emits it: its known values, and the variant
/// that holds the others. Generated code implements it; [`parse_str_enum`] is the
/// only maker of [`UnknownValue`].
#[doc(hidden)]
pub trait StrEnum: Sized {
    /// The variant `value` names, if the spec lists it.
    fn known(value: &str) -> Option<Self>;
    /// The variant that holds a value the spec does not list.
    fn unknown(value: UnknownValue) -> Self;
}

/// `value` as the enum `T`: its variant when the spec lists it, else `T`'s unknown
/// variant holding it (without copying a `String`).
#[doc(hidden)]
pub fn parse_str_enum<T: StrEnum>(value: impl AsRef<str> + Into<String>) -> T {
    match T::known(value.as_ref()) {
        Some(known) => known,
        None => T::unknown(UnknownValue(value.into().into_boxed_str())),
    }
}

/// A value of an open integer enum that the client does not know, as the server sent
/// it. Like [`UnknownValue`], only parsing makes one (`From<i64>`, `Deserialize` of
/// the enum), so an enum's `Unknown` variant never holds a value a variant names.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownInt(i64);

impl UnknownInt {
    /// The value as the server sent it.
    pub fn value(self) -> i64 {
        self.0
    }
}

impl fmt::Debug for UnknownInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for UnknownInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// An open integer enum as the generator emits it (see [`StrEnum`]).
#[doc(hidden)]
pub trait IntEnum: Sized {
    /// The variant `value` names, if the spec lists it.
    fn known(value: i64) -> Option<Self>;
    /// The variant that holds a value the spec does not list.
    fn unknown(value: UnknownInt) -> Self;
}

/// `value` as the enum `T`: its variant when the spec lists it, else `T`'s unknown
/// variant holding it.
#[doc(hidden)]
pub fn parse_int_enum<T: IntEnum>(value: i64) -> T {
    T::known(value).unwrap_or_else(|| T::unknown(UnknownInt(value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    enum Colour {
        Red,
        Unknown(UnknownValue),
    }

    impl StrEnum for Colour {
        fn known(value: &str) -> Option<Self> {
            (value == "red").then_some(Colour::Red)
        }
        fn unknown(value: UnknownValue) -> Self {
            Colour::Unknown(value)
        }
    }

    #[test]
    fn known_values_are_their_variant_however_made() {
        assert_eq!(parse_str_enum::<Colour>("red"), Colour::Red);
        assert_eq!(parse_str_enum::<Colour>(String::from("red")), Colour::Red);
        let blue = parse_str_enum::<Colour>("blue");
        let Colour::Unknown(value) = &blue else {
            panic!("{blue:?}");
        };
        assert_eq!(value.as_str(), "blue");
        assert_eq!(*value, "blue");
        assert_eq!(format!("{value} {value:?}"), "blue \"blue\"");
        assert_eq!(blue, parse_str_enum::<Colour>(String::from("blue")));
        // Case matters on the wire, so it does here.
        assert!(matches!(
            parse_str_enum::<Colour>("Red"),
            Colour::Unknown(_)
        ));
        let set: HashSet<Colour> = ["red", "blue", "red", "blue"]
            .into_iter()
            .map(parse_str_enum)
            .collect();
        assert_eq!(set.len(), 2);
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Size {
        Small,
        Unknown(UnknownInt),
    }

    impl IntEnum for Size {
        fn known(value: i64) -> Option<Self> {
            (value == 1).then_some(Size::Small)
        }
        fn unknown(value: UnknownInt) -> Self {
            Size::Unknown(value)
        }
    }

    #[test]
    fn known_integers_are_their_variant() {
        assert_eq!(parse_int_enum::<Size>(1), Size::Small);
        let other = parse_int_enum::<Size>(-7);
        assert!(matches!(other, Size::Unknown(v) if v.value() == -7));
        assert_eq!(format!("{other:?}"), "Unknown(-7)");
    }
}
