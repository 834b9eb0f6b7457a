//! A minimal ICC v2 display profile for sRGB (D50-adapted primaries, gamma 2.2), for the
//! PDF/A output intent. Generated here so no profile file of unclear licence is shipped.

fn s15f16(v: f64) -> [u8; 4] {
    #[allow(clippy::cast_possible_truncation)]
    let n = (v * 65536.0).round() as i32;
    n.to_be_bytes()
}

fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
    let mut t = b"XYZ \0\0\0\0".to_vec();
    t.extend(s15f16(x));
    t.extend(s15f16(y));
    t.extend(s15f16(z));
    t
}

fn text(s: &str) -> Vec<u8> {
    let mut t = b"text\0\0\0\0".to_vec();
    t.extend(s.as_bytes());
    t.push(0);
    t
}

fn desc(s: &str) -> Vec<u8> {
    let mut t = b"desc\0\0\0\0".to_vec();
    let n = u32::try_from(s.len() + 1).unwrap_or(0);
    t.extend(n.to_be_bytes());
    t.extend(s.as_bytes());
    t.push(0);
    t.extend(0u32.to_be_bytes()); // Unicode language code
    t.extend(0u32.to_be_bytes()); // Unicode count
    t.extend(0u16.to_be_bytes()); // ScriptCode code
    t.push(0); // ScriptCode count
    t.extend([0u8; 67]);
    t
}

fn curve(gamma: f64) -> Vec<u8> {
    let mut t = b"curv\0\0\0\0".to_vec();
    t.extend(1u32.to_be_bytes());
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let g = (gamma * 256.0).round() as u16;
    t.extend(g.to_be_bytes());
    t
}

/// The profile's bytes.
pub fn srgb_profile() -> Vec<u8> {
    let trc = curve(2.2);
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc("sRGB IEC61966-2.1 (Eingang)")),
        (b"cprt", text("No copyright, use freely")),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", trc.clone()),
        (b"gTRC", trc.clone()),
        (b"bTRC", trc),
    ];
    let table_len = 4 + 12 * tags.len();
    let mut offset = 128 + table_len;
    let mut table = Vec::new();
    let mut data = Vec::new();
    table.extend(u32::try_from(tags.len()).unwrap_or(0).to_be_bytes());
    for (sig, body) in &tags {
        while offset % 4 != 0 {
            data.push(0);
            offset += 1;
        }
        table.extend(*sig);
        table.extend(u32::try_from(offset).unwrap_or(0).to_be_bytes());
        table.extend(u32::try_from(body.len()).unwrap_or(0).to_be_bytes());
        data.extend(body);
        offset += body.len();
    }
    while offset % 4 != 0 {
        data.push(0);
        offset += 1;
    }
    let mut h = Vec::with_capacity(128);
    h.extend(u32::try_from(offset).unwrap_or(0).to_be_bytes()); // size
    h.extend([0u8; 4]); // CMM
    h.extend([0x02, 0x10, 0x00, 0x00]); // version 2.1
    h.extend(b"mntr");
    h.extend(b"RGB ");
    h.extend(b"XYZ ");
    for v in [2026u16, 1, 1, 0, 0, 0] {
        h.extend(v.to_be_bytes());
    }
    h.extend(b"acsp");
    h.extend([0u8; 4]); // platform
    h.extend([0u8; 4]); // flags
    h.extend([0u8; 4]); // manufacturer
    h.extend([0u8; 4]); // model
    h.extend([0u8; 8]); // attributes
    h.extend([0u8; 4]); // rendering intent: perceptual
    h.extend(s15f16(0.9642));
    h.extend(s15f16(1.0));
    h.extend(s15f16(0.8249));
    h.extend([0u8; 4]); // creator
    h.extend([0u8; 44]); // reserved
    debug_assert_eq!(h.len(), 128);
    h.extend(table);
    h.extend(data);
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_profile_is_self_consistent() {
        let p = super::srgb_profile();
        let size = u32::from_be_bytes([p[0], p[1], p[2], p[3]]) as usize;
        assert_eq!(size, p.len());
        assert_eq!(&p[36..40], b"acsp");
        assert_eq!(&p[12..24], b"mntrRGB XYZ ");
        let tags = u32::from_be_bytes([p[128], p[129], p[130], p[131]]) as usize;
        for i in 0..tags {
            let e = 132 + i * 12;
            let off = u32::from_be_bytes([p[e + 4], p[e + 5], p[e + 6], p[e + 7]]) as usize;
            let len = u32::from_be_bytes([p[e + 8], p[e + 9], p[e + 10], p[e + 11]]) as usize;
            assert_eq!(off % 4, 0, "tag {i} aligned");
            assert!(off + len <= p.len(), "tag {i} inside the profile");
        }
    }
}
