//! Writing Python values as Avro binary, walking the compiled schema and the object together.
//!
//! Contract with the Python side: whenever this encoder succeeds, its bytes are exactly what
//! `fastavro.schemaless_writer` writes for the same value. Whenever it is not sure (a type it
//! does not model, a union it cannot resolve the way fastavro would, a value fastavro might
//! coerce), it fails with a [`Mismatch`] and Python re-runs fastavro, which either writes the
//! value or raises its usual, detailed error.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::pyutil::{
    as_i64, bytes_of, date_days, datetime_fields, datetime_tzinfo, float_value, str_utf8,
    time_fields, timedelta_micros, Env, Kind,
};
use crate::schema::{Decimal, Node, NodeId, Record, Union};

pub const MAX_DEPTH: usize = 256;

/// Why a value was not written; `path` is built innermost-first while unwinding.
#[derive(Debug)]
pub struct Mismatch {
    pub path: Vec<String>,
    pub reason: String,
}

impl Mismatch {
    pub fn at(mut self: Box<Self>, segment: impl Into<String>) -> Box<Self> {
        self.path.push(segment.into());
        self
    }

    pub fn message(&self) -> String {
        let mut path = String::new();
        for seg in self.path.iter().rev() {
            if !path.is_empty() && !seg.starts_with('[') {
                path.push('.');
            }
            path.push_str(seg);
        }
        if path.is_empty() {
            format!("value does not match the Avro schema: {}", self.reason)
        } else {
            format!(
                "value does not match the Avro schema at '{path}': {}",
                self.reason
            )
        }
    }
}

pub type EResult<T> = Result<T, Box<Mismatch>>;

fn mismatch<T>(reason: impl Into<String>) -> EResult<T> {
    Err(Box::new(Mismatch {
        path: Vec::new(),
        reason: reason.into(),
    }))
}

fn py_err<T>(err: PyErr) -> EResult<T> {
    mismatch(format!("Python error: {err}"))
}

fn expected<T>(what: &str, kind: Kind) -> EResult<T> {
    mismatch(format!("expected {what}, got {kind:?}"))
}

#[inline(always)]
pub fn put_long(out: &mut Vec<u8>, value: i64) {
    let mut n = ((value << 1) ^ (value >> 63)) as u64;
    let mut buf = [0u8; 10];
    let mut i = 0;
    while n >= 0x80 {
        buf[i] = (n as u8) | 0x80;
        n >>= 7;
        i += 1;
    }
    buf[i] = n as u8;
    out.extend_from_slice(&buf[..=i]);
}

#[inline(always)]
fn put_bytes(out: &mut Vec<u8>, data: &[u8]) {
    put_long(out, data.len() as i64);
    out.extend_from_slice(data);
}

pub struct Encoder<'a, 'py> {
    pub py: Python<'py>,
    pub nodes: &'a [Node],
    pub env: &'a Env,
    pub out: Vec<u8>,
}

impl<'py> Encoder<'_, 'py> {
    pub fn write(&mut self, id: NodeId, obj: &Bound<'py, PyAny>, depth: usize) -> EResult<()> {
        if depth > MAX_DEPTH {
            return mismatch("nesting is too deep for the native encoder");
        }
        let nodes = self.nodes;
        let kind = self.env.kind(obj);
        match &nodes[id as usize] {
            Node::Null => match kind {
                Kind::None => Ok(()),
                k => expected("None", k),
            },
            Node::Boolean => match kind {
                Kind::Bool => {
                    let v = obj.as_ptr() == unsafe { ffi::Py_True() };
                    self.out.push(v as u8);
                    Ok(())
                }
                k => expected("bool", k),
            },
            Node::Int => self.write_int(obj, kind),
            Node::Long => self.write_long(obj, kind),
            Node::Float => {
                let v = self.real(obj, kind)?;
                self.out.extend_from_slice(&(v as f32).to_le_bytes());
                Ok(())
            }
            Node::Double => {
                let v = self.real(obj, kind)?;
                self.out.extend_from_slice(&v.to_le_bytes());
                Ok(())
            }
            Node::Bytes => match kind {
                Kind::Bytes | Kind::ByteArray => {
                    put_bytes(&mut self.out, bytes_of(obj, kind));
                    Ok(())
                }
                k => expected("bytes", k),
            },
            Node::String => self.write_str(obj, kind),
            Node::Fixed(size) => self.write_fixed(obj, kind, *size),
            Node::Enum(e) => match kind {
                Kind::Str => {
                    let Some(s) = str_utf8(obj) else {
                        return mismatch("string is not encodable as UTF-8");
                    };
                    match e.position(s) {
                        Some(i) => {
                            put_long(&mut self.out, i as i64);
                            Ok(())
                        }
                        None => mismatch(format!(
                            "'{}' is not a symbol of the enum",
                            String::from_utf8_lossy(s)
                        )),
                    }
                }
                k => expected("an enum symbol (str)", k),
            },
            Node::Array(items) => self.write_array(*items, obj, kind, depth),
            Node::Map(values) => self.write_map(*values, obj, kind, depth),
            Node::Record(rec) => self.write_record(rec, obj, kind, depth),
            Node::Union(u) => {
                let index = self.resolve_union(u, obj, kind, depth)?;
                put_long(&mut self.out, index as i64);
                self.write(u.branches[index], obj, depth + 1)
            }
            Node::TimestampMillis | Node::TimestampMicros => match kind {
                Kind::DateTime => {
                    let micros = self.timestamp_micros(obj, &nodes[id as usize])?;
                    put_long(&mut self.out, micros);
                    Ok(())
                }
                _ => self.write_long(obj, kind),
            },
            Node::LocalTimestampMillis | Node::LocalTimestampMicros => match kind {
                Kind::DateTime => {
                    let v = local_timestamp(obj, &nodes[id as usize]);
                    put_long(&mut self.out, v);
                    Ok(())
                }
                _ => self.write_long(obj, kind),
            },
            Node::Date => match kind {
                Kind::DateTime | Kind::Date => {
                    put_long(&mut self.out, date_days(obj));
                    Ok(())
                }
                Kind::Str => mismatch("date given as a string (fastavro parses it)"),
                _ => self.write_int(obj, kind),
            },
            Node::TimeMillis => match kind {
                Kind::Time => {
                    let (h, m, s, us) = time_fields(obj);
                    put_long(
                        &mut self.out,
                        h * 3_600_000 + m * 60_000 + s * 1000 + us / 1000,
                    );
                    Ok(())
                }
                _ => self.write_int(obj, kind),
            },
            Node::TimeMicros => match kind {
                Kind::Time => {
                    let (h, m, s, us) = time_fields(obj);
                    put_long(&mut self.out, ((h * 60 + m) * 60 + s) * 1_000_000 + us);
                    Ok(())
                }
                _ => self.write_long(obj, kind),
            },
            Node::Uuid => match kind {
                Kind::Uuid => {
                    let text = obj.str().or_else(py_err)?;
                    self.write_str(text.as_any(), Kind::Str)
                }
                _ => self.write_str(obj, kind),
            },
            Node::DecimalBytes(spec) => match kind {
                Kind::Decimal => {
                    let bytes = decimal_bytes(obj, spec)?;
                    put_bytes(&mut self.out, &bytes);
                    Ok(())
                }
                Kind::Bytes | Kind::ByteArray => {
                    put_bytes(&mut self.out, bytes_of(obj, kind));
                    Ok(())
                }
                k => expected("decimal.Decimal or bytes", k),
            },
            Node::DecimalFixed(size, spec) => match kind {
                Kind::Decimal => {
                    let bytes = decimal_fixed(obj, spec, *size)?;
                    self.out.extend_from_slice(&bytes);
                    Ok(())
                }
                _ => self.write_fixed(obj, kind, *size),
            },
            Node::Pending => mismatch("incomplete schema node"),
        }
    }

    fn write_int(&mut self, obj: &Bound<'py, PyAny>, kind: Kind) -> EResult<()> {
        match kind {
            Kind::Int | Kind::Bool => match as_i64(obj) {
                Some(v) if i32::try_from(v).is_ok() => {
                    put_long(&mut self.out, v);
                    Ok(())
                }
                _ => mismatch("integer out of range for Avro int"),
            },
            k => expected("int", k),
        }
    }

    fn write_long(&mut self, obj: &Bound<'py, PyAny>, kind: Kind) -> EResult<()> {
        match kind {
            Kind::Int | Kind::Bool => match as_i64(obj) {
                Some(v) => {
                    put_long(&mut self.out, v);
                    Ok(())
                }
                None => mismatch("integer out of range for Avro long"),
            },
            k => expected("int", k),
        }
    }

    /// A float/double value: fastavro converts bool, int and float alike (C double).
    fn real(&self, obj: &Bound<'py, PyAny>, kind: Kind) -> EResult<f64> {
        match kind {
            Kind::Float => Ok(float_value(obj)),
            Kind::Int | Kind::Bool => match as_i64(obj) {
                Some(v) => Ok(v as f64),
                None => mismatch("integer too large for a native float conversion"),
            },
            k => expected("float", k),
        }
    }

    fn write_str(&mut self, obj: &Bound<'py, PyAny>, kind: Kind) -> EResult<()> {
        match kind {
            Kind::Str => match str_utf8(obj) {
                Some(s) => {
                    put_bytes(&mut self.out, s);
                    Ok(())
                }
                None => mismatch("string is not encodable as UTF-8"),
            },
            k => expected("str", k),
        }
    }

    fn write_fixed(&mut self, obj: &Bound<'py, PyAny>, kind: Kind, size: usize) -> EResult<()> {
        match kind {
            Kind::Bytes | Kind::ByteArray => {
                let b = bytes_of(obj, kind);
                if b.len() != size {
                    return mismatch(format!("{} bytes for a fixed of size {size}", b.len()));
                }
                self.out.extend_from_slice(b);
                Ok(())
            }
            k => expected("bytes", k),
        }
    }

    fn write_array(
        &mut self,
        items: NodeId,
        obj: &Bound<'py, PyAny>,
        kind: Kind,
        depth: usize,
    ) -> EResult<()> {
        if kind != Kind::List {
            return expected("list", kind);
        }
        // SAFETY: kind says obj is exactly a list.
        let list = unsafe { obj.cast_unchecked::<PyList>() };
        let n = list.len();
        if n > 0 {
            put_long(&mut self.out, n as i64);
            for i in 0..n {
                let Ok(item) = list.get_item(i) else {
                    return mismatch("list changed size while being encoded");
                };
                self.write(items, &item, depth + 1)
                    .map_err(|e| e.at(format!("[{i}]")))?;
            }
            if list.len() != n {
                return mismatch("list changed size while being encoded");
            }
        }
        self.out.push(0);
        Ok(())
    }

    fn write_map(
        &mut self,
        values: NodeId,
        obj: &Bound<'py, PyAny>,
        kind: Kind,
        depth: usize,
    ) -> EResult<()> {
        if kind != Kind::Dict {
            return expected("dict", kind);
        }
        let py = self.py;
        let d = obj.as_ptr();
        // SAFETY: d is exactly a dict; entries are taken as new references before use.
        let n = unsafe { ffi::PyDict_Size(d) };
        if n > 0 {
            put_long(&mut self.out, n as i64);
            let mut pos: ffi::Py_ssize_t = 0;
            let mut seen: ffi::Py_ssize_t = 0;
            loop {
                let mut k: *mut ffi::PyObject = std::ptr::null_mut();
                let mut v: *mut ffi::PyObject = std::ptr::null_mut();
                if unsafe { ffi::PyDict_Next(d, &mut pos, &mut k, &mut v) } == 0 {
                    break;
                }
                let (key, value) = unsafe {
                    (
                        Bound::from_borrowed_ptr(py, k),
                        Bound::from_borrowed_ptr(py, v),
                    )
                };
                seen += 1;
                let key_kind = self.env.kind(&key);
                self.write_str(&key, key_kind)
                    .map_err(|e| e.at("<map key>"))?;
                self.write(values, &value, depth + 1).map_err(|e| {
                    let label = match str_utf8(&key) {
                        Some(s) if key_kind == Kind::Str => {
                            format!("[{}]", String::from_utf8_lossy(s))
                        }
                        _ => "[?]".to_string(),
                    };
                    e.at(label)
                })?;
                if unsafe { ffi::PyDict_Size(d) } != n {
                    return mismatch("dict changed size while being encoded");
                }
            }
            if seen != n {
                return mismatch("dict changed size while being encoded");
            }
        }
        self.out.push(0);
        Ok(())
    }

    /// The value of field `f` as fastavro sees it: the item, else the default, else None.
    fn field_value(
        &self,
        dict: &Bound<'py, PyAny>,
        key: &Py<pyo3::types::PyString>,
        default: &Option<Py<PyAny>>,
        missing_is_none: bool,
    ) -> EResult<Option<Bound<'py, PyAny>>> {
        let py = self.py;
        // SAFETY: dict is exactly a dict; the borrowed item is turned into a new reference.
        unsafe {
            let v = ffi::PyDict_GetItemWithError(dict.as_ptr(), key.as_ptr());
            if !v.is_null() {
                return Ok(Some(Bound::from_borrowed_ptr(py, v)));
            }
            if !ffi::PyErr_Occurred().is_null() {
                return py_err(PyErr::fetch(py));
            }
        }
        Ok(match default {
            Some(d) => Some(d.bind(py).clone()),
            None if missing_is_none => Some(py.None().into_bound(py)),
            None => None,
        })
    }

    fn write_record(
        &mut self,
        rec: &Record,
        obj: &Bound<'py, PyAny>,
        kind: Kind,
        depth: usize,
    ) -> EResult<()> {
        if kind != Kind::Dict {
            return expected("dict", kind);
        }
        for f in &rec.fields {
            match self.field_value(obj, &f.key, &f.default, f.missing_is_none)? {
                Some(value) => self
                    .write(f.node, &value, depth + 1)
                    .map_err(|e| e.at(f.name.as_str()))?,
                None => {
                    return mismatch("missing field without a default")
                        .map_err(|e| e.at(f.name.as_str()))
                }
            }
        }
        Ok(())
    }

    /// The branch fastavro's `write_union` picks for `obj`, or a mismatch when it is not
    /// certain that fastavro would pick the same one.
    fn resolve_union(
        &self,
        u: &Union,
        obj: &Bound<'py, PyAny>,
        kind: Kind,
        depth: usize,
    ) -> EResult<usize> {
        if kind == Kind::Tuple {
            return mismatch("tuple notation for unions is left to fastavro");
        }
        let mut best: Option<usize> = None;
        let mut could_be_float = false;
        let mut most_fields: i64 = -1;
        let mut records = 0;
        let mut any_ref = false;
        for (i, &b) in u.branches.iter().enumerate() {
            let node = &self.nodes[b as usize];
            if could_be_float {
                if matches!(node, Node::Double) {
                    best = Some(i);
                    break;
                }
                continue;
            }
            if !self.validate(b, obj, kind, depth + 1)? {
                continue;
            }
            match node {
                Node::Record(rec) => {
                    records += 1;
                    any_ref |= u.is_ref[i];
                    let fields = count_present(obj, rec)?;
                    if fields > most_fields {
                        best = Some(i);
                        most_fields = fields;
                    }
                }
                Node::Float => {
                    best = Some(i);
                    could_be_float = true;
                }
                _ => {
                    if records > 0 {
                        return mismatch("ambiguous union: a record and another branch match");
                    }
                    best = Some(i);
                    break;
                }
            }
        }
        if records > 1 && any_ref {
            return mismatch("ambiguous union of several records");
        }
        match best {
            Some(i) => Ok(i),
            None => mismatch(format!("no union branch matches a {kind:?} value")),
        }
    }

    /// fastavro's `_validate` (non-strict), or a mismatch when the answer is not certain.
    pub fn validate(
        &self,
        id: NodeId,
        obj: &Bound<'py, PyAny>,
        kind: Kind,
        depth: usize,
    ) -> EResult<bool> {
        if depth > MAX_DEPTH {
            return mismatch("nesting is too deep for the native encoder");
        }
        let node = &self.nodes[id as usize];
        Ok(match node {
            Node::Null => kind == Kind::None,
            Node::Boolean => kind == Kind::Bool,
            Node::String => kind == Kind::Str,
            Node::Bytes => matches!(kind, Kind::Bytes | Kind::ByteArray),
            Node::Fixed(size) => match kind {
                Kind::Bytes => bytes_of(obj, kind).len() == *size,
                Kind::ByteArray => return mismatch("bytearray for a fixed inside a union"),
                _ => false,
            },
            Node::Int | Node::Long => match kind {
                Kind::Int => match as_i64(obj) {
                    Some(v) => matches!(node, Node::Long) || i32::try_from(v).is_ok(),
                    None => false,
                },
                Kind::Other => return mismatch("cannot tell whether the value is an integer"),
                _ => false,
            },
            Node::Float | Node::Double => match kind {
                Kind::Int | Kind::Float => true,
                Kind::Other => return mismatch("cannot tell whether the value is a number"),
                _ => false,
            },
            Node::Enum(e) => match kind {
                Kind::Str => str_utf8(obj).is_some_and(|s| e.position(s).is_some()),
                Kind::Other => return mismatch("cannot compare the value with enum symbols"),
                _ => false,
            },
            Node::Array(items) => match kind {
                Kind::List => {
                    // SAFETY: kind says obj is exactly a list.
                    let list = unsafe { obj.cast_unchecked::<PyList>() };
                    for item in list.iter() {
                        let k = self.env.kind(&item);
                        if !self.validate(*items, &item, k, depth + 1)? {
                            return Ok(false);
                        }
                    }
                    true
                }
                Kind::Tuple | Kind::Bytes | Kind::ByteArray | Kind::Other => {
                    return mismatch("a non-list sequence where an array may match")
                }
                _ => false,
            },
            Node::Map(values) => match kind {
                Kind::Dict => {
                    let d = obj.as_ptr();
                    let mut pos: ffi::Py_ssize_t = 0;
                    let mut all_str = true;
                    let mut entries = Vec::new();
                    loop {
                        let mut k: *mut ffi::PyObject = std::ptr::null_mut();
                        let mut v: *mut ffi::PyObject = std::ptr::null_mut();
                        // SAFETY: d is exactly a dict; entries become new references.
                        if unsafe { ffi::PyDict_Next(d, &mut pos, &mut k, &mut v) } == 0 {
                            break;
                        }
                        all_str &= unsafe { ffi::PyUnicode_Check(k) } != 0;
                        entries.push(unsafe { Bound::from_borrowed_ptr(self.py, v) });
                    }
                    if !all_str {
                        return Ok(false);
                    }
                    for value in &entries {
                        let k = self.env.kind(value);
                        if !self.validate(*values, value, k, depth + 1)? {
                            return Ok(false);
                        }
                    }
                    true
                }
                Kind::Other => return mismatch("cannot tell whether the value is a Mapping"),
                _ => false,
            },
            Node::Record(rec) => match kind {
                Kind::Dict => {
                    let dash_type = pyo3::intern!(self.py, "-type");
                    // SAFETY: obj is exactly a dict.
                    if unsafe { ffi::PyDict_Contains(obj.as_ptr(), dash_type.as_ptr()) } != 0 {
                        return mismatch("record with a '-type' key");
                    }
                    for f in &rec.fields {
                        let value = self
                            .field_value(obj, &f.key, &f.default, true)?
                            .unwrap_or_else(|| self.py.None().into_bound(self.py));
                        let k = self.env.kind(&value);
                        if !self.validate(f.node, &value, k, depth + 1)? {
                            return Ok(false);
                        }
                    }
                    true
                }
                Kind::Other => return mismatch("cannot tell whether the value is a Mapping"),
                _ => false,
            },
            Node::Union(u) => {
                if kind == Kind::Tuple {
                    return mismatch("tuple notation for unions is left to fastavro");
                }
                for &b in &u.branches {
                    if self.validate(b, obj, kind, depth + 1)? {
                        return Ok(true);
                    }
                }
                false
            }
            Node::TimestampMillis | Node::TimestampMicros => match kind {
                Kind::DateTime => {
                    self.timestamp_micros(obj, node)?;
                    true
                }
                _ => return self.validate_as_plain(obj, kind, false, depth),
            },
            Node::LocalTimestampMillis | Node::LocalTimestampMicros => match kind {
                Kind::DateTime => true,
                _ => return self.validate_as_plain(obj, kind, false, depth),
            },
            Node::Date => match kind {
                Kind::DateTime | Kind::Date => true,
                Kind::Str => return mismatch("date given as a string (fastavro parses it)"),
                _ => return self.validate_as_plain(obj, kind, true, depth),
            },
            Node::TimeMillis | Node::TimeMicros => match kind {
                Kind::Time => true,
                _ => {
                    return self.validate_as_plain(
                        obj,
                        kind,
                        matches!(node, Node::TimeMillis),
                        depth,
                    )
                }
            },
            Node::Uuid => matches!(kind, Kind::Uuid | Kind::Str),
            Node::DecimalBytes(spec) => match kind {
                Kind::Decimal => {
                    decimal_bytes(obj, spec)?;
                    true
                }
                _ => matches!(kind, Kind::Bytes | Kind::ByteArray),
            },
            Node::DecimalFixed(size, _) => match kind {
                Kind::Decimal => return mismatch("decimal.Decimal for a fixed inside a union"),
                Kind::Bytes => bytes_of(obj, kind).len() == *size,
                Kind::ByteArray => return mismatch("bytearray for a fixed inside a union"),
                _ => false,
            },
            Node::Pending => return mismatch("incomplete schema node"),
        })
    }

    fn validate_as_plain(
        &self,
        obj: &Bound<'py, PyAny>,
        kind: Kind,
        int32: bool,
        _depth: usize,
    ) -> EResult<bool> {
        match kind {
            Kind::Int => Ok(match as_i64(obj) {
                Some(v) => !int32 || i32::try_from(v).is_ok(),
                None => false,
            }),
            Kind::Other => mismatch("cannot tell whether the value is an integer"),
            _ => Ok(false),
        }
    }

    /// fastavro's prepare_timestamp_millis / _micros for a datetime, in the schema's unit.
    fn timestamp_micros(&self, obj: &Bound<'py, PyAny>, node: &Node) -> EResult<i64> {
        let millis = matches!(node, Node::TimestampMillis);
        let f = datetime_fields(obj);
        match datetime_tzinfo(obj) {
            Some(tz) => {
                // Aware: (data - epoch), i.e. wall clock minus utcoffset().
                let offset = if tz.as_ptr() == self.env.utc.as_ptr() {
                    0
                } else {
                    let off = obj.call_method0("utcoffset").or_else(py_err)?;
                    match timedelta_micros(&off) {
                        Some(us) => us,
                        None => return mismatch("tzinfo.utcoffset() did not return a timedelta"),
                    }
                };
                let total =
                    (f.days * 86_400 + f.second_of_day) * 1_000_000 + f.microsecond - offset;
                Ok(if millis {
                    total.div_euclid(1000)
                } else {
                    total
                })
            }
            None => {
                // Naive: local time through mktime(), exactly like fastavro.
                let tt = obj.call_method0("timetuple").or_else(py_err)?;
                let secs = self
                    .env
                    .mktime
                    .bind(self.py)
                    .call1((tt,))
                    .and_then(|v| v.extract::<f64>())
                    .or_else(py_err)? as i64;
                Ok(if millis {
                    secs * 1000 + f.microsecond / 1000
                } else {
                    secs * 1_000_000 + f.microsecond
                })
            }
        }
    }
}

fn local_timestamp(obj: &Bound<'_, PyAny>, node: &Node) -> i64 {
    let f = datetime_fields(obj);
    let total = (f.days * 86_400 + f.second_of_day) * 1_000_000 + f.microsecond;
    if matches!(node, Node::LocalTimestampMillis) {
        total.div_euclid(1000)
    } else {
        total
    }
}

/// How many of the record's field names are keys of `obj` (fastavro's `most_fields`).
fn count_present(obj: &Bound<'_, PyAny>, rec: &Record) -> EResult<i64> {
    let mut n = 0;
    for f in &rec.fields {
        // SAFETY: obj is exactly a dict (it validated as a record).
        match unsafe { ffi::PyDict_Contains(obj.as_ptr(), f.key.as_ptr()) } {
            1 => n += 1,
            0 => {}
            _ => return py_err(PyErr::fetch(obj.py())),
        }
    }
    Ok(n)
}

/// (negative, unscaled magnitude) of a Decimal, with fastavro's precision and scale checks.
fn decimal_unscaled(obj: &Bound<'_, PyAny>, spec: &Decimal) -> EResult<(bool, u128)> {
    let t = obj.call_method0("as_tuple").or_else(py_err)?;
    let t = t
        .cast_into::<PyTuple>()
        .or_else(|_| mismatch("Decimal.as_tuple() is not a tuple"))?;
    if t.len() != 3 {
        return mismatch("Decimal.as_tuple() is not a 3-tuple");
    }
    let sign: i64 = t.get_item(0).and_then(|v| v.extract()).or_else(py_err)?;
    let digits = t.get_item(1).or_else(py_err)?;
    let digits = digits
        .cast_into::<PyTuple>()
        .or_else(|_| mismatch("Decimal digits are not a tuple"))?;
    let Ok(exp) = t.get_item(2).and_then(|v| v.extract::<i64>()) else {
        return mismatch("NaN or infinite Decimal");
    };
    if digits.len() > spec.precision as usize {
        return mismatch("the decimal precision is bigger than allowed by the schema");
    }
    let delta = exp + spec.scale as i64;
    if delta < 0 {
        return mismatch("the decimal has more digits after the point than the schema scale");
    }
    let mut unscaled: u128 = 0;
    for d in digits.iter() {
        let d: u32 = d.extract().or_else(py_err)?;
        unscaled = unscaled
            .checked_mul(10)
            .and_then(|v| v.checked_add(d as u128))
            .ok_or_else(|| {
                Box::new(Mismatch {
                    path: vec![],
                    reason: "decimal too large for the native encoder".into(),
                })
            })?;
    }
    if unscaled != 0 {
        // 10**39 > u128::MAX: anything larger overflows anyway (and must not loop for long).
        let factor = u32::try_from(delta)
            .ok()
            .filter(|&d| d <= 38)
            .map(|d| 10u128.pow(d));
        unscaled = factor
            .and_then(|f| unscaled.checked_mul(f))
            .ok_or_else(|| {
                Box::new(Mismatch {
                    path: vec![],
                    reason: "decimal too large for the native encoder".into(),
                })
            })?;
    }
    if unscaled > i128::MAX as u128 {
        return mismatch("decimal too large for the native encoder");
    }
    Ok((sign != 0, unscaled))
}

fn bit_length(v: u128) -> u32 {
    128 - v.leading_zeros()
}

/// fastavro's prepare_bytes_decimal: big-endian two's complement on (bit_length + 8) // 8 bytes.
fn decimal_bytes(obj: &Bound<'_, PyAny>, spec: &Decimal) -> EResult<Vec<u8>> {
    let (negative, unscaled) = decimal_unscaled(obj, spec)?;
    let n = ((bit_length(unscaled) + 8) / 8) as usize;
    let value = if negative {
        -(unscaled as i128)
    } else {
        unscaled as i128
    };
    let be = value.to_be_bytes();
    Ok(be[16 - n..].to_vec())
}

/// fastavro's prepare_fixed_decimal: two's complement on exactly `size` bytes.
fn decimal_fixed(obj: &Bound<'_, PyAny>, spec: &Decimal, size: usize) -> EResult<Vec<u8>> {
    let (negative, unscaled) = decimal_unscaled(obj, spec)?;
    if negative && unscaled == 0 {
        return mismatch("negative zero decimal (fastavro's fixed encoding is peculiar)");
    }
    if bit_length(unscaled) as usize + 1 > size * 8 {
        return mismatch("decimal does not fit the fixed size");
    }
    let value = if negative {
        -(unscaled as i128)
    } else {
        unscaled as i128
    };
    let be = value.to_be_bytes();
    let fill = if negative { 0xFF } else { 0 };
    let mut out = vec![fill; size];
    let n = size.min(16);
    out[size - n..].copy_from_slice(&be[16 - n..]);
    Ok(out)
}
