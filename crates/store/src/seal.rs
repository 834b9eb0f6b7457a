//! Sealed blob files: XChaCha20-Poly1305 in 64 KiB chunks, so a blob of any size is written
//! and read streaming, and read from any offset (chunked uploads resume mid-file).
//!
//! Layout: `EGB1` ‖ 15-byte random prefix ‖ chunk₀ ‖ chunk₁ ‖ … where each chunk is the
//! ciphertext of up to 64 KiB plus its 16-byte tag. A chunk's nonce is the file's prefix ‖
//! the chunk's index (8 bytes, big-endian) ‖ 1 if it is the last chunk else 0 — so chunks
//! cannot be reordered, dropped from the end, or moved between files without the tag
//! failing. The key is derived from the data key (a separate key per purpose).

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::io::{self, Read, Seek, SeekFrom, Write};

pub const MAGIC: &[u8; 4] = b"EGB1";
pub const CHUNK: usize = 64 * 1024;
const PREFIX: usize = 15;
const HEADER_LEN: usize = 4 + PREFIX;
const HEADER: u64 = HEADER_LEN as u64;
const TAG: usize = 16;
const SEALED_CHUNK: u64 = (CHUNK + TAG) as u64;

/// The blob store's key — and, while a rotation re-seals the files, the previous one, which
/// still opens the files not yet re-sealed.
#[derive(Clone)]
pub struct BlobKey {
    current: XChaCha20Poly1305,
    previous: Option<XChaCha20Poly1305>,
}

impl std::fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlobKey(…)")
    }
}

impl BlobKey {
    pub fn from_bytes(k: &[u8; 32]) -> Self {
        Self {
            current: XChaCha20Poly1305::new(k.into()),
            previous: None,
        }
    }

    /// Whether an earlier key is still needed (a rotation has files left to re-seal).
    pub fn rotating(&self) -> bool {
        self.previous.is_some()
    }

    /// Only the current key: what a re-sealed file must open with.
    #[must_use]
    pub fn current_only(&self) -> Self {
        Self {
            current: self.current.clone(),
            previous: None,
        }
    }

    fn decrypt(&self, nonce: &XNonce, ct: &[u8]) -> io::Result<Vec<u8>> {
        self.current
            .decrypt(nonce, ct)
            .or_else(|_| match &self.previous {
                Some(p) => p.decrypt(nonce, ct),
                None => Err(chacha20poly1305::aead::Error),
            })
            .map_err(|_| damaged())
    }

    /// The blob key kept in the (encrypted) database's `secrets` table, made on first use.
    /// It is not the database key: rotating that re-encrypts the database, and with it
    /// this key, while sealed files stay as they are.
    pub(crate) fn in_store(conn: &rusqlite::Connection) -> crate::Result<Self> {
        use rusqlite::OptionalExtension as _;
        let found: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM secrets WHERE name = 'blob_key'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let previous: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM secrets WHERE name = 'blob_key_previous'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let previous = previous
            .filter(|v| v.len() == 32)
            .map(|v| XChaCha20Poly1305::new(v.as_slice().into()));
        let bytes = match found {
            Some(v) if v.len() == 32 => zeroize::Zeroizing::new(v),
            Some(_) => {
                return Err(crate::Error::KeyFile {
                    detail: "the blob key in the database is damaged".into(),
                })
            }
            None => {
                let k = crate::keys::random()?;
                conn.execute(
                    "INSERT INTO secrets (name, value) VALUES ('blob_key', ?1)",
                    [k.bytes().as_slice()],
                )?;
                zeroize::Zeroizing::new(k.bytes().to_vec())
            }
        };
        let mut arr = zeroize::Zeroizing::new([0u8; 32]);
        arr.copy_from_slice(&bytes);
        let mut key = Self::from_bytes(&arr);
        key.previous = previous;
        Ok(key)
    }

    /// Starts a rotation (in a transaction): a new current key, the old one kept as the
    /// previous until every file is re-sealed. `false` when a rotation is still unfinished
    /// (it is resumed, not started again — its files would need a third key).
    pub(crate) fn rotate_in_store(conn: &rusqlite::Connection) -> crate::Result<bool> {
        let unfinished: i64 = conn.query_row(
            "SELECT count(*) FROM secrets WHERE name = 'blob_key_previous'",
            [],
            |r| r.get(0),
        )?;
        if unfinished > 0 {
            return Ok(false);
        }
        Self::in_store(conn)?; // made if there was none
        let new = crate::keys::random()?;
        conn.execute(
            "INSERT INTO secrets (name, value) SELECT 'blob_key_previous', value FROM secrets WHERE name = 'blob_key'",
            [],
        )?;
        conn.execute(
            "UPDATE secrets SET value = ?1 WHERE name = 'blob_key'",
            [new.bytes().as_slice()],
        )?;
        Ok(true)
    }

    /// Ends a rotation: every file is re-sealed, the previous key goes.
    pub(crate) fn finish_rotation(conn: &rusqlite::Connection) -> crate::Result<()> {
        conn.execute("DELETE FROM secrets WHERE name = 'blob_key_previous'", [])?;
        Ok(())
    }
}

fn nonce(prefix: &[u8; PREFIX], index: u64, last: bool) -> XNonce {
    let mut n = [0u8; 24];
    n[..PREFIX].copy_from_slice(prefix);
    n[PREFIX..PREFIX + 8].copy_from_slice(&index.to_be_bytes());
    n[23] = u8::from(last);
    XNonce::from(n)
}

fn damaged() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the sealed file does not decrypt (damaged, or sealed with another key)",
    )
}

/// Writes a sealed file through `w`; [`Sealer::finish`] writes the last chunk.
#[allow(missing_debug_implementations)] // holds a key
pub struct Sealer<W: Write> {
    w: W,
    key: BlobKey,
    prefix: [u8; PREFIX],
    index: u64,
    buf: Vec<u8>,
}

impl<W: Write> Sealer<W> {
    pub fn new(mut w: W, key: &BlobKey) -> io::Result<Self> {
        let mut prefix = [0u8; PREFIX];
        getrandom::fill(&mut prefix).map_err(|e| io::Error::other(e.to_string()))?;
        w.write_all(MAGIC)?;
        w.write_all(&prefix)?;
        Ok(Self {
            w,
            key: key.clone(),
            prefix,
            index: 0,
            buf: Vec::with_capacity(CHUNK * 2),
        })
    }

    fn emit(&mut self, plain: &[u8], last: bool) -> io::Result<()> {
        let ct = self
            .key
            .current
            .encrypt(&nonce(&self.prefix, self.index, last), plain)
            .map_err(|_| io::Error::other("sealing failed"))?;
        self.index += 1;
        self.w.write_all(&ct)
    }

    pub fn write_plain(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let room = CHUNK + 1 - self.buf.len().min(CHUNK + 1);
            let take = room.min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            // A full chunk is only written once more data shows it is not the last.
            if self.buf.len() > CHUNK {
                let chunk: Vec<u8> = self.buf.drain(..CHUNK).collect();
                self.emit(&chunk, false)?;
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        let rest = std::mem::take(&mut self.buf);
        self.emit(&rest, true)?;
        self.w.flush()?;
        Ok(self.w)
    }
}

/// Reads the plaintext of a sealed file.
#[allow(missing_debug_implementations)] // holds a key
pub struct Opener<R: Read + Seek> {
    r: R,
    key: BlobKey,
    prefix: [u8; PREFIX],
    chunks: u64,
    next: u64,
    plain: Vec<u8>,
    at: usize,
}

impl<R: Read + Seek> Opener<R> {
    /// Opens a sealed file of `len` bytes (the caller checked the magic).
    pub fn new(mut r: R, len: u64, key: &BlobKey) -> io::Result<Self> {
        let mut head = [0u8; HEADER_LEN];
        r.seek(SeekFrom::Start(0))?;
        r.read_exact(&mut head)?;
        if &head[..4] != MAGIC || len < HEADER + TAG as u64 {
            return Err(damaged());
        }
        let mut prefix = [0u8; PREFIX];
        prefix.copy_from_slice(&head[4..]);
        let chunks = (len - HEADER).div_ceil(SEALED_CHUNK);
        Ok(Self {
            r,
            key: key.clone(),
            prefix,
            chunks,
            next: 0,
            plain: Vec::new(),
            at: 0,
        })
    }

    /// Moves to plaintext offset `offset`.
    pub fn seek_plain(&mut self, offset: u64) -> io::Result<()> {
        let index = offset / CHUNK as u64;
        self.r
            .seek(SeekFrom::Start(HEADER + index * SEALED_CHUNK))?;
        self.next = index;
        self.plain.clear();
        self.at = 0;
        if index < self.chunks {
            self.fill()?;
            self.at = usize::try_from(offset % CHUNK as u64)
                .unwrap_or(0)
                .min(self.plain.len());
        }
        Ok(())
    }

    fn fill(&mut self) -> io::Result<()> {
        let last = self.next + 1 == self.chunks;
        let mut ct = vec![0u8; CHUNK + TAG];
        let mut got = 0;
        while got < ct.len() {
            match self.r.read(&mut ct[got..])? {
                0 => break,
                n => got += n,
            }
        }
        ct.truncate(got);
        if ct.len() < TAG || (!last && ct.len() != CHUNK + TAG) {
            return Err(damaged());
        }
        self.plain = self
            .key
            .decrypt(&nonce(&self.prefix, self.next, last), ct.as_slice())?;
        self.next += 1;
        self.at = 0;
        Ok(())
    }
}

impl<R: Read + Seek> Read for Opener<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.plain.len() {
            if self.next >= self.chunks {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = out.len().min(self.plain.len() - self.at);
        out[..n].copy_from_slice(&self.plain[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Whether a file starts like a sealed one.
pub fn is_sealed(head: &[u8]) -> bool {
    head.len() >= 4 && &head[..4] == MAGIC
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation, clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key() -> BlobKey {
        BlobKey::from_bytes(crate::keys::random().unwrap().bytes())
    }

    fn seal(k: &BlobKey, plain: &[u8], step: usize) -> Vec<u8> {
        let mut s = Sealer::new(Vec::new(), k).unwrap();
        for part in plain.chunks(step.max(1)) {
            s.write_plain(part).unwrap();
        }
        s.finish().unwrap()
    }

    fn open(k: &BlobKey, sealed: &[u8]) -> io::Result<Vec<u8>> {
        let mut o = Opener::new(io::Cursor::new(sealed), sealed.len() as u64, k)?;
        let mut out = Vec::new();
        o.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn any_size_round_trips_and_reads_from_any_offset() {
        let k = key();
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            for step in [1000, CHUNK, 7 * CHUNK] {
                let sealed = seal(&k, &plain, step);
                assert_eq!(open(&k, &sealed).unwrap(), plain, "len {len} step {step}");
            }
            let sealed = seal(&k, &plain, 4096);
            for offset in [0, 1, CHUNK as u64, CHUNK as u64 + 5, len as u64] {
                let offset = offset.min(len as u64);
                let mut o = Opener::new(io::Cursor::new(&sealed), sealed.len() as u64, &k).unwrap();
                o.seek_plain(offset).unwrap();
                let mut rest = Vec::new();
                o.read_to_end(&mut rest).unwrap();
                assert_eq!(rest, plain[usize::try_from(offset).unwrap()..]);
            }
        }
    }

    #[test]
    fn tampering_truncation_reordering_and_another_key_are_refused() {
        let k = key();
        let plain: Vec<u8> = (0..(2 * CHUNK + 100)).map(|i| (i % 256) as u8).collect();
        let sealed = seal(&k, &plain, CHUNK);
        let mut flipped = sealed.clone();
        flipped[30] ^= 1;
        assert!(open(&k, &flipped).is_err());
        // The last chunk dropped: the new last chunk was not sealed as last.
        let cut = &sealed[..(HEADER_LEN + 2 * (CHUNK + TAG))];
        assert!(open(&k, cut).is_err());
        let mut swapped = sealed.clone();
        let (a, b) = (HEADER_LEN, HEADER_LEN + CHUNK + TAG);
        let first: Vec<u8> = swapped[a..b].to_vec();
        let second: Vec<u8> = swapped[b..b + CHUNK + TAG].to_vec();
        swapped[a..b].copy_from_slice(&second);
        swapped[b..b + CHUNK + TAG].copy_from_slice(&first);
        assert!(open(&k, &swapped).is_err());
        assert!(open(&key(), &sealed).is_err());
        assert!(!sealed.windows(64).any(|w| w == &plain[1000..1064]));
    }
}
