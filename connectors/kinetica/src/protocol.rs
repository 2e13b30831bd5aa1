//! Request and response records of the Kinetica endpoints Sluice and the
//! emulator use, and the `gpudb_response` envelope.
//!
//! Field order is wire order (Avro records carry no field names), so every struct
//! below lists its fields exactly as the official client's schemas do
//! (docs/reference/kinetica-rest-protocol.md, Appendix A, lists most of them).

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
    /// Appends the Avro binary encoding of the value to `buf`.
    fn put(&self, buf: &mut Vec<u8>);
    /// Reads one value of this type from `r`.
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
        /// `"OK"` or `"ERROR"` ([`GpudbResponse::OK`], [`GpudbResponse::ERROR`]).
        status: String,
        /// Empty on success; on error, the server's error text
        /// (docs/reference/kinetica-rest-protocol.md §4).
        message: String,
        /// Avro record name of the wrapped response (e.g. `"has_table_response"`), or `"none"` on
        /// error; clients skip the payload when it is `"none"`.
        data_type: String,
        /// Binary mode: the Avro binary encoding of the endpoint's response record, and nothing
        /// else. Empty in JSON mode and on error.
        data: Vec<u8>,
        /// JSON mode: the response record as JSON text. Always `""` in binary mode (it must still
        /// be present for the envelope to be valid Avro).
        data_str: String,
    }

    /// Request of `/show/system/status`.
    ShowSystemStatusRequest = "show_system_status_request" {
        /// Request options (`map<string,string>`, booleans as `"true"`/`"false"`); empty means the
        /// server defaults. Real servers reject unknown keys.
        options: Options,
    }
    /// Response of `/show/system/status`.
    ShowSystemStatusResponse = "show_system_status_response" {
        /// Status per component; `"system"` is a JSON string that must contain
        /// `"status":"running"`, and the optional `"ha_status"` is a JSON string as well
        /// (docs/reference/kinetica-rest-protocol.md §5).
        status_map: Options,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/show/system/properties`.
    ShowSystemPropertiesRequest = "show_system_properties_request" {
        /// Request options; `properties` is a comma-separated filter on the keys returned.
        options: Options,
    }
    /// Response of `/show/system/properties`.
    ShowSystemPropertiesResponse = "show_system_properties_response" {
        /// Server configuration keyed by property name, e.g. `version.gpudb_core_version`,
        /// `conf.number_of_hosts`, `conf.enable_worker_http_servers` (`"TRUE"`/`"FALSE"`) and
        /// `conf.worker_http_server_urls` (docs/reference/kinetica-rest-protocol.md §5, §6).
        property_map: Options,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/has/table`.
    HasTableRequest = "has_table_request" {
        /// Table to look up, `schema.table` or unqualified (resolved against the user's default
        /// schema, normally `ki_home`).
        table_name: String,
        /// Request options (`map<string,string>`, booleans as `"true"`/`"false"`); empty means the
        /// server defaults. Real servers reject unknown keys.
        options: Options,
    }
    /// Response of `/has/table`.
    HasTableResponse = "has_table_response" {
        /// The name as given in the request.
        table_name: String,
        /// Whether the table exists (and is visible to the user).
        table_exists: bool,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/create/table`.
    CreateTableRequest = "create_table_request" {
        /// Name of the new table, `schema.table` or unqualified.
        table_name: String,
        /// The opaque type id returned by `/create/type` that fixes the table's columns.
        type_id: String,
        /// Creation options such as `no_error_if_exists`, `is_replicated`, `collection_name` (the
        /// schema, deprecated) or `partition_type` (docs/reference/kinetica-rest-protocol.md §6
        /// `/create/table`).
        options: Options,
    }
    /// Response of `/create/table`.
    CreateTableResponse = "create_table_response" {
        /// The table name as given in the request.
        table_name: String,
        /// The type id the table was created with.
        type_id: String,
        /// Whether a 7.0-style collection was created (deprecated; false for ordinary tables).
        is_collection: bool,
        /// Extra details; `qualified_table_name` holds the full `schema.table` name.
        info: Options,
    }

    /// Request of `/show/table`.
    ShowTableRequest = "show_table_request" {
        /// Table (or schema) to describe.
        table_name: String,
        /// Options such as `show_children` (must be `"false"` for a table), `get_sizes` and
        /// `no_error_if_not_exists` (docs/reference/kinetica-rest-protocol.md §6 `/show/table`).
        options: Options,
    }
    /// Response of `/show/table`.
    ShowTableResponse = "show_table_response" {
        /// The name as given in the request.
        table_name: String,
        /// One entry per table described.
        table_names: Vec<String>,
        /// Per table, its flags such as `REPLICATED`, `VIEW` or `COLLECTION`; an empty outer array
        /// means the table does not exist or the user has no access.
        table_descriptions: Vec<Vec<String>>,
        /// Per table, the id of its type.
        type_ids: Vec<String>,
        /// Per table, its type as an Avro record schema in JSON text
        /// (docs/reference/kinetica-rest-protocol.md §7.1).
        type_schemas: Vec<String>,
        /// Per table, the label of its type (`<collection>` for 7.0 collections).
        type_labels: Vec<String>,
        /// Per table, the column properties map `{column: [property, …]}`
        /// (docs/reference/kinetica-rest-protocol.md §7.2).
        properties: Vec<BTreeMap<String, Vec<String>>>,
        /// Per table, extra details such as `schema_name` and `collection_names` (the schema in
        /// 7.1+).
        additional_info: Vec<Options>,
        /// Per table, the record count; empty unless `get_sizes=true`.
        sizes: Vec<i64>,
        /// Per table, its full size as the server reports it; empty unless `get_sizes=true`.
        full_sizes: Vec<i64>,
        /// Per table, the size of a join table's result; empty unless `get_sizes=true`.
        join_sizes: Vec<f64>,
        /// Sum of `sizes`; -1 unless `get_sizes=true`.
        total_size: i64,
        /// Sum of `full_sizes`; -1 unless `get_sizes=true`.
        total_full_size: i64,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/create/type`.
    CreateTypeRequest = "create_type_request" {
        /// The columns as an Avro record schema in JSON text, nullable columns as `[T,"null"]`
        /// (docs/reference/kinetica-rest-protocol.md §7.1).
        type_definition: String,
        /// Free-form label stored with the type; the Python client sends `""`.
        label: String,
        /// Column properties `{column: [property, …]}` such as `primary_key`, `char16` or
        /// `timestamp`; columns without properties are left out
        /// (docs/reference/kinetica-rest-protocol.md §7.2).
        properties: BTreeMap<String, Vec<String>>,
        /// Request options; the only documented key is `compression_codec`.
        options: Options,
    }
    /// Response of `/create/type`.
    CreateTypeResponse = "create_type_response" {
        /// Opaque id of the type, to pass to `/create/table`; creating the same type twice gives
        /// the same id.
        type_id: String,
        /// The type's Avro record schema as the server echoes it (record name `type_name`).
        type_definition: String,
        /// The label given in the request.
        label: String,
        /// The column properties as the server echoes them (may add `data` and `nullable`,
        /// docs/reference/kinetica-rest-protocol.md §7.3).
        properties: BTreeMap<String, Vec<String>>,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/show/types`.
    ShowTypesRequest = "show_types_request" {
        /// Type id to show, or `""` for all types.
        type_id: String,
        /// Only types with this label, or `""` for any label.
        label: String,
        /// Request options; the documented key is `no_join_types`.
        options: Options,
    }
    /// Response of `/show/types`.
    ShowTypesResponse = "show_types_response" {
        /// One entry per matching type.
        type_ids: Vec<String>,
        /// Per type, its Avro record schema in JSON text.
        type_schemas: Vec<String>,
        /// Per type, its label.
        labels: Vec<String>,
        /// Per type, its column properties map `{column: [property, …]}`.
        properties: Vec<BTreeMap<String, Vec<String>>>,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/has/type`.
    HasTypeRequest = "has_type_request" {
        /// The type id to look up.
        type_id: String,
        /// Request options (`map<string,string>`, booleans as `"true"`/`"false"`); empty means the
        /// server defaults. Real servers reject unknown keys.
        options: Options,
    }
    /// Response of `/has/type`.
    HasTypeResponse = "has_type_response" {
        /// The type id as given in the request.
        type_id: String,
        /// Whether a type with that id exists.
        type_exists: bool,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/has/schema`.
    HasSchemaRequest = "has_schema_request" {
        /// Schema to look up (Kinetica 7.1+; 7.0 had collections instead).
        schema_name: String,
        /// Request options (`map<string,string>`, booleans as `"true"`/`"false"`); empty means the
        /// server defaults. Real servers reject unknown keys.
        options: Options,
    }
    /// Response of `/has/schema`.
    HasSchemaResponse = "has_schema_response" {
        /// The schema name as given in the request.
        schema_name: String,
        /// Whether the schema exists.
        schema_exists: bool,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/create/schema`.
    CreateSchemaRequest = "create_schema_request" {
        /// Name of the schema to create.
        schema_name: String,
        /// Request options; `no_error_if_exists="true"` makes an existing schema a success.
        options: Options,
    }
    /// Response of `/create/schema`.
    CreateSchemaResponse = "create_schema_response" {
        /// The schema name as given in the request.
        schema_name: String,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/show/schema`.
    ShowSchemaRequest = "show_schema_request" {
        /// Schema to describe, or `""` for all schemas.
        schema_name: String,
        /// Request options (`map<string,string>`, booleans as `"true"`/`"false"`); empty means the
        /// server defaults. Real servers reject unknown keys.
        options: Options,
    }
    /// Response of `/show/schema`.
    ShowSchemaResponse = "show_schema_response" {
        /// The schema name as given in the request.
        schema_name: String,
        /// One entry per schema described.
        schema_names: Vec<String>,
        /// Per schema, the names of the tables it holds.
        schema_tables: Vec<Vec<String>>,
        /// Per schema, extra details as a `map<string,string>`.
        additional_info: Vec<Options>,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/drop/schema`.
    DropSchemaRequest = "drop_schema_request" {
        /// Name of the schema to drop.
        schema_name: String,
        /// Request options (`map<string,string>`, booleans as `"true"`/`"false"`); empty means the
        /// server defaults. Real servers reject unknown keys.
        options: Options,
    }
    /// Response of `/drop/schema`.
    DropSchemaResponse = "drop_schema_response" {
        /// The schema name as given in the request.
        schema_name: String,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/insert/records`.
    InsertRecordsRequest = "insert_records_request" {
        /// Destination table, `schema.table` or unqualified.
        table_name: String,
        /// Binary encoding: one item per record, each Avro-binary encoded with the table's type
        /// schema (docs/reference/kinetica-rest-protocol.md §7.4). Empty in JSON encoding.
        list: EncodedRows,
        /// JSON encoding: one JSON object text per record. Empty (`[]`) in binary encoding.
        list_str: Vec<String>,
        /// `"binary"` (records in `list`) or `"json"` (records in `list_str`).
        list_encoding: String,
        /// Insert options such as `update_on_existing_pk` (upsert), `ignore_existing_pk`,
        /// `return_record_ids` and `return_individual_errors`
        /// (docs/reference/kinetica-rest-protocol.md §6 `/insert/records`).
        options: Options,
    }
    /// Response of `/insert/records`.
    InsertRecordsResponse = "insert_records_response" {
        /// Ids of the inserted records; only filled with `return_record_ids=true`.
        record_ids: Vec<String>,
        /// Number of records inserted as new rows.
        count_inserted: i32,
        /// Number of existing rows replaced (upsert with `update_on_existing_pk=true`).
        count_updated: i32,
        /// Extra details: `data_rerouted="true"` means the shard map changed (multi-head,
        /// docs/reference/kinetica-rest-protocol.md §8.5); with `return_individual_errors`,
        /// `bad_record_indices` and `error_N`.
        info: Options,
    }

    /// Request of `/get/records`.
    GetRecordsRequest = "get_records_request" {
        /// Table to read.
        table_name: String,
        /// Index of the first record to return (0-based).
        offset: i64,
        /// Maximum number of records to return; [`END_OF_SET`] (-9999) means to the end.
        limit: i64,
        /// `"binary"`, `"json"` or `"geojson"`: how the records come back.
        encoding: String,
        /// Options such as `expression` (a filter), `fast_index_lookup`, `sort_by` and
        /// `sort_order`.
        options: Options,
    }
    /// Response of `/get/records`.
    GetRecordsResponse = "get_records_response" {
        /// The table name as given in the request.
        table_name: String,
        /// The table's type id (clients compare it with their cached `type_id`).
        type_name: String,
        /// The table's Avro record schema in JSON text, used to decode the records.
        type_schema: String,
        /// Binary encoding: one Avro-encoded record per item.
        records_binary: EncodedRows,
        /// JSON encoding: one JSON object text per record.
        records_json: Vec<String>,
        /// Total number of records available, not just those returned.
        total_number_of_records: i64,
        /// Whether records remain beyond `offset + limit`.
        has_more_records: bool,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/clear/table`.
    ClearTableRequest = "clear_table_request" {
        /// Table to drop; `""` means every table, which servers usually refuse.
        table_name: String,
        /// Unused by the server; send `""`.
        authorization: String,
        /// Request options; `no_error_if_not_exists="true"` makes a missing table a success.
        options: Options,
    }
    /// Response of `/clear/table`.
    ClearTableResponse = "clear_table_response" {
        /// The table name as given in the request.
        table_name: String,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/create/tablemonitor`: publish the table's inserts (or its update or
    /// delete counts) on the server's ZMQ table monitor socket
    /// (docs/reference/kinetica-rest-protocol.md §9).
    CreateTableMonitorRequest = "create_table_monitor_request" {
        /// The table to watch.
        table_name: String,
        /// `event`: `insert` (default), `update` or `delete`; and others the server knows.
        options: Options,
    }
    /// Response of `/create/tablemonitor`.
    CreateTableMonitorResponse = "create_table_monitor_response" {
        /// The ZMQ topic (the first frame of every message of this monitor).
        topic_id: String,
        /// The table watched.
        table_name: String,
        /// The Avro schema of the messages: the table's for inserts, a `count` record
        /// for updates and deletes.
        type_schema: String,
        /// `insert_topic_id`, `update_topic_id`, `delete_topic_id`, their type schemas.
        info: Options,
    }

    /// Request of `/clear/tablemonitor`.
    ClearTableMonitorRequest = "clear_table_monitor_request" {
        /// The monitor to remove.
        topic_id: String,
        /// Request options (`keep_autogenerated_sink`, `clear_all_references`).
        options: Options,
    }
    /// Response of `/clear/tablemonitor`.
    ClearTableMonitorResponse = "clear_table_monitor_response" {
        /// The monitor removed.
        topic_id: String,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/clear/tables`.
    ClearTablesRequest = "clear_tables_request" {
        /// Tables to drop.
        table_names: Vec<String>,
        /// Request options, as for `/clear/table` (e.g. `no_error_if_not_exists`).
        options: Options,
    }
    /// Response of `/clear/tables`.
    ClearTablesResponse = "clear_tables_response" {
        /// The server's result for the tables dropped, as a `map<string,string>`.
        tables: Options,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/alter/table`.
    AlterTableRequest = "alter_table_request" {
        /// Table to alter.
        table_name: String,
        /// What to do: `add_column`, `change_column`, `delete_column`, `rename_table`,
        /// `move_to_schema`, `ttl`, … (docs/reference/kinetica-rest-protocol.md §6 `/alter/table`).
        action: String,
        /// The action's argument, e.g. the column name for `add_column` and `change_column`.
        value: String,
        /// The action's parameters, e.g. `column_type`, `column_properties` (the full
        /// comma-separated list to keep) and `column_default_value`.
        options: Options,
    }
    /// Response of `/alter/table`.
    AlterTableResponse = "alter_table_response" {
        /// The table name as given in the request.
        table_name: String,
        /// The action as given in the request.
        action: String,
        /// The value as given in the request.
        value: String,
        /// Id of the table's type after the change.
        type_id: String,
        /// The table's new Avro record schema in JSON text.
        type_definition: String,
        /// The table's new column properties `{column: [property, …]}`.
        properties: BTreeMap<String, Vec<String>>,
        /// The label of the table's new type.
        label: String,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/alter/table/columns`.
    AlterTableColumnsRequest = "alter_table_columns_request" {
        /// Table to alter.
        table_name: String,
        /// One map per alteration, applied in order: `action` (`add_column` or `change_column`),
        /// `column_name`, `column_type`, `column_properties` and optionally `column_default_value`
        /// (docs/reference/kinetica-connector-behaviour.md §9.1, S9).
        column_alterations: Vec<Options>,
        /// Request options (`map<string,string>`, booleans as `"true"`/`"false"`); empty means the
        /// server defaults. Real servers reject unknown keys.
        options: Options,
    }
    /// Response of `/alter/table/columns`.
    AlterTableColumnsResponse = "alter_table_columns_response" {
        /// The table name as given in the request.
        table_name: String,
        /// Id of the table's type after the alterations.
        type_id: String,
        /// The table's new Avro record schema in JSON text.
        type_definition: String,
        /// The table's new column properties `{column: [property, …]}`.
        properties: BTreeMap<String, Vec<String>>,
        /// The label of the table's new type.
        label: String,
        /// The alterations as applied, one map per request entry.
        column_alterations: Vec<Options>,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/admin/show/shards`.
    AdminShowShardsRequest = "admin_show_shards_request" {
        /// Request options (`map<string,string>`, booleans as `"true"`/`"false"`); empty means the
        /// server defaults. Real servers reject unknown keys.
        options: Options,
    }
    /// Response of `/admin/show/shards`.
    AdminShowShardsResponse = "admin_show_shards_response" {
        /// Shard map version; it changes when shards move, and routing is rebuilt only when it
        /// differs (docs/reference/kinetica-rest-protocol.md §8.1).
        version: i64,
        /// `rank[i]` is the rank (1-based; rank 0 is the head node) that owns shard `i`; the length
        /// is the number of shards.
        rank: Vec<i32>,
        /// A second per-shard array the official clients ignore
        /// (docs/reference/kinetica-rest-protocol.md §6).
        tom: Vec<i32>,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/delete/records`.
    DeleteRecordsRequest = "delete_records_request" {
        /// Table to delete from.
        table_name: String,
        /// Filter expressions; the records matching any of them are deleted.
        expressions: Vec<String>,
        /// Request options (`map<string,string>`); empty means the server defaults.
        options: Options,
    }
    /// Response of `/delete/records`.
    DeleteRecordsResponse = "delete_records_response" {
        /// Total number of records deleted.
        count_deleted: i64,
        /// Per expression, the number of records it deleted.
        counts_deleted: Vec<i64>,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
        info: Options,
    }

    /// Request of `/execute/sql`.
    ExecuteSqlRequest = "execute_sql_request" {
        /// The SQL statement to run.
        statement: String,
        /// Index of the first result row to return (0-based).
        offset: i64,
        /// Maximum number of result rows; [`END_OF_SET`] (-9999) means all.
        limit: i64,
        /// `"binary"` or `"json"`: how the result set comes back.
        encoding: String,
        /// Schema of the bulk parameter rows in `data` (prepared inserts); `""` when there are
        /// none.
        request_schema_str: String,
        /// Bulk parameter rows for prepared inserts, Avro-encoded with `request_schema_str`.
        data: Vec<Vec<u8>>,
        /// Options such as `paging_table`, `query_parameters` (a JSON array of `$1…$n` values),
        /// `update_on_existing_pk` and `current_schema` (docs/reference/kinetica-rest-protocol.md
        /// §6 `/execute/sql`).
        options: Options,
    }
    /// Response of `/execute/sql`.
    ExecuteSqlResponse = "execute_sql_response" {
        /// Number of records the statement affected; paging clients fall back on it when no
        /// rows come back.
        count_affected: i64,
        /// Column-major schema of the result, a record named `generic_response` with `column_1 …
        /// column_N`, `column_headers` and `column_datatypes`
        /// (docs/reference/kinetica-rest-protocol.md §6 `/execute/sql`).
        response_schema_str: String,
        /// Binary encoding: the result record, Avro-encoded with `response_schema_str`.
        binary_encoded_response: Vec<u8>,
        /// JSON encoding: the result record as JSON text.
        json_encoded_response: String,
        /// Number of result rows in total, not just those returned.
        total_number_of_records: i64,
        /// Whether rows remain beyond `offset + limit`.
        has_more_records: bool,
        /// Name of the table holding the full result for paging, or `""`.
        paging_table: String,
        /// Extra server-provided details as a `map<string,string>`; usually empty.
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
    CreateTableMonitorRequest => CreateTableMonitorResponse, "/create/tablemonitor";
    ClearTableMonitorRequest => ClearTableMonitorResponse, "/clear/tablemonitor";
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
