//! `/create/tablemonitor` and `/clear/tablemonitor` (the socket side is
//! `crate::monitor`).

use sluice_kinetica::protocol::{
    ClearTableMonitorRequest, ClearTableMonitorResponse, CreateTableMonitorRequest,
    CreateTableMonitorResponse, Options,
};

use crate::db::{ApiError, ApiResult, Db};
use crate::monitor::{COUNT_SCHEMA, Event};

impl Db {
    pub fn create_table_monitor(
        &self,
        req: CreateTableMonitorRequest,
    ) -> ApiResult<CreateTableMonitorResponse> {
        let monitors = self.monitors.as_ref().ok_or_else(|| {
            ApiError::new("Table monitors are disabled (conf.set_monitor_port = -1)")
        })?;
        let event = match req.options.get("event").map(String::as_str) {
            None => Event::Insert,
            Some(e) => Event::parse(e).ok_or_else(|| {
                ApiError::new(format!(
                    "Invalid event '{e}' for a table monitor: insert, update or delete"
                ))
            })?,
        };
        let cat = self.read();
        let table = cat.table(&req.table_name)?;
        let topic = monitors.create(&table.name, event);
        let schema = match event {
            Event::Insert => table.ty.type_definition(),
            Event::Update | Event::Delete => COUNT_SCHEMA.to_owned(),
        };
        let key = match event {
            Event::Insert => "insert",
            Event::Update => "update",
            Event::Delete => "delete",
        };
        let info = Options::from([
            (format!("{key}_topic_id"), topic.clone()),
            (format!("{key}_type_schema"), schema.clone()),
        ]);
        Ok(CreateTableMonitorResponse {
            topic_id: topic,
            table_name: req.table_name,
            type_schema: schema,
            info,
        })
    }

    pub fn clear_table_monitor(
        &self,
        req: ClearTableMonitorRequest,
    ) -> ApiResult<ClearTableMonitorResponse> {
        let cleared = self
            .monitors
            .as_ref()
            .is_some_and(|m| m.clear(&req.topic_id));
        if !cleared {
            return Err(ApiError::new(format!(
                "Table monitor '{}' does not exist",
                req.topic_id
            )));
        }
        Ok(ClearTableMonitorResponse {
            topic_id: req.topic_id,
            info: Options::new(),
        })
    }
}
