// Every IPC command the app exposes. Kept in one list that build.rs (for the permission
// manifest) and lib.rs (for a test that the handler list matches) both read.
pub const ALL: &[&str] = &[
    "app_info",
    "status_get",
    "language_set",
    "forms_list",
    "form_get",
    "forms_import",
    "draft_create",
    "draft_list",
    "draft_get",
    "draft_save",
    "draft_delete",
    "draft_upgrade_preview",
    "draft_upgrade",
    "attachment_add",
    "draft_finalise",
    "submissions_list",
    "sync_items",
    "sync_retry",
    "sync_now",
    "target_password_set",
];
