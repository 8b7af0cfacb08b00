//! Column specifications: how one binlog column is read and which Debezium value it becomes.
//!
//! Python hands over, per table-map column, the binlog type code with its metadata (as
//! `mysql-replication` parsed it) and the conversion the connector's schema mapping applies
//! to that column. Combinations the decoder does not reproduce exactly are refused here, once
//! per table, so that the Python path handles that table instead.

use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

/// MySQL field type codes (`enum_field_types`).
pub mod ty {
    pub const TINY: u8 = 1;
    pub const SHORT: u8 = 2;
    pub const LONG: u8 = 3;
    pub const FLOAT: u8 = 4;
    pub const DOUBLE: u8 = 5;
    pub const TIMESTAMP: u8 = 7;
    pub const LONGLONG: u8 = 8;
    pub const INT24: u8 = 9;
    pub const DATE: u8 = 10;
    pub const TIME: u8 = 11;
    pub const DATETIME: u8 = 12;
    pub const YEAR: u8 = 13;
    pub const VARCHAR: u8 = 15;
    pub const BIT: u8 = 16;
    pub const TIMESTAMP2: u8 = 17;
    pub const DATETIME2: u8 = 18;
    pub const TIME2: u8 = 19;
    pub const NEWDECIMAL: u8 = 246;
    pub const ENUM: u8 = 247;
    pub const SET: u8 = 248;
    pub const BLOB: u8 = 252;
    pub const STRING: u8 = 254;
}

/// The character set text columns are decoded with (`mysql-replication`'s encoding names).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Text {
    Utf8,
    Cp1252,
    Ascii,
    Binary,
}

/// The conversion after reading (see the connector's `values.py`).
#[derive(Clone, PartialEq, Debug)]
pub enum Conv {
    /// The value as `mysql-replication` returns it (int, float, Decimal, str).
    Same,
    /// A column the row leaves out (excluded): read past it.
    Skip,
    WrapU64,
    DecimalOfInt,
    Round(i32),
    DecimalDouble,
    DecimalString,
    DateDays,
    TimeMicros,
    BinlogTimeMicros,
    DatetimeMillis,
    DatetimeMicros,
    Zoned(u32),
    SetString,
    RawBytes,
    Padded(usize),
    BitBool,
    Bits(usize),
}

pub struct Column {
    pub ty: u8,
    /// VARCHAR/STRING: max length; BLOB: length bytes; temporal: fsp; NEWDECIMAL:
    /// precision << 8 | scale; BIT: bits; ENUM/SET: packed size.
    pub meta: u32,
    pub unsigned: bool,
    pub text: Text,
    pub conv: Conv,
    /// ENUM: the values (index 0 is ""); SET: the members in bit order.
    pub names: Vec<Py<PyString>>,
}

pub struct Unsupported(pub String);

fn unsupported<T>(msg: String) -> Result<T, Unsupported> {
    Err(Unsupported(msg))
}

fn parse_text(name: Option<&str>) -> Option<Text> {
    match name {
        None | Some("utf8") | Some("utf-8") | Some("utf8mb4") | Some("utf8mb3") => Some(Text::Utf8),
        Some("cp1252") => Some(Text::Cp1252),
        Some("ascii") => Some(Text::Ascii),
        Some("binary") => Some(Text::Binary),
        Some(_) => None,
    }
}

fn parse_conv(kind: &str, param: i64) -> Option<Conv> {
    let size = usize::try_from(param).ok();
    Some(match kind {
        "same" | "json" => Conv::Same,
        "skip" => Conv::Skip,
        "wrap_u64" => Conv::WrapU64,
        "decimal_of_int" => Conv::DecimalOfInt,
        "round" => Conv::Round(i32::try_from(param).ok()?),
        "decimal_double" => Conv::DecimalDouble,
        "decimal_string" => Conv::DecimalString,
        "date_days" => Conv::DateDays,
        "time_micros" => Conv::TimeMicros,
        "binlog_time_micros" => Conv::BinlogTimeMicros,
        "datetime_millis" => Conv::DatetimeMillis,
        "datetime_micros" => Conv::DatetimeMicros,
        "zoned" => Conv::Zoned(u32::try_from(param).ok().filter(|f| *f <= 6)?),
        "set_string" => Conv::SetString,
        "raw_bytes" => Conv::RawBytes,
        "padded" => Conv::Padded(size?),
        "bit_bool" => Conv::BitBool,
        "bits" => Conv::Bits(size?),
        _ => return None,
    })
}

const INTEGERS: [u8; 5] = [ty::TINY, ty::SHORT, ty::LONG, ty::INT24, ty::LONGLONG];
const SKIPPABLE: [u8; 22] = [
    ty::TINY, ty::SHORT, ty::LONG, ty::FLOAT, ty::DOUBLE, ty::TIMESTAMP, ty::LONGLONG, ty::INT24,
    ty::DATE, ty::TIME, ty::DATETIME, ty::YEAR, ty::VARCHAR, ty::BIT, ty::TIMESTAMP2,
    ty::DATETIME2, ty::TIME2, ty::NEWDECIMAL, ty::ENUM, ty::SET, ty::BLOB, ty::STRING,
];
const TEXTS: [u8; 3] = [ty::VARCHAR, ty::STRING, ty::BLOB];

/// Whether the decoder reproduces `conv` applied to what `mysql-replication` reads for this
/// column (type, charset, metadata).
fn compatible(c: &Column) -> bool {
    let t = c.ty;
    match &c.conv {
        Conv::Skip => SKIPPABLE.contains(&t),
        Conv::Same => {
            INTEGERS.contains(&t)
                || [ty::FLOAT, ty::DOUBLE, ty::NEWDECIMAL, ty::YEAR, ty::ENUM].contains(&t)
                || (TEXTS.contains(&t) && c.text != Text::Binary)
        }
        Conv::WrapU64 | Conv::DecimalOfInt => t == ty::LONGLONG,
        Conv::Round(_) => t == ty::FLOAT || t == ty::DOUBLE,
        Conv::DecimalDouble | Conv::DecimalString => t == ty::NEWDECIMAL,
        Conv::DateDays => t == ty::DATE,
        Conv::TimeMicros | Conv::BinlogTimeMicros => t == ty::TIME || t == ty::TIME2,
        Conv::DatetimeMillis | Conv::DatetimeMicros => t == ty::DATETIME || t == ty::DATETIME2,
        Conv::Zoned(_) => t == ty::TIMESTAMP || t == ty::TIMESTAMP2,
        Conv::SetString => t == ty::SET,
        Conv::RawBytes | Conv::Padded(_) => TEXTS.contains(&t) && c.text == Text::Binary,
        Conv::BitBool => t == ty::BIT && c.meta == 1,
        Conv::Bits(bits) => t == ty::BIT && c.meta as usize == *bits,
    }
}

fn metadata_ok(c: &Column) -> bool {
    match c.ty {
        ty::BLOB => (1..=4).contains(&c.meta),
        ty::TIME2 | ty::DATETIME2 | ty::TIMESTAMP2 => c.meta <= 6,
        ty::NEWDECIMAL => {
            let (precision, scale) = (c.meta >> 8, c.meta & 0xff);
            (1..=65).contains(&precision) && scale <= 30 && scale <= precision
        }
        ty::BIT => (1..=64).contains(&c.meta),
        ty::ENUM | ty::SET => (1..=8).contains(&c.meta),
        _ => true,
    }
}

/// Parse one column tuple:
/// `(type, meta, unsigned, charset or None, conversion, param, names or None)`.
pub fn parse(index: usize, spec: &Bound<'_, PyTuple>) -> PyResult<Result<Column, Unsupported>> {
    let ty: u8 = spec.get_item(0)?.extract()?;
    let meta: u32 = spec.get_item(1)?.extract()?;
    let unsigned: bool = spec.get_item(2)?.extract()?;
    let charset: Option<String> = spec.get_item(3)?.extract()?;
    let kind: String = spec.get_item(4)?.extract()?;
    let param: i64 = spec.get_item(5)?.extract()?;
    let names_obj = spec.get_item(6)?;
    let names: Vec<Py<PyString>> = if names_obj.is_none() {
        Vec::new()
    } else {
        names_obj
            .extract::<Vec<String>>()?
            .iter()
            .map(|n| PyString::new(spec.py(), n).unbind())
            .collect()
    };
    let Some(conv) = parse_conv(&kind, param) else {
        return Ok(unsupported(format!("column {index}: conversion {kind}({param})")));
    };
    // a skipped column's bytes are never decoded: its charset does not matter
    let text = match parse_text(charset.as_deref()) {
        Some(text) => text,
        None if conv == Conv::Skip => Text::Binary,
        None => return Ok(unsupported(format!("column {index}: charset {charset:?}"))),
    };
    let column = Column { ty, meta, unsigned, text, conv, names };
    if !compatible(&column) || !metadata_ok(&column) {
        return Ok(unsupported(format!(
            "column {index}: binlog type {ty} (meta {meta}, charset {charset:?}) with {kind}"
        )));
    }
    let needs_names = matches!(ty, ty::ENUM | ty::SET) && column.conv != Conv::Skip;
    if needs_names && column.names.is_empty() {
        return Ok(unsupported(format!("column {index}: no ENUM/SET values in the table map")));
    }
    if ty == ty::SET && column.names.len() > 8 * column.meta as usize {
        return Ok(unsupported(format!("column {index}: more SET members than bits")));
    }
    Ok(Ok(column))
}
