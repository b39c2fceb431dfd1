//! Anything `Serialize` straight to compact JSON text, the bytes `serde_json::to_string`
//! writes (struct fields in declaration order, as before this layer existed).
//!
//! Why not `serde_json::to_value` and then [`super::write`]: the tree in between cost 5× the
//! time of the text itself for a visitor state (every key a fresh `String`, every object a
//! `BTreeMap`), and the tracker writes its state on every event; it also sorted the keys,
//! changing every stored and posted text.

use core::fmt;

use serde::ser::{self, Impossible, Serialize};

use super::num;
use super::write::write_str;

/// What a value cannot be written as (a map key that is not a string or a number, or a
/// message from the value's own `Serialize`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerError(String);

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerError(msg.to_string())
    }
}

fn key_error() -> SerError {
    SerError("key must be a string".into())
}

type Done = Result<(), SerError>;

/// Appends `v` as compact JSON.
pub fn serialize_into<T: Serialize + ?Sized>(v: &T, out: &mut String) -> Done {
    v.serialize(Text(out))
}

/// The value serializer: one JSON value into the string.
struct Text<'a>(&'a mut String);

/// An array or object being written: `close` ends it (`]`, `}`, or `]}` / `}}` after an
/// enum variant's `{"name":` opener).
struct Compound<'a> {
    out: &'a mut String,
    first: bool,
    close: &'static str,
}

impl<'a> Compound<'a> {
    fn open(out: &'a mut String, variant: Option<&str>, open: char, close: &'static str) -> Self {
        if let Some(name) = variant {
            out.push('{');
            write_str(name, out);
            out.push(':');
        }
        out.push(open);
        Compound {
            out,
            first: true,
            close,
        }
    }

    fn comma(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Done {
        self.comma();
        v.serialize(Text(self.out))
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, v: &T) -> Done {
        self.comma();
        write_str(key, self.out);
        self.out.push(':');
        v.serialize(Text(self.out))
    }

    fn close(self) -> Done {
        self.out.push_str(self.close);
        Ok(())
    }
}

impl<'a> ser::Serializer for Text<'a> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Done {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Done {
        if v < 0 {
            self.0.push('-');
        }
        num::push_u64(v.unsigned_abs(), self.0);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Done {
        num::push_u64(v, self.0);
        Ok(())
    }
    /// Widened, as `serde_json::to_value` widens it (serde_json's text writer would print
    /// the `f32`'s own shortest digits; the engine has no `f32`).
    fn serialize_f32(self, v: f32) -> Done {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Done {
        num::write_f64(v, self.0);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Done {
        write_str(v.encode_utf8(&mut [0; 4]), self.0);
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Done {
        write_str(v, self.0);
        Ok(())
    }
    /// An array of numbers, as serde_json writes bytes.
    fn serialize_bytes(self, v: &[u8]) -> Done {
        let mut seq = Compound::open(self.0, None, '[', "]");
        for b in v {
            ser::SerializeSeq::serialize_element(&mut seq, b)?;
        }
        seq.close()
    }
    fn serialize_none(self) -> Done {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Done {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        self.0.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Done {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _i: u32, variant: &'static str) -> Done {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, v: &T) -> Done {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        v: &T,
    ) -> Done {
        let mut map = Compound::open(self.0, None, '{', "}");
        map.field(variant, v)?;
        map.close()
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, SerError> {
        Ok(Compound::open(self.0, None, '[', "]"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'a>, SerError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, SerError> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, SerError> {
        Ok(Compound::open(self.0, Some(variant), '[', "]}"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, SerError> {
        Ok(Compound::open(self.0, None, '{', "}"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, SerError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, SerError> {
        Ok(Compound::open(self.0, Some(variant), '{', "}}"))
    }
}

/// The four sequence-shaped serde traits differ only in their names and the name of the element
/// method: each writes an element and closes the bracket.
macro_rules! sequence_like {
    ($($trait_name:ident :: $method:ident),*) => {$(
        impl ser::$trait_name for Compound<'_> {
            type Ok = ();
            type Error = SerError;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Done {
                self.element(v)
            }
            fn end(self) -> Done {
                self.close()
            }
        }
    )*};
}

sequence_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        self.comma();
        key.serialize(Key(self.out))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Done {
        self.out.push(':');
        v.serialize(Text(self.out))
    }
    fn end(self) -> Done {
        self.close()
    }
}

/// A struct and a struct variant's fields: `"key":value`, then the closing brace(s).
macro_rules! struct_like {
    ($($trait_name:ident),*) => {$(
        impl ser::$trait_name for Compound<'_> {
            type Ok = ();
            type Error = SerError;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Done {
                self.field(key, v)
            }
            fn end(self) -> Done {
                self.close()
            }
        }
    )*};
}

struct_like!(SerializeStruct, SerializeStructVariant);

/// A map key: JSON keys are strings, so (as in serde_json) numbers and booleans are quoted,
/// a unit variant is its name, anything else is an error.
struct Key<'a>(&'a mut String);

impl Key<'_> {
    fn quoted(self, write: impl FnOnce(&mut String)) -> Done {
        self.0.push('"');
        write(self.0);
        self.0.push('"');
        Ok(())
    }
}

impl ser::Serializer for Key<'_> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Impossible<(), SerError>;
    type SerializeTuple = Impossible<(), SerError>;
    type SerializeTupleStruct = Impossible<(), SerError>;
    type SerializeTupleVariant = Impossible<(), SerError>;
    type SerializeMap = Impossible<(), SerError>;
    type SerializeStruct = Impossible<(), SerError>;
    type SerializeStructVariant = Impossible<(), SerError>;

    fn serialize_str(self, v: &str) -> Done {
        write_str(v, self.0);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Done {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(self, _name: &'static str, _i: u32, variant: &'static str) -> Done {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, v: &T) -> Done {
        v.serialize(self)
    }
    fn serialize_bool(self, v: bool) -> Done {
        self.quoted(|out| out.push_str(if v { "true" } else { "false" }))
    }
    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Done {
        self.quoted(|out| {
            let _ = Text(out).serialize_i64(v);
        })
    }
    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Done {
        self.quoted(|out| num::push_u64(v, out))
    }
    fn serialize_f32(self, v: f32) -> Done {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Done {
        if !v.is_finite() {
            return Err(SerError(
                "float key must be finite (got NaN or +/-inf)".into(),
            ));
        }
        self.quoted(|out| num::write_f64(v, out))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Done {
        Err(key_error())
    }
    fn serialize_none(self) -> Done {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _v: &T) -> Done {
        Err(key_error())
    }
    fn serialize_unit(self) -> Done {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Done {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _i: u32,
        _variant: &'static str,
        _v: &T,
    ) -> Done {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerError> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _i: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        Err(key_error())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerError> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _i: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(key_error())
    }
}
