//! The sync worker and its connectors against real targets: folders; real WebDAV servers
//! started by the tests (WsgiDAV from PyPI, Apache mod_dav and `rclone serve webdav` from
//! Debian — `scripts/lib.sh` installs them); a real Mayan EDMS (PyPI, prepared by
//! `scripts/mayan/prepare.sh`). Where nothing real can run here — a CMIS repository,
//! Nextcloud — in-process servers that follow the published protocols (`cmis_server.rs`,
//! `nextcloud_server.rs`), and misbehaving answers from a few lines of HTTP (`hostile.rs`).

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod catalogue;
mod cmis;
mod cmis_opencmis;
mod cmis_server;
mod folder;
mod hostile;
mod mayan;
mod nextcloud;
mod nextcloud_server;
mod servers;
mod support;
mod webdav;
