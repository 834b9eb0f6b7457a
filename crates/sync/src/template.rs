//! Templates filled in for a delivery: folder segments and index files from a package's
//! metadata and files. The template language and its checks are the configuration's
//! ([`eingang_config::template`]).

use crate::package::Package;
pub use eingang_config::template::{
    check_path, portable_name, IndexTemplate, TemplateError, FIELDS,
};

fn escape(s: &str, xml: bool) -> String {
    if !xml {
        return s.to_owned();
    }
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn fill(s: &str, lookup: &dyn Fn(&str) -> Option<String>, xml: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        let key = rest[start + 2..start + end].trim();
        out.push_str(&escape(&lookup(key).unwrap_or_default(), xml));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// The folders for `p` (a target's `folder`): each segment filled in and made a
/// [`portable_name`], empty segments dropped — a value never adds or climbs a folder.
pub fn fill_folder(template: &str, p: &Package) -> Vec<String> {
    template
        .split('/')
        .map(|seg| portable_name(&fill(seg, &|k| p.meta(k).map(str::to_owned), false)))
        .filter(|seg| !seg.is_empty())
        .collect()
}

/// A property's value for `p` (a DMS's metadata templates, which may be paths): placeholders
/// filled, segment by segment, characters that are unsafe in file names on any server
/// replaced by `_`, empty segments dropped.
pub fn fill_value(template: &str, p: &Package) -> String {
    template
        .split('/')
        .map(|seg| fill(seg, &|k| p.meta(k).map(str::to_owned), false))
        .map(|seg| {
            seg.chars()
                .map(|c| {
                    if c.is_control() || matches!(c, '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                    {
                        '_'
                    } else {
                        c
                    }
                })
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .filter(|seg| !seg.is_empty() && seg != "." && seg != "..")
        .collect::<Vec<_>>()
        .join("/")
}

/// An index template filled in for a package.
pub trait Render {
    /// The index file's name for `p`.
    fn file_name(&self, p: &Package) -> String;
    /// The index file's text for `p`.
    fn render(&self, p: &Package) -> String;
}

impl Render for IndexTemplate {
    fn file_name(&self, p: &Package) -> String {
        // A portable name: the template is checked to be a plain name, and no filled-in
        // value may make it a path, a stream or a device.
        portable_name(&fill(self.name(), &|k| p.meta(k).map(str::to_owned), false))
    }

    fn render(&self, p: &Package) -> String {
        let xml = std::path::Path::new(self.name())
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
        let meta = |k: &str| p.meta(k).map(str::to_owned);
        let Some(a) = self.body().find("{{#dateien}}") else {
            return fill(self.body(), &meta, xml);
        };
        let b = self
            .body()
            .find("{{/dateien}}")
            .unwrap_or(self.body().len());
        let inner = &self.body()[a + 12..b];
        let mut out = fill(&self.body()[..a], &meta, xml);
        for f in &p.files {
            out.push_str(&fill(
                inner,
                &|k| match k {
                    "name" => Some(f.name.clone()),
                    "sha256" => Some(f.sha256.clone()),
                    "bytes" => Some(f.size.to_string()),
                    _ => None,
                },
                xml,
            ));
        }
        out.push_str(&fill(
            &self.body()[(b + 12).min(self.body().len())..],
            &meta,
            xml,
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::{Content, PackageFile};

    fn package() -> Package {
        Package {
            id: "0193-a".into(),
            files: vec![PackageFile {
                name: "0193-a.pdf".into(),
                sha256: "ab".repeat(32),
                size: 12,
                content: Content::Inline(vec![0; 12]),
            }],
            metadata: vec![
                ("id".into(), "0193-a".into()),
                ("formular".into(), "Sondernutzung <Infostand> & mehr".into()),
            ],
            index_xml: String::new(),
        }
    }

    #[test]
    fn renders_metadata_and_one_block_per_file_escaped() {
        let t = IndexTemplate::new(
            "<idx form=\"{{formular}}\">{{#dateien}}<f n=\"{{name}}\" s=\"{{bytes}}\"/>{{/dateien}}</idx>",
            "{{id}}.xml",
        )
        .unwrap();
        assert_eq!(t.file_name(&package()), "0193-a.xml");
        assert_eq!(
            t.render(&package()),
            "<idx form=\"Sondernutzung &lt;Infostand&gt; &amp; mehr\"><f n=\"0193-a.pdf\" s=\"12\"/></idx>"
        );
    }

    #[test]
    fn folder_templates_fill_and_sanitise() {
        let mut p = package();
        p.metadata.push(("jahr".into(), "2026".into()));
        assert_eq!(
            fill_folder("eingang/{{formular}}//{{jahr}}", &p),
            ["eingang", "Sondernutzung _Infostand_ & mehr", "2026"]
        );
        assert_eq!(
            fill_value("eingang/{{formular}}//{{jahr}}", &p),
            "eingang/Sondernutzung _Infostand_ & mehr/2026"
        );
        // Values never add, climb or empty a folder, and never name a Windows device.
        for (value, folder) in [
            ("bau/antrag", vec!["x", "bau_antrag"]),
            ("..", vec!["x"]),
            ("Bescheid. ", vec!["x", "Bescheid"]),
            ("Aux", vec!["x", "_Aux"]),
            ("com1.2026", vec!["x", "_com1.2026"]),
        ] {
            p.metadata[1].1 = value.into();
            assert_eq!(fill_folder("x/{{formular}}", &p), folder, "{value}");
        }
        assert!(check_path("{{formular}}/{{jahr}}").is_ok());
        assert!(check_path("../{{jahr}}").is_err());
        assert!(check_path("{{aktenzeichen}}").is_err());
    }

    #[test]
    fn index_file_names_are_portable_whatever_the_values() {
        let mut p = package();
        p.metadata
            .push(("erstellt".into(), "2026-12-04T06:30:00Z".into()));
        let t = IndexTemplate::new("x", "{{formular}}-{{id}}-{{erstellt}}.xml").unwrap();
        assert_eq!(
            t.file_name(&p),
            "Sondernutzung _Infostand_ & mehr-0193-a-2026-12-04T06_30_00Z.xml"
        );
        p.metadata[1].1 = "nul".into();
        assert_eq!(
            IndexTemplate::new("x", "{{formular}}.{{id}}")
                .unwrap()
                .file_name(&p),
            "_nul.0193-a"
        );
    }

    #[test]
    fn refuses_unknown_placeholders_unbalanced_blocks_and_unsafe_names() {
        for (body, name, needle) in [
            (
                "{{aktenzeichen}}",
                "{{id}}.xml",
                "unknown placeholder {{aktenzeichen}}",
            ),
            (
                "{{#dateien}}{{formular}}{{/dateien}}",
                "{{id}}.xml",
                "inside {{#dateien}}",
            ),
            ("{{/dateien}}{{#dateien}}", "{{id}}.xml", "as a pair"),
            ("x", "index.xml", "must contain {{id}}"),
            ("x", "../{{id}}.xml", "plain file name"),
        ] {
            let e = IndexTemplate::new(body, name).unwrap_err().to_string();
            assert!(e.contains(needle), "{body}: {e}");
        }
    }
}
