//! The connector trait: what every kind of target (folder, WebDAV, CMIS, …) implements.

use crate::error::Failure;
use crate::package::Package;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a delivery went and the SHA-256 the target confirmed (of the completion marker,
/// which lists every file's hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub location: String,
    pub sha256: String,
}

/// A delivery target.
///
/// `deliver` must be idempotent: the item's id (made when it was created) becomes names or
/// properties the connector checks before and after writing, so a retry after an unknown
/// outcome never creates a second copy, and "already there with the same hash" is success.
pub trait Connector: Send + Sync {
    /// Where it delivers, for the status bar (never with credentials).
    fn location(&self) -> String;

    /// A cheap authenticated request: `Ok` when the target is reachable and accepts us.
    fn probe(&self) -> BoxFuture<'_, Result<(), Failure>>;

    /// Delivers one package: every file, then the completion marker last.
    /// `retry` says an earlier attempt may have stored part or all of it.
    fn deliver<'a>(
        &'a self,
        package: &'a Package,
        retry: bool,
    ) -> BoxFuture<'a, Result<Receipt, Failure>>;
}
