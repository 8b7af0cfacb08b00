//! Reading row images of a rows event straight into Debezium values.
//!
//! Every reader mirrors what `mysql-replication` 1.0.17 decodes followed by the connector's
//! conversion (`values.py`), including its quirks (signed fraction reads, the mirrored
//! fraction of negative TIME, zero dates as null, YEAR 0 as 1900). Where the Python path
//! would raise (a date `datetime` refuses, an ENUM index past its values, undecodable text),
//! the decoder returns a [`Fail`] and the caller decodes that event with the Python path, so
//! the outcome is the same and never a different value.

use std::fmt::Write as _;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::calendar::{civil_from_days, days_from_civil, valid_date};
use crate::spec::{ty, Column, Conv, Text};

#[derive(Debug)]
pub struct Fail(pub String);

pub type RResult<T> = Result<T, Fail>;

fn fail<T>(msg: impl Into<String>) -> RResult<T> {
    Err(Fail(msg.into()))
}

pub struct Cursor<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    #[inline(always)]
    pub fn take(&mut self, n: usize) -> RResult<&'a [u8]> {
        match self.pos.checked_add(n).filter(|&e| e <= self.data.len()) {
            Some(end) => {
                let s = &self.data[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => fail(format!("row data ends at byte {} (wanted {n} more)", self.pos)),
        }
    }

    #[inline(always)]
    fn le(&mut self, n: usize) -> RResult<u64> {
        let s = self.take(n)?;
        Ok(s.iter().rev().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    #[inline(always)]
    fn be(&mut self, n: usize) -> RResult<u64> {
        let s = self.take(n)?;
        Ok(s.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// A big-endian two's complement integer of `n` bytes.
    #[inline(always)]
    fn be_signed(&mut self, n: usize) -> RResult<i64> {
        let v = self.be(n)?;
        let shift = 64 - 8 * n as u32;
        Ok(((v << shift) as i64) >> shift)
    }
}

/// Python objects a decoder needs, resolved once.
pub struct Env {
    pub decimal_cls: Py<PyAny>,
    pub round_fn: Py<PyAny>,
    pub empty: Py<PyString>,
}

pub struct Reader<'a, 'py> {
    pub py: Python<'py>,
    pub env: &'a Env,
    pub cur: Cursor<'a>,
}

type Value<'py> = Option<Bound<'py, PyAny>>;

const DECIMAL_SIZES: [usize; 10] = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
const MICROS: i64 = 1_000_000;

impl<'a, 'py> Reader<'a, 'py> {
    fn own(&self, ptr: *mut ffi::PyObject) -> RResult<Bound<'py, PyAny>> {
        // SAFETY: ptr is a new reference or NULL with a Python exception set.
        unsafe { Bound::from_owned_ptr_or_err(self.py, ptr) }
            .map_err(|e| Fail(format!("Python error: {e}")))
    }

    fn int(&self, v: i64) -> RResult<Value<'py>> {
        // SAFETY: plain constructor call while attached to the interpreter.
        self.own(unsafe { ffi::PyLong_FromLongLong(v) }).map(Some)
    }

    fn uint(&self, v: u64) -> RResult<Value<'py>> {
        // SAFETY: as above.
        self.own(unsafe { ffi::PyLong_FromUnsignedLongLong(v) }).map(Some)
    }

    fn float(&self, v: f64) -> RResult<Value<'py>> {
        // SAFETY: as above.
        self.own(unsafe { ffi::PyFloat_FromDouble(v) }).map(Some)
    }

    fn str(&self, s: &str) -> RResult<Value<'py>> {
        Ok(Some(PyString::new(self.py, s).into_any()))
    }

    fn bytes(&self, b: &[u8]) -> RResult<Value<'py>> {
        // SAFETY: pointer and length of a live slice.
        let p = unsafe {
            ffi::PyBytes_FromStringAndSize(b.as_ptr().cast(), b.len() as ffi::Py_ssize_t)
        };
        self.own(p).map(Some)
    }

    fn call1(&self, f: &Py<PyAny>, arg: Bound<'py, PyAny>) -> RResult<Value<'py>> {
        f.bind(self.py)
            .call1((arg,))
            .map(Some)
            .map_err(|e| Fail(format!("Python error: {e}")))
    }

    /// Read past a column the row leaves out.
    fn skip(&mut self, c: &Column) -> RResult<Value<'py>> {
        let fsp_bytes = (c.meta as usize).div_ceil(2);
        let n = match c.ty {
            ty::TINY | ty::YEAR => 1,
            ty::SHORT => 2,
            ty::INT24 | ty::DATE | ty::TIME => 3,
            ty::LONG | ty::FLOAT | ty::TIMESTAMP => 4,
            ty::LONGLONG | ty::DOUBLE | ty::DATETIME => 8,
            ty::TIME2 => 3 + fsp_bytes,
            ty::DATETIME2 => 5 + fsp_bytes,
            ty::TIMESTAMP2 => 4 + fsp_bytes,
            ty::ENUM | ty::SET => c.meta as usize,
            ty::BIT => (c.meta as usize).div_ceil(8),
            ty::NEWDECIMAL => {
                let (precision, scale) = ((c.meta >> 8) as usize, (c.meta & 0xff) as usize);
                let integral = precision - scale;
                DECIMAL_SIZES[integral % 9]
                    + 4 * (integral / 9 + scale / 9)
                    + DECIMAL_SIZES[scale % 9]
            }
            ty::VARCHAR | ty::STRING | ty::BLOB => {
                let size = match c.ty {
                    ty::BLOB => c.meta as usize,
                    _ if c.meta > 255 => 2,
                    _ => 1,
                };
                self.cur.le(size)? as usize
            }
            other => return fail(format!("binlog type {other} cannot be skipped")),
        };
        self.cur.take(n)?;
        Ok(None)
    }

    /// One non-null column value.
    pub fn value(&mut self, c: &Column) -> RResult<Value<'py>> {
        if c.conv == Conv::Skip {
            return self.skip(c);
        }
        match c.ty {
            ty::TINY | ty::SHORT | ty::INT24 | ty::LONG | ty::LONGLONG => self.integer(c),
            ty::FLOAT => {
                let v = f32::from_bits(self.cur.le(4)? as u32) as f64;
                self.floating(c, v)
            }
            ty::DOUBLE => {
                let v = f64::from_bits(self.cur.le(8)?);
                self.floating(c, v)
            }
            ty::NEWDECIMAL => self.decimal(c),
            ty::DATE => self.date(c),
            ty::TIME => {
                let t = self.cur.le(3)? as i64;
                let (h, m, s) = (t / 10_000, (t % 10_000) / 100, t % 100);
                self.time(c, ((h * 60 + m) * 60 + s) * MICROS)
            }
            ty::TIME2 => self.time2(c),
            ty::DATETIME => self.datetime(c),
            ty::DATETIME2 => self.datetime2(c),
            ty::TIMESTAMP => {
                let secs = self.cur.le(4)? as i64;
                self.zoned(c, secs, 0)
            }
            ty::TIMESTAMP2 => {
                let secs = self.cur.be_signed(4)?;
                let us = self.fsp(c.meta)?;
                self.zoned(c, secs, us)
            }
            ty::YEAR => {
                let y = self.cur.le(1)? as i64;
                self.int(y + 1900)
            }
            ty::VARCHAR | ty::STRING => {
                let size = if c.meta > 255 { 2 } else { 1 };
                self.text(c, size)
            }
            ty::BLOB => self.text(c, c.meta as usize),
            ty::ENUM => {
                let idx = self.cur.le(c.meta as usize)? as usize;
                match c.names.get(idx) {
                    Some(name) => Ok(Some(name.bind(self.py).clone().into_any())),
                    None => fail(format!("ENUM index {idx} past its {} values", c.names.len())),
                }
            }
            ty::SET => self.set(c),
            ty::BIT => self.bit(c),
            other => fail(format!("binlog type {other} has no reader")),
        }
    }

    fn integer(&mut self, c: &Column) -> RResult<Value<'py>> {
        let (n, signed_bits) = match c.ty {
            ty::TINY => (1, 8),
            ty::SHORT => (2, 16),
            ty::INT24 => (3, 24),
            ty::LONG => (4, 32),
            _ => (8, 64),
        };
        let raw = self.cur.le(n)?;
        let shift = 64 - signed_bits;
        let signed = ((raw << shift) as i64) >> shift;
        match c.conv {
            Conv::WrapU64 => self.int(raw as i64),
            Conv::DecimalOfInt => {
                let v = if c.unsigned { self.uint(raw)? } else { self.int(signed)? };
                self.call1(&self.env.decimal_cls, v.expect("an int"))
            }
            _ if c.unsigned => self.uint(raw),
            _ => self.int(signed),
        }
    }

    fn floating(&self, c: &Column, v: f64) -> RResult<Value<'py>> {
        match c.conv {
            Conv::Round(digits) => self
                .env
                .round_fn
                .bind(self.py)
                .call1((v, digits))
                .map(Some)
                .map_err(|e| Fail(format!("Python error: {e}"))),
            _ => self.float(v),
        }
    }

    /// MySQL's packed DECIMAL as its canonical text: sign, integer digits without leading
    /// zeros, exactly `scale` fraction digits (what `Decimal(...)` and `format(.., "f")` see).
    fn decimal_text(&mut self, c: &Column) -> RResult<String> {
        let (precision, scale) = ((c.meta >> 8) as usize, (c.meta & 0xff) as usize);
        let integral = precision - scale;
        let (uncomp_int, comp_int) = (integral / 9, integral % 9);
        let (uncomp_frac, comp_frac) = (scale / 9, scale % 9);
        let total = DECIMAL_SIZES[comp_int] + 4 * (uncomp_int + uncomp_frac) + DECIMAL_SIZES[comp_frac];
        let mut buf = [0u8; 40];
        let src = self.cur.take(total)?;
        buf[..total].copy_from_slice(src);
        let negative = buf[0] & 0x80 == 0;
        buf[0] ^= 0x80;
        if negative {
            buf[..total].iter_mut().for_each(|b| *b ^= 0xff);
        }
        let mut part = Cursor { data: &buf[..total], pos: 0 };
        let mut int_digits = String::with_capacity(integral + 1);
        if DECIMAL_SIZES[comp_int] > 0 {
            let v = part.be(DECIMAL_SIZES[comp_int])?;
            let _ = write!(int_digits, "{v}");
        }
        for _ in 0..uncomp_int {
            let v = part.be(4)?;
            let _ = write!(int_digits, "{v:09}");
        }
        let trimmed = int_digits.trim_start_matches('0');
        let mut text = String::with_capacity(precision + 3);
        if negative {
            text.push('-');
        }
        text.push_str(if trimmed.is_empty() { "0" } else { trimmed });
        if scale > 0 {
            text.push('.');
            for _ in 0..uncomp_frac {
                let v = part.be(4)?;
                let _ = write!(text, "{v:09}");
            }
            if DECIMAL_SIZES[comp_frac] > 0 {
                let v = part.be(DECIMAL_SIZES[comp_frac])?;
                let _ = write!(text, "{v:0width$}", width = comp_frac);
            }
        }
        Ok(text)
    }

    fn decimal(&mut self, c: &Column) -> RResult<Value<'py>> {
        let text = self.decimal_text(c)?;
        match c.conv {
            Conv::DecimalDouble => match text.parse::<f64>() {
                Ok(v) => self.float(v),
                Err(_) => fail(format!("DECIMAL text {text} is not a number")),
            },
            Conv::DecimalString => self.str(&text),
            _ => {
                let s = PyString::new(self.py, &text).into_any();
                self.call1(&self.env.decimal_cls, s)
            }
        }
    }

    fn date(&mut self, _c: &Column) -> RResult<Value<'py>> {
        let t = self.cur.le(3)? as i64;
        let (year, month, day) = ((t >> 9) & 0x7fff, (t >> 5) & 0xf, t & 0x1f);
        if year == 0 || month == 0 || day == 0 {
            return Ok(None);
        }
        if !valid_date(year, month, day) {
            return fail(format!("DATE {year}-{month}-{day} is not a calendar date"));
        }
        self.int(days_from_civil(year, month, day))
    }

    /// The fractional seconds of a TIME2/DATETIME2/TIMESTAMP2 (read signed, as Python does).
    fn fsp(&mut self, fsp: u32) -> RResult<i64> {
        let n = match fsp {
            1 | 2 => 1,
            3 | 4 => 2,
            5 | 6 => 3,
            _ => return Ok(0),
        };
        let mut v = self.cur.be_signed(n)?;
        if fsp % 2 == 1 {
            v /= 10;
        }
        Ok(v * 10i64.pow(6 - fsp))
    }

    fn time2(&mut self, c: &Column) -> RResult<Value<'py>> {
        let mut data = self.cur.be_signed(3)?;
        let sign = if (data >> 23) & 1 == 1 { 1 } else { -1 };
        if sign == -1 {
            data = -data;
        }
        let (h, m, s) = ((data >> 12) & 0x3ff, (data >> 6) & 0x3f, data & 0x3f);
        let us = self.fsp(c.meta)?;
        self.time(c, sign * (((h * 60 + m) * 60 + s) * MICROS + us))
    }

    fn time(&self, c: &Column, micros: i64) -> RResult<Value<'py>> {
        if c.conv == Conv::BinlogTimeMicros && micros < 0 {
            let (whole, frac) = ((-micros) / MICROS, (-micros) % MICROS);
            if frac != 0 {
                return self.int(-(whole * MICROS + (MICROS - frac)));
            }
        }
        self.int(micros)
    }

    fn datetime(&mut self, c: &Column) -> RResult<Value<'py>> {
        let value = self.cur.le(8)? as i64;
        if value == 0 {
            return Ok(None);
        }
        let (date, time) = (value / 1_000_000, value % 1_000_000);
        let (year, month, day) = (date / 10_000, (date % 10_000) / 100, date % 100);
        if year == 0 || month == 0 || day == 0 {
            return Ok(None);
        }
        let (h, m, s) = (time / 10_000, (time % 10_000) / 100, time % 100);
        if !valid_date(year, month, day) || h > 23 || m > 59 || s > 59 {
            return fail(format!("DATETIME {value} is not a valid date and time"));
        }
        self.timestamp(c, year, month, day, (h * 60 + m) * 60 + s, 0)
    }

    fn datetime2(&mut self, c: &Column) -> RResult<Value<'py>> {
        let data = self.cur.be(5)? as i64;
        let ym = (data >> 22) & 0x1ffff;
        let (year, month) = (ym / 13, ym % 13);
        let day = (data >> 17) & 0x1f;
        let (h, m, s) = ((data >> 12) & 0x1f, (data >> 6) & 0x3f, data & 0x3f);
        let us = self.fsp(c.meta)?;
        if !valid_date(year, month, day) || h > 23 || m > 59 || s > 59 {
            return Ok(None); // zero and invalid dates are null
        }
        if us > 999_999 {
            return fail(format!("DATETIME fraction {us} out of range"));
        }
        self.timestamp(c, year, month, day, (h * 60 + m) * 60 + s, us.max(0))
    }

    fn timestamp(&self, c: &Column, y: i64, mo: i64, d: i64, secs: i64, us: i64) -> RResult<Value<'py>> {
        let total = (days_from_civil(y, mo, d) * 86_400 + secs) * MICROS + us;
        match c.conv {
            Conv::DatetimeMillis => self.int(total.div_euclid(1000)),
            _ => self.int(total),
        }
    }

    fn zoned(&self, c: &Column, secs: i64, us: i64) -> RResult<Value<'py>> {
        if us > 999_999 {
            return fail(format!("TIMESTAMP fraction {us} out of range"));
        }
        let us = us.max(0);
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, mo, d) = civil_from_days(days);
        if !(1..=9999).contains(&y) {
            return fail(format!("TIMESTAMP {secs} out of datetime's range"));
        }
        let mut text = String::with_capacity(32);
        let _ = write!(
            text,
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        );
        let Conv::Zoned(fsp) = c.conv else {
            return fail("TIMESTAMP without a zoned conversion");
        };
        if fsp > 0 {
            let frac = format!("{us:06}");
            text.push('.');
            text.push_str(&frac[..fsp as usize]);
        }
        text.push('Z');
        self.str(&text)
    }

    fn text(&mut self, c: &Column, size: usize) -> RResult<Value<'py>> {
        let n = self.cur.le(size)? as usize;
        let raw = self.cur.take(n)?;
        match (c.text, &c.conv) {
            (Text::Binary, Conv::Padded(len)) if raw.len() < *len => {
                let mut padded = raw.to_vec();
                padded.resize(*len, 0);
                self.bytes(&padded)
            }
            (Text::Binary, _) => self.bytes(raw),
            (Text::Utf8, _) => {
                // SAFETY: pointer and length of a live slice; strict UTF-8 like Python's codec.
                let p = unsafe {
                    ffi::PyUnicode_DecodeUTF8(
                        raw.as_ptr().cast(),
                        raw.len() as ffi::Py_ssize_t,
                        c"strict".as_ptr(),
                    )
                };
                if p.is_null() {
                    // SAFETY: an exception is set; the caller falls back to the Python path.
                    unsafe { ffi::PyErr_Clear() };
                    return fail("text is not valid UTF-8");
                }
                self.own(p).map(Some)
            }
            (Text::Ascii, _) => match std::str::from_utf8(raw) {
                Ok(s) if s.is_ascii() => self.str(s),
                _ => fail("text is not ASCII"),
            },
            (Text::Cp1252, _) => {
                let mut s = String::with_capacity(raw.len());
                for &b in raw {
                    match cp1252(b) {
                        Some(ch) => s.push(ch),
                        None => return fail(format!("byte {b:#x} is undefined in cp1252")),
                    }
                }
                self.str(&s)
            }
        }
    }

    fn set(&mut self, c: &Column) -> RResult<Value<'py>> {
        let mask = self.cur.le(c.meta as usize)?;
        let mut text = String::new();
        for (i, name) in c.names.iter().enumerate() {
            if mask & (1u64 << i) != 0 {
                if !text.is_empty() {
                    text.push(',');
                }
                text.push_str(name.bind(self.py).to_str().map_err(|e| Fail(e.to_string()))?);
            }
        }
        if text.is_empty() {
            return Ok(Some(self.env.empty.bind(self.py).clone().into_any()));
        }
        self.str(&text)
    }

    fn bit(&mut self, c: &Column) -> RResult<Value<'py>> {
        let bits = c.meta as usize;
        let nbytes = bits.div_ceil(8);
        let raw = self.cur.take(nbytes)?;
        let first_bits = if nbytes == 1 { bits } else if bits % 8 == 0 { 8 } else { bits % 8 };
        let mut number: u64 = u64::from(raw[0]) & ((1u64 << first_bits) - 1);
        for &b in &raw[1..] {
            number = (number << 8) | u64::from(b);
        }
        match c.conv {
            Conv::BitBool => {
                // SAFETY: Py_True / Py_False are immortal singletons.
                let p = unsafe { if number == 1 { ffi::Py_True() } else { ffi::Py_False() } };
                Ok(Some(unsafe { Bound::from_borrowed_ptr(self.py, p) }))
            }
            Conv::Bits(n) => {
                let size = n.div_ceil(8);
                self.bytes(&number.to_le_bytes()[..size])
            }
            _ => fail("BIT without a bit conversion"),
        }
    }
}

/// Windows-1252 as Python's `cp1252` codec decodes it (five bytes are undefined).
fn cp1252(b: u8) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
        0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9f => match HIGH[(b - 0x80) as usize] {
            0 => None,
            u => char::from_u32(u32::from(u)),
        },
        _ => Some(char::from(b)),
    }
}
