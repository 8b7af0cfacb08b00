//! `pipeway_avro_native`: a native Avro binary codec for pipeway's serde.
//!
//! `Codec(schema_json)` compiles a schema (fastavro's parsed and expanded form, as JSON) once;
//! `encode` / `decode` then walk the compiled schema together with the Python value or the
//! bytes, without building any intermediate value tree. The output is byte-for-byte what
//! fastavro writes and reads; where that cannot be guaranteed the codec refuses
//! (`UnsupportedSchema` at compile time, `ValueError` per value) and Python uses fastavro.

mod decode;
mod encode;
mod pyutil;
mod schema;

use std::cell::RefCell;

use pyo3::create_exception;
use pyo3::exceptions::{PyNotImplementedError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyMemoryView};

use crate::decode::Decoder;
use crate::encode::Encoder;
use crate::pyutil::Env;
use crate::schema::{Node, NodeId};

create_exception!(
    pipeway_avro_native,
    UnsupportedSchema,
    PyNotImplementedError,
    "The schema uses something the native codec does not reproduce exactly; use fastavro."
);

/// Largest scratch buffer kept between calls (per thread).
const KEEP_BUFFER: usize = 1 << 20;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(1024));
}

/// A compiled Avro schema that encodes and decodes the Avro binary encoding.
#[pyclass(frozen, module = "pipeway_avro_native")]
pub struct Codec {
    nodes: Vec<Node>,
    root: NodeId,
    env: Env,
    return_record_name: bool,
}

impl Codec {
    fn encode_into<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        prefix: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mut buf = SCRATCH.with(|b| std::mem::take(&mut *b.borrow_mut()));
        buf.clear();
        buf.extend_from_slice(prefix);
        let mut enc = Encoder {
            py,
            nodes: &self.nodes,
            env: &self.env,
            out: buf,
        };
        let result = enc.write(self.root, record, 0);
        let buf = enc.out;
        let out = result
            .map(|()| PyBytes::new(py, &buf))
            .map_err(|m| PyValueError::new_err(m.message()));
        if buf.capacity() <= KEEP_BUFFER {
            SCRATCH.with(|b| *b.borrow_mut() = buf);
        }
        out
    }
}

#[pymethods]
impl Codec {
    /// Compile `schema_json`; raises UnsupportedSchema when fastavro must be used instead.
    #[new]
    #[pyo3(signature = (schema_json, return_record_name = false))]
    fn new(py: Python<'_>, schema_json: &str, return_record_name: bool) -> PyResult<Self> {
        let compiled =
            schema::compile(py, schema_json).map_err(|u| UnsupportedSchema::new_err(u.0))?;
        let env = Env::new(py).map_err(|e| UnsupportedSchema::new_err(e.to_string()))?;
        Ok(Codec {
            nodes: compiled.nodes,
            root: compiled.root,
            env,
            return_record_name,
        })
    }

    /// Encode one value, preceded by `prefix` (e.g. the Confluent header), into new bytes.
    ///
    /// Raises ValueError (naming the field path) when the value does not fit the schema, or
    /// when only fastavro can tell what it would write for it.
    #[pyo3(signature = (record, prefix = b"" as &[u8]))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        prefix: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        self.encode_into(py, record, prefix)
    }

    /// Encode every value of `records`, each preceded by `prefix`.
    #[pyo3(signature = (records, prefix = b"" as &[u8]))]
    fn encode_many<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyList>,
        prefix: &[u8],
    ) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (i, record) in records.iter().enumerate() {
            let bytes = self
                .encode_into(py, &record, prefix)
                .map_err(|e| PyValueError::new_err(format!("record {i}: {}", e.value(py))))?;
            out.append(bytes)?;
        }
        Ok(out)
    }

    /// Decode one value starting at byte `offset` of `data` (bytes or any bytes-like object).
    ///
    /// Raises ValueError when the data is malformed.
    #[pyo3(signature = (data, offset = 0))]
    fn decode<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        offset: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let copied: Bound<'py, PyBytes>;
        let bytes: &[u8] = match data.cast::<PyBytes>() {
            Ok(b) => b.as_bytes(),
            Err(_)
                if data.is_instance_of::<PyByteArray>()
                    || data.is_instance_of::<PyMemoryView>() =>
            {
                // Copied, so that Python code run while decoding (uuid, decimal) cannot change
                // the buffer under the decoder.
                copied = py
                    .get_type::<PyBytes>()
                    .call1((data,))?
                    .cast_into::<PyBytes>()?;
                copied.as_bytes()
            }
            Err(_) => {
                return Err(PyValueError::new_err(format!(
                    "expected bytes, bytearray or memoryview, got {}",
                    data.get_type().name()?
                )))
            }
        };
        if offset > bytes.len() {
            return Err(PyValueError::new_err(format!(
                "offset {offset} is past the end of {} bytes",
                bytes.len()
            )));
        }
        let mut dec = Decoder {
            py,
            nodes: &self.nodes,
            env: &self.env,
            data: bytes,
            pos: offset,
            return_record_name: self.return_record_name,
        };
        dec.read(self.root, 0)
            .map_err(|e| PyValueError::new_err(format!("cannot decode Avro data: {}", e.0)))
    }
}

#[pymodule]
fn pipeway_avro_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Codec>()?;
    m.add("UnsupportedSchema", m.py().get_type::<UnsupportedSchema>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
