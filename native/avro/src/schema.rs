//! Compiling an Avro schema (fastavro's parsed form, as JSON) into a flat arena of nodes.
//!
//! Named types are registered by full name when first defined, so references by name
//! (recursive types) resolve to the node already reserved for the definition. Anything this
//! codec cannot reproduce byte-for-byte like fastavro is refused with [`Unsupported`], and the
//! Python side then keeps using fastavro for that schema.

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::{Map, Value};

pub type NodeId = u32;

/// Why a schema cannot be handled natively.
#[derive(Debug)]
pub struct Unsupported(pub String);

fn unsupported<T>(msg: impl Into<String>) -> Result<T, Unsupported> {
    Err(Unsupported(msg.into()))
}

pub struct Field {
    /// Interned field name, used as the dict key when encoding and decoding.
    pub key: Py<PyString>,
    pub name: String,
    pub node: NodeId,
    /// The schema default, as the Python object fastavro would see (`field.get("default")`).
    pub default: Option<Py<PyAny>>,
    /// fastavro accepts a missing field without default when `"null" in field["type"]`.
    pub missing_is_none: bool,
}

pub struct Record {
    /// Full name, returned in `(name, record)` tuples when `return_record_name` is on.
    pub name: Py<PyString>,
    pub fields: Vec<Field>,
    pub is_error: bool,
}

pub struct Enum {
    pub symbols: Vec<String>,
    pub py_symbols: Vec<Py<PyString>>,
    /// Only for large enums; small ones are scanned linearly.
    pub index: Option<HashMap<String, u32>>,
}

impl Enum {
    pub fn position(&self, symbol: &[u8]) -> Option<u32> {
        match &self.index {
            Some(map) => std::str::from_utf8(symbol)
                .ok()
                .and_then(|s| map.get(s).copied()),
            None => self
                .symbols
                .iter()
                .position(|s| s.as_bytes() == symbol)
                .map(|i| i as u32),
        }
    }
}

pub struct Union {
    pub branches: Vec<NodeId>,
    /// Branch given as a reference to a named type (not an inline definition).
    pub is_ref: Vec<bool>,
}

pub struct Decimal {
    pub precision: u32,
    pub scale: u32,
    /// `decimal.Context(prec=precision)`, as fastavro's reader uses.
    pub context: Py<PyAny>,
}

pub enum Node {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Fixed(usize),
    Enum(Box<Enum>),
    Array(NodeId),
    Map(NodeId),
    Record(Box<Record>),
    Union(Box<Union>),
    TimestampMillis,
    TimestampMicros,
    LocalTimestampMillis,
    LocalTimestampMicros,
    Date,
    TimeMillis,
    TimeMicros,
    Uuid,
    DecimalBytes(Box<Decimal>),
    DecimalFixed(usize, Box<Decimal>),
    /// Reserved for a named type while its definition is being compiled.
    Pending,
}

pub struct Schema {
    pub nodes: Vec<Node>,
    pub root: NodeId,
}

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

struct Compiler<'py> {
    py: Python<'py>,
    nodes: Vec<Node>,
    names: HashMap<String, NodeId>,
    context_cls: Bound<'py, PyAny>,
    depth: usize,
}

pub fn compile(py: Python<'_>, schema_json: &str) -> Result<Schema, Unsupported> {
    let value: Value = serde_json::from_str(schema_json)
        .map_err(|e| Unsupported(format!("schema JSON does not parse: {e}")))?;
    let context_cls = py
        .import("decimal")
        .and_then(|m| m.getattr("Context"))
        .map_err(|e| Unsupported(format!("cannot import decimal.Context: {e}")))?;
    let mut c = Compiler {
        py,
        nodes: Vec::new(),
        names: HashMap::new(),
        context_cls,
        depth: 0,
    };
    let root = c.compile(&value)?;
    if c.nodes.iter().any(|n| matches!(n, Node::Pending)) {
        return unsupported("a named type was never completed");
    }
    Ok(Schema {
        nodes: c.nodes,
        root,
    })
}

impl<'py> Compiler<'py> {
    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        (self.nodes.len() - 1) as NodeId
    }

    fn compile(&mut self, value: &Value) -> Result<NodeId, Unsupported> {
        self.depth += 1;
        if self.depth > 200 {
            return unsupported("schema nesting is too deep");
        }
        let out = match value {
            Value::String(name) => self.compile_name(name),
            Value::Array(branches) => self.compile_union(branches),
            Value::Object(obj) => self.compile_object(obj),
            other => unsupported(format!("not a schema: {other}")),
        };
        self.depth -= 1;
        out
    }

    fn compile_name(&mut self, name: &str) -> Result<NodeId, Unsupported> {
        let node = match name {
            "null" => Node::Null,
            "boolean" => Node::Boolean,
            "int" => Node::Int,
            "long" => Node::Long,
            "float" => Node::Float,
            "double" => Node::Double,
            "bytes" => Node::Bytes,
            "string" => Node::String,
            _ => {
                return match self.names.get(name) {
                    Some(&id) => Ok(id),
                    None => unsupported(format!("unknown named type '{name}'")),
                }
            }
        };
        Ok(self.push(node))
    }

    fn compile_union(&mut self, branches: &[Value]) -> Result<NodeId, Unsupported> {
        if branches.is_empty() {
            return unsupported("empty union");
        }
        let mut ids = Vec::with_capacity(branches.len());
        let mut is_ref = Vec::with_capacity(branches.len());
        for b in branches {
            if b.is_array() {
                return unsupported("nested union");
            }
            ids.push(self.compile(b)?);
            is_ref.push(matches!(b, Value::String(s) if !PRIMITIVES.contains(&s.as_str())));
        }
        Ok(self.push(Node::Union(Box::new(Union {
            branches: ids,
            is_ref,
        }))))
    }

    fn compile_object(&mut self, obj: &Map<String, Value>) -> Result<NodeId, Unsupported> {
        let ty = match obj.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Object(_)) | Some(Value::Array(_)) => {
                return unsupported("a 'type' that is itself a schema")
            }
            _ => return unsupported("schema object without a string 'type'"),
        };
        let logical = obj.get("logicalType").and_then(Value::as_str);
        match ty {
            "record" | "error" => self.compile_record(obj, ty == "error"),
            "enum" => self.compile_enum(obj),
            "fixed" => self.compile_fixed(obj, logical),
            "array" => {
                let items = obj
                    .get("items")
                    .ok_or(Unsupported("array without items".into()))?;
                let id = self.compile(items)?;
                Ok(self.push(Node::Array(id)))
            }
            "map" => {
                let values = obj
                    .get("values")
                    .ok_or(Unsupported("map without values".into()))?;
                let id = self.compile(values)?;
                Ok(self.push(Node::Map(id)))
            }
            "request" | "error_union" => unsupported(format!("type '{ty}'")),
            _ if PRIMITIVES.contains(&ty) => {
                // Mirrors fastavro's LOGICAL_WRITERS / LOGICAL_READERS keys ("<type>-<logical>");
                // any other combination is written and read as the plain type.
                let node = match (ty, logical) {
                    ("long", Some("timestamp-millis")) => Node::TimestampMillis,
                    ("long", Some("timestamp-micros")) => Node::TimestampMicros,
                    ("long", Some("local-timestamp-millis")) => Node::LocalTimestampMillis,
                    ("long", Some("local-timestamp-micros")) => Node::LocalTimestampMicros,
                    ("int", Some("date")) => Node::Date,
                    ("int", Some("time-millis")) => Node::TimeMillis,
                    ("long", Some("time-micros")) => Node::TimeMicros,
                    ("string", Some("uuid")) => Node::Uuid,
                    ("bytes", Some("decimal")) => Node::DecimalBytes(Box::new(self.decimal(obj)?)),
                    _ => return self.compile_name(ty),
                };
                Ok(self.push(node))
            }
            // {"type": "some.Named"}: a reference written as an object.
            _ => self.compile_name(ty),
        }
    }

    fn full_name(&self, obj: &Map<String, Value>) -> Result<String, Unsupported> {
        let name = match obj.get("name") {
            Some(Value::String(n)) => n.clone(),
            _ => return unsupported("named type without a name"),
        };
        // fastavro's parse_schema already qualifies names; honour a namespace if one remains.
        match obj.get("namespace") {
            Some(Value::String(ns)) if !ns.is_empty() && !name.contains('.') => {
                Ok(format!("{ns}.{name}"))
            }
            _ => Ok(name),
        }
    }

    /// Reserve the node of a named type; `None` when it is already defined (reuse it).
    fn reserve(&mut self, name: &str) -> Option<NodeId> {
        if self.names.contains_key(name) {
            return None;
        }
        let id = self.push(Node::Pending);
        self.names.insert(name.to_string(), id);
        Some(id)
    }

    fn compile_record(
        &mut self,
        obj: &Map<String, Value>,
        is_error: bool,
    ) -> Result<NodeId, Unsupported> {
        let name = self.full_name(obj)?;
        let Some(id) = self.reserve(&name) else {
            return Ok(self.names[&name]);
        };
        let fields_json = match obj.get("fields") {
            Some(Value::Array(f)) => f,
            _ => return unsupported(format!("record {name} without a fields list")),
        };
        let mut fields = Vec::with_capacity(fields_json.len());
        for f in fields_json {
            let Value::Object(f) = f else {
                return unsupported(format!("record {name}: a field is not an object"));
            };
            let fname = match f.get("name") {
                Some(Value::String(n)) => n.clone(),
                _ => return unsupported(format!("record {name}: a field without a name")),
            };
            let ftype = f
                .get("type")
                .ok_or(Unsupported(format!("field {name}.{fname} without a type")))?;
            let node = self.compile(ftype)?;
            let default = match f.get("default") {
                Some(d) => Some(self.json_to_py(d)?),
                None => None,
            };
            // fastavro: `"default" not in field and "null" not in field["type"]` raises.
            let missing_is_none = match ftype {
                Value::String(s) => s.contains("null"),
                Value::Array(a) => a.iter().any(|b| b.as_str() == Some("null")),
                Value::Object(o) => o.contains_key("null"),
                _ => false,
            };
            fields.push(Field {
                key: PyString::intern(self.py, &fname).unbind(),
                name: fname,
                node,
                default,
                missing_is_none,
            });
        }
        self.nodes[id as usize] = Node::Record(Box::new(Record {
            name: PyString::new(self.py, &name).unbind(),
            fields,
            is_error,
        }));
        Ok(id)
    }

    fn compile_enum(&mut self, obj: &Map<String, Value>) -> Result<NodeId, Unsupported> {
        let name = self.full_name(obj)?;
        let Some(id) = self.reserve(&name) else {
            return Ok(self.names[&name]);
        };
        let symbols: Vec<String> = match obj.get("symbols") {
            Some(Value::Array(s)) => s
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or(Unsupported(format!(
                    "enum {name}: a symbol is not a string"
                )))?,
            _ => return unsupported(format!("enum {name} without symbols")),
        };
        if symbols.is_empty() {
            return unsupported(format!("enum {name} has no symbols"));
        }
        let py_symbols = symbols
            .iter()
            .map(|s| PyString::intern(self.py, s).unbind())
            .collect();
        let index = (symbols.len() > 8).then(|| {
            let mut map = HashMap::with_capacity(symbols.len());
            for (i, s) in symbols.iter().enumerate() {
                map.entry(s.clone()).or_insert(i as u32);
            }
            map
        });
        self.nodes[id as usize] = Node::Enum(Box::new(Enum {
            symbols,
            py_symbols,
            index,
        }));
        Ok(id)
    }

    fn compile_fixed(
        &mut self,
        obj: &Map<String, Value>,
        logical: Option<&str>,
    ) -> Result<NodeId, Unsupported> {
        let name = self.full_name(obj)?;
        let Some(id) = self.reserve(&name) else {
            return Ok(self.names[&name]);
        };
        let size = match obj.get("size").and_then(Value::as_u64) {
            Some(s) if s <= (1 << 30) => s as usize,
            _ => return unsupported(format!("fixed {name} without a valid size")),
        };
        self.nodes[id as usize] = if logical == Some("decimal") {
            Node::DecimalFixed(size, Box::new(self.decimal(obj)?))
        } else {
            Node::Fixed(size)
        };
        Ok(id)
    }

    fn decimal(&self, obj: &Map<String, Value>) -> Result<Decimal, Unsupported> {
        let precision = match obj.get("precision").and_then(Value::as_u64) {
            Some(p) if (1..=1000).contains(&p) => p as u32,
            _ => return unsupported("decimal without a usable precision"),
        };
        let scale = match obj.get("scale") {
            None => 0,
            Some(v) => match v.as_u64() {
                Some(s) if s <= precision as u64 => s as u32,
                _ => return unsupported("decimal with an unusable scale"),
            },
        };
        let kwargs = PyDict::new(self.py);
        let context = kwargs
            .set_item("prec", precision)
            .and_then(|_| self.context_cls.call((), Some(&kwargs)))
            .map_err(|e| Unsupported(format!("cannot build decimal.Context: {e}")))?;
        Ok(Decimal {
            precision,
            scale,
            context: context.unbind(),
        })
    }

    fn json_to_py(&self, value: &Value) -> Result<Py<PyAny>, Unsupported> {
        let py = self.py;
        let err = |e: PyErr| Unsupported(format!("default value: {e}"));
        Ok(match value {
            Value::Null => py.None(),
            Value::Bool(b) => pyo3::types::PyBool::new(py, *b)
                .to_owned()
                .into_any()
                .unbind(),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    pyo3::types::PyInt::new(py, i).into_any().unbind()
                } else if let Some(u) = n.as_u64() {
                    pyo3::types::PyInt::new(py, u).into_any().unbind()
                } else if let Some(f) = n.as_f64() {
                    pyo3::types::PyFloat::new(py, f).into_any().unbind()
                } else {
                    return unsupported("default number out of range");
                }
            }
            Value::String(s) => PyString::new(py, s).into_any().unbind(),
            Value::Array(items) => {
                let list = PyList::empty(py);
                for item in items {
                    list.append(self.json_to_py(item)?).map_err(err)?;
                }
                list.into_any().unbind()
            }
            Value::Object(obj) => {
                let dict = PyDict::new(py);
                for (k, v) in obj {
                    dict.set_item(k, self.json_to_py(v)?).map_err(err)?;
                }
                dict.into_any().unbind()
            }
        })
    }
}
