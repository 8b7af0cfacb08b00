//! `pipeway_binlog_native`: a compiled row decoder for pipeway's mysql-cdc source.
//!
//! `RowDecoder(columns, fields)` is built once per table definition (table-map columns with
//! the connector's conversions); `rows` / `update_rows` then read a rows event's body straight
//! into row dicts holding Debezium's values, replacing both `mysql-replication`'s pure-Python
//! row decoding and the connector's conversion step. Column combinations it cannot reproduce
//! exactly raise `UnsupportedColumn` at construction; data it cannot decode exactly raises
//! `RowDecodeError`. In both cases the Python path handles the table or event.

mod calendar;
mod rows;
mod spec;

use pyo3::create_exception;
use pyo3::exceptions::{PyNotImplementedError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::rows::{Cursor, Env, Fail, Reader};
use crate::spec::Column;

create_exception!(
    pipeway_binlog_native,
    UnsupportedColumn,
    PyNotImplementedError,
    "A column the native decoder does not reproduce exactly; decode the table in Python."
);
create_exception!(
    pipeway_binlog_native,
    RowDecodeError,
    PyValueError,
    "Row data the native decoder cannot decode exactly; decode the event in Python."
);

/// A table's row decoder: table-map columns in order plus the output fields.
#[pyclass(frozen, module = "pipeway_binlog_native")]
pub struct RowDecoder {
    columns: Vec<Column>,
    /// (field name, table-map column index or None): the row dict, in schema order.
    fields: Vec<(Py<PyString>, Option<usize>)>,
    env: Env,
}

impl RowDecoder {
    /// One row image: the present-columns bitmap selects columns, a null bitmap follows.
    fn image<'py>(
        &self,
        reader: &mut Reader<'_, 'py>,
        present: &[u8],
        values: &mut Vec<Option<Bound<'py, PyAny>>>,
    ) -> Result<Bound<'py, PyDict>, Fail> {
        let present_count: u32 = present.iter().map(|b| b.count_ones()).sum();
        let nulls = reader.cur.take((present_count as usize).div_ceil(8))?;
        values.clear();
        let mut null_index = 0usize;
        for (i, column) in self.columns.iter().enumerate() {
            if present[i / 8] & (1 << (i % 8)) == 0 {
                values.push(None);
                continue;
            }
            let is_null = nulls[null_index / 8] & (1 << (null_index % 8)) != 0;
            null_index += 1;
            values.push(if is_null { None } else { reader.value(column)? });
        }
        let py = reader.py;
        let row = PyDict::new(py);
        for (name, index) in &self.fields {
            let value = index.and_then(|i| values[i].as_ref());
            let result = match value {
                Some(v) => row.set_item(name.bind(py), v),
                None => row.set_item(name.bind(py), py.None()),
            };
            result.map_err(|e| Fail(format!("Python error: {e}")))?;
        }
        Ok(row)
    }

    fn check_bitmap(&self, bitmap: &[u8]) -> PyResult<()> {
        if bitmap.len() != self.columns.len().div_ceil(8) {
            return Err(RowDecodeError::new_err(format!(
                "columns-present bitmap of {} bytes for {} columns",
                bitmap.len(),
                self.columns.len()
            )));
        }
        Ok(())
    }

    fn decode<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyBytes>,
        start: usize,
        end: usize,
        images: &[&[u8]],
    ) -> PyResult<Bound<'py, PyList>> {
        for bitmap in images {
            self.check_bitmap(bitmap)?;
        }
        let bytes = data.as_bytes();
        if start > end || end > bytes.len() {
            return Err(RowDecodeError::new_err(format!(
                "rows at {start}..{end} outside a packet of {} bytes",
                bytes.len()
            )));
        }
        let mut reader = Reader { py, env: &self.env, cur: Cursor { data: &bytes[..end], pos: start } };
        let out = PyList::empty(py);
        let mut values = Vec::with_capacity(self.columns.len());
        let failed = |e: Fail, pos: usize| RowDecodeError::new_err(format!("at byte {pos}: {}", e.0));
        while reader.cur.pos < end {
            let at = reader.cur.pos;
            if images.len() == 1 {
                let row = self.image(&mut reader, images[0], &mut values).map_err(|e| failed(e, at))?;
                out.append(row)?;
            } else {
                let before = self.image(&mut reader, images[0], &mut values).map_err(|e| failed(e, at))?;
                let after = self.image(&mut reader, images[1], &mut values).map_err(|e| failed(e, at))?;
                out.append(PyTuple::new(py, [before, after])?)?;
            }
        }
        Ok(out)
    }
}

#[pymethods]
impl RowDecoder {
    /// `columns`: per table-map column `(type, meta, unsigned, charset, conversion, param,
    /// names)`; `fields`: `(field name, column index or None)` in the row's field order.
    ///
    /// Raises UnsupportedColumn when a column must be decoded by the Python path.
    #[new]
    fn new(
        py: Python<'_>,
        columns: &Bound<'_, PyList>,
        fields: &Bound<'_, PyList>,
    ) -> PyResult<Self> {
        let mut parsed = Vec::with_capacity(columns.len());
        for (i, item) in columns.iter().enumerate() {
            let tuple = item.cast::<PyTuple>()?;
            match spec::parse(i, tuple)? {
                Ok(column) => parsed.push(column),
                Err(u) => return Err(UnsupportedColumn::new_err(u.0)),
            }
        }
        let mut out_fields = Vec::with_capacity(fields.len());
        for item in fields.iter() {
            let (name, index): (String, Option<usize>) = item.extract()?;
            if index.is_some_and(|i| i >= parsed.len()) {
                return Err(PyValueError::new_err(format!("field {name}: no column {index:?}")));
            }
            out_fields.push((PyString::intern(py, &name).unbind(), index));
        }
        let env = Env {
            decimal_cls: py.import("decimal")?.getattr("Decimal")?.unbind(),
            round_fn: py.import("builtins")?.getattr("round")?.unbind(),
            empty: PyString::intern(py, "").unbind(),
        };
        Ok(RowDecoder { columns: parsed, fields: out_fields, env })
    }

    /// Rows of a write or delete event: `data[start:end]` holds the row images.
    ///
    /// Raises RowDecodeError when the event must be decoded by the Python path.
    fn rows<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyBytes>,
        start: usize,
        end: usize,
        present: &[u8],
    ) -> PyResult<Bound<'py, PyList>> {
        self.decode(py, data, start, end, &[present])
    }

    /// `(before, after)` rows of an update event.
    fn update_rows<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyBytes>,
        start: usize,
        end: usize,
        present_before: &[u8],
        present_after: &[u8],
    ) -> PyResult<Bound<'py, PyList>> {
        self.decode(py, data, start, end, &[present_before, present_after])
    }
}

#[pymodule]
fn pipeway_binlog_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RowDecoder>()?;
    m.add("UnsupportedColumn", m.py().get_type::<UnsupportedColumn>())?;
    m.add("RowDecodeError", m.py().get_type::<RowDecodeError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
