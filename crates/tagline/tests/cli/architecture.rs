//! ARCHITECTURE.md kept true where that is cheap to check: every crate has
//! its section and every command of the binary is named.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().and_then(Path::parent).expect("the workspace root")
}

/// The subcommands a `--help` output lists under "Commands:".
fn commands(args: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_tagline")).args(args).arg("--help").output().expect("tagline runs");
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn issue_17_architecture_names_every_crate_and_every_command() {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let crates: Vec<String> = std::fs::read_dir(root().join("crates"))
        .expect("crates/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(crates.len() >= 10, "{crates:?}");
    let missing: Vec<&String> = crates.iter().filter(|c| !doc.contains(&format!("### `crates/{c}`"))).collect();
    assert!(missing.is_empty(), "crates without a section in ARCHITECTURE.md: {missing:?}");

    let top = commands(&[]);
    assert!(top.len() >= 15, "{top:?}");
    let missing: Vec<&String> = top.iter().filter(|c| !doc.contains(&format!("`{c}`"))).collect();
    assert!(missing.is_empty(), "commands ARCHITECTURE.md does not name: {missing:?}");
    let sources = commands(&["sources"]);
    assert!(sources.len() >= 5, "{sources:?}");
    let missing: Vec<&String> = sources.iter().filter(|c| !doc.contains(&format!("`{c}`"))).collect();
    assert!(missing.is_empty(), "`sources` subcommands ARCHITECTURE.md does not name: {missing:?}");
}
