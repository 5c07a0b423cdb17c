//! The integration tests, one module per concern, built as a single test binary: one link
//! instead of one per module keeps the build small and fast. Run one part with
//! `cargo test --test it <module>::`, e.g. `cargo test --test it relevance:: -- --nocapture`.
//! `tests/README.md` says what each module covers, and which tests are `#[ignore]`d and why.

mod common;

mod api;
mod browser;
mod check;
mod deflection;
mod evaluation;
mod faults;
mod feedback;
mod hardening;
mod index_on_disk;
mod insights;
mod languages;
mod load;
mod matching;
mod pages;
mod previews;
mod process;
mod relevance;
mod reload;
mod replicas;
mod search;
mod seed;
mod serving;
mod slow_clients;
mod store;
mod wizard;
