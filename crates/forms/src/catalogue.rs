//! The sample forms that ship with Eingang and are put into a new store's catalogue.

/// `(file name, JSON)` of every shipped sample form.
pub const SAMPLES: &[(&str, &str)] = &[
    (
        "ortstermin.json",
        include_str!("../samples/ortstermin.json"),
    ),
    (
        "sondernutzung-infostand.json",
        include_str!("../samples/sondernutzung-infostand.json"),
    ),
    (
        "veranstaltungsanzeige.json",
        include_str!("../samples/veranstaltungsanzeige.json"),
    ),
    (
        "hitzetelefon.json",
        include_str!("../samples/hitzetelefon.json"),
    ),
];
