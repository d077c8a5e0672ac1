//! The ids Marquee's rows carry in the Ghost-compatible API. Ghost's ids are 24 hex digits
//! (MongoDB ObjectIds) and clients treat them as opaque strings, so a row's id is written as 24
//! hex digits too: 8 naming the kind of row, then the row's number. Ids are stable, never
//! collide between kinds (a section and a tag are both "tags" to Ghost), and read back into
//! the row they name.

/// What a Ghost-style id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Post,
    Author,
    /// A tag of Marquee's.
    Tag,
    /// A section, which the Ghost API shows as a post's primary tag.
    Section,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Post, Kind::Author, Kind::Tag, Kind::Section];

    fn marker(self) -> u32 {
        match self {
            Kind::Post => 0x6d71_0001,
            Kind::Author => 0x6d71_0002,
            Kind::Tag => 0x6d71_0003,
            Kind::Section => 0x6d71_0004,
        }
    }
}

/// The id of row `number` of `kind`.
pub fn encode(kind: Kind, number: i64) -> String {
    format!("{:08x}{:016x}", kind.marker(), number as u64)
}

/// The kind and row number an id names; `None` for anything else.
pub fn decode(id: &str) -> Option<(Kind, i64)> {
    if id.len() != 24 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let marker = u32::from_str_radix(&id[..8], 16).ok()?;
    let number = i64::try_from(u64::from_str_radix(&id[8..], 16).ok()?).ok()?;
    Kind::ALL.iter().find(|k| k.marker() == marker).map(|k| (*k, number))
}

/// The row number of an id of `kind`.
pub fn number_of(kind: Kind, id: &str) -> Option<i64> {
    decode(id).filter(|(k, _)| *k == kind).map(|(_, n)| n)
}

/// A stable UUID-shaped string for a row (Ghost gives every post a `uuid`), made from its
/// kind, its number and a per-site salt so that two papers' posts do not share one.
pub fn uuid(kind: Kind, number: i64, salt: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{salt}:{}:{number}", kind.marker()).as_bytes());
    let mut b: [u8; 16] = digest[..16].try_into().expect("16 of 32 bytes");
    // Version 8 (custom) and the RFC 9562 variant bits.
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back_and_kinds_stay_apart() {
        let post = encode(Kind::Post, 42);
        assert_eq!(post.len(), 24);
        assert_eq!(decode(&post), Some((Kind::Post, 42)));
        assert_ne!(encode(Kind::Tag, 7), encode(Kind::Section, 7));
        assert_eq!(number_of(Kind::Tag, &encode(Kind::Tag, 7)), Some(7));
        assert_eq!(number_of(Kind::Section, &encode(Kind::Tag, 7)), None);
        assert_eq!(decode(&encode(Kind::Author, i64::MAX)), Some((Kind::Author, i64::MAX)));
        for bad in ["", "42", "zzzzzzzzzzzzzzzzzzzzzzzz", "5f0000000000000000000001", &post[..23], "6d710001ffffffffffffffff"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn uuids_are_stable_and_per_site() {
        let a = uuid(Kind::Post, 1, "site-a");
        assert_eq!(a, uuid(Kind::Post, 1, "site-a"));
        assert_ne!(a, uuid(Kind::Post, 1, "site-b"));
        assert_ne!(a, uuid(Kind::Post, 2, "site-a"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8", "version 8");
    }
}
