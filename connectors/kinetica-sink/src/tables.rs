//! Destination tables: looked up once, created when missing, cached with what writing
//! to them needs (the type, a row builder, a routed inserter).
//!
//! One cache key per table, the name the sink computed (schema-qualified when a schema
//! is configured), used for every purpose, so the caches cannot disagree as the Java
//! connector's did (docs/reference/kinetica-connector-behaviour.md §8 item 12). The schema goes into the table name, never into the
//! deprecated `collection_name` option (docs/reference/kinetica-connector-behaviour.md §8 item 13).

use std::collections::{HashMap, HashSet};

use sluice_kinetica::{
    Column, KineticaClient, KineticaError, KineticaType, MultiHeadInserter, Options,
};

use sluice_record::SchemaRef;

use crate::naming::TableName;
use crate::report::{RecordError, SinkError};
use crate::row::RowBuilder;

/// A table the sink writes to.
pub struct Table {
    /// The name sent to Kinetica.
    pub name: String,
    pub ty: KineticaType,
    pub rows: RowBuilder,
    pub inserter: MultiHeadInserter,
    /// Map keys without a column are logged once per table, not once per record.
    pub warned_unmapped: bool,
    /// Struct schemas already checked against this table (`crate::evolve`), keyed by
    /// the schema's address, with the failure its records get, if any. The `SchemaRef`
    /// is kept so that the address cannot be reused by another schema while cached.
    pub schemas: HashMap<usize, (SchemaRef, Option<RecordError>)>,
    /// Where each row's record coordinates go (exactly-once only).
    pub coordinates: Option<crate::exactly_once::CoordinateSlots>,
}

/// Why a table could not be created.
pub enum CreateError {
    /// Kinetica refused the type or the table (a bad column name, say): the records
    /// for it fail, other tables carry on.
    Refused(String),
    /// The write cannot go on (unreachable, unauthorised, …).
    Sink(SinkError),
}

impl From<KineticaError> for CreateError {
    fn from(e: KineticaError) -> CreateError {
        CreateError::Sink(e.into())
    }
}

impl From<SinkError> for CreateError {
    fn from(e: SinkError) -> CreateError {
        CreateError::Sink(e)
    }
}

pub struct Tables {
    client: KineticaClient,
    multihead: bool,
    tables: HashMap<TableName, Table>,
    /// Schemas known to exist, so `/has/schema` is asked once per schema.
    schemas: HashSet<String>,
}

impl Tables {
    pub fn new(client: KineticaClient, multihead: bool) -> Tables {
        Tables {
            client,
            multihead,
            tables: HashMap::new(),
            schemas: HashSet::new(),
        }
    }

    /// The table, from the cache or from `/show/table`; `None` when it does not exist.
    pub async fn find(&mut self, name: &TableName) -> Result<Option<&mut Table>, SinkError> {
        if !self.tables.contains_key(name) {
            let Some(info) = self.client.describe_table(&name.to_string()).await? else {
                return Ok(None);
            };
            let table = self
                .open(name.to_string(), info.ty, info.is_replicated)
                .await?;
            self.tables.insert(name.clone(), table);
        }
        Ok(self.tables.get_mut(name))
    }

    /// Creates the table with `columns` (and its schema if needed). When another writer
    /// created it first, the existing table is used as it is.
    pub async fn create(
        &mut self,
        name: &TableName,
        columns: Vec<Column>,
    ) -> Result<&mut Table, CreateError> {
        let ty = KineticaType::new(columns).map_err(|e| CreateError::Refused(e.to_string()))?;
        if let Some(schema) = &name.schema {
            self.ensure_schema(schema)
                .await
                .map_err(refused_unless_retriable)?;
        }
        let qualified = name.to_string();
        let type_id = self
            .client
            .create_type(&ty, "")
            .await
            .map_err(refused_unless_retriable)?;
        let table = match self
            .client
            .create_table(&qualified, &type_id, Options::new())
            .await
        {
            Ok(_) => {
                tracing::info!(table = %qualified, columns = ty.columns().len(), "created Kinetica table");
                self.open(qualified, ty, false).await?
            }
            Err(e) if e.is_retriable() => return Err(e.into()),
            // Another task may have created it meanwhile (Kinetica has no
            // create-if-absent for a given type): use it if it is there now.
            Err(e) => match self.client.describe_table(&qualified).await? {
                Some(info) => self.open(qualified, info.ty, info.is_replicated).await?,
                None => return Err(CreateError::Refused(e.message().to_owned())),
            },
        };
        self.tables.insert(name.clone(), table);
        Ok(self.tables.get_mut(name).expect("just inserted"))
    }

    /// Reads the table's type again (after an alter, by this sink or another writer)
    /// and rebuilds what depends on it, keeping what was learnt about it. A table that
    /// is gone is forgotten and the write retried, which finds or recreates it.
    pub async fn refresh(&mut self, name: &TableName) -> Result<&mut Table, SinkError> {
        let qualified = name.to_string();
        let Some(info) = self.client.describe_table(&qualified).await? else {
            self.tables.remove(name);
            return Err(SinkError::Retriable(KineticaError::retriable(
                "/show/table",
                format!("table {qualified} disappeared while it was being altered"),
            )));
        };
        let mut table = self.open(qualified, info.ty, info.is_replicated).await?;
        if let Some(old) = self.tables.remove(name) {
            table.warned_unmapped = old.warned_unmapped;
            // Schemas that failed are checked again against the new type; the others
            // fit it still, since alters only add columns, widen them or relax them.
            table.schemas = old.schemas;
            table.schemas.retain(|_, (_, failure)| failure.is_none());
        }
        self.tables.insert(name.clone(), table);
        Ok(self.tables.get_mut(name).expect("just inserted"))
    }

    pub fn client(&self) -> &KineticaClient {
        &self.client
    }

    /// Whether the table exists on the server now (not just in the cache).
    pub async fn exists(&self, name: &TableName) -> Result<bool, SinkError> {
        Ok(self.client.has_table(&name.to_string()).await?)
    }

    /// Drops the cached state, so the next write looks the table up again.
    pub fn forget(&mut self, name: &TableName) {
        self.tables.remove(name);
    }

    pub fn get(&self, name: &TableName) -> Option<&Table> {
        self.tables.get(name)
    }

    pub fn get_mut(&mut self, name: &TableName) -> Option<&mut Table> {
        self.tables.get_mut(name)
    }

    async fn ensure_schema(&mut self, schema: &str) -> Result<(), KineticaError> {
        if self.schemas.contains(schema) {
            return Ok(());
        }
        if !self.client.has_schema(schema).await? {
            tracing::info!(schema, "creating Kinetica schema");
            // Tolerates a concurrent creation by another task.
            self.client.create_schema(schema, true).await?;
        }
        self.schemas.insert(schema.to_owned());
        Ok(())
    }

    async fn open(
        &self,
        name: String,
        ty: KineticaType,
        is_replicated: bool,
    ) -> Result<Table, SinkError> {
        let inserter = if self.multihead {
            MultiHeadInserter::new(self.client.clone(), name.clone(), &ty, is_replicated).await?
        } else {
            MultiHeadInserter::head_only(self.client.clone(), name.clone())
        };
        Ok(Table {
            rows: RowBuilder::new(&ty),
            name,
            ty,
            inserter,
            warned_unmapped: false,
            schemas: HashMap::new(),
            coordinates: None,
        })
    }
}

fn refused_unless_retriable(e: KineticaError) -> CreateError {
    if e.is_retriable() {
        CreateError::Sink(SinkError::Retriable(e))
    } else {
        CreateError::Refused(e.message().to_owned())
    }
}
