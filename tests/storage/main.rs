//! The store under power cuts, failing disks and odd paths (`power_cut`): its own test
//! binary, as it drives redb through a faulty storage backend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod power_cut;
