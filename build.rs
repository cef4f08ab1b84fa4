//! Tells the binary which commit it was built from (`--version`), when it
//! is built from a git checkout.

use std::process::Command;

fn main() {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let commit = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(hash) if !hash.is_empty() => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{hash} (with uncommitted changes)")
            } else {
                hash
            }
        }
        _ => "unknown (not built from a git checkout)".to_owned(),
    };
    println!("cargo:rustc-env=LANDSCAPE_TUI_COMMIT={commit}");
    // A new commit or checkout rebuilds the line; nothing else does.
    for path in [".git/HEAD", ".git/index", ".git/refs/heads"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
