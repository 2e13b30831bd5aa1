//! Small bounded caches shared by the tasks that use one converter.
//!
//! Every JSON-with-schema record repeats its schema. Connect caches schemas in both
//! directions (`schemas.cache.size`); so does Sluice. A topic nearly always carries one
//! schema at a time, so the last entry used is checked first (one comparison, no
//! hashing), then a map. When the map is full it is emptied: entries are cheap to
//! rebuild, and a full cache means the schemas are churning anyway.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

pub(crate) struct BoundedCache<K, V> {
    capacity: usize,
    inner: Mutex<Inner<K, V>>,
}

struct Inner<K, V> {
    last: Option<(K, V)>,
    map: HashMap<K, V>,
}

impl<K: Hash + Eq + Clone, V: Clone> BoundedCache<K, V> {
    /// A cache of at most `capacity` entries; 0 disables caching.
    pub fn new(capacity: usize) -> Self {
        BoundedCache {
            capacity,
            inner: Mutex::new(Inner {
                last: None,
                map: HashMap::new(),
            }),
        }
    }

    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.with(key, V::clone)
    }

    /// Runs `f` on the entry for `key`, under the lock (no clone of the value).
    pub fn with<Q, R>(&self, key: &Q, f: impl FnOnce(&V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.capacity == 0 {
            return None;
        }
        let mut inner = self.lock();
        if let Some((k, v)) = &inner.last
            && k.borrow() == key
        {
            return Some(f(v));
        }
        let (k, v) = inner.map.get_key_value(key)?;
        let hit = (k.clone(), v.clone());
        let out = f(&hit.1);
        inner.last = Some(hit);
        Some(out)
    }

    /// Runs `f` on the entry used last, if any: the fast path that compares a candidate
    /// key itself (for example as a prefix of a record) before any parsing or hashing.
    pub fn with_last<R>(&self, f: impl FnOnce(&K, &V) -> Option<R>) -> Option<R> {
        let inner = self.lock();
        let (k, v) = inner.last.as_ref()?;
        f(k, v)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // A panic while holding the lock cannot leave the maps inconsistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn insert(&self, key: K, value: V) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        if inner.map.len() >= self.capacity {
            inner.map.clear();
        }
        inner.map.insert(key.clone(), value.clone());
        inner.last = Some((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_last_hit() {
        let c: BoundedCache<Box<str>, u32> = BoundedCache::new(2);
        c.insert("a".into(), 1);
        c.insert("b".into(), 2);
        assert_eq!(c.get("a"), Some(1));
        assert_eq!(c.get("b"), Some(2));
        c.insert("c".into(), 3); // full: cleared, then c added
        assert_eq!(c.get("a"), None);
        assert_eq!(c.get("c"), Some(3));
        let off: BoundedCache<Box<str>, u32> = BoundedCache::new(0);
        off.insert("a".into(), 1);
        assert_eq!(off.get("a"), None);
    }
}
