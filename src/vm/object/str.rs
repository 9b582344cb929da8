//! `PyStr`, the immutable string: UTF-8 text with its character count and a cached hash.
//! ASCII strings index and slice by byte; others walk characters.

use crate::vm::value::Value;
use hashbrown::HashMap;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

pub struct PyStr {
    /// Kept as built: shrinking every new string to fit costs a `realloc` each, so only
    /// buffers with much unused room are shrunk.
    text: String,
    n_chars: usize,
    /// `-1` until computed (a real hash is never `-1`, as in CPython).
    hash: Cell<i64>,
}

/// Whether `c` is whitespace to Python (`str.isspace`, `split()`, `strip()`, `int(s)`):
/// Unicode's White_Space characters and, as in CPython, the four ASCII separators
/// U+001C..U+001F, which Rust's `char::is_whitespace` leaves out.
pub fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// The byte offset of the first `needle` in `hay` (a char boundary: UTF-8 matches start on
/// one). Substring searches go through here and `rfind_str` rather than `str::find`, whose
/// searcher set-up dominated the short searches programs mostly do.
pub fn find_str(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    match needle.as_bytes() {
        [] => Some(0),
        [b] => memchr::memchr(*b, h),
        // In a short haystack, candidates by first byte beat setting up a searcher.
        n @ [first, ..] if h.len() <= SHORT_HAYSTACK => {
            let mut from = 0;
            while let Some(off) = h.get(from..).and_then(|rest| memchr::memchr(*first, rest)) {
                let at = from + off;
                match h.get(at..at + n.len()) {
                    Some(window) if window == n => return Some(at),
                    Some(_) => from = at + 1,
                    None => return None,
                }
            }
            None
        }
        n => memchr::memmem::find(h, n),
    }
}

/// Up to this many bytes, `find_str` scans for candidates instead of building a searcher.
const SHORT_HAYSTACK: usize = 64;

/// The byte offset of the last `needle` in `hay`.
pub fn rfind_str(hay: &str, needle: &str) -> Option<usize> {
    match needle.as_bytes() {
        [] => Some(hay.len()),
        [b] => memchr::memrchr(*b, hay.as_bytes()),
        n => memchr::memmem::rfind(hay.as_bytes(), n),
    }
}

/// How many non-overlapping `needle`s (not empty) `hay` holds.
pub fn count_str(hay: &str, needle: &str) -> usize {
    match needle.as_bytes() {
        [] => 0,
        [b] => memchr::memchr_iter(*b, hay.as_bytes()).count(),
        n => memchr::memmem::find_iter(hay.as_bytes(), n).count(),
    }
}

/// `hay` split at its first `limit` (all if `None`) non-overlapping `sep`s (not empty).
pub fn split_str<'a>(hay: &'a str, sep: &str, limit: Option<usize>) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut last = 0;
    let limit = limit.unwrap_or(usize::MAX);
    let mut cut = |at: usize| {
        parts.push(hay.get(last..at).unwrap_or(""));
        last = at + sep.len();
    };
    match sep.as_bytes() {
        [] => {}
        [b] => memchr::memchr_iter(*b, hay.as_bytes())
            .take(limit)
            .for_each(&mut cut),
        s => memchr::memmem::find_iter(hay.as_bytes(), s)
            .take(limit)
            .for_each(&mut cut),
    }
    parts.push(hay.get(last..).unwrap_or(""));
    parts
}

thread_local! {
    /// The one-character ASCII strings, made on first use and shared after (as CPython
    /// shares its one-character strings): indexing or iterating a string makes one per
    /// character.
    static ASCII_CHARS: RefCell<Vec<Option<Rc<PyStr>>>> = const { RefCell::new(Vec::new()) };
}

/// The string of one character `c`.
pub fn char_value(c: char) -> Value {
    if c.is_ascii() {
        let shared = ASCII_CHARS.with(|cache| {
            let mut cache = cache.try_borrow_mut().ok()?;
            if cache.is_empty() {
                cache.resize(128, None);
            }
            let slot = cache.get_mut(c as usize)?;
            Some(
                slot.get_or_insert_with(|| Rc::new(PyStr::new(c.encode_utf8(&mut [0; 4]))))
                    .clone(),
            )
        });
        if let Some(s) = shared {
            return Value::Str(s);
        }
    }
    Value::string(c.to_string())
}

impl PyStr {
    pub fn new(text: &str) -> PyStr {
        PyStr::from_string(text.to_owned())
    }

    pub fn from_string(text: String) -> PyStr {
        let n_chars = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        };
        PyStr::counted(text, n_chars)
    }

    /// A string of `n_chars` characters, which the caller knows without counting them (the
    /// pieces it was made of, ASCII text): most strings are made from other strings.
    pub fn counted(mut text: String, n_chars: usize) -> PyStr {
        debug_assert_eq!(n_chars, text.chars().count(), "miscounted {text:?}");
        if text.capacity() > text.len() + text.len() / 2 + 16 {
            text.shrink_to_fit();
        }
        PyStr {
            text,
            n_chars,
            hash: Cell::new(-1),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Appends `more` (the string's owner made sure nobody else sees it change).
    pub fn push_str(&mut self, more: &PyStr) {
        self.text.push_str(&more.text);
        self.n_chars += more.n_chars;
        self.hash.set(-1);
    }

    pub fn is_ascii(&self) -> bool {
        self.n_chars == self.text.len()
    }

    pub fn char_len(&self) -> usize {
        self.n_chars
    }

    /// The character at `idx` (0-based, already range-checked by the caller or `None`).
    pub fn char_at(&self, idx: usize) -> Option<char> {
        if self.is_ascii() {
            self.text.as_bytes().get(idx).map(|&b| b as char)
        } else {
            self.text.chars().nth(idx)
        }
    }

    /// Byte offset of character `idx` (`idx == char_len()` gives the length).
    pub fn byte_offset(&self, idx: usize) -> usize {
        if self.is_ascii() {
            idx.min(self.text.len())
        } else {
            self.text
                .char_indices()
                .nth(idx)
                .map_or(self.text.len(), |(off, _)| off)
        }
    }

    /// Character index of byte offset `off`.
    pub fn char_index(&self, off: usize) -> usize {
        if self.is_ascii() {
            off
        } else {
            self.text.get(..off).map_or(0, |s| s.chars().count())
        }
    }

    pub fn hash(&self) -> i64 {
        let cached = self.hash.get();
        if cached != -1 {
            return cached;
        }
        // FNV-1a over the bytes; CPython randomises str hashes, so any good hash will do.
        let mut acc: u64 = 0xcbf2_9ce4_8422_2325;
        for &byte in self.text.as_bytes() {
            acc ^= byte as u64;
            acc = acc.wrapping_mul(0x0100_0000_01b3);
        }
        let mut res = (acc >> 1) as i64;
        if res == -1 {
            res = -2;
        }
        self.hash.set(res);
        res
    }
}

/// How many static names `interned` remembers by address.
const STATIC_SLOTS: usize = 256;

/// A static name's address and length, and its shared `PyStr`.
type StaticName = (usize, usize, Rc<PyStr>);

thread_local! {
    /// `interned`'s cache in front of the name table: a static name's address and length
    /// identify it (static text never moves or goes away), so a hit neither hashes nor
    /// compares text. Direct-mapped: a clash replaces the entry.
    static STATIC_NAMES: RefCell<Vec<Option<StaticName>>> = RefCell::new(vec![None; STATIC_SLOTS]);
}

/// The shared `PyStr` for a static name (dunders looked up by the VM).
pub fn interned(name: &'static str) -> Rc<PyStr> {
    let (addr, len) = (name.as_ptr() as usize, name.len());
    let slot = ((addr >> 3) ^ (addr >> 11) ^ len) % STATIC_SLOTS;
    STATIC_NAMES.with(|cache| {
        if let Ok(cache) = cache.try_borrow() {
            if let Some(Some((a, l, s))) = cache.get(slot) {
                if *a == addr && *l == len {
                    return s.clone();
                }
            }
        }
        let s = intern_name(name);
        if let Ok(mut cache) = cache.try_borrow_mut() {
            if let Some(entry) = cache.get_mut(slot) {
                *entry = Some((addr, len, s.clone()));
            }
        }
        s
    })
}

thread_local! {
    static NAMES: RefCell<HashMap<Box<str>, Rc<PyStr>>> = RefCell::new(HashMap::new());
}

/// One shared `PyStr` per identifier used in code, so dictionary lookups by name usually
/// match by pointer before comparing text.
pub fn intern_name(name: &str) -> Rc<PyStr> {
    NAMES.with(|map| {
        if let Ok(map) = map.try_borrow() {
            if let Some(s) = map.get(name) {
                return s.clone();
            }
        }
        let s = Rc::new(PyStr::new(name));
        s.hash();
        if let Ok(mut map) = map.try_borrow_mut() {
            map.insert(name.into(), s.clone());
        }
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings over a small alphabet (with a multi-byte letter), from a fixed linear
    /// congruential sequence: every short needle occurs, overlaps and misses somewhere.
    fn samples() -> Vec<String> {
        let alphabet = ['a', 'b', 'é', ' '];
        let mut state: u32 = 12345;
        (0..400)
            .map(|i| {
                let len = i % 90;
                (0..len)
                    .map(|_| {
                        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        alphabet[(state >> 16) as usize % alphabet.len()]
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn searches_agree_with_std() {
        let hays = samples();
        let needles = ["a", "é", "ab", "aa", "bé", "a b", "éé", "abab", "zz"];
        for hay in &hays {
            for needle in needles {
                assert_eq!(
                    find_str(hay, needle),
                    hay.find(needle),
                    "{hay:?} find {needle:?}"
                );
                assert_eq!(
                    rfind_str(hay, needle),
                    hay.rfind(needle),
                    "{hay:?} rfind {needle:?}"
                );
                assert_eq!(count_str(hay, needle), hay.matches(needle).count());
                let parts: Vec<&str> = hay.split(needle).collect();
                assert_eq!(split_str(hay, needle, None), parts);
                let two: Vec<&str> = hay.splitn(3, needle).collect();
                assert_eq!(split_str(hay, needle, Some(2)), two);
            }
        }
    }

    #[test]
    fn python_whitespace_includes_the_ascii_separators() {
        assert!(py_space('\x1c') && py_space('\x1f') && py_space(' ') && py_space('\u{3000}'));
        assert!(!py_space('\x1b') && !py_space('a') && !py_space('\u{200b}'));
    }
}
