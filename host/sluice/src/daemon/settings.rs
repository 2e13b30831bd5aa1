//! The daemon's own settings (the REST API's), from the file `sluice run --worker`
//! names: declared once here, so `sluice config describe` and the checks agree.

use sluice_config::{Secret, settings};

settings! {
    /// How `sluice run` serves its REST API.
    #[derive(Debug, Clone)]
    pub struct DaemonSettings {
        const COMPONENT = "daemon";
        const GROUP = "REST API";
        pub mod names;

        /// Where the REST API listens, `host:port` (port 0: any free port, logged at
        /// start-up); `none` serves no API. Without `rest.auth.token` only a loopback
        /// address is accepted.
        #[property(LISTENER = "rest.listener", high, default("127.0.0.1:8083"),
            display("REST listener"))]
        pub listener: String,
        /// The bearer token every mutating call (POST, PUT, PATCH, DELETE) must carry
        /// (`Authorization: Bearer …`); unset, mutating calls need none and the API
        /// serves loopback only. Never logged or returned.
        #[property(AUTH_TOKEN = "rest.auth.token", high, display("REST bearer token"))]
        pub auth_token: Option<Secret>,
        /// PEM certificate chain for HTTPS on the listener (with `rest.tls.key`).
        #[property(TLS_CERT = "rest.tls.cert", medium, display("REST TLS certificate"))]
        pub tls_cert: Option<String>,
        /// PEM private key for HTTPS on the listener (with `rest.tls.cert`).
        #[property(TLS_KEY = "rest.tls.key", medium, display("REST TLS key"))]
        pub tls_key: Option<String>,
    }
}
