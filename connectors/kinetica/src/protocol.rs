//! Request and response records of the Kinetica endpoints Sluice and the
//! emulator use, and the `gpudb_response` envelope.
//!
//! Field order is wire order (Avro records carry no field names), so every struct
//! below lists its fields exactly as `kinetica-endpoint-schemas.json` does; the
//! definitions are generated from that file's schemas.

use std::collections::BTreeMap;

use crate::avro::{self, DecodeError, Reader};
use crate::rows::EncodedRows;

/// A `map<string,string>`: every `options` and `info` field. Booleans are the
/// strings `"true"`/`"false"`; real servers reject unknown keys.
pub type Options = BTreeMap<String, String>;

/// A record with a fixed Avro schema.
pub trait AvroRecord: Sized {
    /// The Avro record name (for responses, the envelope's `data_type`).
    const NAME: &'static str;
    /// Appends the binary encoding to `buf`.
    fn encode(&self, buf: &mut Vec<u8>);
    /// Reads one record.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Encodes into a fresh buffer.
    fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        self.encode(&mut b);
        b
    }

    /// Decodes a whole buffer, rejecting trailing bytes.
    fn from_bytes(b: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(b);
        let v = Self::decode(&mut r)?;
        r.finish()?;
        Ok(v)
    }
}

/// A request record that is the body of an endpoint.
pub trait Endpoint: AvroRecord {
    /// The URL path, e.g. `/has/table`.
    const PATH: &'static str;
    /// The record the endpoint answers with (inside the envelope).
    type Response: AvroRecord;
}

/// A field type of a protocol record.
pub trait AvroField: Sized {
    fn put(&self, buf: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

impl AvroField for String {
    fn put(&self, buf: &mut Vec<u8>) {
        avro::put_str(buf, self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.string()
    }
}
impl AvroField for bool {
    fn put(&self, buf: &mut Vec<u8>) {
        avro::put_bool(buf, *self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.boolean()
    }
}
impl AvroField for i32 {
    fn put(&self, buf: &mut Vec<u8>) {
        avro::put_int(buf, *self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.int()
    }
}
impl AvroField for i64 {
    fn put(&self, buf: &mut Vec<u8>) {
        avro::put_long(buf, *self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.long()
    }
}
impl AvroField for f64 {
    fn put(&self, buf: &mut Vec<u8>) {
        avro::put_double(buf, *self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.double()
    }
}
/// `bytes`. (`Vec<T>` for other `T` is an array; `u8` is not an `AvroField`, so
/// the two impls cannot overlap.)
impl AvroField for Vec<u8> {
    fn put(&self, buf: &mut Vec<u8>) {
        avro::put_bytes(buf, self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.bytes().map(<[u8]>::to_vec)
    }
}
impl<T: AvroField> AvroField for Vec<T> {
    fn put(&self, buf: &mut Vec<u8>) {
        avro::put_array(buf, self, |b, v| v.put(b));
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.array(T::get)
    }
}
impl<T: AvroField> AvroField for BTreeMap<String, T> {
    fn put(&self, buf: &mut Vec<u8>) {
        avro::put_map(buf, self, |b, v| v.put(b));
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.map(T::get)
    }
}
/// `array<bytes>` holding rows, kept contiguous.
impl AvroField for EncodedRows {
    fn put(&self, buf: &mut Vec<u8>) {
        put_rows(buf, self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut rows = EncodedRows::new();
        r.blocks(|r| {
            rows.push_encoded(r.bytes()?);
            Ok(())
        })?;
        Ok(rows)
    }
}

/// Appends rows as `array<bytes>`.
pub fn put_rows(buf: &mut Vec<u8>, rows: &EncodedRows) {
    buf.reserve(rows.byte_len() + rows.len() * 3 + 2);
    if !rows.is_empty() {
        avro::put_long(buf, rows.len() as i64);
        for row in rows.iter() {
            avro::put_bytes(buf, row);
        }
    }
    buf.push(0);
}

macro_rules! avro_records {
    ($(
        $(#[$m:meta])*
        $name:ident = $avro:literal {
            $( $(#[$fm:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    )*) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name { $( $(#[$fm])* pub $field: $ty, )* }

        impl AvroRecord for $name {
            const NAME: &'static str = $avro;
            fn encode(&self, buf: &mut Vec<u8>) {
                $( AvroField::put(&self.$field, buf); )*
            }
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(Self { $( $field: AvroField::get(r)?, )* })
            }
        }
    )*};
}

macro_rules! endpoints {
    ($( $req:ident => $resp:ident, $path:literal; )*) => {
        $(
            impl Endpoint for $req {
                const PATH: &'static str = $path;
                type Response = $resp;
            }
        )*
        /// Every endpoint path this module has records for.
        pub const ENDPOINT_PATHS: &[&str] = &[$($path),*];
    };
}

avro_records! {
    /// The envelope around every response (docs/reference/kinetica-rest-protocol.md §3). On success
    /// `status = "OK"` and `data` holds the response record (binary encoding);
    /// on error `status = "ERROR"`, `message` is the error text and
    /// `data_type = "none"`.
    GpudbResponse = "gpudb_response" {
        status: String,
        message: String,
        data_type: String,
        data: Vec<u8>,
        data_str: String,
    }

    /// Request of `/show/system/status`.
    ShowSystemStatusRequest = "show_system_status_request" {
        options: Options,
    }
    /// Response of `/show/system/status`.
    ShowSystemStatusResponse = "show_system_status_response" {
        status_map: Options,
        info: Options,
    }

    /// Request of `/show/system/properties`.
    ShowSystemPropertiesRequest = "show_system_properties_request" {
        options: Options,
    }
    /// Response of `/show/system/properties`.
    ShowSystemPropertiesResponse = "show_system_properties_response" {
        property_map: Options,
        info: Options,
    }

    /// Request of `/has/table`.
    HasTableRequest = "has_table_request" {
        table_name: String,
        options: Options,
    }
    /// Response of `/has/table`.
    HasTableResponse = "has_table_response" {
        table_name: String,
        table_exists: bool,
        info: Options,
    }

    /// Request of `/create/table`.
    CreateTableRequest = "create_table_request" {
        table_name: String,
        type_id: String,
        options: Options,
    }
    /// Response of `/create/table`.
    CreateTableResponse = "create_table_response" {
        table_name: String,
        type_id: String,
        is_collection: bool,
        info: Options,
    }

    /// Request of `/show/table`.
    ShowTableRequest = "show_table_request" {
        table_name: String,
        options: Options,
    }
    /// Response of `/show/table`.
    ShowTableResponse = "show_table_response" {
        table_name: String,
        table_names: Vec<String>,
        table_descriptions: Vec<Vec<String>>,
        type_ids: Vec<String>,
        type_schemas: Vec<String>,
        type_labels: Vec<String>,
        properties: Vec<BTreeMap<String, Vec<String>>>,
        additional_info: Vec<Options>,
        sizes: Vec<i64>,
        full_sizes: Vec<i64>,
        join_sizes: Vec<f64>,
        total_size: i64,
        total_full_size: i64,
        info: Options,
    }

    /// Request of `/create/type`.
    CreateTypeRequest = "create_type_request" {
        type_definition: String,
        label: String,
        properties: BTreeMap<String, Vec<String>>,
        options: Options,
    }
    /// Response of `/create/type`.
    CreateTypeResponse = "create_type_response" {
        type_id: String,
        type_definition: String,
        label: String,
        properties: BTreeMap<String, Vec<String>>,
        info: Options,
    }

    /// Request of `/show/types`.
    ShowTypesRequest = "show_types_request" {
        type_id: String,
        label: String,
        options: Options,
    }
    /// Response of `/show/types`.
    ShowTypesResponse = "show_types_response" {
        type_ids: Vec<String>,
        type_schemas: Vec<String>,
        labels: Vec<String>,
        properties: Vec<BTreeMap<String, Vec<String>>>,
        info: Options,
    }

    /// Request of `/has/type`.
    HasTypeRequest = "has_type_request" {
        type_id: String,
        options: Options,
    }
    /// Response of `/has/type`.
    HasTypeResponse = "has_type_response" {
        type_id: String,
        type_exists: bool,
        info: Options,
    }

    /// Request of `/has/schema`.
    HasSchemaRequest = "has_schema_request" {
        schema_name: String,
        options: Options,
    }
    /// Response of `/has/schema`.
    HasSchemaResponse = "has_schema_response" {
        schema_name: String,
        schema_exists: bool,
        info: Options,
    }

    /// Request of `/create/schema`.
    CreateSchemaRequest = "create_schema_request" {
        schema_name: String,
        options: Options,
    }
    /// Response of `/create/schema`.
    CreateSchemaResponse = "create_schema_response" {
        schema_name: String,
        info: Options,
    }

    /// Request of `/show/schema`.
    ShowSchemaRequest = "show_schema_request" {
        schema_name: String,
        options: Options,
    }
    /// Response of `/show/schema`.
    ShowSchemaResponse = "show_schema_response" {
        schema_name: String,
        schema_names: Vec<String>,
        schema_tables: Vec<Vec<String>>,
        additional_info: Vec<Options>,
        info: Options,
    }

    /// Request of `/drop/schema`.
    DropSchemaRequest = "drop_schema_request" {
        schema_name: String,
        options: Options,
    }
    /// Response of `/drop/schema`.
    DropSchemaResponse = "drop_schema_response" {
        schema_name: String,
        info: Options,
    }

    /// Request of `/insert/records`.
    InsertRecordsRequest = "insert_records_request" {
        table_name: String,
        list: EncodedRows,
        list_str: Vec<String>,
        list_encoding: String,
        options: Options,
    }
    /// Response of `/insert/records`.
    InsertRecordsResponse = "insert_records_response" {
        record_ids: Vec<String>,
        count_inserted: i32,
        count_updated: i32,
        info: Options,
    }

    /// Request of `/get/records`.
    GetRecordsRequest = "get_records_request" {
        table_name: String,
        offset: i64,
        limit: i64,
        encoding: String,
        options: Options,
    }
    /// Response of `/get/records`.
    GetRecordsResponse = "get_records_response" {
        table_name: String,
        type_name: String,
        type_schema: String,
        records_binary: EncodedRows,
        records_json: Vec<String>,
        total_number_of_records: i64,
        has_more_records: bool,
        info: Options,
    }

    /// Request of `/clear/table`.
    ClearTableRequest = "clear_table_request" {
        table_name: String,
        authorization: String,
        options: Options,
    }
    /// Response of `/clear/table`.
    ClearTableResponse = "clear_table_response" {
        table_name: String,
        info: Options,
    }

    /// Request of `/clear/tables`.
    ClearTablesRequest = "clear_tables_request" {
        table_names: Vec<String>,
        options: Options,
    }
    /// Response of `/clear/tables`.
    ClearTablesResponse = "clear_tables_response" {
        tables: Options,
        info: Options,
    }

    /// Request of `/alter/table`.
    AlterTableRequest = "alter_table_request" {
        table_name: String,
        action: String,
        value: String,
        options: Options,
    }
    /// Response of `/alter/table`.
    AlterTableResponse = "alter_table_response" {
        table_name: String,
        action: String,
        value: String,
        type_id: String,
        type_definition: String,
        properties: BTreeMap<String, Vec<String>>,
        label: String,
        info: Options,
    }

    /// Request of `/alter/table/columns`.
    AlterTableColumnsRequest = "alter_table_columns_request" {
        table_name: String,
        column_alterations: Vec<Options>,
        options: Options,
    }
    /// Response of `/alter/table/columns`.
    AlterTableColumnsResponse = "alter_table_columns_response" {
        table_name: String,
        type_id: String,
        type_definition: String,
        properties: BTreeMap<String, Vec<String>>,
        label: String,
        column_alterations: Vec<Options>,
        info: Options,
    }

    /// Request of `/admin/show/shards`.
    AdminShowShardsRequest = "admin_show_shards_request" {
        options: Options,
    }
    /// Response of `/admin/show/shards`.
    AdminShowShardsResponse = "admin_show_shards_response" {
        version: i64,
        rank: Vec<i32>,
        tom: Vec<i32>,
        info: Options,
    }

    /// Request of `/delete/records`.
    DeleteRecordsRequest = "delete_records_request" {
        table_name: String,
        expressions: Vec<String>,
        options: Options,
    }
    /// Response of `/delete/records`.
    DeleteRecordsResponse = "delete_records_response" {
        count_deleted: i64,
        counts_deleted: Vec<i64>,
        info: Options,
    }

    /// Request of `/execute/sql`.
    ExecuteSqlRequest = "execute_sql_request" {
        statement: String,
        offset: i64,
        limit: i64,
        encoding: String,
        request_schema_str: String,
        data: Vec<Vec<u8>>,
        options: Options,
    }
    /// Response of `/execute/sql`.
    ExecuteSqlResponse = "execute_sql_response" {
        count_affected: i64,
        response_schema_str: String,
        binary_encoded_response: Vec<u8>,
        json_encoded_response: String,
        total_number_of_records: i64,
        has_more_records: bool,
        paging_table: String,
        info: Options,
    }

}

endpoints! {
    ShowSystemStatusRequest => ShowSystemStatusResponse, "/show/system/status";
    ShowSystemPropertiesRequest => ShowSystemPropertiesResponse, "/show/system/properties";
    HasTableRequest => HasTableResponse, "/has/table";
    CreateTableRequest => CreateTableResponse, "/create/table";
    ShowTableRequest => ShowTableResponse, "/show/table";
    CreateTypeRequest => CreateTypeResponse, "/create/type";
    ShowTypesRequest => ShowTypesResponse, "/show/types";
    HasTypeRequest => HasTypeResponse, "/has/type";
    HasSchemaRequest => HasSchemaResponse, "/has/schema";
    CreateSchemaRequest => CreateSchemaResponse, "/create/schema";
    ShowSchemaRequest => ShowSchemaResponse, "/show/schema";
    DropSchemaRequest => DropSchemaResponse, "/drop/schema";
    InsertRecordsRequest => InsertRecordsResponse, "/insert/records";
    GetRecordsRequest => GetRecordsResponse, "/get/records";
    ClearTableRequest => ClearTableResponse, "/clear/table";
    ClearTablesRequest => ClearTablesResponse, "/clear/tables";
    AlterTableRequest => AlterTableResponse, "/alter/table";
    AlterTableColumnsRequest => AlterTableColumnsResponse, "/alter/table/columns";
    AdminShowShardsRequest => AdminShowShardsResponse, "/admin/show/shards";
    DeleteRecordsRequest => DeleteRecordsResponse, "/delete/records";
    ExecuteSqlRequest => ExecuteSqlResponse, "/execute/sql";
}

/// `limit` value meaning "to the end" in `/get/records`.
pub const END_OF_SET: i64 = -9999;

impl GpudbResponse {
    /// `status` of a successful response.
    pub const OK: &'static str = "OK";
    /// `status` of a failed response.
    pub const ERROR: &'static str = "ERROR";

    /// An OK envelope wrapping `resp` (binary encoding).
    pub fn ok<R: AvroRecord>(resp: &R) -> Self {
        GpudbResponse {
            status: Self::OK.into(),
            message: String::new(),
            data_type: R::NAME.into(),
            data: resp.to_bytes(),
            data_str: String::new(),
        }
    }

    /// An ERROR envelope: `data_type` is `"none"` so clients skip the payload.
    pub fn error(message: impl Into<String>) -> Self {
        GpudbResponse {
            status: Self::ERROR.into(),
            message: message.into(),
            data_type: "none".into(),
            data: Vec::new(),
            data_str: String::new(),
        }
    }

    /// Whether `status` is `"OK"`.
    pub fn is_ok(&self) -> bool {
        self.status == Self::OK
    }
}

/// Encodes an `/insert/records` request with binary rows straight from a
/// borrowed batch, so a caller can reuse its [`EncodedRows`] afterwards. The
/// bytes equal [`InsertRecordsRequest`]'s encoding with `list_encoding="binary"`.
pub fn encode_insert_records(
    buf: &mut Vec<u8>,
    table_name: &str,
    rows: &EncodedRows,
    options: &Options,
) {
    buf.reserve(rows.byte_len() + rows.len() * 3 + 64);
    encode_insert_records_from(buf, table_name, rows.len(), rows.iter(), options);
}

/// Like [`encode_insert_records`] for any `count` rows (multi-head routing
/// sends a subset of a batch to each worker without copying it first).
pub fn encode_insert_records_from<'r>(
    buf: &mut Vec<u8>,
    table_name: &str,
    count: usize,
    rows: impl Iterator<Item = &'r [u8]>,
    options: &Options,
) {
    avro::put_str(buf, table_name);
    if count > 0 {
        avro::put_long(buf, count as i64);
        let mut n = 0;
        for row in rows {
            avro::put_bytes(buf, row);
            n += 1;
        }
        debug_assert_eq!(n, count, "row count mismatch");
    }
    buf.push(0); // end of list
    buf.push(0); // list_str: empty array
    avro::put_str(buf, "binary");
    avro::put_str_map(buf, options);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn envelope_matches_protocol_examples() {
        let resp = HasTableResponse {
            table_name: "t1".into(),
            table_exists: true,
            info: Options::new(),
        };
        assert_eq!(hex(&resp.to_bytes()), "0474310100");
        let env = GpudbResponse::ok(&resp);
        assert_eq!(
            hex(&env.to_bytes()),
            "044f4b00246861735f7461626c655f726573706f6e73650a047431010000"
        );
        assert_eq!(
            hex(&GpudbResponse::error("boom").to_bytes()),
            "0a4552524f5208626f6f6d086e6f6e650000"
        );
        let back = GpudbResponse::from_bytes(&env.to_bytes()).unwrap();
        assert_eq!(HasTableResponse::from_bytes(&back.data).unwrap(), resp);
    }

    #[test]
    fn insert_request_matches_protocol_example() {
        let rec1: &[u8] = &[0x02, 0x04, 0x61, 0x62, 0x02];
        let rec2: &[u8] = &[0x03, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f];
        let rows: EncodedRows = [rec1, rec2].into_iter().collect();
        let opts = Options::from([("return_record_ids".into(), "true".into())]);
        let req = InsertRecordsRequest {
            table_name: "t1".into(),
            list: rows.clone(),
            list_str: vec![],
            list_encoding: "binary".into(),
            options: opts.clone(),
        };
        // table | list (2 items) | list_str | "binary" | options
        let expected = [
            "047431",
            "04",
            "0a0204616202",
            "16030000000000000000f03f",
            "00",
            "00",
            "0c62696e617279",
            "02",
            "2272657475726e5f7265636f72645f696473",
            "0874727565",
            "00",
        ]
        .concat();
        assert_eq!(hex(&req.to_bytes()), expected);
        let mut b = Vec::new();
        encode_insert_records(&mut b, "t1", &rows, &opts);
        assert_eq!(hex(&b), expected);
        assert_eq!(InsertRecordsRequest::from_bytes(&b).unwrap(), req);
    }
}
