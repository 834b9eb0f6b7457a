//! The end-to-end tests are in `tests/`; this library is empty on purpose.
