//! `/show/system/status`, `/show/system/properties`, `/admin/show/shards`.

use serde_json::json;
use sluice_kinetica::Options;
use sluice_kinetica::protocol::*;

use crate::db::{ApiResult, Db};

impl Db {
    /// The Python client needs `status_map["system"]` to be JSON text with
    /// `"status":"running"` (docs/reference/kinetica-rest-protocol.md §5).
    pub fn show_system_status(
        &self,
        _req: ShowSystemStatusRequest,
    ) -> ApiResult<ShowSystemStatusResponse> {
        let system = json!({
            "status": "running",
            "version": self.config.version,
            "num_hosts": 1,
            "num_ranks": self.worker_urls.len() + 1,
        });
        Ok(ShowSystemStatusResponse {
            status_map: Options::from([
                ("system".into(), system.to_string()),
                ("ha_status".into(), json!({"status": "drained"}).to_string()),
            ]),
            info: Options::new(),
        })
    }

    /// The keys the official clients read on connect and for multi-head
    /// discovery (docs/reference/kinetica-rest-protocol.md §5, §6). Booleans are upper case, as the clients
    /// compare `"TRUE"` case-sensitively.
    pub fn show_system_properties(
        &self,
        req: ShowSystemPropertiesRequest,
    ) -> ApiResult<ShowSystemPropertiesResponse> {
        let workers = !self.worker_urls.is_empty();
        let tf = |b: bool| if b { "TRUE" } else { "FALSE" }.to_string();
        let rank_urls: Vec<&str> = std::iter::once(self.head_url.as_str())
            .chain(self.worker_urls.iter().map(String::as_str))
            .collect();
        let (ips, ports): (Vec<String>, Vec<String>) = rank_urls
            .iter()
            .map(|u| {
                let hostport = u
                    .strip_prefix("https://")
                    .or_else(|| u.strip_prefix("http://"))
                    .unwrap_or(u);
                let (h, p) = hostport.split_once(':').unwrap_or((hostport, "9191"));
                (h.to_owned(), p.to_owned())
            })
            .unzip();
        let mut props = Options::from([
            (
                "version.gpudb_core_version".into(),
                self.config.version.clone(),
            ),
            ("conf.number_of_hosts".into(), "1".into()),
            ("conf.number_of_ranks".into(), rank_urls.len().to_string()),
            ("conf.host0_public_urls".into(), self.head_url.clone()),
            ("conf.host0_address".into(), "127.0.0.1".into()),
            ("conf.enable_worker_http_servers".into(), tf(workers)),
            ("conf.worker_http_server_urls".into(), rank_urls.join(";")),
            ("conf.worker_http_server_ips".into(), ips.join(";")),
            ("conf.worker_http_server_ports".into(), ports.join(";")),
            ("conf.enable_ha".into(), tf(false)),
            ("conf.use_https".into(), tf(self.config.tls.is_some())),
            ("conf.enable_httpd_proxy".into(), tf(false)),
            ("conf.ha_ring_head_nodes_full".into(), String::new()),
            // -1: no table monitors.
            (
                "conf.set_monitor_port".into(),
                self.monitors
                    .as_ref()
                    .map_or("-1".to_owned(), |m| m.port.to_string()),
            ),
        ]);
        if let Some(filter) = req.options.get("properties") {
            let wanted: Vec<&str> = filter.split(',').map(str::trim).collect();
            props.retain(|k, _| wanted.contains(&k.as_str()));
        }
        Ok(ShowSystemPropertiesResponse {
            property_map: props,
            info: Options::new(),
        })
    }

    pub fn admin_show_shards(
        &self,
        _req: AdminShowShardsRequest,
    ) -> ApiResult<AdminShowShardsResponse> {
        let s = self.shard_state();
        Ok(AdminShowShardsResponse {
            version: s.version,
            tom: vec![0; s.ranks.len()],
            rank: s.ranks,
            info: Options::new(),
        })
    }
}
