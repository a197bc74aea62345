//! The reader's website and JSON API, read-only over the Store.
