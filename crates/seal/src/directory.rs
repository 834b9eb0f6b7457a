//! Sign-in against the city's directory (OpenLDAP, Active Directory): a simple bind as the
//! person over LDAPS or StartTLS — never in clear — then their own entry read for the name
//! the audit log and the four-eyes check use. The password is held only for the bind.

use crate::{Error, Result};
use ldap3::{LdapConn, LdapConnSettings, Scope, SearchEntry};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How to reach the directory.
#[derive(Debug, Clone)]
pub struct Directory {
    /// `ldaps://host` or `ldap://host` (then StartTLS is required).
    pub url: String,
    /// Extra trusted roots (PEM or DER files) besides the system's.
    pub ca: Vec<PathBuf>,
    /// The person's DN with `{user}` for the sign-in name, e.g.
    /// `uid={user},ou=people,dc=stadt,dc=example` (AD: `{user}@stadt.example`).
    pub user_dn: String,
    /// The attribute with the person's name (`cn`, AD `displayName`).
    pub name_attribute: String,
    pub timeout: Duration,
}

/// Who signed in, as the directory says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The sign-in name (as typed, checked).
    pub user: String,
    /// The person's name from the directory.
    pub name: String,
    pub dn: String,
}

impl Identity {
    /// As the audit log and the four-eyes check name the person: their directory name and
    /// sign-in name, the same every time they sign in.
    pub fn actor(&self) -> String {
        format!("{} ({})", self.name, self.user)
    }
}

/// RFC 4514 escaping of a value inside a DN.
fn escape_dn_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for (i, c) in v.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '#' | ' ' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

impl Directory {
    /// Binds as `user` with `password` and reads their name. A wrong name or password is
    /// [`Error::WrongCredentials`]; an unreachable directory [`Error::DirectoryUnreachable`].
    pub fn authenticate(&self, user: &str, password: &str) -> Result<Identity> {
        let user = user.trim();
        if user.is_empty()
            || user.chars().count() > 64
            || !user
                .chars()
                .all(|c| c.is_alphanumeric() || "._-@".contains(c))
        {
            return Err(Error::WrongCredentials);
        }
        // An empty password would be an unauthenticated bind, which succeeds.
        if password.is_empty() {
            return Err(Error::WrongCredentials);
        }
        let unreachable = |reason: String| Error::DirectoryUnreachable {
            url: self.url.clone(),
            reason,
        };
        let ldaps = self.url.starts_with("ldaps://");
        if !ldaps && !self.url.starts_with("ldap://") {
            return Err(unreachable(
                "the URL must start with ldaps:// or ldap://".into(),
            ));
        }
        let settings = LdapConnSettings::new()
            .set_conn_timeout(self.timeout)
            .set_config(Arc::new(self.tls_config()?))
            .set_starttls(!ldaps);
        let mut conn =
            LdapConn::with_settings(settings, &self.url).map_err(|e| unreachable(e.to_string()))?;
        conn.with_timeout(self.timeout);
        let dn = self.user_dn.replace("{user}", &escape_dn_value(user));
        let bound = conn
            .simple_bind(&dn, password)
            .map_err(|e| unreachable(e.to_string()))?;
        match bound.rc {
            0 => {}
            49 => return Err(Error::WrongCredentials),
            rc => {
                return Err(Error::Directory(format!(
                    "bind refused ({rc}): {}",
                    bound.text
                )))
            }
        }
        let (entries, _) = conn
            .search(
                &dn,
                Scope::Base,
                "(objectClass=*)",
                vec![self.name_attribute.as_str(), "cn"],
            )
            .and_then(ldap3::SearchResult::success)
            .map_err(|e| Error::Directory(e.to_string()))?;
        let _ = conn.unbind();
        let entry = entries.into_iter().next().map(SearchEntry::construct);
        let name = entry
            .as_ref()
            .and_then(|e| {
                e.attrs
                    .get(&self.name_attribute)
                    .or_else(|| e.attrs.get("cn"))
            })
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_else(|| user.to_owned());
        Ok(Identity {
            user: user.to_owned(),
            name,
            dn: entry.map_or(dn, |e| e.dn),
        })
    }

    fn tls_config(&self) -> Result<rustls::ClientConfig> {
        crate::tls::client_config(&self.ca).map_err(|e| Error::Directory(e.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dn_values_are_escaped() {
        assert_eq!(escape_dn_value("a,b=c+d"), "a\\,b\\=c\\+d");
        assert_eq!(escape_dn_value(" x"), "\\ x");
        assert_eq!(escape_dn_value("anna"), "anna");
    }
}
