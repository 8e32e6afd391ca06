//! Models: `[models.<name>]` checked — the file read and parsed, the engine able to run it, its thread there.

use crate::diag::Diagnostic;
use crate::load::Loaded;
use crate::ml::{Engine, Model, analyse, tflite};
use crate::model::Thread;

use super::bad_value;

/// The device's models, each mistake to `errors`; the largest arena of
/// the models a thread runs is added to that thread's stack.
pub(super) fn validate(loaded: &Loaded, threads: &mut [Thread], errors: &mut Vec<Diagnostic>) -> Vec<Model> {
    let source = &loaded.source;
    let mut out: Vec<Model> = Vec::new();
    for ((name, m), file) in loaded.raw.models.iter().zip(&loaded.model_files) {
        let (name, raw) = (name.get_ref(), m.get_ref());
        let header = Some(source.location(m.span()));
        let key = |k: &str| format!("models.{name}.{k}");
        // A Rust keyword (`type`, `self`) is no module name.
        if !super::is_ident(name) || name.starts_with('_') || syn::parse_str::<syn::Ident>(name).is_err() {
            errors.push(
                Diagnostic::error(format!("invalid model name `{name}`"))
                    .at(header.clone())
                    .key(format!("models.{name}"))
                    .why("a model's name is the Rust module the app calls (`bluegen_models::<name>`) and its flash section: lowercase letters, digits and `_`, starting with a letter, and not a Rust keyword")
                    .hint(format!("rename it, e.g. [models.{}]", {
                        let s = name.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_");
                        let s = s.trim_start_matches(|c: char| !c.is_ascii_lowercase());
                        if s.is_empty() || syn::parse_str::<syn::Ident>(s).is_err() { format!("{s}_model").trim_start_matches('_').to_string() } else { s.to_string() }
                    })),
            );
            continue;
        }
        if out.iter().any(|o| o.name == *name) {
            continue; // TOML refuses a table twice; nothing to add
        }
        let engine = match &raw.engine {
            None => Some(Engine::Microflow),
            Some(e) => match Engine::parse(e.get_ref()) {
                Some(engine) => Some(engine),
                None => {
                    errors.push(
                        Diagnostic::error(format!("unknown engine `{}`", e.get_ref()))
                            .at(Some(source.location(e.span())))
                            .key(key("engine"))
                            .value(format!("{:?}", e.get_ref()))
                            .why(format!("bluegen runs models with {}", Engine::NAMES.join(", ")))
                            .suggest(e.get_ref(), Engine::NAMES.iter().copied(), "write `engine = \"microflow\"` or leave it out (microflow is the default)"),
                    );
                    None
                }
            },
        };
        let names: Vec<&str> = threads.iter().map(|t| t.name.as_str()).collect();
        let thread = match &raw.thread {
            Some(t) if names.contains(&t.get_ref().as_str()) => Some(t.get_ref().clone()),
            Some(t) => {
                errors.push(
                    Diagnostic::error(format!("model `{name}` runs on thread `{}`, which device.toml does not declare", t.get_ref()))
                        .at(Some(source.location(t.span())))
                        .key(key("thread"))
                        .value(format!("{:?}", t.get_ref()))
                        .why("the model's activations live on the stack of the thread that calls its `predict`; bluegen adds them to that thread's stack")
                        .suggest(t.get_ref(), names.iter().copied(), format!("name one of the threads: {}", names.join(", "))),
                );
                None
            }
            None if threads.len() == 1 => Some(threads[0].name.clone()),
            None => {
                errors.push(
                    Diagnostic::error(format!("[models.{name}] has no `thread`"))
                        .at(header.clone())
                        .key(key("thread"))
                        .why("the model's activations live on the stack of the thread that calls its `predict`, and the device has several threads")
                        .hint(format!("add `thread = \"{}\"` (the thread that runs the model)", names.first().copied().unwrap_or("main"))),
                );
                None
            }
        };
        let labels = match &raw.labels {
            None => Some(Vec::new()),
            Some(v) => match v.get_ref().as_array().map(|a| a.iter().map(|l| l.as_str().map(str::to_string)).collect::<Option<Vec<_>>>()) {
                Some(Some(l)) => Some(l),
                _ => {
                    errors.push(bad_value(source, v, &key("labels"), "`labels` is an array of strings, one name per output class".into()).hint("write e.g. `labels = [\"silence\", \"unknown\", \"yes\", \"no\"]`"));
                    None
                }
            },
        };
        let (Some(file), Some(file_key)) = (file, &raw.file) else { continue };
        let file_at = Some(source.location(file_key.span()));
        let bytes = match &file.bytes {
            Ok(b) => b,
            Err(why) => {
                errors.push(
                    Diagnostic::error(format!("cannot read model file `{}`", file_key.get_ref()))
                        .at(file_at)
                        .key(key("file"))
                        .value(format!("{:?}", file_key.get_ref()))
                        .why(format!("{}: {why}", file.path.display()))
                        .hint("the path is relative to the directory of device.toml; put the .tflite file there or fix the path"),
                );
                continue;
            }
        };
        let parsed = match tflite::read(bytes) {
            Ok(p) => p,
            Err(tflite::Malformed(why)) => {
                errors.push(
                    Diagnostic::error(format!("model file `{}` is not a TensorFlow Lite model", file_key.get_ref()))
                        .at(file_at)
                        .key(key("file"))
                        .value(format!("{:?}", file_key.get_ref()))
                        .why(why)
                        .hint("give a `.tflite` flatbuffer, as TensorFlow's `tf.lite.TFLiteConverter` writes it"),
                );
                continue;
            }
        };
        let Some(engine) = engine else { continue };
        let analysis = match analyse(&parsed, engine) {
            Ok(a) => a,
            Err(problems) => {
                for p in problems {
                    errors.push(
                        Diagnostic::error(format!("{} cannot run model `{name}`", engine.name()))
                            .at(file_at.clone())
                            .key(key("file"))
                            .value(format!("{:?}", file_key.get_ref()))
                            .why(p.why)
                            .hint(p.hint),
                    );
                }
                continue;
            }
        };
        let classes = analysis.output.elements();
        let Some(labels) = labels else { continue };
        if !labels.is_empty() && labels.len() != classes {
            let v = raw.labels.as_ref().expect("labels were given");
            errors.push(
                bad_value(source, v, &key("labels"), format!("the model's output has {classes} values ({:?}), and `labels` names {}", analysis.output.shape, labels.len()))
                    .hint(format!("give one name per output value: {classes} names")),
            );
            continue;
        }
        let Some(thread) = thread else { continue };
        out.push(Model {
            name: name.clone(),
            file: file.path.clone(),
            file_bytes: bytes.len() as u64,
            engine,
            thread,
            labels,
            input: analysis.input,
            output: analysis.output,
            operators: analysis.operators,
            weights: analysis.weights,
            arena: analysis.arena,
            at: header,
        });
    }
    // A thread runs one model at a time: its stack grows by the largest
    // arena of the models it runs.
    for t in threads.iter_mut() {
        if let Some(arena) = out.iter().filter(|m| m.thread == t.name).map(|m| m.arena).max() {
            t.stack = u32::try_from(u64::from(t.stack) + arena).unwrap_or(u32::MAX);
        }
    }
    out
}

/// `[budget]`'s model keys need a model to count.
pub(super) fn budget_keys(loaded: &Loaded, models: &[Model], errors: &mut Vec<Diagnostic>) {
    let Some(b) = &loaded.raw.budget else { return };
    if !models.is_empty() || !loaded.raw.models.is_empty() {
        return;
    }
    let b = b.get_ref();
    for (key, v) in [("model-flash", &b.model_flash), ("model-ram", &b.model_ram)] {
        if let Some(v) = v {
            errors.push(
                bad_value(&loaded.source, v, &format!("budget.{key}"), "the device declares no model, so there is nothing for this budget to count".into())
                    .hint("declare the model with a [models.<name>] table, or remove this line"),
            );
        }
    }
}
