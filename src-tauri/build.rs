fn main() {
    // Our own commands are declared in an app manifest, so each must be granted to a
    // window by a capability (capabilities/main-window.json): least privilege.
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(eingang_commands::ALL));
    tauri_build::try_build(attrs).expect("tauri-build failed");
}

/// The list of commands, shared with `src/lib.rs` through `include!`.
#[allow(dead_code)]
mod eingang_commands {
    include!("src/command_names.rs");
}
