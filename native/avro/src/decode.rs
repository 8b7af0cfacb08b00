//! Reading Avro binary straight into Python objects (dicts with pre-interned keys, lists, ...),
//! returning exactly what `fastavro.schemaless_reader` returns without a reader schema.
//!
//! Any malformed input fails with a [`DecodeError`]; the Python side then lets fastavro decode
//! the message again so that the error it reports is fastavro's usual one.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::encode::MAX_DEPTH;
use crate::pyutil::{date_from_days, datetime_from_micros, time_from_micros, Env};
use crate::schema::{Decimal, Node, NodeId};

#[derive(Debug)]
pub struct DecodeError(pub String);

pub type DResult<T> = Result<T, DecodeError>;

fn fail<T>(msg: impl Into<String>) -> DResult<T> {
    Err(DecodeError(msg.into()))
}

fn py_fail<T>(err: PyErr) -> DResult<T> {
    fail(format!("Python error: {err}"))
}

pub struct Decoder<'a, 'py> {
    pub py: Python<'py>,
    pub nodes: &'a [Node],
    pub env: &'a Env,
    pub data: &'a [u8],
    pub pos: usize,
    pub return_record_name: bool,
}

impl<'a, 'py> Decoder<'a, 'py> {
    #[inline(always)]
    fn take(&mut self, n: usize) -> DResult<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        match end {
            Some(end) => {
                let s = &self.data[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => fail(format!("unexpected end of data at byte {}", self.pos)),
        }
    }

    #[inline(always)]
    pub fn read_long(&mut self) -> DResult<i64> {
        let mut n: u64 = 0;
        let mut shift = 0u32;
        loop {
            let Some(&b) = self.data.get(self.pos) else {
                return fail(format!("unexpected end of data at byte {}", self.pos));
            };
            self.pos += 1;
            n |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 63 {
                return fail("varint longer than 10 bytes");
            }
        }
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    fn read_len(&mut self) -> DResult<usize> {
        let n = self.read_long()?;
        if n < 0 {
            return fail(format!("negative length {n}"));
        }
        Ok(n as usize)
    }

    /// A block count: negative counts are followed by the block's byte size.
    fn read_block_count(&mut self) -> DResult<usize> {
        let n = self.read_long()?;
        if n < 0 {
            self.read_long()?;
            return Ok(n.unsigned_abs() as usize);
        }
        Ok(n as usize)
    }

    fn check_count(&self, count: usize) -> DResult<()> {
        // Items of zero bytes exist (null, empty records) but not by the million.
        if count > self.data.len() - self.pos + 1_000_000 {
            return fail(format!("implausible block count {count}"));
        }
        Ok(())
    }

    fn owned(&self, ptr: *mut ffi::PyObject) -> DResult<Bound<'py, PyAny>> {
        // SAFETY: ptr is a new reference or NULL with an exception set.
        unsafe { Bound::from_owned_ptr_or_err(self.py, ptr) }.or_else(py_fail)
    }

    fn read_str(&mut self) -> DResult<Bound<'py, PyAny>> {
        let n = self.read_len()?;
        let s = self.take(n)?;
        let (ptr, len) = (s.as_ptr(), s.len());
        // SAFETY: ptr/len describe a live slice of the input.
        let obj = unsafe {
            ffi::PyUnicode_DecodeUTF8(ptr as *const _, len as ffi::Py_ssize_t, c"strict".as_ptr())
        };
        self.owned(obj)
    }

    fn read_bytes(&mut self) -> DResult<&'a [u8]> {
        let n = self.read_len()?;
        self.take(n)
    }

    pub fn read(&mut self, id: NodeId, depth: usize) -> DResult<Bound<'py, PyAny>> {
        if depth > MAX_DEPTH {
            return fail("nesting is too deep for the native decoder");
        }
        let py = self.py;
        let nodes = self.nodes;
        match &nodes[id as usize] {
            Node::Null => Ok(py.None().into_bound(py)),
            Node::Boolean => {
                let b = self.take(1)?[0];
                // SAFETY: Py_True / Py_False are immortal singletons.
                let p = unsafe {
                    if b != 0 {
                        ffi::Py_True()
                    } else {
                        ffi::Py_False()
                    }
                };
                Ok(unsafe { Bound::from_borrowed_ptr(py, p) })
            }
            Node::Int | Node::Long => {
                let v = self.read_long()?;
                self.owned(unsafe { ffi::PyLong_FromLongLong(v) })
            }
            Node::Float => {
                let b = self.take(4)?;
                let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64;
                self.owned(unsafe { ffi::PyFloat_FromDouble(v) })
            }
            Node::Double => {
                let b: [u8; 8] = self.take(8)?.try_into().expect("8 bytes");
                self.owned(unsafe { ffi::PyFloat_FromDouble(f64::from_le_bytes(b)) })
            }
            Node::Bytes => {
                let b = self.read_bytes()?;
                Ok(PyBytes::new(py, b).into_any())
            }
            Node::String => self.read_str(),
            Node::Fixed(size) => {
                let b = self.take(*size)?;
                Ok(PyBytes::new(py, b).into_any())
            }
            Node::Enum(e) => {
                let i = self.read_long()?;
                match usize::try_from(i).ok().and_then(|i| e.py_symbols.get(i)) {
                    Some(sym) => Ok(sym.bind(py).clone().into_any()),
                    None => fail(format!("enum index {i} out of range")),
                }
            }
            Node::Array(items) => {
                let mut out: Vec<Bound<'py, PyAny>> = Vec::new();
                loop {
                    let count = self.read_block_count()?;
                    if count == 0 {
                        break;
                    }
                    self.check_count(count)?;
                    out.reserve(count.min(1 << 16));
                    for _ in 0..count {
                        out.push(self.read(*items, depth + 1)?);
                    }
                }
                PyList::new(py, out).map(Bound::into_any).or_else(py_fail)
            }
            Node::Map(values) => {
                let dict = self.owned(unsafe { ffi::PyDict_New() })?;
                loop {
                    let count = self.read_block_count()?;
                    if count == 0 {
                        break;
                    }
                    self.check_count(count)?;
                    for _ in 0..count {
                        let key = self.read_str()?;
                        let value = self.read(*values, depth + 1)?;
                        // SAFETY: dict is a dict; SetItem takes its own references.
                        if unsafe {
                            ffi::PyDict_SetItem(dict.as_ptr(), key.as_ptr(), value.as_ptr())
                        } != 0
                        {
                            return py_fail(PyErr::fetch(py));
                        }
                    }
                }
                Ok(dict)
            }
            Node::Record(rec) => {
                let dict = self.owned(unsafe { ffi::PyDict_New() })?;
                for f in &rec.fields {
                    let value = self.read(f.node, depth + 1)?;
                    // SAFETY: dict is a dict; SetItem takes its own references.
                    if unsafe { ffi::PyDict_SetItem(dict.as_ptr(), f.key.as_ptr(), value.as_ptr()) }
                        != 0
                    {
                        return py_fail(PyErr::fetch(py));
                    }
                }
                Ok(dict)
            }
            Node::Union(u) => {
                let i = self.read_long()?;
                let Some(index) = usize::try_from(i).ok().filter(|&i| i < u.branches.len()) else {
                    return fail(format!("union index {i} out of range"));
                };
                let branch = u.branches[index];
                let value = self.read(branch, depth + 1)?;
                if self.return_record_name {
                    // fastavro tags inline "record" branches and every by-name branch.
                    if let Node::Record(rec) = &nodes[branch as usize] {
                        if u.is_ref[index] || !rec.is_error {
                            let name = rec.name.bind(py).clone().into_any();
                            return PyTuple::new(py, [name, value])
                                .map(Bound::into_any)
                                .or_else(py_fail);
                        }
                    }
                }
                Ok(value)
            }
            Node::TimestampMillis | Node::TimestampMicros => {
                let v = self.read_long()? as i128;
                let micros = if matches!(nodes[id as usize], Node::TimestampMillis) {
                    v * 1000
                } else {
                    v
                };
                let utc = self.env.utc.bind(py);
                datetime_from_micros(py, micros, Some(utc))
                    .map_or_else(|| fail("timestamp out of datetime range"), Ok)
            }
            Node::LocalTimestampMillis | Node::LocalTimestampMicros => {
                let v = self.read_long()? as i128;
                let micros = if matches!(nodes[id as usize], Node::LocalTimestampMillis) {
                    v * 1000
                } else {
                    v
                };
                datetime_from_micros(py, micros, None)
                    .map_or_else(|| fail("timestamp out of datetime range"), Ok)
            }
            Node::Date => {
                let v = self.read_long()?;
                date_from_days(py, v).map_or_else(|| fail("date out of range"), Ok)
            }
            Node::TimeMillis | Node::TimeMicros => {
                let v = self.read_long()?;
                let micros = if matches!(nodes[id as usize], Node::TimeMillis) {
                    if !(0..86_400_000).contains(&v) {
                        return fail("time-millis out of range");
                    }
                    v * 1000
                } else {
                    v
                };
                time_from_micros(py, micros).map_or_else(|| fail("time out of range"), Ok)
            }
            Node::Uuid => {
                let s = self.read_str()?;
                self.env.uuid_cls.bind(py).call1((s,)).or_else(py_fail)
            }
            Node::DecimalBytes(spec) => {
                let n = self.read_len()?;
                self.read_decimal(n, spec)
            }
            Node::DecimalFixed(size, spec) => self.read_decimal(*size, spec),
            Node::Pending => fail("incomplete schema node"),
        }
    }

    /// fastavro's read_decimal: Context(prec).create_decimal(unscaled).scaleb(-scale).
    fn read_decimal(&mut self, n: usize, spec: &Decimal) -> DResult<Bound<'py, PyAny>> {
        let py = self.py;
        let b = self.take(n)?;
        let unscaled = if b.len() <= 16 {
            let mut buf = [if b.first().is_some_and(|&x| x & 0x80 != 0) {
                0xFF
            } else {
                0
            }; 16];
            buf[16 - b.len()..].copy_from_slice(b);
            match i128::from_be_bytes(buf).into_pyobject(py) {
                Ok(v) => v.into_any(),
                Err(never) => match never {},
            }
        } else {
            let int_type = unsafe {
                Bound::from_borrowed_ptr(
                    py,
                    std::ptr::addr_of_mut!(ffi::PyLong_Type) as *mut ffi::PyObject,
                )
            };
            let kwargs = pyo3::types::PyDict::new(py);
            kwargs
                .set_item("signed", true)
                .and_then(|_| {
                    int_type.call_method("from_bytes", (PyBytes::new(py, b), "big"), Some(&kwargs))
                })
                .or_else(py_fail)?
        };
        let ctx = spec.context.bind(py);
        let scale = -(spec.scale as i64);
        ctx.call_method1("create_decimal", (unscaled,))
            .and_then(|d| d.call_method1("scaleb", (scale, ctx)))
            .or_else(py_fail)
    }
}
