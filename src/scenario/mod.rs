//! Scenario files: from text (YAML or `.http`) to the model, with no network.

pub mod analysis;
pub mod diagnostics;
pub mod model;
pub mod node;
pub mod reader;
pub mod schema;
pub mod source;
pub mod visit;
pub mod yaml;

pub use diagnostics::Diagnostic;
pub use model::Scenario;
pub use source::{SourceFile, Span, Spanned};
