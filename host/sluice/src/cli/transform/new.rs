//! `sluice transform new <name> --lang rust|python|js|c`: a transform project that builds, with
//! a golden test that passes and a README that says how.
//!
//! The project is the repository's own example of that language (the MaskField of
//! `transforms/examples/<lang>-mask`, which CI builds and tests), with the WIT contract
//! and the golden records of the Rust MaskField beside it, all embedded in the binary:
//! a scaffold that is the tested example cannot rot apart from it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};

/// Arguments of `sluice transform new`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The transform's name (letters, digits, `-` and `_`): the project's directory and
    /// the component's file name.
    name: String,
    /// The language to write it in.
    #[arg(long, value_enum)]
    lang: Lang,
    /// Where to create the project (default: `./<name>`); must not exist yet.
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Lang {
    /// Rust, with wit-bindgen and the `wasm32-wasip2` target.
    Rust,
    /// Python, built with componentize-py.
    Python,
    /// JavaScript, built with componentize-js.
    Js,
    /// C, with wit-bindgen's C bindings (`sluice transform bindings`), clang and wasi-libc.
    C,
}

use super::contract::WIT;

const GOLDEN_INPUT: &str = include_str!("../../../../../transforms/mask-field/golden/input.jsonl");
const GOLDEN_EXPECTED: &str =
    include_str!("../../../../../transforms/mask-field/golden/expected.jsonl");

/// What the project of a language is made of and how it is built.
struct Project {
    /// Its language, for the README.
    language: &'static str,
    /// The example's files, by their path in the new project.
    files: Vec<(&'static str, &'static str)>,
    /// The README's build command, with what it needs.
    build: &'static str,
    /// Files the build runs (made executable).
    scripts: &'static [&'static str],
}

/// An example's file, by its path in the new project and in `transforms/examples`.
macro_rules! example {
    ($dir:literal, $file:literal) => {
        (
            $file,
            include_str!(concat!(
                "../../../../../transforms/examples/",
                $dir,
                "/",
                $file
            )),
        )
    };
}

fn project(lang: Lang) -> Project {
    match lang {
        Lang::Rust => Project {
            language: "Rust (`src/lib.rs`, on wit-bindgen's bindings)",
            files: vec![
                example!("rust-mask", "Cargo.toml"),
                example!("rust-mask", "Cargo.lock"),
                example!("rust-mask", "src/lib.rs"),
            ],
            build: "cargo build --release --target wasm32-wasip2   # needs `rustup target add wasm32-wasip2`",
            scripts: &[],
        },
        Lang::Python => Project {
            language: "Python (`app.py`, built with componentize-py)",
            files: vec![
                example!("python-mask", "app.py"),
                example!("python-mask", "build.sh"),
            ],
            build: "./build.sh                       # needs `pip install componentize-py`",
            scripts: &["build.sh"],
        },
        Lang::Js => Project {
            language: "JavaScript (`mask.js`, built with componentize-js)",
            files: vec![
                example!("js-mask", "mask.js"),
                example!("js-mask", "build.mjs"),
                example!("js-mask", "package.json"),
                example!("js-mask", "package-lock.json"),
            ],
            build: "npm ci && node build.mjs         # needs Node.js 18+",
            scripts: &[],
        },
        Lang::C => Project {
            language: "C (`mask.c`, with wit-bindgen's C bindings, clang and wasi-libc)",
            files: vec![example!("c-mask", "mask.c"), example!("c-mask", "build.sh")],
            build: "./build.sh                       # needs clang, lld and wasi-libc (see build.sh)",
            scripts: &["build.sh"],
        },
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let name = &args.name;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        bail!("the name `{name}` must be letters, digits, `-` and `_`");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        bail!("the name `{name}` must not start with a digit (Cargo and Python refuse such names)");
    }
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(name));
    if dir.exists() {
        bail!(
            "{} exists already; choose another name or --dir",
            dir.display()
        );
    }
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    for sub in ["wit", "golden"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("cannot create {}", dir.join(sub).display()))?;
    }
    write(&dir.join("wit/plugin.wit"), WIT)?;
    write(&dir.join("golden/input.jsonl"), GOLDEN_INPUT)?;
    write(&dir.join("golden/expected.jsonl"), GOLDEN_EXPECTED)?;
    let project = project(args.lang);
    for (file, text) in &project.files {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        write(&path, &project_text(args.lang, file, text, name))?;
    }
    #[cfg(unix)]
    for script in project.scripts {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir.join(script), std::fs::Permissions::from_mode(0o755))?;
    }
    write(&dir.join("README.md"), &readme(args.lang, &project, name))?;
    println!(
        "created {} ({} transform `{name}`); next: see {}",
        dir.display(),
        project.language,
        dir.join("README.md").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// An example file as the new project needs it: the WIT is beside it (not three levels
/// up, as in the repository) and the component is named after the project.
fn project_text(lang: Lang, file: &str, text: &str, name: &str) -> String {
    match (lang, file) {
        (Lang::Python, "build.sh") => text
            .replace("WIT=../../../wit", "WIT=wit")
            .replace("target/mask.wasm", &format!("target/{name}.wasm")),
        (Lang::Js, "build.mjs") => text
            .replace("`${here}../../../wit`", "`${here}wit`")
            .replace("target/mask.wasm", &format!("target/{name}.wasm")),
        (Lang::Js, "package.json" | "package-lock.json") => {
            text.replace("sluice-js-mask", &format!("sluice-{name}"))
        }
        (Lang::Rust, "Cargo.toml" | "Cargo.lock") => text.replace("sluice-rust-mask", name),
        (Lang::Rust, "src/lib.rs") => text.replace("path: \"../../../wit\"", "path: \"wit\""),
        (Lang::C, "build.sh") => text.replace("target/mask.", &format!("target/{name}.")),
        _ => text.to_owned(),
    }
}

fn readme(lang: Lang, project: &Project, name: &str) -> String {
    let Project {
        language, build, ..
    } = project;
    // Cargo names the component after the crate, with `_` for `-`.
    let component = match lang {
        Lang::Rust => format!(
            "target/wasm32-wasip2/release/{}.wasm",
            name.replace('-', "_")
        ),
        _ => format!("target/{name}.wasm"),
    };
    format!(
        "# {name}\n\
         \n\
         A Sluice transform in {language}, on the `transform` world of `wit/plugin.wit`.\n\
         It starts as MaskField (Kafka Connect's `MaskField`: the listed `fields` get the\n\
         empty value of their type); change it into your transform, and the golden files\n\
         in `golden/` with it.\n\
         \n\
         Build it and run its golden test:\n\
         \n\
         ```sh\n\
         {build}\n\
         sluice transform test {component} --input golden/input.jsonl --config fields=ssn,balance --expect golden/expected.jsonl\n\
         ```\n\
         \n\
         Use it in a pipeline (the path is relative to the pipeline file):\n\
         \n\
         ```yaml\n\
         transforms: [{name}]\n\
         transforms.{name}.type: path/to/{name}/{component}\n\
         transforms.{name}.fields: ssn\n\
         ```\n"
    )
}
