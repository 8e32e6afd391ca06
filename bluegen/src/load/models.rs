//! Models: `[models.<name>]` of device.toml as written, with each model file's bytes.

use std::path::PathBuf;

use toml::Spanned;
use toml::de::DeValue;

use super::{Walker, in_file_order};

/// The keys of one `[models.<name>]` table.
pub const MODEL_KEYS: &[&str] = &["file", "engine", "thread", "labels"];

/// One `[models.<name>]` table: the model file, the engine that runs it,
/// the thread whose stack holds its activations, and the names of its
/// output classes.
#[derive(Debug, Default)]
pub struct RawModel {
    pub file: Option<Spanned<String>>,
    pub engine: Option<Spanned<String>>,
    pub thread: Option<Spanned<String>>,
    pub labels: Option<Spanned<toml::Value>>,
}

/// A model file as read: its absolute path and bytes, or why it could not
/// be read.
#[derive(Debug, Clone)]
pub struct ModelFile {
    pub path: PathBuf,
    pub bytes: std::result::Result<Vec<u8>, String>,
}

/// The `[models]` table into `out`, each table's unknown keys reported.
pub(super) fn parse(
    p: &mut Walker<'_>,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    value: &Spanned<DeValue<'_>>,
    out: &mut Vec<(Spanned<String>, Spanned<RawModel>)>,
) {
    let Some(t) = p.table(key, value, "models", &[]) else { return };
    for (name, model) in in_file_order(t) {
        let path = format!("models.{}", name.get_ref());
        if let Some(m) = p.table(name, model, &path, MODEL_KEYS) {
            let raw = RawModel { file: p.string(m, &path, "file"), engine: p.string(m, &path, "engine"), thread: p.string(m, &path, "thread"), labels: p.any(m, &path, "labels") };
            if raw.file.is_none() && !m.contains_key("file") {
                p.missing(&path, "file", name.span(), "\"models/model.tflite\"");
            }
            out.push((p.key(name), Spanned::new(model.span(), raw)));
        }
    }
}

/// Reads each model's file, relative to the project directory.
pub(super) fn read_files(dir: &std::path::Path, models: &[(Spanned<String>, Spanned<RawModel>)]) -> Vec<Option<ModelFile>> {
    models
        .iter()
        .map(|(_, m)| {
            let file = m.get_ref().file.as_ref()?;
            let path = dir.join(file.get_ref());
            let bytes = std::fs::read(&path).map_err(|e| e.to_string());
            Some(ModelFile { path, bytes })
        })
        .collect()
}
