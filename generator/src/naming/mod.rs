//! Shared service: every Rust name the generator emits is decided here: case
//! conversion (heck), the compound-word list (configured, or found by `words`), the
//! keyword policy, the names the runtime takes ([`reserved`]) and the collision resolver.
//!
//! heck splits on case changes, so `IModels` alone would become `i_models`. Product names
//! like `iModel` and `iTwin` are single words; the spec folder's `naming.toml` lists them
//! and [`Naming`] treats each listed word as one word: `GetIModels` -> `get_imodels`,
//! `iTwinId` -> `itwin_id`, `CreateIModelExtent` stays `CreateIModelExtent`.

/// The names the runtime's API takes on generated types: `runtime/src/reserved.rs`,
/// included by path so the generator and the runtime cannot disagree.
#[path = "../../../runtime/src/reserved.rs"]
pub mod reserved;
pub(crate) mod words;

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Strict and reserved keywords of Rust 2021 (and 2024's `gen`); a name equal to one
/// of these cannot be used as-is.
pub(crate) const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Prelude names the generated code uses unqualified; no generated type may take them
/// (a schema named `Result` becomes `Result2`).
pub(crate) const PRELUDE: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "From",
    "Into",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "ToString",
    "ToOwned",
    "Iterator",
    "IntoIterator",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "AsRef",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
];

/// The names a generated crate's root holds (its client, its request, its errors, what
/// the methods return and what the README's first examples use; the rest of the
/// runtime is in its `runtime` module): no
/// generated model or operation type may take one, so `models::*` never shadows
/// `crate::Error`. A component schema named like one takes a role suffix instead (see
/// [`root_collision_suffix`]).
pub const CRATE_ROOT: &[&str] = &[
    "AccessToken",
    "ApiError",
    "ByteStream",
    "Client",
    "ClientBuilder",
    "Download",
    "Error",
    "ItemStream",
    "RawResponse",
    "Request",
    "ResponseValue",
    "RetryPolicy",
    "StreamingResponse",
    "Upload",
    "WaitPolicy",
];

/// The suffix a component schema whose name is a [`CRATE_ROOT`] name takes, by its
/// role: the body of error answers is `ErrorBody` (the spec's `Error`, the body of
/// `crate::Error::Api`), any other such schema a `Model` (`ClientModel`).
pub fn root_collision_suffix(is_error_body: bool) -> &'static str {
    if is_error_body {
        "Body"
    } else {
        "Model"
    }
}

/// The suffix of every operation's struct in `operations` (`GetIModels` ->
/// `GetIModelsInput`, the inputs of one call, as AWS's SDKs name them): a request body
/// schema often has the operation's name (`CreateIModel`), and one name must not be
/// two types in one crate.
pub const OPERATION_SUFFIX: &str = "Input";

/// Keywords that cannot be raw identifiers (`r#self` is not allowed); they get a `_` suffix.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// Case conversion with the project's compound-word list.
#[derive(Debug, Clone, Default)]
pub struct Naming {
    /// Compound words as written in the spec, e.g. `iModel`.
    words: Vec<String>,
    /// Configured type names by JSON pointer of the schema (see [`Self::renamed`]).
    renames: std::collections::BTreeMap<String, String>,
}

impl Naming {
    /// `words` are compound words (`iModel`, `iTwin`) to keep as one word.
    pub fn new(words: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let mut words: Vec<String> = words.into_iter().map(Into::into).collect();
        // Longer words first so `iModelHub` wins over `iModel`.
        words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        words.dedup();
        Self {
            words,
            renames: Default::default(),
        }
    }

    /// With configured type names: `(pointer, name)`, the name a schema at that JSON
    /// pointer takes instead of the one the rules give it.
    pub fn with_renames(mut self, renames: &[(String, String)]) -> Self {
        self.renames = renames.iter().cloned().collect();
        self
    }

    /// The configured name of the schema at `pointer`, if any.
    pub fn renamed(&self, pointer: &str) -> Option<&str> {
        self.renames.get(pointer).map(String::as_str)
    }

    /// The configured pointers, to tell which named nothing.
    pub fn rename_pointers(&self) -> impl Iterator<Item = &str> {
        self.renames.keys().map(String::as_str)
    }

    /// `UpperCamelCase` for types and enum variants, at most [`MAX_IDENT_LEN`] long.
    pub fn type_name(&self, raw: &str) -> String {
        cap(self.full_type_name(raw))
    }

    /// The name of an inline type inside `parent` (a Rust type name) at `property`:
    /// the parent's name and the property's, without saying twice the word where they
    /// meet (`Pet` + `petType` -> `PetType`, `CreateIModel` + `iModelId` ->
    /// `CreateIModelId`). A property that is only that word keeps it (`Error` +
    /// `error` -> `ErrorError`: the parent's name alone is taken).
    pub fn child_type_name(&self, parent: &str, property: &str) -> String {
        let child = self.type_name(property);
        let parent_snake = self.value_name(parent);
        let property_snake = self.value_name(property);
        let last = parent_snake.rsplit('_').next().unwrap_or_default();
        match property_snake.split_once('_') {
            Some((first, rest)) if !last.is_empty() && first == last => {
                format!("{parent}{}", self.type_name(rest))
            }
            _ => format!("{parent}{child}"),
        }
    }

    /// `snake_case` for functions, fields, parameters and modules, at most
    /// [`MAX_IDENT_LEN`] long.
    pub fn value_name(&self, raw: &str) -> String {
        cap(self.full_value_name(raw))
    }

    /// `SCREAMING_SNAKE_CASE` for constants, at most [`MAX_IDENT_LEN`] long: words
    /// split at separators and where a lower-case letter or digit meets an upper-case
    /// one, so acronyms stay whole (`OAuth2` -> `OAUTH2`, `apiKey` -> `API_KEY`).
    pub fn const_name(&self, raw: &str) -> String {
        let raw = self.collapse(&spell_symbols(raw));
        let mut out = String::with_capacity(raw.len() + 4);
        let mut previous: Option<char> = None;
        for c in raw.chars() {
            if c.is_ascii_alphanumeric() {
                let boundary = c.is_ascii_uppercase()
                    && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
                if boundary {
                    out.push('_');
                }
                out.push(c.to_ascii_uppercase());
                previous = Some(c);
            } else {
                if !out.is_empty() && !out.ends_with('_') {
                    out.push('_');
                }
                previous = None;
            }
        }
        let out = out.trim_end_matches('_');
        cap(if out.is_empty() {
            "EMPTY".to_owned()
        } else if out.starts_with(|c: char| c.is_ascii_digit()) {
            format!("_{out}")
        } else {
            out.to_owned()
        })
    }

    /// Whether [`Self::type_name`] of `raw` is capped.
    pub fn caps_type_name(&self, raw: &str) -> bool {
        may_exceed_cap(raw) && self.full_type_name(raw).len() > MAX_IDENT_LEN
    }

    /// Whether [`Self::value_name`] of `raw` is capped.
    pub fn caps_value_name(&self, raw: &str) -> bool {
        may_exceed_cap(raw) && self.full_value_name(raw).len() > MAX_IDENT_LEN
    }

    fn full_type_name(&self, raw: &str) -> String {
        let pascal = self.collapse(&spell_symbols(raw)).to_upper_camel_case();
        let pascal = ascii_ident_chars(&self.restore(&pascal));
        let pascal = if pascal.is_empty() {
            "Empty".to_owned()
        } else if pascal.starts_with(|c: char| c.is_ascii_digit()) {
            format!("V{pascal}")
        } else {
            pascal
        };
        escape_keyword(pascal)
    }

    fn full_value_name(&self, raw: &str) -> String {
        let snake = ascii_ident_chars(&self.collapse(&spell_symbols(raw)).to_snake_case());
        // `_` alone is a pattern, not a name (`Ὑ:` leaves only the separator).
        let snake = if snake.trim_matches('_').is_empty() {
            "empty".to_owned()
        } else if snake.starts_with(|c: char| c.is_ascii_digit()) {
            format!("_{snake}")
        } else {
            snake
        };
        escape_keyword(snake)
    }

    /// Rewrites each listed word as one capitalised word (`IModel` -> `Imodel`) so heck
    /// does not split it.
    fn collapse(&self, raw: &str) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        'outer: while !rest.is_empty() {
            for word in &self.words {
                if let Some(len) = match_word(rest, word, out.chars().last()) {
                    let mut chars = word.chars();
                    if let Some(first) = chars.next() {
                        out.extend(first.to_uppercase());
                        out.push_str(&chars.as_str().to_lowercase());
                    }
                    rest = &rest[len..];
                    continue 'outer;
                }
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
        out
    }

    /// Puts the listed spelling back into a camel-case name (`GetImodels` -> `GetIModels`).
    fn restore(&self, pascal: &str) -> String {
        let mut out = pascal.to_owned();
        for word in &self.words {
            let mut chars = word.chars();
            let Some(first) = chars.next() else { continue };
            let collapsed: String = first
                .to_uppercase()
                .chain(chars.as_str().to_lowercase().chars())
                .collect();
            let preferred: String = first.to_uppercase().chain(chars).collect();
            out = out.replace(&collapsed, &preferred);
        }
        out
    }
}

/// Length of `word` at the start of `text`, if it is there as a word of its own. The
/// first letter may be either case (`iModel`, `IModel`); a lower-case start must not
/// continue a lower-case word (`xiModel` is not `iModel`).
fn match_word(text: &str, word: &str, previous: Option<char>) -> Option<usize> {
    let mut word_chars = word.chars();
    let first = word_chars.next()?;
    let mut text_chars = text.chars();
    let t_first = text_chars.next()?;
    if !t_first.eq_ignore_ascii_case(&first) {
        return None;
    }
    let rest = word_chars.as_str();
    if !text_chars.as_str().starts_with(rest) {
        return None;
    }
    if t_first.is_lowercase() && previous.is_some_and(char::is_alphanumeric) {
        return None;
    }
    Some(t_first.len_utf8() + rest.len())
}

/// Keeps only ASCII letters, digits and `_`: heck keeps any Unicode alphanumeric, but
/// `²` or `٣` cannot be in an identifier (and ASCII names read the same everywhere).
fn ascii_ident_chars(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Spells out signs that would otherwise vanish (`+1` -> `plus 1`, `-1` -> `minus 1`).
fn spell_symbols(raw: &str) -> String {
    let mut out = raw.to_owned();
    if let Some(rest) = out.strip_prefix('+') {
        out = format!("plus {rest}");
    } else if let Some(rest) = out.strip_prefix('-') {
        out = format!("minus {rest}");
    }
    out
}

/// Applies the keyword policy: `r#type` where a raw identifier is allowed, `self_` where not.
pub(crate) fn escape_keyword(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// The longest identifier the generator writes (before a collision suffix). A name
/// the document makes longer (a 100,000-character schema name) keeps its first
/// characters and ends in a hash of the whole name, so distinct names stay distinct
/// and the same document always gives the same names; its wire name is unchanged.
/// Real documents stay well below it: the longest name in the APIs.guru directory,
/// an inline type named after its chain of parents, has 245 characters, and capping
/// at 100 changed names in dozens of its documents. rustc does not mind 512 characters;
/// it was names of many thousands that cost it gigabytes.
pub const MAX_IDENT_LEN: usize = 512;

/// `name`, or when it is longer than [`MAX_IDENT_LEN`] its start and an eight-digit
/// hash of all of it: `very_long_..._name_5d2f09a1`, `VeryLong...Name5d2f09a1`.
pub(crate) fn cap(name: String) -> String {
    if name.len() <= MAX_IDENT_LEN {
        return name;
    }
    let hash = fnv1a(&name);
    let hash = (hash ^ (hash >> 32)) as u32;
    let snake = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_');
    let suffix = if snake {
        format!("_{hash:08x}")
    } else {
        format!("{hash:08x}")
    };
    let mut end = MAX_IDENT_LEN - suffix.len();
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{suffix}", name[..end].trim_end_matches('_'))
}

/// Whether a raw name could become an identifier longer than [`MAX_IDENT_LEN`]:
/// case conversion at most doubles it (a `_` between letters) and spelling a sign
/// adds a word.
fn may_exceed_cap(raw: &str) -> bool {
    raw.len() * 2 + 8 > MAX_IDENT_LEN
}

/// 64-bit FNV-1a: small, fixed across platforms and releases (unlike `std`'s hasher).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Hands out names within one scope (a module's types, a struct's fields, a function's
/// arguments). A taken name gets the first free numeric suffix: `Foo2`, `foo_2`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    taken: BTreeSet<String>,
    /// Next suffix to try per base name, so many collisions stay linear.
    next_suffix: std::collections::HashMap<String, usize>,
}

impl Scope {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A scope in which `reserved` names are already taken.
    pub(crate) fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
            next_suffix: Default::default(),
        }
    }

    /// Claims `name` ([`cap`]ped), or the first free suffixed form of it.
    pub(crate) fn claim(&mut self, name: &str) -> String {
        let capped;
        let name = if name.len() > MAX_IDENT_LEN {
            capped = cap(name.to_owned());
            capped.as_str()
        } else {
            name
        };
        if self.taken.insert(name.to_owned()) {
            return name.to_owned();
        }
        // `r#type` -> `type_2`, `self_` -> `self_2`: the suffix replaces the escape.
        let unescaped = name.strip_prefix("r#").unwrap_or(name);
        let base = unescaped.trim_end_matches('_');
        let snake = unescaped
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c == '_');
        let start = self.next_suffix.get(base).copied().unwrap_or(2);
        let (n, claimed) = (start..)
            .map(|n| {
                // A suffix alone would be a number, not a name.
                let candidate = match (snake, base.is_empty()) {
                    (true, _) => format!("{base}_{n}"),
                    (false, true) => format!("V{n}"),
                    (false, false) => format!("{base}{n}"),
                };
                (n, candidate)
            })
            .find(|(_, candidate)| self.taken.insert(candidate.clone()))
            .unwrap_or_default();
        self.next_suffix.insert(base.to_owned(), n + 1);
        claimed
    }

    pub(crate) fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naming() -> Naming {
        Naming::new(["iModel", "iTwin"])
    }

    #[test]
    fn constants_keep_acronyms_whole() {
        let n = naming();
        for (raw, expected) in [
            ("OAuth2", "OAUTH2"),
            ("apiKey", "API_KEY"),
            ("api_key", "API_KEY"),
            ("X-API-Key", "X_API_KEY"),
            ("petstore_auth", "PETSTORE_AUTH"),
            ("bearerAuth", "BEARER_AUTH"),
            ("oauth2Scheme", "OAUTH2_SCHEME"),
            ("iModelKey", "IMODEL_KEY"),
            ("2fa", "_2FA"),
            ("--", "MINUS"),
            ("é", "EMPTY"),
        ] {
            assert_eq!(n.const_name(raw), expected, "{raw}");
        }
    }

    #[test]
    fn compound_words_stay_whole() {
        let n = naming();
        assert_eq!(n.value_name("GetIModels"), "get_imodels");
        assert_eq!(n.value_name("GetIModelUsers"), "get_imodel_users");
        assert_eq!(n.value_name("CreateNamedVersion"), "create_named_version");
        assert_eq!(n.value_name("iTwinId"), "itwin_id");
        assert_eq!(n.value_name("iModelId"), "imodel_id");
        assert_eq!(n.type_name("IModel"), "IModel");
        assert_eq!(n.type_name("IModelList"), "IModelList");
        assert_eq!(n.type_name("CreateIModel_extent"), "CreateIModelExtent");
        assert_eq!(n.type_name("GetIModelsRequest"), "GetIModelsRequest");
        assert_eq!(n.type_name("iTwinId"), "ITwinId");
        // A lower-case `i` inside a word is not the start of `iModel`.
        assert_eq!(n.value_name("taxiModel"), "taxi_model");
    }

    #[test]
    fn inline_names_do_not_repeat_the_word_where_they_meet() {
        let n = naming();
        assert_eq!(n.child_type_name("Pet", "petType"), "PetType");
        assert_eq!(
            n.child_type_name("CreateIModel", "iModelId"),
            "CreateIModelId"
        );
        assert_eq!(
            n.child_type_name("CreateIModel", "extent"),
            "CreateIModelExtent"
        );
        assert_eq!(n.child_type_name("IModel", "state"), "IModelState");
        // Only that word: the parent's name alone would be the parent's.
        assert_eq!(n.child_type_name("Error", "error"), "ErrorError");
        assert_eq!(n.child_type_name("Pets", "pet_type"), "PetsPetType");
    }

    #[test]
    fn without_the_word_list_heck_splits() {
        assert_eq!(Naming::default().value_name("GetIModels"), "get_i_models");
    }

    #[test]
    fn wire_names_with_symbols() {
        let n = naming();
        assert_eq!(n.value_name("$top"), "top");
        assert_eq!(n.value_name("foo-bar"), "foo_bar");
        assert_eq!(n.value_name("1st"), "_1st");
        assert_eq!(n.type_name("1st"), "V1st");
        assert_eq!(n.value_name(""), "empty");
        assert_eq!(n.type_name(""), "Empty");
        assert_eq!(n.type_name("+1"), "Plus1");
        assert_eq!(n.type_name("-1"), "Minus1");
        assert_eq!(n.type_name("notInitialized"), "NotInitialized");
        assert_eq!(n.value_name("²"), "empty");
        assert_eq!(n.type_name("٣"), "Empty");
        assert_eq!(n.value_name("café_au_lait"), "caf_au_lait");
    }

    #[test]
    fn every_keyword_gets_a_usable_name() {
        let n = naming();
        for keyword in KEYWORDS {
            let name = n.value_name(keyword);
            let ident = if let Some(raw) = name.strip_prefix("r#") {
                syn::parse_str::<syn::Ident>(&format!("r#{raw}")).map(|_| ())
            } else {
                syn::parse_str::<syn::Ident>(&name).map(|_| ())
            };
            assert!(ident.is_ok(), "{keyword} -> {name} is not an identifier");
            assert_ne!(&name, keyword, "{keyword} was not escaped");
        }
        assert_eq!(n.value_name("type"), "r#type");
        assert_eq!(n.value_name("self"), "self_");
        assert_eq!(n.value_name("crate"), "crate_");
        assert_eq!(n.type_name("Self"), "Self_");
    }

    /// An identifier `emit::ident` can make without panicking, and Rust can parse.
    fn is_identifier(name: &str) -> bool {
        let made = std::panic::catch_unwind(|| match name.strip_prefix("r#") {
            Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
            None => proc_macro2::Ident::new(name, proc_macro2::Span::call_site()),
        });
        made.is_ok() && syn::parse_str::<syn::Ident>(name).is_ok()
    }

    proptest::proptest! {
        // Fixed seed: the same cases every run; nothing written beside the sources.
        #![proptest_config(proptest::test_runner::Config {
            cases: 2_000,
            failure_persistence: None,
            rng_seed: proptest::test_runner::RngSeed::Fixed(11),
            ..proptest::test_runner::Config::default()
        })]
        /// Whatever the spec calls a thing (digits, symbols, Unicode, keywords, empty),
        /// and however often, every name handed out is an identifier.
        #[test]
        fn every_name_is_an_identifier(raw in proptest::collection::vec(
            proptest::prop_oneof![
                "\\PC{0,12}",
                "[0-9_\\-+ ]{0,6}",
                proptest::strategy::Strategy::prop_map(
                    proptest::sample::select(KEYWORDS.to_vec()),
                    str::to_owned
                ),
            ],
            1..6,
        )) {
            let n = naming();
            let (mut values, mut types) = (Scope::new(), Scope::with_reserved(PRELUDE));
            for raw in raw.iter().chain(raw.iter()) {
                for name in [values.claim(&n.value_name(raw)), types.claim(&n.type_name(raw))] {
                    proptest::prop_assert!(is_identifier(&name), "{raw:?} -> {name:?}");
                }
            }
        }
    }

    #[test]
    fn long_names_are_capped_distinctly_and_stably() {
        let n = naming();
        let long = "x".repeat(100_000);
        let field = n.value_name(&format!("{long}A"));
        let other = n.value_name(&format!("{long}B"));
        assert_eq!(field.len(), MAX_IDENT_LEN);
        assert_ne!(field, other);
        assert!(
            field.starts_with("xxxx") && is_identifier(&field),
            "{field}"
        );
        assert_eq!(field, n.value_name(&format!("{long}A")));
        assert!(n.caps_value_name(&long) && !n.caps_value_name("short_name"));
        let ty = n.type_name(&long);
        assert_eq!(ty.len(), MAX_IDENT_LEN);
        assert!(ty.starts_with("Xxxx") && is_identifier(&ty), "{ty}");
        // A composed name (inline types named after their parents) is capped when
        // claimed, and a capped name that collides still gets a suffix.
        let mut types = Scope::new();
        let composed = format!("{ty}{ty}");
        let first = types.claim(&composed);
        assert_eq!(first.len(), MAX_IDENT_LEN);
        assert_eq!(types.claim(&composed), format!("{first}2"));
        assert_eq!(n.value_name("short_name"), "short_name");
    }

    #[test]
    fn suffixes_of_names_without_letters_are_names() {
        let mut scope = Scope::new();
        assert_eq!(scope.claim("_"), "_");
        assert_eq!(scope.claim("_"), "_2");
        let mut types = Scope::new();
        assert_eq!(types.claim(""), "");
        assert_eq!(types.claim(""), "V2");
    }

    #[test]
    fn scope_suffixes_collisions_deterministically() {
        let mut types = Scope::new();
        assert_eq!(types.claim("Foo"), "Foo");
        assert_eq!(types.claim("Foo"), "Foo2");
        assert_eq!(types.claim("Foo"), "Foo3");
        let mut fields = Scope::with_reserved(&["client"]);
        assert_eq!(fields.claim("client"), "client_2");
        assert_eq!(fields.claim("r#type"), "r#type");
        assert_eq!(fields.claim("r#type"), "type_2");
        assert_eq!(fields.claim("self_"), "self_");
        assert_eq!(fields.claim("self_"), "self_2");
    }
}
