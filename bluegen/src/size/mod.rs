//! Size reports: per region, component, module and symbol, adding up exactly.
//!
//! [`attribute`] walks the ELF and gives every allocated byte to one piece;
//! [`report`] groups the pieces by component and module and renders the
//! table and JSON; [`compare`] diffs two JSON reports; [`budget`] checks a
//! device's `[budget]`; [`html`] draws the treemap page; [`models`] gives
//! the device's models their rows and splits the image into kernel, model
//! and app.

pub mod archives;
pub mod attribute;
pub mod budget;
pub mod compare;
pub mod html;
pub mod models;
pub mod report;

pub use attribute::{Class, Classes, Piece, attribute, demangle};
pub use report::{ComponentMap, SizeReport};
