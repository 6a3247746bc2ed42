//! Decoding a reply with every string cleaned on the way in (SECURITY.md 35).
//!
//! [`from_json`] runs serde_json through [`Cleaning`], a deserializer that wraps another and
//! hands each visitor a wrapped visitor: every string the JSON holds (values, object keys, enum
//! tags, the strings an untagged or internally tagged enum buffers) passes through
//! [`sanitize::clean`](crate::client::sanitize::clean) before the reply type sees it, at any
//! depth. A reply type has no cleaning of its own to forget, so a field added later cannot
//! bypass it, and the reply is decoded in one pass, without a `serde_json::Value` of the whole
//! body beside the typed result (a page of 500 incidents as a `Value` was about 2 MiB).

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use crate::client::sanitize::clean_cow;

/// Decode `body` as `T`, every string cleaned; trailing characters after the value are an error.
pub fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let value = T::deserialize(Cleaning(&mut json))?;
    json.end()?;
    Ok(value)
}

/// A deserializer whose every string is cleaned (see the module documentation).
pub struct Cleaning<D>(pub D);

/// Forward `deserialize_*` methods to the inner deserializer with the visitor wrapped.
macro_rules! forward_wrapped {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method($($arg,)* CleanVisitor(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Cleaning<D> {
    type Error = D::Error;

    forward_wrapped! {
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(), deserialize_str(),
        deserialize_string(), deserialize_bytes(), deserialize_byte_buf(), deserialize_option(),
        deserialize_unit(), deserialize_seq(), deserialize_map(), deserialize_identifier(),
        deserialize_ignored_any(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// A visitor that cleans strings before its inner visitor sees them, and wraps whatever it is
/// handed to go deeper (sequences, maps, enums, options, newtypes).
struct CleanVisitor<V>(V);

/// Forward `visit_*` methods that carry no text unchanged.
macro_rules! forward_plain {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.0.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for CleanVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_plain! {
        visit_bool(bool), visit_i8(i8), visit_i16(i16), visit_i32(i32), visit_i64(i64),
        visit_i128(i128), visit_u8(u8), visit_u16(u16), visit_u32(u32), visit_u64(u64),
        visit_u128(u128), visit_f32(f32), visit_f64(f64),
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<V::Value, E> {
        self.visit_str(v.encode_utf8(&mut [0; 4]))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        match clean_cow(v) {
            Cow::Borrowed(v) => self.0.visit_str(v),
            Cow::Owned(v) => self.0.visit_string(v),
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        match clean_cow(v) {
            Cow::Borrowed(v) => self.0.visit_borrowed_str(v),
            Cow::Owned(v) => self.0.visit_string(v),
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        let cleaned = match clean_cow(&v) {
            Cow::Borrowed(_) => None,
            Cow::Owned(cleaned) => Some(cleaned),
        };
        self.0.visit_string(cleaned.unwrap_or(v))
    }

    // JSON has no byte strings; serde_json offers a string's bytes when a type asks for bytes,
    // and those are text from the server like any other.
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        match std::str::from_utf8(v) {
            Ok(text) => match clean_cow(text) {
                Cow::Borrowed(_) => self.0.visit_bytes(v),
                Cow::Owned(cleaned) => self.0.visit_byte_buf(cleaned.into_bytes()),
            },
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &"UTF-8 text")),
        }
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        self.visit_bytes(v)
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V::Value, E> {
        self.visit_bytes(&v)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Cleaning(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Cleaning(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Cleaning(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Cleaning(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Cleaning(data))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Cleaning<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Cleaning(d))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Cleaning<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Cleaning(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Cleaning<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Cleaning(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Cleaning(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Cleaning<A> {
    type Error = A::Error;
    type Variant = Cleaning<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self::Variant), A::Error> {
        let (tag, variant) = self.0.variant_seed(Cleaning(seed))?;
        Ok((tag, Cleaning(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Cleaning<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Cleaning(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, CleanVisitor(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, CleanVisitor(visitor))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Tagged {
        Note { text: String },
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(untagged)]
    enum Either {
        Words(Vec<String>),
        Number(u32),
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Reply {
        plain: String,
        optional: Option<String>,
        map: BTreeMap<String, String>,
        tagged: Tagged,
        either: Either,
        letter: char,
        n: i64,
    }

    #[test]
    fn every_string_at_every_depth_is_cleaned_keys_and_tags_included() {
        let body = br#"{
            "pl\u001b[1main": "Ann\u001b]0;pwned\u0007 Smith\u202e",
            "optional": "\u200fx",
            "map": {"k\u2066ey": "line one\nline two\ttab"},
            "tagged": {"kind": "no\u200ete", "text": "\u001b[2Jok"},
            "either": ["a\u202ab", "c"],
            "letter": "z",
            "n": -3
        }"#;
        let reply: Reply = from_json(body).unwrap();
        assert_eq!(
            reply,
            Reply {
                plain: "Ann Smith".into(),
                optional: Some("x".into()),
                map: BTreeMap::from([("key".into(), "line one\nline two tab".into())]),
                tagged: Tagged::Note { text: "ok".into() },
                either: Either::Words(vec!["ab".into(), "c".into()]),
                letter: 'z',
                n: -3,
            }
        );
    }

    #[test]
    fn escaped_strings_are_cleaned_too_and_trailing_text_is_refused() {
        // `\"` forces serde_json to hand over an owned string rather than a borrowed one.
        let text: String = from_json(br#""say \"hi\"\u001b]0;x\u0007""#).unwrap();
        assert_eq!(text, "say \"hi\"");
        assert!(from_json::<String>(br#""a" "b""#).is_err());
        assert!(from_json::<Vec<u8>>(br#"[1, 2]"#).is_ok());
    }
}
