//! Text folding and fuzzy search over folded text (DESIGN.md §5).

mod fold;
mod index;

pub use fold::{fold, fold_onto, fold_with_map};
pub use index::{Entry, Hit, Index, NONE, highlight, query_words, search};
