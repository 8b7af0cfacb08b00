//! Python object classification and the few stdlib objects the codec calls into.

use std::os::raw::c_int;

use pyo3::ffi;
use pyo3::prelude::*;

/// The Python type of a value, as far as encoding decisions go.
///
/// `Other` covers everything the native encoder does not reason about (numpy scalars, custom
/// Mappings / Sequences, ...): such values make the encoder give up, and fastavro decides.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    None,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    ByteArray,
    Dict,
    List,
    Tuple,
    DateTime,
    Date,
    Time,
    Uuid,
    Decimal,
    Other,
}

/// Stdlib objects resolved once per codec.
pub struct Env {
    pub uuid_cls: Py<PyAny>,
    pub decimal_cls: Py<PyAny>,
    pub mktime: Py<PyAny>,
    /// `datetime.timezone.utc`
    pub utc: Py<PyAny>,
}

impl Env {
    pub fn new(py: Python<'_>) -> PyResult<Env> {
        // SAFETY: attached to the interpreter; the capsule import is idempotent.
        let utc = unsafe {
            ffi::PyDateTime_IMPORT();
            if ffi::PyDateTimeAPI().is_null() {
                return Err(PyErr::fetch(py));
            }
            Bound::from_borrowed_ptr(py, ffi::PyDateTime_TimeZone_UTC()).unbind()
        };
        Ok(Env {
            uuid_cls: py.import("uuid")?.getattr("UUID")?.unbind(),
            decimal_cls: py.import("decimal")?.getattr("Decimal")?.unbind(),
            mktime: py.import("time")?.getattr("mktime")?.unbind(),
            utc,
        })
    }

    /// Classify `obj` (cheap checks first: str, int, float, dict cover most fields).
    #[inline]
    pub fn kind(&self, obj: &Bound<'_, PyAny>) -> Kind {
        let p = obj.as_ptr();
        // SAFETY: `p` is a live object; the datetime API was imported in `Env::new`.
        unsafe {
            if ffi::PyUnicode_Check(p) != 0 {
                return Kind::Str;
            }
            if ffi::PyLong_Check(p) != 0 {
                return if ffi::PyBool_Check(p) != 0 {
                    Kind::Bool
                } else {
                    Kind::Int
                };
            }
            if ffi::PyFloat_Check(p) != 0 {
                return Kind::Float;
            }
            if ffi::PyDict_CheckExact(p) != 0 {
                return Kind::Dict;
            }
            if p == ffi::Py_None() {
                return Kind::None;
            }
            if ffi::PyList_CheckExact(p) != 0 {
                return Kind::List;
            }
            if ffi::PyBytes_Check(p) != 0 {
                return Kind::Bytes;
            }
            if ffi::PyByteArray_Check(p) != 0 {
                return Kind::ByteArray;
            }
            if ffi::PyTuple_Check(p) != 0 {
                return Kind::Tuple;
            }
            if ffi::PyDateTime_Check(p) != 0 {
                return Kind::DateTime;
            }
            if ffi::PyDate_Check(p) != 0 {
                return Kind::Date;
            }
            if ffi::PyTime_Check(p) != 0 {
                return Kind::Time;
            }
            if is_instance(p, self.uuid_cls.as_ptr()) {
                return Kind::Uuid;
            }
            if is_instance(p, self.decimal_cls.as_ptr()) {
                return Kind::Decimal;
            }
        }
        Kind::Other
    }
}

/// `isinstance(obj, cls)` for a plain class (no `__instancecheck__` surprises).
unsafe fn is_instance(obj: *mut ffi::PyObject, cls: *mut ffi::PyObject) -> bool {
    let tp = ffi::Py_TYPE(obj) as *mut ffi::PyObject;
    if tp == cls {
        return true;
    }
    ffi::PyType_IsSubtype(ffi::Py_TYPE(obj), cls as *mut ffi::PyTypeObject) != 0
}

/// The UTF-8 bytes of a `str` (cached by CPython; no copy for ASCII strings).
#[inline]
pub fn str_utf8<'a>(obj: &'a Bound<'_, PyAny>) -> Option<&'a [u8]> {
    let mut size: ffi::Py_ssize_t = 0;
    // SAFETY: obj is a str (checked by the caller); the buffer lives as long as obj.
    unsafe {
        let ptr = ffi::PyUnicode_AsUTF8AndSize(obj.as_ptr(), &mut size);
        if ptr.is_null() {
            ffi::PyErr_Clear(); // e.g. lone surrogates: fastavro raises too, let it say so
            return None;
        }
        Some(std::slice::from_raw_parts(ptr as *const u8, size as usize))
    }
}

/// The contents of a `bytes` or `bytearray`.
#[inline]
pub fn bytes_of<'a>(obj: &'a Bound<'_, PyAny>, kind: Kind) -> &'a [u8] {
    // SAFETY: kind was computed for obj; the GIL keeps the buffer alive and unchanged while
    // the encoder (which runs no Python code in between) reads it.
    unsafe {
        let p = obj.as_ptr();
        match kind {
            Kind::Bytes => std::slice::from_raw_parts(
                ffi::PyBytes_AS_STRING(p) as *const u8,
                ffi::PyBytes_Size(p) as usize,
            ),
            _ => std::slice::from_raw_parts(
                ffi::PyByteArray_AsString(p) as *const u8,
                ffi::PyByteArray_Size(p) as usize,
            ),
        }
    }
}

/// An int that fits i64, else None (bool included: it is an int to CPython).
#[inline]
pub fn as_i64(obj: &Bound<'_, PyAny>) -> Option<i64> {
    let mut overflow: c_int = 0;
    // SAFETY: obj is an int (checked by the caller).
    let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &mut overflow) };
    if overflow != 0 {
        return None;
    }
    if v == -1 && unsafe { !ffi::PyErr_Occurred().is_null() } {
        unsafe { ffi::PyErr_Clear() };
        return None;
    }
    Some(v)
}

#[inline]
pub fn float_value(obj: &Bound<'_, PyAny>) -> f64 {
    // SAFETY: obj is a float (checked by the caller).
    unsafe { ffi::PyFloat_AsDouble(obj.as_ptr()) }
}

// ---- calendar arithmetic (proleptic Gregorian, days relative to 1970-01-01) ----

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub struct DateTimeFields {
    pub days: i64,
    pub second_of_day: i64,
    pub microsecond: i64,
}

/// The wall-clock fields of a `datetime` (tzinfo ignored).
pub fn datetime_fields(obj: &Bound<'_, PyAny>) -> DateTimeFields {
    let p = obj.as_ptr();
    // SAFETY: obj is a datetime (checked by the caller).
    unsafe {
        DateTimeFields {
            days: days_from_civil(
                ffi::PyDateTime_GET_YEAR(p) as i64,
                ffi::PyDateTime_GET_MONTH(p) as i64,
                ffi::PyDateTime_GET_DAY(p) as i64,
            ),
            second_of_day: ffi::PyDateTime_DATE_GET_HOUR(p) as i64 * 3600
                + ffi::PyDateTime_DATE_GET_MINUTE(p) as i64 * 60
                + ffi::PyDateTime_DATE_GET_SECOND(p) as i64,
            microsecond: ffi::PyDateTime_DATE_GET_MICROSECOND(p) as i64,
        }
    }
}

/// Days since the epoch of a `date` (or `datetime`): `toordinal() - 719163`.
pub fn date_days(obj: &Bound<'_, PyAny>) -> i64 {
    let p = obj.as_ptr();
    // SAFETY: obj is a date or datetime (checked by the caller).
    unsafe {
        days_from_civil(
            ffi::PyDateTime_GET_YEAR(p) as i64,
            ffi::PyDateTime_GET_MONTH(p) as i64,
            ffi::PyDateTime_GET_DAY(p) as i64,
        )
    }
}

/// (hour, minute, second, microsecond) of a `time`.
pub fn time_fields(obj: &Bound<'_, PyAny>) -> (i64, i64, i64, i64) {
    let p = obj.as_ptr();
    // SAFETY: obj is a time (checked by the caller).
    unsafe {
        (
            ffi::PyDateTime_TIME_GET_HOUR(p) as i64,
            ffi::PyDateTime_TIME_GET_MINUTE(p) as i64,
            ffi::PyDateTime_TIME_GET_SECOND(p) as i64,
            ffi::PyDateTime_TIME_GET_MICROSECOND(p) as i64,
        )
    }
}

/// The tzinfo of a datetime (borrowed; `None` for naive datetimes).
pub fn datetime_tzinfo<'py>(obj: &Bound<'py, PyAny>) -> Option<Bound<'py, PyAny>> {
    // SAFETY: obj is a datetime; tzinfo is a borrowed reference we immediately own.
    unsafe {
        let tz = ffi::PyDateTime_DATE_GET_TZINFO(obj.as_ptr());
        if tz.is_null() || tz == ffi::Py_None() {
            None
        } else {
            Some(Bound::from_borrowed_ptr(obj.py(), tz))
        }
    }
}

/// Total microseconds of a `timedelta`.
pub fn timedelta_micros(obj: &Bound<'_, PyAny>) -> Option<i64> {
    let p = obj.as_ptr();
    // SAFETY: checked to be a timedelta first.
    unsafe {
        if ffi::PyDelta_Check(p) == 0 {
            return None;
        }
        Some(
            (ffi::PyDateTime_DELTA_GET_DAYS(p) as i64 * 86_400
                + ffi::PyDateTime_DELTA_GET_SECONDS(p) as i64)
                * 1_000_000
                + ffi::PyDateTime_DELTA_GET_MICROSECONDS(p) as i64,
        )
    }
}

/// A new `datetime` from microseconds since the epoch, with `tz` (None = naive).
pub fn datetime_from_micros<'py>(
    py: Python<'py>,
    micros: i128,
    tz: Option<&Bound<'py, PyAny>>,
) -> Option<Bound<'py, PyAny>> {
    let days = micros.div_euclid(86_400_000_000);
    let rem = micros.rem_euclid(86_400_000_000) as i64;
    if days.abs() > 4_000_000 {
        return None;
    }
    let (y, m, d) = civil_from_days(days as i64);
    if !(1..=9999).contains(&y) {
        return None;
    }
    let secs = rem / 1_000_000;
    let us = rem % 1_000_000;
    // SAFETY: the datetime API is imported; arguments are in range.
    unsafe {
        let api = &*ffi::PyDateTimeAPI();
        let tzp = tz.map_or(ffi::Py_None(), |t| t.as_ptr());
        let ptr = (api.DateTime_FromDateAndTime)(
            y as c_int,
            m as c_int,
            d as c_int,
            (secs / 3600) as c_int,
            (secs / 60 % 60) as c_int,
            (secs % 60) as c_int,
            us as c_int,
            tzp,
            api.DateTimeType,
        );
        Bound::from_owned_ptr_or_err(py, ptr).ok()
    }
}

pub fn date_from_days(py: Python<'_>, days: i64) -> Option<Bound<'_, PyAny>> {
    // date.fromordinal(days + 719163) accepts ordinals 1..=3652059.
    if !(-719_162..=2_932_896).contains(&days) {
        return None;
    }
    let (y, m, d) = civil_from_days(days);
    // SAFETY: the datetime API is imported; the date is in range.
    unsafe {
        let api = &*ffi::PyDateTimeAPI();
        let ptr = (api.Date_FromDate)(y as c_int, m as c_int, d as c_int, api.DateType);
        Bound::from_owned_ptr_or_err(py, ptr).ok()
    }
}

pub fn time_from_micros(py: Python<'_>, micros: i64) -> Option<Bound<'_, PyAny>> {
    if !(0..86_400_000_000).contains(&micros) {
        return None;
    }
    let secs = micros / 1_000_000;
    // SAFETY: the datetime API is imported; the time is in range.
    unsafe {
        let api = &*ffi::PyDateTimeAPI();
        let ptr = (api.Time_FromTime)(
            (secs / 3600) as c_int,
            (secs / 60 % 60) as c_int,
            (secs % 60) as c_int,
            (micros % 1_000_000) as c_int,
            ffi::Py_None(),
            api.TimeType,
        );
        Bound::from_owned_ptr_or_err(py, ptr).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1, 1, 1), -719_162);
        for days in (-719_162..2_932_897).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
