//! Schemas, types and tables: `/create|has|show|drop/schema`,
//! `/create/type`, `/show/types`, `/has/type`, `/create|has|show|clear/table`.

use std::collections::BTreeMap;

use sluice_kinetica::murmur::murmur3_x64_128;
use sluice_kinetica::protocol::*;
use sluice_kinetica::{KineticaType, Options};

use crate::db::{
    ApiError, ApiResult, Catalog, DEFAULT_SCHEMA, Db, Table, TypeDef, check_options, opt_bool,
    qualify,
};

const CREATE_TABLE_OPTIONS: &[&str] = &[
    "no_error_if_exists",
    "create_temp_table",
    "collection_name",
    "is_collection",
    // Sent by the Python client for backward compatibility (docs/reference/kinetica-rest-protocol.md §10).
    "disallow_homogeneous_tables",
    "is_replicated",
    "foreign_keys",
    "foreign_shard_key",
    "partition_type",
    "partition_keys",
    "partition_definitions",
    "is_automatic_partition",
    "ttl",
    "chunk_size",
    "chunk_column_max_memory",
    "chunk_max_memory",
    "is_result_table",
    "strategy_definition",
    "compression_codec",
    "load_vectors_policy",
    "build_pk_index_policy",
];

const SHOW_TABLE_OPTIONS: &[&str] = &[
    "get_sizes",
    "get_cached_sizes",
    "show_children",
    "no_error_if_not_exists",
    "skip_additional_info",
    "dependencies",
    "force_synchronous",
    "get_access_data",
    "referencing_materialized_views",
    "skip_temp_schemas",
    "get_column_info",
];

/// A deterministic type id: equal types (definition, label, properties) get the
/// same id, as on a real server.
fn type_id_for(ty: &KineticaType, label: &str) -> String {
    let canonical = format!("{}|{label}|{:?}", ty.type_definition(), ty.properties());
    let (h1, _) = murmur3_x64_128(canonical.as_bytes(), 0);
    // Real ids are large decimal numbers; keep that look.
    (h1 >> 1).to_string()
}

fn check_schema_name(name: &str) -> ApiResult<()> {
    if name.is_empty() || name.contains('.') {
        return Err(ApiError::new(format!("Invalid schema name '{name}'")));
    }
    Ok(())
}

impl Catalog {
    /// Registers a type (idempotent) and returns its id.
    pub fn register_type(&mut self, ty: KineticaType, label: &str) -> String {
        let id = type_id_for(&ty, label);
        self.types.entry(id.clone()).or_insert(TypeDef {
            ty,
            label: label.to_owned(),
        });
        id
    }

    /// The table called `name` (qualified or not).
    pub fn table(&self, name: &str) -> ApiResult<&Table> {
        let (_, q) = qualify(name)?;
        self.tables.get(&q).ok_or_else(|| not_found(&q))
    }

    /// The table called `name`, mutably.
    pub fn table_mut(&mut self, name: &str) -> ApiResult<&mut Table> {
        let (_, q) = qualify(name)?;
        self.tables.get_mut(&q).ok_or_else(|| not_found(&q))
    }
}

/// The error a real server gives for a missing table.
pub fn not_found(qualified: &str) -> ApiError {
    ApiError::new(format!("Table '{qualified}' does not exist"))
}

impl Db {
    pub fn create_schema(&self, req: CreateSchemaRequest) -> ApiResult<CreateSchemaResponse> {
        check_options(&req.options, &["no_error_if_exists"])?;
        check_schema_name(&req.schema_name)?;
        let mut cat = self.write();
        if !cat.schemas.insert(req.schema_name.clone())
            && !opt_bool(&req.options, "no_error_if_exists", false)?
        {
            return Err(ApiError::new(format!(
                "Schema '{}' already exists",
                req.schema_name
            )));
        }
        Ok(CreateSchemaResponse {
            schema_name: req.schema_name,
            info: Options::new(),
        })
    }

    pub fn has_schema(&self, req: HasSchemaRequest) -> ApiResult<HasSchemaResponse> {
        let exists = self.read().schemas.contains(&req.schema_name);
        Ok(HasSchemaResponse {
            schema_name: req.schema_name,
            schema_exists: exists,
            info: Options::new(),
        })
    }

    pub fn show_schema(&self, req: ShowSchemaRequest) -> ApiResult<ShowSchemaResponse> {
        check_options(&req.options, &["no_error_if_not_exists"])?;
        let cat = self.read();
        let names: Vec<String> = if req.schema_name.is_empty() {
            cat.schemas.iter().cloned().collect()
        } else if cat.schemas.contains(&req.schema_name) {
            vec![req.schema_name.clone()]
        } else if opt_bool(&req.options, "no_error_if_not_exists", false)? {
            Vec::new()
        } else {
            return Err(ApiError::new(format!(
                "Schema '{}' does not exist",
                req.schema_name
            )));
        };
        let schema_tables = names
            .iter()
            .map(|s| {
                cat.tables
                    .values()
                    .filter(|t| &t.schema == s)
                    .map(|t| t.name.clone())
                    .collect()
            })
            .collect();
        Ok(ShowSchemaResponse {
            schema_name: req.schema_name,
            additional_info: vec![Options::new(); names.len()],
            schema_names: names,
            schema_tables,
            info: Options::new(),
        })
    }

    pub fn drop_schema(&self, req: DropSchemaRequest) -> ApiResult<DropSchemaResponse> {
        check_options(&req.options, &["no_error_if_not_exists", "cascade"])?;
        let mut cat = self.write();
        let name = req.schema_name.clone();
        if name == DEFAULT_SCHEMA {
            return Err(ApiError::new(format!("Cannot drop schema '{name}'")));
        }
        if !cat.schemas.contains(&name) {
            if opt_bool(&req.options, "no_error_if_not_exists", false)? {
                return Ok(DropSchemaResponse {
                    schema_name: name,
                    info: Options::new(),
                });
            }
            return Err(ApiError::new(format!("Schema '{name}' does not exist")));
        }
        let has_tables = cat.tables.values().any(|t| t.schema == name);
        if has_tables && !opt_bool(&req.options, "cascade", false)? {
            return Err(ApiError::new(format!(
                "Schema '{name}' is not empty; use cascade to drop it with its tables"
            )));
        }
        cat.tables.retain(|_, t| t.schema != name);
        cat.schemas.remove(&name);
        Ok(DropSchemaResponse {
            schema_name: name,
            info: Options::new(),
        })
    }

    pub fn create_type(&self, req: CreateTypeRequest) -> ApiResult<CreateTypeResponse> {
        check_options(&req.options, &["compression_codec"])?;
        let ty = KineticaType::from_schema(&req.type_definition, &req.properties)
            .map_err(|e| ApiError::new(e.to_string()))?;
        let type_definition = ty.type_definition();
        let properties = ty.properties();
        let type_id = self.write().register_type(ty, &req.label);
        Ok(CreateTypeResponse {
            type_id,
            type_definition,
            label: req.label,
            properties,
            info: Options::new(),
        })
    }

    pub fn show_types(&self, req: ShowTypesRequest) -> ApiResult<ShowTypesResponse> {
        check_options(&req.options, &["no_join_types"])?;
        let cat = self.read();
        let mut resp = ShowTypesResponse::default();
        let mut matching: Vec<(&String, &TypeDef)> = cat
            .types
            .iter()
            .filter(|(id, t)| {
                (req.type_id.is_empty() || **id == req.type_id)
                    && (req.label.is_empty() || t.label == req.label)
            })
            .collect();
        matching.sort_by(|a, b| a.0.cmp(b.0));
        if matching.is_empty() && !req.type_id.is_empty() {
            return Err(ApiError::new(format!(
                "Type '{}' does not exist",
                req.type_id
            )));
        }
        for (id, t) in matching {
            resp.type_ids.push(id.clone());
            resp.type_schemas.push(t.ty.type_definition());
            resp.labels.push(t.label.clone());
            resp.properties.push(t.ty.properties());
        }
        Ok(resp)
    }

    pub fn has_type(&self, req: HasTypeRequest) -> ApiResult<HasTypeResponse> {
        let exists = self.read().types.contains_key(&req.type_id);
        Ok(HasTypeResponse {
            type_id: req.type_id,
            type_exists: exists,
            info: Options::new(),
        })
    }

    pub fn create_table(&self, req: CreateTableRequest) -> ApiResult<CreateTableResponse> {
        check_options(&req.options, CREATE_TABLE_OPTIONS)?;
        let mut cat = self.write();
        // 7.0 collections are schemas now (docs/reference/kinetica-rest-protocol.md §6, `/create/schema`).
        if opt_bool(&req.options, "is_collection", false)? {
            check_schema_name(&req.table_name)?;
            cat.schemas.insert(req.table_name.clone());
            return Ok(CreateTableResponse {
                table_name: req.table_name.clone(),
                type_id: String::new(),
                is_collection: true,
                info: Options::from([("qualified_table_name".into(), req.table_name)]),
            });
        }
        let (mut schema, mut qualified) = qualify(&req.table_name)?;
        if let Some(coll) = req.options.get("collection_name").filter(|c| !c.is_empty()) {
            // `collection_name` is the schema (deprecated alias); it is created
            // on demand, as collections were.
            if !req.table_name.contains('.') {
                check_schema_name(coll)?;
                schema = coll.clone();
                qualified = format!("{coll}.{}", req.table_name.trim());
            }
            cat.schemas.insert(schema.clone());
        }
        if !cat.schemas.contains(&schema) {
            return Err(ApiError::new(format!("Schema '{schema}' does not exist")));
        }
        let type_id = if cat.types.contains_key(&req.type_id) {
            req.type_id.clone()
        } else if req.type_id.trim_start().starts_with('[') {
            // Inline column list, e.g. [["id","int","primary_key"],…] (docs).
            let cols: Vec<Vec<String>> = serde_json::from_str(&req.type_id)
                .map_err(|e| ApiError::new(format!("Invalid column list: {e}")))?;
            let ty =
                KineticaType::from_column_list(&cols).map_err(|e| ApiError::new(e.to_string()))?;
            cat.register_type(ty, "")
        } else {
            return Err(ApiError::new(format!(
                "Type '{}' does not exist",
                req.type_id
            )));
        };
        let info = Options::from([("qualified_table_name".into(), qualified.clone())]);
        if cat.tables.contains_key(&qualified) {
            if opt_bool(&req.options, "no_error_if_exists", false)? {
                let existing = cat.tables[&qualified].type_id.clone();
                return Ok(CreateTableResponse {
                    table_name: req.table_name,
                    type_id: existing,
                    is_collection: false,
                    info,
                });
            }
            return Err(ApiError::new(format!("Table '{qualified}' already exists")));
        }
        let ty = cat.types[&type_id].ty.clone();
        let replicated = opt_bool(&req.options, "is_replicated", false)?;
        cat.tables.insert(
            qualified.clone(),
            Table::new(qualified, schema, type_id.clone(), ty, replicated),
        );
        Ok(CreateTableResponse {
            table_name: req.table_name,
            type_id,
            is_collection: false,
            info,
        })
    }

    pub fn has_table(&self, req: HasTableRequest) -> ApiResult<HasTableResponse> {
        let (_, q) = qualify(&req.table_name)?;
        let exists = self.read().tables.contains_key(&q);
        Ok(HasTableResponse {
            table_name: req.table_name,
            table_exists: exists,
            info: Options::new(),
        })
    }

    pub fn show_table(&self, req: ShowTableRequest) -> ApiResult<ShowTableResponse> {
        check_options(&req.options, SHOW_TABLE_OPTIONS)?;
        let get_sizes = opt_bool(&req.options, "get_sizes", false)?
            || opt_bool(&req.options, "get_cached_sizes", false)?;
        let cat = self.read();
        let tables: Vec<&Table> = if req.table_name.is_empty() {
            cat.tables.values().collect()
        } else {
            let (_, q) = qualify(&req.table_name)?;
            match cat.tables.get(&q) {
                Some(t) => vec![t],
                None if opt_bool(&req.options, "no_error_if_not_exists", false)? => Vec::new(),
                None => return Err(not_found(&q)),
            }
        };
        let mut resp = ShowTableResponse {
            table_name: req.table_name.clone(),
            total_size: -1,
            total_full_size: -1,
            ..ShowTableResponse::default()
        };
        if get_sizes {
            resp.total_size = 0;
            resp.total_full_size = 0;
        }
        for t in tables {
            resp.table_names.push(t.name.clone());
            resp.table_descriptions.push(if t.replicated {
                vec!["REPLICATED".into()]
            } else {
                vec![]
            });
            resp.type_ids.push(t.type_id.clone());
            resp.type_schemas.push(t.ty.type_definition());
            resp.type_labels.push(
                cat.types
                    .get(&t.type_id)
                    .map(|d| d.label.clone())
                    .unwrap_or_default(),
            );
            resp.properties.push(t.ty.properties());
            resp.additional_info.push(BTreeMap::from([
                ("schema_name".into(), t.schema.clone()),
                ("collection_names".into(), t.schema.clone()),
                ("qualified_table_name".into(), t.name.clone()),
                ("table_ttl".into(), "-1".into()),
                ("request_avro_type".into(), "is_actual".into()),
            ]));
            if get_sizes {
                let n = t.rows.len() as i64;
                resp.sizes.push(n);
                resp.full_sizes.push(n);
                resp.join_sizes.push(n as f64);
                resp.total_size += n;
                resp.total_full_size += n;
            }
        }
        Ok(resp)
    }

    pub fn clear_table(&self, req: ClearTableRequest) -> ApiResult<ClearTableResponse> {
        check_options(&req.options, &["no_error_if_not_exists"])?;
        let (_, q) = qualify(&req.table_name)?;
        let mut cat = self.write();
        if cat.tables.remove(&q).is_none()
            && !opt_bool(&req.options, "no_error_if_not_exists", false)?
        {
            return Err(not_found(&q));
        }
        Ok(ClearTableResponse {
            table_name: req.table_name,
            info: Options::new(),
        })
    }

    pub fn clear_tables(&self, req: ClearTablesRequest) -> ApiResult<ClearTablesResponse> {
        check_options(&req.options, &["no_error_if_not_exists"])?;
        let mut tables = Options::new();
        for name in req.table_names {
            let resp = self.clear_table(ClearTableRequest {
                table_name: name.clone(),
                authorization: String::new(),
                options: req.options.clone(),
            })?;
            tables.insert(name, resp.table_name);
        }
        Ok(ClearTablesResponse {
            tables,
            info: Options::new(),
        })
    }
}
