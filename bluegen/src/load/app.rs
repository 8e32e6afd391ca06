//! App: the app crate device.toml names, read for what validation needs.

use std::path::Path;

use toml::Spanned;

use super::{AppCrate, first_line};
use crate::diag::{Diagnostic, Error, Location, Result, Source};
use crate::root::Root;

/// The app crate at `dir`/`app` (default `app/`): its package, its
/// dependencies, its public API and what its Cargo.toml asks of components.
pub(super) fn app(root: &Root, dir: &Path, app: Option<&Spanned<String>>, source: &Source) -> Result<AppCrate> {
    let rel = app.map_or("app", |a| a.get_ref().as_str());
    let app_dir = dir.join(rel);
    let manifest = app_dir.join("Cargo.toml");
    let location = app.map(|a| source.location(a.span()));
    let missing = |why: String| {
        Error::new(
            Diagnostic::error(format!("the app crate `{rel}` cannot be used"))
                .at(location.clone().or_else(|| Some(Location::at(&source.path, 1, 1))))
                .key("device.app")
                .value(format!("\"{rel}\""))
                .why(why)
                .hint("thread entries are functions of a no_std library crate next to device.toml (`bluegen new` creates one)"),
        )
    };
    if !manifest.exists() {
        return Err(missing(format!("there is no {}", manifest.display())));
    }
    // A mistake inside the app's Cargo.toml is located there.
    let app_source = Source::read(&manifest)?;
    let doc: toml::Table = toml::from_str(&app_source.text).map_err(|e| {
        Error::new(
            Diagnostic::error(format!("the app crate's Cargo.toml is not valid TOML: {}", first_line(e.message().trim())))
                .at(Some(e.span().map_or_else(|| Location::at(&manifest, 1, 1), |s| app_source.location(s))))
                .why("cargo could not read it either, so the image cannot be built")
                .hint("see https://toml.io for the syntax; strings need quotes"),
        )
    })?;
    let package = doc.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str()).ok_or_else(|| {
        Error::new(
            Diagnostic::error("the app crate's Cargo.toml names no package")
                .at(Some(Location::at(&manifest, 1, 1)))
                .key("package.name")
                .why("the image depends on the app crate by its package name")
                .hint("add `name = \"my-app\"` to its [package] table"),
        )
    })?;
    let lib = doc.get("lib").and_then(|l| l.get("path")).and_then(|p| p.as_str()).unwrap_or("src/lib.rs");
    // A dependency's symbols carry its package's crate name, renamed or not.
    let dependencies = doc
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|deps| deps.iter().map(|(key, v)| v.get("package").and_then(|p| p.as_str()).unwrap_or(key).replace('-', "_")).collect())
        .unwrap_or_default();
    #[derive(serde::Deserialize)]
    struct Named {
        package: NamedPackage,
    }
    #[derive(serde::Deserialize)]
    struct NamedPackage {
        name: Spanned<String>,
    }
    let package_at = toml::from_str::<Named>(&app_source.text).ok().map(|n| app_source.location(n.package.name.span()));
    let dir = std::path::absolute(&app_dir).unwrap_or(app_dir);
    let foreign = crate::app_manifest::foreign_components(&app_source, &dir, root);
    let components = crate::app_manifest::component_packages(root);
    let (feature_requests, watch) = crate::app_manifest::component_dependencies(&app_source, &components);
    let api = crate::app_scan::scan(&dir.join(lib), &crate::app_scan::default_features(&doc), &watch);
    Ok(AppCrate { dir, package: package.to_string(), package_at, dependencies, api, feature_requests, foreign })
}
