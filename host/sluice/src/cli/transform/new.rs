//! `sluice transform new <name> --lang python|js`: a transform project that builds, with
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
    /// Python, built with componentize-py.
    Python,
    /// JavaScript, built with componentize-js.
    Js,
}

const WIT: &str = include_str!("../../../../../wit/plugin.wit");
const GOLDEN_INPUT: &str = include_str!("../../../../../transforms/mask-field/golden/input.jsonl");
const GOLDEN_EXPECTED: &str =
    include_str!("../../../../../transforms/mask-field/golden/expected.jsonl");

/// The example's files, by their path in the new project.
fn files(lang: Lang) -> Vec<(&'static str, &'static str)> {
    match lang {
        Lang::Python => vec![
            (
                "app.py",
                include_str!("../../../../../transforms/examples/python-mask/app.py"),
            ),
            (
                "build.sh",
                include_str!("../../../../../transforms/examples/python-mask/build.sh"),
            ),
        ],
        Lang::Js => vec![
            (
                "mask.js",
                include_str!("../../../../../transforms/examples/js-mask/mask.js"),
            ),
            (
                "build.mjs",
                include_str!("../../../../../transforms/examples/js-mask/build.mjs"),
            ),
            (
                "package.json",
                include_str!("../../../../../transforms/examples/js-mask/package.json"),
            ),
            (
                "package-lock.json",
                include_str!("../../../../../transforms/examples/js-mask/package-lock.json"),
            ),
        ],
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
    for (file, text) in files(args.lang) {
        write(&dir.join(file), &project_text(args.lang, file, text, name))?;
    }
    #[cfg(unix)]
    if matches!(args.lang, Lang::Python) {
        use std::os::unix::fs::PermissionsExt as _;
        let script = dir.join("build.sh");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    }
    write(&dir.join("README.md"), &readme(args.lang, name))?;
    println!(
        "created {} ({} transform `{name}`); next: see {}",
        dir.display(),
        match args.lang {
            Lang::Python => "Python",
            Lang::Js => "JavaScript",
        },
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
        _ => text.to_owned(),
    }
}

fn readme(lang: Lang, name: &str) -> String {
    let (build, language) = match lang {
        Lang::Python => (
            "./build.sh                       # needs `pip install componentize-py`",
            "Python (`app.py`, built with componentize-py)",
        ),
        Lang::Js => (
            "npm ci && node build.mjs         # needs Node.js 18+",
            "JavaScript (`mask.js`, built with componentize-js)",
        ),
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
         sluice transform test target/{name}.wasm --input golden/input.jsonl --config fields=ssn,balance --expect golden/expected.jsonl\n\
         ```\n\
         \n\
         Use it in a pipeline (the path is relative to the pipeline file):\n\
         \n\
         ```yaml\n\
         transforms: [{name}]\n\
         transforms.{name}.type: path/to/{name}/target/{name}.wasm\n\
         transforms.{name}.fields: ssn\n\
         ```\n"
    )
}
